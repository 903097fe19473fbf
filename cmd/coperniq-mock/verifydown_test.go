package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
)

// A receiver that stops accepting connections mid-run (user trial: it was
// killed) refuses its deliveries and, served by the same server, its
// inspect hook's questions: the run says the receiver stopped, not that
// the hook must be fixed, and marks the specs that failed for it [receiver
// down], a setup problem (as a receiver refusing connections from the
// start): exit 2 when they are all the failures. A delivery caught in the
// stop (its keep-alive connection closed under it) got no answer, a
// finding (a receiver that crashes on a payload drops it so), and makes it
// exit 1.
func TestVerifyReceiverThatStopsIsNotBlamedOnItsHook(t *testing.T) {
	rc := testreceivers.New(testreceivers.Config{Token: verifyToken})
	var posts atomic.Int64
	var once sync.Once
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && posts.Add(1) == 40 {
			// Stops between requests: those in flight are answered,
			// and nothing accepts a connection on its port from now on.
			once.Do(func() {
				srv.Config.SetKeepAlivesEnabled(false)
				srv.Listener.Close()
			})
		}
		rc.ServeHTTP(w, r)
	}))
	defer srv.Close()
	report := filepath.Join(t.TempDir(), "contract.json")
	r := cli(t, "", append(verifyArgs(srv), "--json-report", report)...)
	last := lastLine(r.stderr)
	if strings.Contains(last, "fix the hook") || strings.Contains(last, "because of the setup") || strings.Contains(r.stdout, "failed because of the inspect hook") {
		t.Errorf("the hook is blamed for the receiver's stop: %q\n%s", last, r.stdout)
	}
	if !strings.Contains(last, "stopped accepting connections") || !strings.Contains(r.stdout, "marked [receiver down] failed because the receiver stopped accepting connections during the run") {
		t.Errorf("neither the summary nor the last line say the receiver stopped:\n%s\n%s", r.stdout, r.stderr)
	}
	rep := readReport(t, report)
	// A request on a keep-alive connection the stop closed: eof, reset, or
	// Go's "server closed idle connection" (other).
	caught := regexp.MustCompile(`got no answer: (eof|reset|other) `)
	down, other := 0, 0
	for _, s := range rep.Specs {
		switch {
		case s.Verdict != contract.SpecFailed:
		case s.SetupProblem == contract.ProblemDown:
			down++
		case s.SetupProblem != "" || !caught.MatchString(s.Detail):
			t.Errorf("%s: failed with setup problem %q: %s", s.Name, s.SetupProblem, s.Reason)
		default:
			other++
		}
	}
	if want := map[bool]int{true: 2, false: 1}[other == 0]; down == 0 || r.code != want || rep.Verdict.Exit != r.code {
		t.Errorf("%d specs failed as [receiver down], %d caught in the stop; exit %d (JSON %d), want %d:\n%s", down, other, r.code, rep.Verdict.Exit, want, r.stderr)
	}
}
