package contract_test

import (
	"maps"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
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
// rerolls are judged too, and the counted events that an earlier run had
// sent (a payload spec leaves those out of its count: the run checks less).
//
// A reroll is right only in a run that drew its ids at a base an earlier
// run used: 120 runs over 1023 bases share one in about 7 runs (the
// birthday bound; CI once saw 7 rerolls in 120 runs, which a fixed bound of
// 6 called a failure). Two runs at one base draw their ids apart by seed:
// 500 runs made 132 shared runs and 43 rerolls, at most 3 in one run. So
// the test counts the runs that shared a base, from the ids they sent,
// fails a reroll in any other run (ids colliding across bases), and bounds
// the rerolls by the shared runs.
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
	used := map[int64]bool{} // the eventId bases earlier runs sent ids at
	rerolls, counted, sentBefore, shared := 0, 0, 0, 0
	start := time.Now()
	for i := range runs {
		run := runSuite(t, srv.URL+"/webhooks/coperniq", args...)
		if failed := run.failed(); run.exitCode != 0 || len(failed) > 0 {
			t.Fatalf("run %d of %d failed %q (exit %d):\n%s", i+1, runs, failed, run.exitCode, run.output)
		}
		runRerolls := 0
		for _, s := range run.report.SpecReports {
			for _, e := range s.ReportEntries {
				if e.Name == contract.EntryDrain && strings.Contains(e.StringRepresentation(), "had already applied") {
					runRerolls++
				}
			}
		}
		ids := map[int64]bool{}
		bases := map[int64]bool{}
		for name, s := range run.specs() {
			for _, d := range contract.Deliveries(s) {
				// The burst and token specs' ids are below every base
				// (they are not counted), the edge profile's near 2^53.
				if d.EventID >= contract.IDBaseStride && d.EventID < 1<<31 {
					bases[d.EventID/contract.IDBaseStride] = true
				}
				if counting.MatchString(name) {
					ids[d.EventID] = true
				}
			}
		}
		sharing := false
		for b := range bases {
			sharing = sharing || used[b]
		}
		if sharing {
			shared++
		} else if runRerolls > 0 {
			t.Errorf("run %d of %d rerolled %d jobs, but no earlier run sent ids at its bases %v: ids collide across bases", i+1, runs, runRerolls, slices.Sorted(maps.Keys(bases)))
		}
		maps.Copy(used, bases)
		rerolls += runRerolls
		for id := range ids {
			counted++
			if sent[id] {
				sentBefore++
			}
			sent[id] = true
		}
	}
	t.Logf("%d runs in %s: %d shared a base with an earlier run, %d rerolls, %d of %d counted eventIds sent by an earlier run", runs, time.Since(start).Round(time.Millisecond), shared, rerolls, sentBefore, counted)
	if counted < 100*runs {
		t.Errorf("%d eventIds counted in %d runs: the runs count less than they should", counted, runs)
	}
	// A few rerolls per shared run at most, never one per job.
	if rerolls > 2+3*shared {
		t.Errorf("%d rerolls in %d runs, %d of which shared a base with an earlier run: runs at one base draw the same eventIds", rerolls, runs, shared)
	}
	if sentBefore*100 > counted {
		t.Errorf("%d of %d counted eventIds were sent by an earlier run: the payload specs left them out of their counts", sentBefore, counted)
	}
}
