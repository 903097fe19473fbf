package receiver

import (
	"bytes"
	"context"
	"net"
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

// A tunnel (ngrok http 8080) connects from 127.0.0.1: the inspection API
// must tell its requests apart by their headers, and refuse them.
func TestInspectionRefusesProxiedRequests(t *testing.T) {
	s := start(t)
	post(t, s.URL+"/hook", example(t))

	if res := request(t, http.MethodGet, s.URL+PathDeliveries, nil); res.status != 200 || !bytes.Contains(res.body, []byte("homeowner@example.com")) {
		t.Fatalf("from this machine: %d %.200s", res.status, res.body)
	}
	if res := request(t, http.MethodGet, s.URL+PathSummary, map[string]string{"Host": strings.Replace(s.Addr, "127.0.0.1", "localhost", 1)}); res.status != 200 {
		t.Errorf("addressed to localhost: %d %s", res.status, res.body)
	}

	for _, h := range []map[string]string{
		{"X-Forwarded-For": "203.0.113.7"},
		{"X-Forwarded-Host": "abc.ngrok.app"},
		{"Forwarded": "for=203.0.113.7;proto=https"},
		{"X-Real-IP": "203.0.113.7"},
		{"Cf-Connecting-Ip": "203.0.113.7"},
		{"Ngrok-Skip-Browser-Warning": "1"},
		{"Via": "1.1 proxy"},
		{"Host": "abc.ngrok-free.app"},     // a tunnel that adds no header
		{"Host": "203.0.113.7:8080"},       // ssh -R on a public address
		{"Host": "rebound.example.com:80"}, // DNS rebinding
	} {
		for _, path := range []string{PathDeliveries, PathEvents + "48291", PathSummary, "/_mock/nothing"} {
			res := request(t, http.MethodGet, s.URL+path, h)
			var e errorBody
			res.json(t, &e)
			if res.status != http.StatusForbidden || !strings.Contains(e.Error, "this machine") ||
				!strings.Contains(e.Hint, "--inspect-token") || !strings.Contains(e.Hint, "--public-inspect") {
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

	// From another machine, whatever the headers.
	if w := remote(s.Receiver, http.MethodGet, PathDeliveries, nil); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "192.0.2.1") {
		t.Errorf("from 192.0.2.1: %d %s", w.Code, w.Body)
	}

	// Deliveries themselves come through the tunnel: they stay open.
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/hook", bytes.NewReader(example(t)))
	req.Header.Set("X-Forwarded-For", "203.0.113.7")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || len(s.Deliveries()) != 2 {
		t.Errorf("a proxied delivery: %d, %d kept", res.StatusCode, len(s.Deliveries()))
	}
}

func TestPublicInspect(t *testing.T) {
	s := start(t, WithPublicInspect(true))
	post(t, s.URL+"/hook", example(t))
	xff := map[string]string{"X-Forwarded-For": "203.0.113.7", "Host": "abc.ngrok.app"}
	if res := request(t, http.MethodGet, s.URL+PathDeliveries, xff); res.status != 200 || !bytes.Contains(res.body, []byte("48291")) {
		t.Errorf("proxied, with PublicInspect: %d %.200s", res.status, res.body)
	}
	if w := remote(s.Receiver, http.MethodGet, PathSummary, nil); w.Code != 200 {
		t.Errorf("from another machine, with PublicInspect: %d %s", w.Code, w.Body)
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

// On an address of this machine other than loopback (listen --addr
// 192.168.1.5:8080, then curl from the same machine), the connection's
// two ends share the address: that is this machine too.
func TestNotLocalAcceptsThisMachinesOwnAddress(t *testing.T) {
	at := func(remote, host string) *http.Request {
		req := httptest.NewRequest(http.MethodGet, PathDeliveries, nil)
		local, _ := net.ResolveTCPAddr("tcp", "192.0.2.1:8080")
		req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, local))
		req.RemoteAddr, req.Host = remote, host
		return req
	}
	for _, tc := range []struct {
		remote, host string
		local        bool
	}{
		{"192.0.2.1:50000", "192.0.2.1:8080", true},
		{"127.0.0.1:50000", "192.0.2.1:8080", true},
		{"[::1]:50000", "[::1]:8080", true},
		{"[::ffff:127.0.0.1]:50000", "localhost", true},
		{"127.0.0.1:50000", "", true},
		{"192.0.2.2:50000", "192.0.2.1:8080", false},
		{"127.0.0.1:50000", "192.0.2.2:8080", false},
		{"127.0.0.1:50000", "my-laptop.lan:8080", false},
		{"not an address", "localhost", false},
	} {
		why := notLocal(at(tc.remote, tc.host))
		if (why == "") != tc.local {
			t.Errorf("from %s to %q: %q, want local=%v", tc.remote, tc.host, why, tc.local)
		}
	}
}
