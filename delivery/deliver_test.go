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
			r := delivery.Reported{Out: &out, Info: &out, Notice: "NOTICE", After: func(_ io.Writer, st bool) error {
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
