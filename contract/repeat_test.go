package contract_test

import (
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
)

// repeatRuns is how many runs TestRepeatRunsAgainstPersistentReceiver makes;
// COPERNIQ_REPEAT_RUNS=500 makes that many (about 2 to 4 minutes on two
// busy cores).
const repeatRuns = 120

// A staging receiver keeps its state between CI runs: run after run against
// it, without --seed, every counting spec must find eventIds the receiver
// has not applied, never "stale state". Each run is a child process, as a
// CI job is, with every spec but the big lifecycle scenarios (two short
// ones stand for them), against one reference receiver that keeps every
// event it applied. Before runs had eventId bases, run 271 failed as stale
// state, after rerolling in almost every run since the hundredth; so the
// rerolls are counted too, and the counted events that an earlier run had
// sent (a payload spec leaves those out of its count: the run checks less).
func TestRepeatRunsAgainstPersistentReceiver(t *testing.T) {
	if *flagTarget != "" {
		t.Skip("-target given: verifying that receiver, not the harness")
	}
	runs := repeatRuns
	if s := os.Getenv("COPERNIQ_REPEAT_RUNS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("COPERNIQ_REPEAT_RUNS=%q: want a positive number", s)
		}
		runs = n
	}
	rc := testreceivers.New(testreceivers.Config{Token: harnessToken})
	srv := httptest.NewServer(rc)
	defer srv.Close()
	args := []string{
		"-token-param=" + harnessToken,
		"-inspect=" + srv.URL + testreceivers.InspectPath + "{eventId}",
		"-deadline=" + harnessDeadline.String(),
		"-inspect-timeout=2s",
		"-settle=-1ns", // the ids are under test, not the late duplicates
		"-scenarios=call-logged,appointment-rescheduled",
	}
	counting := regexp.MustCompile(`^(` + contract.GroupIdempotency + ` |.* triggers [A-Z_]+ acknowledges)`)
	sent := map[int64]bool{} // the eventIds counted by earlier runs
	rerolls, counted, sentBefore := 0, 0, 0
	start := time.Now()
	for i := range runs {
		run := runSuite(t, srv.URL+"/webhooks/coperniq", args...)
		if failed := run.failed(); run.exitCode != 0 || len(failed) > 0 {
			t.Fatalf("run %d of %d failed %q (exit %d):\n%s", i+1, runs, failed, run.exitCode, run.output)
		}
		for _, s := range run.report.SpecReports {
			for _, e := range s.ReportEntries {
				if e.Name == contract.EntryDrain && strings.Contains(e.StringRepresentation(), "had already applied") {
					rerolls++
				}
			}
		}
		ids := map[int64]bool{}
		for name, s := range run.specs() {
			if !counting.MatchString(name) {
				continue
			}
			for _, d := range contract.Deliveries(s) {
				ids[d.EventID] = true
			}
		}
		for id := range ids {
			counted++
			if sent[id] {
				sentBefore++
			}
			sent[id] = true
		}
	}
	t.Logf("%d runs in %s: %d rerolls, %d of %d counted eventIds sent by an earlier run", runs, time.Since(start).Round(time.Millisecond), rerolls, sentBefore, counted)
	if counted < 100*runs {
		t.Errorf("%d eventIds counted in %d runs: the runs count less than they should", counted, runs)
	}
	// Runs share an eventId base 1 time in 1023: a reroll, or an event
	// left out of a count, stays rare.
	if rerolls > max(2, runs/20) {
		t.Errorf("%d rerolls in %d runs: runs draw the eventIds of earlier runs", rerolls, runs)
	}
	if sentBefore*100 > counted {
		t.Errorf("%d of %d counted eventIds were sent by an earlier run: the payload specs left them out of their counts", sentBefore, counted)
	}
}
