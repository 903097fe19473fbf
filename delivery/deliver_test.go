package delivery_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// Deliver checks the target before anything is sent, names the run and
// its target, and takes After's verdict only when the deliveries' passed.
func TestReportedDeliver(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer ok.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }))
	defer failing.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	unreachable := "http://" + closed.Addr().String() + "/hook"
	closed.Close()

	ev, err := delivery.MessageFromPayload([]byte(`{"event":{"eventId":1,"recordId":10423,"triggerKey":"PROJECT_CREATED"}}`))
	if err != nil {
		t.Fatal(err)
	}
	s := delivery.DefaultSettings()
	s.Retry = "none"
	afterErr := errors.New("the API mock's verdict")
	for _, tc := range []struct {
		name     string
		url      string
		afterErr error
		started  string // After's started argument, "" when not called
		want     string // in the error; "" for none
		failed   bool   // the error is a *FailedError
		printed  []string
		unwanted []string
	}{
		{name: "acked, After passes", url: ok.URL, started: "true", printed: []string{"run to http://127.0.0.1:", "NOTICE"}},
		{name: "acked, After fails: its verdict", url: ok.URL, afterErr: afterErr, started: "true", want: afterErr.Error()},
		{name: "dead: the run's verdict wins", url: failing.URL, afterErr: afterErr, started: "true", want: "dead", failed: true},
		{name: "unreachable: nothing sent, After told", url: unreachable, started: "false", want: "could not reach the receiver", unwanted: []string{"run to", "NOTICE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			to, err := delivery.NewTarget(tc.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			started := ""
			r := delivery.Reported{Out: &out, Info: &out, Notice: "NOTICE", After: func(_ context.Context, _ io.Writer, st bool) error {
				started = fmt.Sprint(st)
				return tc.afterErr
			}}
			err = r.Deliver(context.Background(), to, s, 1, []delivery.Message{ev}, "run")
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Deliver: %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Deliver: %v, want an error with %q", err, tc.want)
			}
			var failed *delivery.FailedError
			if errors.As(err, &failed) != tc.failed {
				t.Errorf("Deliver: %v; *FailedError %v, want %v", err, !tc.failed, tc.failed)
			}
			if started != tc.started {
				t.Errorf("After called with started %q, want %q", started, tc.started)
			}
			for _, w := range tc.printed {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tc.unwanted {
				if strings.Contains(out.String(), w) {
					t.Errorf("output has %q:\n%s", w, out.String())
				}
			}
		})
	}
}

// TestRefusedAlikeIsTheSetups: a run whose every request got the same
// 404/405/401/403 and none was acknowledged is a wrong path or token (a
// *RefusedError, which commands exit 2 on, with verify's hint), printed
// after the summary; any other failure stays a finding (*FailedError).
func TestRefusedAlikeIsTheSetups(t *testing.T) {
	answer := func(code func(body []byte) int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			w.WriteHeader(code(body))
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/wrong/path"
	}
	always := func(code int) string { return answer(func([]byte) int { return code }) }
	var events []delivery.Message
	for id := range 3 {
		ev, err := delivery.MessageFromPayload(fmt.Appendf(nil, `{"event":{"eventId":%d,"recordId":10423,"triggerKey":"PROJECT_CREATED"}}`, id+1))
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, ev)
	}
	s := delivery.DefaultSettings()
	s.Retry = "none"
	for _, tc := range []struct {
		name    string
		url     string
		events  int
		want    string
		refused bool
	}{
		{name: "404 to every request", url: always(404), events: 3, refused: true,
			want: "the receiver was not judged: every delivery was answered 404 Not Found: is --target the webhook's path?"},
		{name: "405 to every request", url: always(405), events: 3, refused: true, want: "answered 405 Method Not Allowed: is --target the webhook's path?"},
		{name: "401 to every request", url: always(401), events: 3, refused: true, want: "answered 401 Unauthorized: does the receiver want a token in the URL (--target 'URL?NAME=VALUE'), or another one?"},
		{name: "403 to every request", url: always(403), events: 3, refused: true, want: "answered 403 Forbidden: does the receiver want a token"},
		{name: "one request refused: the receiver's", url: always(404), events: 1, want: "1 of 1 events dead"},
		{name: "500 to every request: the receiver's", url: always(500), events: 3, want: "3 of 3 events dead"},
		{name: "400 to every request: the receiver's", url: always(400), events: 3, want: "3 of 3 events dead"},
		{name: "404 but one acknowledged", url: answer(func(b []byte) int {
			if bytes.Contains(b, []byte(`"eventId":2`)) {
				return 200
			}
			return 404
		}), events: 3, want: "2 of 3 events dead"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := delivery.Reported{Out: &out, Info: &out}.Deliver(context.Background(), mustTarget(t, tc.url), s, 1, events[:tc.events], "run")
			var refused *delivery.RefusedError
			var failed *delivery.FailedError
			if err == nil || !strings.Contains(err.Error(), tc.want) || errors.As(err, &refused) != tc.refused || errors.As(err, &failed) == tc.refused {
				t.Errorf("Deliver: %v (%T); want an error with %q, refused alike %v", err, err, tc.want, tc.refused)
			}
			if !strings.Contains(out.String(), "TRIGGER") {
				t.Errorf("no summary printed:\n%s", out.String())
			}
		})
	}
}
