package receiver

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// request sends a request with extra headers (a "Host" entry sets the Host).
func request(t *testing.T, method, url string, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(res.Body); err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, b.Bytes()}
}

// remote serves one request to rc as if it came from another machine, as
// httptest.NewRequest makes it (192.0.2.1).
func remote(rc *Receiver, method, path string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	rc.ServeHTTP(w, req)
	return w
}

// A TCP-level tunnel (ssh -R, ngrok tcp, kubectl port-forward) to the
// delivery address brings requests from 127.0.0.1 addressed to localhost,
// with no proxy header or with any header a sender likes: nothing tells them
// from local ones. So the delivery address serves no inspection, and the
// inspection API is on its own loopback address.
func TestInspectionIsNotOnTheDeliveryAddress(t *testing.T) {
	s := start(t)
	post(t, s.URL+"/hook", example(t))
	if s.InspectURL == "" || s.InspectURL == s.URL || !strings.HasPrefix(s.InspectURL, "http://127.0.0.1:") {
		t.Fatalf("inspection URL %q, delivery URL %q", s.InspectURL, s.URL)
	}
	if res := request(t, http.MethodGet, s.InspectURL+PathDeliveries, nil); res.status != 200 || !bytes.Contains(res.body, []byte("homeowner@example.com")) {
		t.Fatalf("on the inspection address: %d %.200s", res.status, res.body)
	}

	for _, h := range []map[string]string{
		nil, // what a TCP tunnel forwards: indistinguishable from a local request
		{"Host": strings.Replace(s.Addr, "127.0.0.1", "localhost", 1)},
		{"X-Forwarded": "for=203.0.113.7"},
		{"X-Cluster-Client-Ip": "203.0.113.7"},
		{"Fastly-Client-Ip": "203.0.113.7"},
		{"X-Envoy-External-Address": "203.0.113.7"},
		{"X-Forwarded-For": "203.0.113.7"},
		{"Host": "abc.ngrok-free.app"},
	} {
		for _, path := range []string{PathDeliveries, PathEvents + "48291", PathSummary, "/_mock/nothing"} {
			res := request(t, http.MethodGet, s.URL+path, h)
			var e errorBody
			res.json(t, &e)
			if res.status != http.StatusForbidden || !strings.Contains(e.Hint, "own loopback address") ||
				!strings.Contains(e.Hint, "--inspect-token") {
				t.Errorf("GET %s with %v: %d %s", path, h, res.status, res.body)
			}
			if bytes.Contains(res.body, []byte("homeowner")) {
				t.Errorf("GET %s with %v leaked the payload", path, h)
			}
		}
		if res := request(t, http.MethodDelete, s.URL+PathDeliveries, h); res.status != http.StatusForbidden {
			t.Errorf("DELETE with %v: %d", h, res.status)
		}
		if res := request(t, http.MethodGet, s.URL+PathHealthz, h); res.status != 200 {
			t.Errorf("healthz with %v: %d", h, res.status)
		}
	}
	if n := len(s.Deliveries()); n != 1 {
		t.Errorf("a refused DELETE cleared the capture: %d left", n)
	}
	// The inspection address takes no deliveries.
	if res := post(t, s.InspectURL+"/hook", example(t)); res.status != http.StatusNotFound || len(s.Deliveries()) != 1 {
		t.Errorf("a delivery to the inspection address: %d", res.status)
	}
	if w := remote(s.Receiver, http.MethodGet, PathDeliveries, nil); w.Code != http.StatusForbidden {
		t.Errorf("from 192.0.2.1: %d %s", w.Code, w.Body)
	}
}

func TestInspectAddrOff(t *testing.T) {
	s := start(t, WithInspectAddr(""))
	if s.InspectURL != "" {
		t.Errorf("InspectURL %q with no inspection address", s.InspectURL)
	}
	if _, err := Start("127.0.0.1:0", WithInspectAddr("256.0.0.1:0")); err == nil || !strings.Contains(err.Error(), "inspection address") {
		t.Errorf("a bad inspection address: %v", err)
	}
}

func TestPublicInspect(t *testing.T) {
	s := start(t, WithPublicInspect(true))
	post(t, s.URL+"/hook", example(t))
	xff := map[string]string{"X-Forwarded-For": "203.0.113.7", "Host": "abc.ngrok.app"}
	if res := request(t, http.MethodGet, s.URL+PathDeliveries, xff); res.status != 200 || !bytes.Contains(res.body, []byte("48291")) {
		t.Errorf("proxied, with WithPublicInspect: %d %.200s", res.status, res.body)
	}
	if w := remote(s.Receiver, http.MethodGet, PathSummary, nil); w.Code != 200 {
		t.Errorf("from another machine, with WithPublicInspect: %d %s", w.Code, w.Body)
	}
}

func TestInspectToken(t *testing.T) {
	const token = "0123456789abcdef0123"
	s := start(t, WithInspectToken(token))
	post(t, s.URL+"/hook", example(t))
	for name, h := range map[string]map[string]string{
		"no token":        nil,
		"wrong token":     {"Authorization": "Bearer 0123456789abcdef0124"},
		"a prefix":        {"Authorization": "Bearer 0123456789abcdef012"},
		"another scheme":  {"Authorization": "Basic " + token},
		"the bare token":  {"Authorization": token},
		"proxied, no one": {"X-Forwarded-For": "203.0.113.7"},
	} {
		res := request(t, http.MethodGet, s.URL+PathDeliveries, h)
		var e errorBody
		res.json(t, &e)
		if res.status != http.StatusUnauthorized || !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") || e.Hint == "" {
			t.Errorf("%s: %d %s", name, res.status, res.body)
		}
		if strings.Contains(string(res.body), token) {
			t.Errorf("%s: the answer tells the token", name)
		}
	}
	through := map[string]string{"Authorization": "Bearer " + token, "X-Forwarded-For": "203.0.113.7", "Host": "abc.ngrok.app"}
	if res := request(t, http.MethodGet, s.URL+PathDeliveries, through); res.status != 200 {
		t.Errorf("token through a tunnel: %d %s", res.status, res.body)
	}
	if w := remote(s.Receiver, http.MethodGet, PathEvents+"48291", map[string]string{"Authorization": "bearer " + token}); w.Code != 200 {
		t.Errorf("token from another machine (scheme in lower case): %d %s", w.Code, w.Body)
	}
	if res := request(t, http.MethodGet, s.URL+PathHealthz, nil); res.status != 200 {
		t.Errorf("healthz without the token: %d", res.status)
	}
	if res := request(t, http.MethodDelete, s.URL+PathDeliveries, map[string]string{"Authorization": "Bearer " + token}); res.status != 200 || len(s.Deliveries()) != 0 {
		t.Errorf("DELETE with the token: %d", res.status)
	}
}

func TestInspectTokenIsChecked(t *testing.T) {
	for _, bad := range []string{"short", "0123456789abcdef 0123", "0123456789abcdef\n0123", "0123456789abcdefé0123"} {
		if _, err := New(WithInspectToken(bad)); err == nil {
			t.Errorf("token %q accepted", bad)
		}
	}
	if _, err := New(WithInspectToken("")); err != nil {
		t.Errorf("no token: %v", err)
	}
}
