package main

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// A run that lasts prints progress lines on stderr at --progress; none with
// --progress 0s, and none in a run shorter than the default for a log (the
// test's stdout is no terminal): the lines never reach stdout, which a CI
// job may parse.
func TestVerifyProgress(t *testing.T) {
	// A receiver of its own for each run: the runs repeat --seed 1, and a
	// receiver that kept a run's events would find them stale state.
	args := func(extra ...string) []string {
		srv := httptest.NewServer(testreceivers.New(testreceivers.Config{Token: verifyToken, Fault: testreceivers.AnswerAfter, Delay: 300 * time.Millisecond}))
		t.Cleanup(srv.Close)
		return append([]string{"verify", "--target", srv.URL + "/webhooks/coperniq", "--token-param", verifyToken,
			"--inspect", srv.URL + testreceivers.InspectPath + "{eventId}", "--seed", "1",
			"--focus", contract.FamilyText(schemas.FamilyWorkOrder) + "|" + contract.GroupToken}, extra...)
	}
	line := regexp.MustCompile(`(?m)^verify: \d+ of 15 specs done after \d+s, \d+ deliver(y|ies)`)

	r := cli(t, "", args("--progress", "200ms")...).want(t, 0)
	if n := len(line.FindAllString(r.stderr, -1)); n < 2 {
		t.Errorf("--progress 200ms: %d progress lines on stderr, want a few:\n%s", n, r.stderr)
	}
	if !strings.Contains(r.stderr, "; running ") {
		t.Errorf("no progress line says what runs:\n%s", r.stderr)
	}
	if line.MatchString(r.stdout) {
		t.Errorf("progress on stdout:\n%s", r.stdout)
	}
	for _, extra := range [][]string{{"--progress", "0s"}, nil} {
		r := cli(t, "", args(extra...)...).want(t, 0)
		if line.MatchString(r.stderr) {
			t.Errorf("%v: progress lines in a short run:\n%s", extra, r.stderr)
		}
	}
}
