package contract_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
)

// A receiver late some of the time, never --max-late times in a row, waits
// out the deadline as often as the suite makes it: the run-wide count
// (Target.MaxLateTotal) stops it, while one slow for a single trigger, even
// the trigger the lifecycle scenarios send most, keeps its report spec by
// spec. Both replay every built-in scenario, as a CI run does. How long a
// run was held up is counted, not timed: the deadlines the receiver saw
// waited out one after another.
func TestLateTotalHarness(t *testing.T) {
	if *flagTarget != "" {
		t.Skip("-target given: verifying that receiver, not the harness")
	}
	late := harnessDeadline + 300*time.Millisecond
	for _, tc := range []struct {
		name  string
		cfg   testreceivers.Config
		stops bool
	}{
		{name: "stalls on every 2nd delivery", cfg: testreceivers.Config{Fault: testreceivers.StallEvery, Every: 2, Delay: late}, stops: true},
		{name: "slow for the trigger the scenarios send most", cfg: testreceivers.Config{Fault: testreceivers.SlowForTrigger, Trigger: "TASK_STATUS_MOVEMENT", Delay: late}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.cfg.Token = harnessToken
			w := &waitLog{h: testreceivers.New(tc.cfg)}
			srv := httptest.NewServer(w)
			defer srv.Close()
			run := runSuite(t, srv.URL+"/webhooks/coperniq", standardArgs(srv.URL)...)
			sum := contract.Summarize(run.report)
			waits := w.oneAfterAnother(harnessDeadline)
			t.Logf("%d deliveries; the deadline waited out %d times one after another (DefaultMaxLateTotal %d)", w.n(), waits, contract.DefaultMaxLateTotal)
			if !tc.stops {
				if sum.Aborted != "" || waits >= contract.DefaultMaxLateTotal {
					t.Errorf("the run waited out the deadline %d times one after another and was stopped (%q): DefaultMaxLateTotal %d is too low for a receiver slow for one trigger", waits, sum.Aborted, contract.DefaultMaxLateTotal)
				}
				if run.exitCode != 1 || !slices.Contains(run.failed(), perTrigger(tc.cfg.Trigger, contract.SpecRealistic)) {
					t.Errorf("exit %d, failed %q: want its trigger's specs failed", run.exitCode, run.failed())
				}
				return
			}
			if run.exitCode != 1 {
				t.Errorf("exit %d, want 1: late answers are failures", run.exitCode)
			}
			for _, want := range []string{
				fmt.Sprintf("%s of 1s (--timeout) %d times (the run stops after --max-late-total %[2]d; deliveries under way together count once): ", contract.AbortedLateTotal, contract.DefaultMaxLateTotal),
				" deliveries made so far were answered late or not at all, never more than ",
				fmt.Sprintf("%s, the %dth answered late or not at all, was one of ", contract.TrippedByTotal, contract.DefaultMaxLateTotal),
				" The latest late: ",
				"The remaining specs were not run, so the receiver was not judged on them",
			} {
				if !strings.Contains(sum.Aborted, want) {
					t.Errorf("the stop does not say %q:\n%s", want, sum.Aborted)
				}
			}
			if m := regexp.MustCompile(`, was one of the spec "([^"]+)"`).FindStringSubmatch(sum.Aborted); m != nil {
				if _, ok := run.specs()[m[1]]; !ok {
					t.Errorf("the stop names the spec %q, not a spec of the run", m[1])
				}
			}
			if sum.NotRun == 0 {
				t.Error("the stop left no spec unjudged: it came too late to bound the run")
			}
			// The deliveries under way when it tripped end as late, and
			// the stop's probe is one more wait.
			if bound := contract.DefaultMaxLateTotal + 2; waits > bound {
				t.Errorf("the run waited out the deadline %d times one after another, want at most %d", waits, bound)
			}
		})
	}
}

// waitLog serves h and keeps when each delivery (a POST) came and when its
// answer ended or the sender hung up.
type waitLog struct {
	h     http.Handler
	mu    sync.Mutex
	spans [][2]time.Time
}

func (w *waitLog) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w.h.ServeHTTP(rw, r)
	if r.Method == http.MethodPost {
		w.mu.Lock()
		w.spans = append(w.spans, [2]time.Time{start, time.Now()})
		w.mu.Unlock()
	}
}

func (w *waitLog) n() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.spans)
}

// oneAfterAnother counts the deliveries held for the deadline or longer
// that started after the last counted one ended, in the order they ended:
// the deadlines the run waited out one after another.
func (w *waitLog) oneAfterAnother(deadline time.Duration) int {
	w.mu.Lock()
	spans := slices.Clone(w.spans)
	w.mu.Unlock()
	slices.SortFunc(spans, func(a, b [2]time.Time) int { return a[1].Compare(b[1]) })
	n := 0
	var mark time.Time
	for _, s := range spans {
		// The sender's clock starts before the receiver's: a little
		// short of the deadline here is the deadline there.
		if s[1].Sub(s[0]) < deadline*95/100 {
			continue
		}
		if n == 0 || !s[0].Before(mark) {
			n++
			mark = s[1]
		}
	}
	return n
}
