package contract_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Session.Run hints at a token in the URL, checks the TLS handshake before
// anything, prints the notice before the run, and hands the chaos command
// or Verify their errors. (A run of the suite itself is once per process:
// the CLI tests drive that path through the binary.)
func TestSessionRunBeforeTheSuite(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer plain.Close()
	for _, tc := range []struct {
		name    string
		url     string
		chaos   contract.ChaosCommand
		cfg     contract.RunConfig
		err     any    // a pointer to the error type wanted; nil for any error
		want    string // in the error
		hint    bool   // the token hint on Err
		noticed bool   // the notice on Out
	}{
		{name: "https to a plain receiver: the handshake fails first", url: strings.Replace(plain.URL, "http:", "https:", 1) + "/hook?token=x", want: "TLS", hint: true},
		{name: "bad chaos command", url: plain.URL + "/hook", chaos: contract.ChaosCommand{Replay: "schedule.yaml"}, err: new(*schemas.FieldError), want: "Replay needs IDOffset", noticed: true},
		{name: "bad filter: Verify's error", url: plain.URL + "/hook", cfg: contract.RunConfig{Focus: []string{"("}}, err: new(*schemas.FieldError), want: "Focus", noticed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			s := contract.Session{Out: &out, Err: &errOut, Notice: "NOTICE", Chaos: tc.chaos}
			v, err := s.Run(context.Background(), contract.Target{URL: tc.url}, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run: %v, %v; want an error with %q", v, err, tc.want)
			}
			if tc.err != nil && !errors.As(err, tc.err) {
				t.Errorf("Run: %T %v, want a %T", err, err, tc.err)
			}
			if got := strings.Contains(errOut.String(), "hint: --target carries token"); got != tc.hint {
				t.Errorf("token hint on Err: %v, want %v (%q)", got, tc.hint, errOut.String())
			}
			if got := strings.Contains(out.String(), "NOTICE"); got != tc.noticed {
				t.Errorf("notice on Out: %v, want %v (%q)", got, tc.noticed, out.String())
			}
		})
	}
}
