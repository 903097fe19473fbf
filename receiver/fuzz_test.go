package receiver

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzHandler feeds arbitrary methods, paths and bodies through the
// handler: it must never panic, must answer a status its contract allows,
// and must answer JSON.
func FuzzHandler(f *testing.F) {
	ex := example(f)
	for _, seed := range []struct {
		method, path string
		body         []byte
	}{
		{"POST", "/webhooks/coperniq", ex},
		{"POST", "/", []byte(`{"event":{"eventId":1,"triggerKey":"PROJECT_CREATED"}}`)},
		{"POST", "/hook", []byte(`{"event": }`)},
		{"POST", "/hook", []byte(`[[[[[[[[[[[[[[[[[[[[`)},
		{"POST", "/hook", []byte(`{"event":{"eventId":1e400}}`)},
		{"POST", "/hook", []byte("\xff\xfe{}")},
		{"POST", "/hook", bytes.Repeat([]byte("x"), 300)},
		{"GET", "/hook", nil},
		{"GET", "/_mock/deliveries", nil},
		{"DELETE", "/_mock/deliveries", nil},
		{"GET", "/_mock/events/48291", nil},
		{"GET", "/_mock/events/-9223372036854775809", nil},
		{"PATCH", "/_mock/summary", nil},
		{"GET", "/_mock/../hook", nil},
		{"", "", nil},
	} {
		f.Add(seed.method, seed.path, seed.body)
	}
	f.Fuzz(func(t *testing.T, method, path string, body []byte) {
		plain, err := New()
		if err != nil {
			t.Fatal(err)
		}
		misbehaving, err := New(WithFailFirst(1), WithFailRate(0.5), WithStatus(202), WithBodyLimit(256), WithMaxDeliveries(4))
		if err != nil {
			t.Fatal(err)
		}
		for _, rc := range []*Receiver{plain, misbehaving} {
			// The plain one's inspection API is asked on its own handler;
			// the other's on the delivery handler, which refuses it.
			local := rc == plain
			// Twice, so that retries, attempt counts and the kept list
			// are exercised too.
			for range 2 {
				req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
				req.Method, req.URL.Path = method, path
				w := httptest.NewRecorder()
				if local && isMockPath(path) {
					rc.InspectHandler().ServeHTTP(w, req)
				} else {
					rc.ServeHTTP(w, req)
				}

				var allowed []int
				switch {
				case isMockPath(path) && !local && path != PathHealthz:
					allowed = []int{403}
				case isMockPath(path):
					allowed = []int{200, 400, 404, 405}
				case method != http.MethodPost:
					allowed = []int{405}
				default:
					allowed = []int{200, 202, 400, 413, 503}
				}
				if !slices.Contains(allowed, w.Code) {
					t.Fatalf("%q %q answered %d, want one of %v", method, path, w.Code, allowed)
				}
				if !json.Valid(w.Body.Bytes()) {
					t.Fatalf("%q %q answered %d with non-JSON %q", method, path, w.Code, w.Body.String())
				}
				if w.Code == 405 && w.Header().Get("Allow") == "" {
					t.Fatalf("405 without an Allow header")
				}
			}
			// Whatever was recorded is servable.
			if _, err := json.Marshal(rc.Deliveries()); err != nil {
				t.Fatalf("deliveries don't encode: %v", err)
			}
			if s := rc.Summary(); s.Valid+s.Invalid+s.Unreadable != s.Deliveries {
				t.Fatalf("summary doesn't add up: %+v", s)
			}
		}
	})
}

// FuzzServerRawBytes writes arbitrary bytes on a connection to a running
// Server, as anyone on the internet may: the server must answer or close,
// never hang or fall over, and must still answer a real delivery after.
func FuzzServerRawBytes(f *testing.F) {
	ex := example(f)
	for _, seed := range []string{
		"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
		"POST /hook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n0\r\n\r\n",
		"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n{",
		"GET /_mock/deliveries HTTP/1.1\r\nHost: localhost\r\n\r\n",
		"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n1e999999",
		"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03",
		"GET / HTTP/1.1\r\n" + strings.Repeat("X-A: b\r\n", 200) + "\r\n",
	} {
		f.Add([]byte(seed))
	}
	s, err := Start("127.0.0.1:0", WithBodyLimit(4096), WithMaxInFlight(1<<16))
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := net.Dial("tcp", s.Addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = c.Write(raw)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.CloseWrite() // the sender is done: the server must answer or close
		}
		_, err = io.Copy(io.Discard, c)
		c.Close()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("the server neither answered nor closed within 5s after %q", raw)
		}
		res, err := http.Post(s.URL+"/hook", "application/json", bytes.NewReader(ex))
		if err != nil {
			t.Fatalf("a real delivery after %q: %v", raw, err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("a real delivery after %q: %d", raw, res.StatusCode)
		}
	})
}
