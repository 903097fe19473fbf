package contract_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
)

// stateScenarios are the lifecycles the final-state harness replays: a
// work order through every status, a request moved through its stages and lost, and short ones that fit in one shuffle
// window (a receiver dropping what arrives before its record's creation
// loses the newest version only when they share a window).
var stateScenarios = []string{"work-order-lifecycle", "request-lost", "duplicate-delivery", "retry-after-5xx", "appointment-rescheduled"}

func stateSpec(scenario, spec string) string {
	return contract.GroupState + " " + scenario + " " + spec
}

// runStateSuite runs the final-state specs against a StateReceiver.
func runStateSuite(t *testing.T, ordering testreceivers.Ordering, extra ...string) harnessRun {
	t.Helper()
	srv := httptest.NewServer(testreceivers.NewState(ordering))
	t.Cleanup(srv.Close)
	args := append([]string{
		"-ginkgo.focus=" + contract.GroupState,
		"-inspect=" + srv.URL + testreceivers.InspectPath + "{eventId}",
		"-state=" + srv.URL + testreceivers.StatePath + "{recordId}",
		"-scenarios=" + strings.Join(stateScenarios, ","),
		"-inspect-timeout=300ms",
		"-deadline=2s",
		"-seed=3",
	}, extra...)
	return runSuite(t, srv.URL+"/hook", args...)
}

// TestStateHarness: receivers that converge pass every final-state spec;
// those that apply in arrival order, or drop what they cannot place, fail
// the shuffled ones, with a message that names the stale value.
func TestStateHarness(t *testing.T) {
	var shuffled, all []string
	for _, sc := range stateScenarios {
		shuffled = append(shuffled, stateSpec(sc, contract.SpecStateReversed), stateSpec(sc, contract.SpecStateDuplicates))
		all = append(all, stateSpec(sc, contract.SpecStateInOrder), stateSpec(sc, contract.SpecStateReversed), stateSpec(sc, contract.SpecStateDuplicates))
	}
	cases := []struct {
		ordering testreceivers.Ordering
		pass     bool
		// wantIn: every failing spec is one of these; at least one fails.
		wantIn []string
		says   string
	}{
		{testreceivers.NewestWins, true, nil, ""},
		{testreceivers.Await409, true, nil, ""},
		{testreceivers.LastArrivalRecord, false, shuffled, "record."},
		{testreceivers.LastArrivalWorkOrder, false, shuffled, "work order "},
		{testreceivers.DropUnseenRecord, false, shuffled, "record "},
		{testreceivers.FirstVersion, false, all, "record."},
	}
	for _, c := range cases {
		t.Run(string(c.ordering), func(t *testing.T) {
			t.Parallel()
			h := runStateSuite(t, c.ordering)
			specs := h.specs()
			ran := 0
			for name, s := range specs {
				if strings.HasPrefix(name, contract.GroupState) && !s.State.Is(types.SpecStateSkipped) {
					ran++
				}
			}
			// Three per scenario, and the 32-bit records spec.
			if ran != 3*len(stateScenarios)+1 {
				t.Fatalf("%d final-state specs ran, want %d; output:\n%s", ran, 3*len(stateScenarios)+1, h.output)
			}
			failed := h.failed()
			if c.pass {
				if len(failed) > 0 {
					t.Fatalf("a converging receiver failed %v:\n%s", failed, h.output)
				}
				return
			}
			if len(failed) == 0 {
				t.Fatalf("receiver %s passed every final-state spec:\n%s", c.ordering, h.output)
			}
			inOrder := false
			for _, f := range failed {
				inOrder = inOrder || strings.HasSuffix(f, contract.SpecStateInOrder)
				if !slices.Contains(c.wantIn, f) {
					t.Errorf("failed %q, which delivers in order", f)
				}
				msg := specs[f].Failure.Message
				for _, want := range []string{c.says, "differs from the world's after the last event", "as acknowledged (arrival order)", "reproduce:", "updatedAt"} {
					if !strings.Contains(msg, want) {
						t.Errorf("%s: message lacks %q:\n%s", f, want, msg)
					}
				}
			}
			if c.ordering == testreceivers.FirstVersion && !inOrder {
				t.Errorf("a receiver that never updates a record passed every in-order spec: %v", failed)
			}
		})
	}
}

// TestStateSpecsSkipWithoutHook: without a state hook the final-state
// specs are skipped with the reason, never passed.
func TestStateSpecsSkipWithoutHook(t *testing.T) {
	srv := httptest.NewServer(testreceivers.NewState(testreceivers.NewestWins))
	defer srv.Close()
	h := runSuite(t, srv.URL+"/hook", "-ginkgo.focus="+contract.GroupState, "-scenarios=request-lost", "-seed=3")
	n := 0
	for name, s := range h.specs() {
		if !strings.HasPrefix(name, contract.GroupState) {
			continue
		}
		n++
		if !s.State.Is(types.SpecStateSkipped) || !strings.Contains(s.Failure.Message, contract.SkipNoState) {
			t.Errorf("%s: %s %q, want skipped with %q", name, s.State, s.Failure.Message, contract.SkipNoState)
		}
	}
	if n != 4 { // three for the scenario, and the 32-bit records spec
		t.Fatalf("%d final-state specs, want 4:\n%s", n, h.output)
	}
}

// runQueuedState runs the lifecycle and final-state specs of request-lost
// against a StateReceiver that applies through a queue, delay per event,
// with both hooks at state (the state hook's URL template).
func runQueuedState(t *testing.T, delay time.Duration, state string, extra ...string) harnessRun {
	t.Helper()
	srv := httptest.NewServer(testreceivers.NewStateQueued(testreceivers.NewestWins, delay))
	t.Cleanup(srv.Close)
	if state == "" {
		state = testreceivers.StatePath
	}
	args := append([]string{
		"-ginkgo.focus=" + contract.GroupLifecycle + "|" + contract.GroupState,
		"-inspect=" + srv.URL + testreceivers.InspectPath + "{eventId}",
		"-state=" + srv.URL + state + "{recordId}",
		"-scenarios=request-lost",
		"-deadline=2s",
		"-settle=100ms",
		"-seed=3",
	}, extra...)
	return runSuite(t, srv.URL+"/hook", args...)
}

// TestStateLateIsNotBlamedOnTheHook: a correct receiver that acknowledges
// at once and applies through a queue slower than the suite delivers
// fails the final-state specs as late ("records not applied within
// --inspect-timeout"), never as its state or inspect hook's fault; the
// end of the run says none was lost and which --inspect-timeout would
// cover the lag; and with that long a timeout the same receiver passes.
func TestStateLateIsNotBlamedOnTheHook(t *testing.T) {
	if *flagTarget != "" {
		t.Skip("-target given: verifying that receiver, not the harness")
	}
	const delay = 60 * time.Millisecond
	late := runQueuedState(t, delay, "", "-inspect-timeout=300ms", "-drain-budget=8s")
	sum := contract.Summarize(late.report)
	said := late.output + sum.String()
	if late.exitCode == 0 || sum.Failed == 0 {
		t.Fatalf("passed a receiver whose queue is seconds behind at -inspect-timeout=300ms:\n%s", said)
	}
	if len(sum.Setup) > 0 {
		t.Errorf("blamed the setup for a receiver that is only late: %+v\n%s", sum.Setup, said)
	}
	for _, w := range []string{"[" + contract.ProblemStateHook + "]", "[" + contract.ProblemHook + "]", "is the hook's URL right?"} {
		if strings.Contains(said, w) {
			t.Errorf("the run says %q of a receiver that is only late:\n%s", w, said)
		}
	}
	states := 0
	for name, s := range late.specs() {
		if strings.HasPrefix(name, contract.GroupState) && s.State.Is(types.SpecStateFailureStates) {
			states++
			if !strings.Contains(s.Failure.Message, "records not applied within --inspect-timeout (300ms)") {
				t.Errorf("%s does not fail as late:\n%s", name, s.Failure.Message)
			}
		}
	}
	if states == 0 {
		t.Errorf("no final-state spec failed:\n%s", said)
	}
	m := regexp.MustCompile(`applied later than --inspect-timeout 300ms and none was lost: the slowest was found applied \S+ after its acknowledgement \(when asked again: [^)]*\)\. The receiver is late, not losing events: rerun with --inspect-timeout (\S+) to judge it by outcome, if that lag is acceptable`).FindStringSubmatch(said)
	if m == nil {
		t.Fatalf("the end of the run does not say how to judge a slow applier:\n%s", said)
	}
	timeout, err := time.ParseDuration(m[1])
	if err != nil {
		t.Fatalf("suggested --inspect-timeout %q: %v", m[1], err)
	}
	// The suggestion covers what this run saw; a fresh receiver has no
	// backlog of a failed run's waits, so it is enough, and bounded here to
	// keep the test short.
	ok := runQueuedState(t, delay, "", "-inspect-timeout="+min(max(timeout, 2*time.Second), 10*time.Second).String())
	if ok.exitCode != 0 {
		t.Errorf("a late but correct receiver failed with --inspect-timeout %s (suggested %s):\n%s", max(timeout, 2*time.Second), m[1], ok.output+contract.Summarize(ok.report).String())
	}
}

// TestStateHookAtWrongURL: a state hook that answers 404 for every record,
// while the inspect hook counts every event applied, is the setup's fault
// still, and says so.
func TestStateHookAtWrongURL(t *testing.T) {
	if *flagTarget != "" {
		t.Skip("-target given: verifying that receiver, not the harness")
	}
	rc := testreceivers.NewState(testreceivers.NewestWins)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/wrong/") {
			http.NotFound(w, r)
			return
		}
		rc.ServeHTTP(w, r)
	}))
	defer srv.Close()
	h := runSuite(t, srv.URL+"/hook",
		"-ginkgo.focus="+contract.GroupState,
		"-inspect="+srv.URL+testreceivers.InspectPath+"{eventId}",
		"-state="+srv.URL+"/wrong/{recordId}",
		"-scenarios=request-lost", "-inspect-timeout=300ms", "-deadline=2s", "-seed=3")
	sum := contract.Summarize(h.report)
	if sum.Failed != 4 || len(sum.Setup) != 4 {
		t.Fatalf("%d failed, %d of them the setup's; want the 4 final-state specs (3 for the scenario, the 32-bit records spec), all the state hook's:\n%s", sum.Failed, len(sum.Setup), h.output+sum.String())
	}
	for _, p := range sum.Setup {
		said := "yet the inspect hook counts every one of the scenario's 11 events applied: is the state hook's URL right?"
		if strings.HasSuffix(p.Spec, contract.SpecRecordIDs32) {
			said = "yet the inspect hook counts both events applied: is the state hook's URL right?"
		}
		if p.Kind != contract.ProblemStateHook || !strings.Contains(p.Said, said) {
			t.Errorf("%s: %s %q", p.Spec, p.Kind, p.Said)
		}
	}
	if h.exitCode == 0 {
		t.Errorf("exit 0 for a state hook at a wrong URL")
	}
}

// TestStateBehindTheWholeRunIsLate: a correct receiver whose queue is busy
// with older work for longer than the whole run applies nothing before
// its end, so that every spec ends blaming a hook (both answer "nothing"
// to everything, as at a wrong URL). The end of the run, waiting on the
// drain budget, finds the hooks answering after all: the specs are the
// receiver's lateness in the summary, not the hooks' fault, and the run
// says which --inspect-timeout would judge it by outcome.
func TestStateBehindTheWholeRunIsLate(t *testing.T) {
	if *flagTarget != "" {
		t.Skip("-target given: verifying that receiver, not the harness")
	}
	// The backlog outlasts the run (about 2 s) by a margin, and the drain
	// budget covers it.
	const backlog = 5 * time.Second
	srv := httptest.NewServer(testreceivers.NewStateBehind(testreceivers.NewestWins, backlog, 10*time.Millisecond))
	defer srv.Close()
	h := runSuite(t, srv.URL+"/hook",
		"-ginkgo.focus="+contract.GroupLifecycle+"|"+contract.GroupState,
		"-inspect="+srv.URL+testreceivers.InspectPath+"{eventId}",
		"-state="+srv.URL+testreceivers.StatePath+"{recordId}",
		"-scenarios=request-lost", "-deadline=2s", "-settle=100ms", "-seed=3",
		"-inspect-timeout=300ms", "-drain-budget=10s")
	sum := contract.Summarize(h.report)
	said := sum.String()
	// 5: the 2 lifecycle specs and the 3 final-state ones of the
	// scenario; 6 with the 32-bit records spec.
	if h.exitCode == 0 || sum.Failed != 6 {
		t.Fatalf("exit %d, %d failed; want the 6 specs failed, as late:\n%s", h.exitCode, sum.Failed, h.output+said)
	}
	if len(sum.Setup) > 0 {
		t.Errorf("blamed the hooks of a receiver that is only behind: %+v\n%s", sum.Setup, said)
	}
	if v := sum.Verdict(true); v.Exit != 1 {
		t.Errorf("verdict %+v, want exit 1 (late is the receiver's failure, judged)", v)
	}
	for _, w := range []string{"[" + contract.ProblemHook + "]\n", "[" + contract.ProblemStateHook + "]\n"} {
		if strings.Contains(said, w) {
			t.Errorf("the summary marks a spec %q:\n%s", w, said)
		}
	}
	for _, w := range []string{"applied later than --inspect-timeout 300ms and none was lost", "rerun with --inspect-timeout "} {
		if !strings.Contains(said, w) {
			t.Errorf("the summary does not say %q:\n%s", w, said)
		}
	}
	// The case meant: the specs ended blaming the hooks, and the end of
	// the run took that back.
	blamed := 0
	for _, s := range h.specs() {
		if strings.HasPrefix(s.Failure.Message, "[") {
			blamed++
		}
	}
	if blamed == 0 || len(sum.Relabeled) != blamed {
		t.Errorf("%d specs ended blaming a hook, %d taken back (%+v); want them all taken back", blamed, len(sum.Relabeled), sum.Relabeled)
	}
}

// A correct receiver that applies through a queue, its state hook right
// and its inspect hook at a wrong URL (404 for everything): once the
// inspect hook looks suspect, its checks are cut short, but the state
// hook answers, and a final-state check cut short would find the queue
// still applying and fail a correct receiver's final state as wrong. No
// final-state spec may fail as the receiver's.
func TestStateNotCutShortByASuspectInspectHook(t *testing.T) {
	if *flagTarget != "" {
		t.Skip("-target given: verifying that receiver, not the harness")
	}
	rc := testreceivers.NewStateQueued(testreceivers.NewestWins, 20*time.Millisecond)
	srv := httptest.NewServer(rc)
	defer srv.Close()
	wrong := httptest.NewServer(http.NotFoundHandler())
	defer wrong.Close()
	h := runSuite(t, srv.URL+"/hook",
		"-ginkgo.focus="+contract.GroupIdempotency+"|"+contract.GroupLifecycle+"|"+contract.GroupState,
		"-inspect="+wrong.URL+"/events/{eventId}",
		"-state="+srv.URL+testreceivers.StatePath+"{recordId}",
		"-scenarios=request-lost", "-deadline=2s", "-seed=3",
		"-inspect-timeout=3s", "-drain-budget=2s")
	setup := map[string]bool{}
	for _, p := range contract.Summarize(h.report).Setup {
		setup[p.Spec] = true
	}
	for _, s := range h.specs() {
		if !strings.Contains(s.FullText(), contract.GroupState) || !s.Failed() || setup[s.FullText()] {
			continue
		}
		t.Errorf("%s failed as the receiver's, though it is correct and its state hook right:\n%s", s.FullText(), s.Failure.Message)
	}
}

// TestStateDeliveriesAreCounted: the final-state specs' deliveries count in
// the run's answer times, as every other spec's do: a user compares verify's
// "over N deliveries" with their receiver's log, and the final-state
// deliveries (thousands, for the long scenarios) were left out.
func TestStateDeliveriesAreCounted(t *testing.T) {
	rc := testreceivers.NewState(testreceivers.NewestWins)
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	run := runSuite(t, srv.URL+"/hook",
		"-ginkgo.focus="+contract.GroupState+" work-order-lifecycle",
		"-inspect="+srv.URL+testreceivers.InspectPath+"{eventId}",
		"-state="+srv.URL+testreceivers.StatePath+"{recordId}",
		"-scenarios=work-order-lifecycle", "-inspect-timeout=300ms", "-deadline=2s", "-seed=3")
	sum := mustPass(t, run)
	if posts := rc.Posts(); sum.Latency.N != posts || posts == 0 {
		t.Errorf("answer time over %d deliveries; the receiver got %d", sum.Latency.N, posts)
	}
}

// heldUntilNextSpec counts each event at receipt (its inspect hook) and
// holds what it acknowledges, applying nothing, until the state hook is
// asked about a record no held event is about: the next final-state
// spec's check for stale state, so the first spec ended before (its
// records had nothing, every event counted). Then it applies all it held
// and everything after at once. So the first spec meets a receiver
// behind its counts however loaded the machine is, and the end of the
// run one that caught up.
type heldUntilNextSpec struct {
	inner *testreceivers.StateReceiver
	mu    sync.Mutex
	held  [][]byte
	seen  map[string]bool // the records of held events, as their ids are written
	count map[string]bool // eventIds acknowledged
	open  bool
}

func (h *heldUntilNextSpec) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		if id, ok := strings.CutPrefix(r.URL.Path, testreceivers.InspectPath); ok {
			h.mu.Lock()
			n := h.count[id]
			h.mu.Unlock()
			if !n {
				http.NotFound(w, r)
				return
			}
			w.Write([]byte(`{"applied":1}`))
			return
		}
		if id, ok := strings.CutPrefix(r.URL.Path, testreceivers.StatePath); ok {
			h.mu.Lock()
			if !h.open && len(h.seen) > 0 && !h.seen[id] {
				h.open = true
				for _, b := range h.held {
					h.inner.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(b)))
				}
			}
			h.mu.Unlock()
		}
		h.inner.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var p struct {
		Event struct {
			EventID  json.Number `json:"eventId"`
			RecordID json.Number `json:"recordId"`
		} `json:"event"`
	}
	if json.Unmarshal(body, &p) != nil {
		http.Error(w, "not an event", http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.count[p.Event.EventID.String()] = true
	if !h.open {
		h.held = append(h.held, body)
		h.seen[p.Event.RecordID.String()] = true
		h.mu.Unlock()
		return
	}
	h.mu.Unlock()
	h.inner.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(body)))
}

// TestStateBehindReceiptCountsIsLate: a correct receiver whose inspect
// hook counts events when it acknowledges them, and whose queue applies
// them later than --inspect-timeout, has nothing on the first spec's
// records while its inspect hook counts every event: the spec ends
// blaming the state hook, and the end of the run, finding it answering,
// takes that back: late, the receiver's failure, judged (exit 1, not 2).
func TestStateBehindReceiptCountsIsLate(t *testing.T) {
	if *flagTarget != "" {
		t.Skip("-target given: verifying that receiver, not the harness")
	}
	srv := httptest.NewServer(&heldUntilNextSpec{inner: testreceivers.NewState(testreceivers.NewestWins), seen: map[string]bool{}, count: map[string]bool{}})
	defer srv.Close()
	h := runSuite(t, srv.URL+"/hook",
		"-ginkgo.focus="+contract.GroupState,
		"-inspect="+srv.URL+testreceivers.InspectPath+"{eventId}",
		"-state="+srv.URL+testreceivers.StatePath+"{recordId}",
		"-scenarios=request-lost", "-deadline=2s", "-settle=100ms", "-seed=3",
		"-inspect-timeout=300ms", "-drain-budget=2s")
	sum := contract.Summarize(h.report)
	said := sum.String()
	blamed := 0
	for _, s := range h.specs() {
		if strings.HasPrefix(s.Failure.Message, "["+contract.ProblemStateHook+"]") {
			blamed++
		}
	}
	if blamed == 0 {
		t.Fatalf("no spec ended blaming the state hook: the case is not made (exit %d):\n%s", h.exitCode, said)
	}
	if len(sum.Setup) > 0 || len(sum.Relabeled) != blamed {
		t.Errorf("%d specs blamed the state hook, %d taken back, setup %+v: want them all taken back\n%s", blamed, len(sum.Relabeled), sum.Setup, said)
	}
	if v := sum.Verdict(true); v.Exit != 1 {
		t.Errorf("verdict %+v, want exit 1 (late is the receiver's failure, judged)\n%s", v, said)
	}
}
