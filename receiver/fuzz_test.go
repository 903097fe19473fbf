package receiver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
)

// FuzzHandler feeds arbitrary methods, paths and bodies through the
// handler: it must never panic, must answer a status its contract allows,
// and must answer JSON.
func FuzzHandler(f *testing.F) {
	ex, err := os.ReadFile("testdata/documented-example.json")
	if err != nil {
		f.Fatal(err)
	}
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
