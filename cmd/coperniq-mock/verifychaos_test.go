package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
)

// slowState is a StateReceiver taking delay over each delivery (its hooks
// answer at once), so that a chaos run or shrink attempt lasts long enough
// to be interrupted in the middle; posts counts the deliveries begun.
func slowState(t *testing.T, ordering testreceivers.Ordering, delay time.Duration) (srv *httptest.Server, posts *atomic.Int64) {
	t.Helper()
	rc := testreceivers.NewState(ordering)
	posts = &atomic.Int64{}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
			time.Sleep(delay)
		}
		rc.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, posts
}

// TestVerifyChaosInterrupted: SIGINT or SIGTERM during verify --chaos
// stops the runs with a verdict, as during the specs. Before any run
// failed, the receiver was not judged (exit 2, how many runs passed); once
// one failed, the finding stands (exit 1): it is written to --chaos-out
// with its replay command, as shrunk so far. Before this, the signal
// killed the process (130, 143) with no verdict and --chaos-out empty.
func TestVerifyChaosInterrupted(t *testing.T) {
	for _, c := range []struct {
		name     string
		ordering testreceivers.Ordering
		after    string // the signal goes once a line holds this
		sig      os.Signal
		code     int
		says     []string // stdout and stderr
		written  bool     // --chaos-out holds the schedule
	}{
		{"before any failure", testreceivers.NewestWins, "run 2: ", os.Interrupt, 2,
			[]string{"interrupted (Ctrl-C or SIGINT) during run ", "coperniq-mock: the receiver was not judged: interrupted (Ctrl-C or SIGINT) after ", "of 200 chaos runs passed, none failed"}, false},
		{"while replaying the failure", testreceivers.LastArrivalWorkOrder, ": FAILED in ", syscall.SIGTERM, 1,
			[]string{"interrupted (SIGTERM) before any smaller sequence failed: kept the original", "the receiver fails chaos run", "; interrupted (SIGTERM) before any smaller sequence failed: the failure of run", "kept, not shrunk", "\nreplay:\n  coperniq-mock verify"}, true},
		{"during shrinking", testreceivers.LastArrivalWorkOrder, "  shrink attempt 1: ", os.Interrupt, 1,
			[]string{"interrupted (Ctrl-C or SIGINT) before it was minimal", "; interrupted (Ctrl-C or SIGINT) during shrinking: the failure of run", "kept as shrunk so far", "\nreplay:\n  coperniq-mock verify"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := slowState(t, c.ordering, 20*time.Millisecond)
			dir := t.TempDir()
			p := start(t, chaosArgs(srv, "--chaos", "200", "--chaos-out", dir)...)
			var before []string
			for {
				line := p.next(t)
				before = append(before, line)
				if strings.Contains(line, c.after) {
					break
				}
			}
			rest, code := p.stop(t, c.sig)
			out := strings.Join(before, "\n") + "\n" + rest + "\n" + p.stderr.String()
			if code != c.code {
				t.Fatalf("exit %d, want %d:\n%s", code, c.code, out)
			}
			for _, w := range c.says {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			files, _ := filepath.Glob(filepath.Join(dir, "chaos-seed7-run*.yaml"))
			if c.written != (len(files) == 1) {
				t.Fatalf("--chaos-out holds %v, want the schedule: %v\n%s", files, c.written, out)
			}
			if !c.written {
				return
			}
			data, err := os.ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			if _, err := contract.ParseChaosFile(data); err != nil {
				t.Errorf("the schedule written: %v\n%s", err, data)
			}
			if !strings.Contains(string(data), "interrupted (") {
				t.Errorf("the schedule's header does not say that shrinking was interrupted:\n%s", data)
			}
		})
	}
}

// outOfOrder is a chaos schedule that delivers a work order's second event
// before the event that creates its record, then the rest in order: a
// receiver that drops an event of a record it has not seen loses it.
const outOfOrder = `chaos: 1
seed: 7
run: 1
failure: %s
scenarios:
- name: work-order-lifecycle
  seed: 7
deliveries:
- {scenario: 0, event: 1, trigger: X}
- {scenario: 0, event: 0, trigger: X}
- {scenario: 0, event: 2, trigger: X}
`

// TestVerifyChaosReplayVerdict: a replay says "reproduced" only when a
// problem of the file's kind came back; a receiver that fails otherwise
// fails the replay too (exit 1), worded as a different failure, not as the
// file's reproduced nor as one that did not come back (exit 0, before).
func TestVerifyChaosReplayVerdict(t *testing.T) {
	for _, c := range []struct {
		name     string
		ordering testreceivers.Ordering
		failure  string
		code     int
		says     string
	}{
		{"same kind", testreceivers.DropUnseenRecord, contract.ProblemLost, 1, "coperniq-mock: the failure reproduced (not applied)"},
		{"another kind", testreceivers.DropUnseenRecord, contract.ProblemTwice, 1, "coperniq-mock: the replay failed differently: want applied more than once, got not applied"},
		{"no problem", testreceivers.NewestWins, contract.ProblemLost, 0, `the failure did not reproduce: no "not applied" problem`},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(testreceivers.NewState(c.ordering))
			defer srv.Close()
			file := filepath.Join(t.TempDir(), "schedule.yaml")
			if err := os.WriteFile(file, fmt.Appendf(nil, outOfOrder, c.failure), 0o644); err != nil {
				t.Fatal(err)
			}
			r := cli(t, "", chaosArgs(srv, "--chaos-replay", file, "--id-offset", "100000000")...).want(t, c.code)
			if !strings.Contains(r.stdout+r.stderr, c.says) {
				t.Errorf("output lacks %q:\n%s\n%s", c.says, r.stdout, r.stderr)
			}
		})
	}
}

// TestVerifyChaosReplayInterrupted: SIGINT during --chaos-replay ends it as
// not judged (exit 2), saying so, rather than killed by the signal.
func TestVerifyChaosReplayInterrupted(t *testing.T) {
	srv, posts := slowState(t, testreceivers.NewestWins, time.Second)
	file := filepath.Join(t.TempDir(), "schedule.yaml")
	if err := os.WriteFile(file, fmt.Appendf(nil, outOfOrder, contract.ProblemLost), 0o644); err != nil {
		t.Fatal(err)
	}
	r := interrupt(t, func() bool { return posts.Load() > 0 }, chaosArgs(srv, "--chaos-replay", file, "--id-offset", "100000000")...)
	if r.code != exitUsage {
		t.Fatalf("exit %d, want %d:\n%s\n%s", r.code, exitUsage, r.stdout, r.stderr)
	}
	if want := "coperniq-mock: the receiver was not judged: interrupted (Ctrl-C or SIGINT) while replaying " + file; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
}
