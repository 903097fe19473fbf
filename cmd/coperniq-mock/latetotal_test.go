package main

import (
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
)

// --max-late-total is checked before anything is sent, as --max-late is.
func TestVerifyMaxLateTotalFlag(t *testing.T) {
	srv := httptest.NewServer(testreceivers.New(testreceivers.Config{}))
	defer srv.Close()
	for _, tc := range []struct {
		name, value, want string
	}{
		{"zero", "0", "--max-late-total 0: want 1 or more"},
		{"negative", "-3", "--max-late-total -3: want 1 or more"},
		{"not a number", "many", `invalid argument "many" for "--max-late-total" flag`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", "verify", "--target", srv.URL+"/hook", "--max-late-total", tc.value).want(t, 2)
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr %q lacks %q", r.stderr, tc.want)
			}
		})
	}
}

// A receiver that stalls on every 2nd delivery never gets --max-late in a
// row; --max-late-total stops it, and the console, the JSON report and the
// JUnit report say so, with the specs it left unjudged, and it exits 1.
func TestVerifyMaxLateTotalStops(t *testing.T) {
	rc := testreceivers.New(testreceivers.Config{Token: verifyToken, Fault: testreceivers.StallEvery, Every: 2, Delay: 300 * time.Millisecond})
	srv := httptest.NewServer(rc)
	defer srv.Close()
	dir := t.TempDir()
	jsonReport, junit := filepath.Join(dir, "contract.json"), filepath.Join(dir, "contract.xml")
	r := cli(t, "", verifyArgs(srv, "--deadline", "200ms", "--max-late-total", "4", "--json-report", jsonReport, "--junit-report", junit)...).want(t, 1)
	stop := contract.AbortedLateTotal + " of 200ms (--timeout) 4 times (the run stops after --max-late-total 4; deliveries under way together count once): "
	has(t, "stdout", r.stdout, stop, contract.TrippedByTotal+", the 4th answered late or not at all, was ", " The latest late: ",
		"The remaining specs were not run, so the receiver was not judged on them", "not run: the suite was aborted")
	has(t, "stderr", r.stderr, "the receiver breaks the contract: the suite was aborted, ", stop)
	rep := readReport(t, jsonReport)
	if rep.Verdict.Exit != 1 || !strings.HasPrefix(rep.Aborted, stop) {
		t.Errorf("JSON report: exit %d, aborted %q", rep.Verdict.Exit, rep.Aborted)
	}
	notRun := 0
	for _, s := range rep.Specs {
		if s.Verdict == "skipped" && strings.Contains(s.Reason, "not run: the suite was aborted") {
			notRun++
		}
	}
	skipped := 0
	for _, c := range checkJUnit(t, readFile(t, junit)) {
		if c.skipped && strings.Contains(c.skipMsg, "not run: the suite was aborted") {
			skipped++
		}
	}
	if notRun == 0 || skipped != notRun {
		t.Errorf("specs left unjudged: %d in the JSON report, %d in the JUnit report, want the same, at least 1", notRun, skipped)
	}
	if n := len(rc.Received()); n > 200 {
		t.Errorf("the receiver got %d deliveries before the stop", n)
	}
}
