package contract_test

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

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
			if ran != 3*len(stateScenarios) {
				t.Fatalf("%d final-state specs ran, want %d; output:\n%s", ran, 3*len(stateScenarios), h.output)
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
	if n != 3 {
		t.Fatalf("%d final-state specs, want 3:\n%s", n, h.output)
	}
}
