package contract_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
)

// The 32-bit specs, and an edge spec that a receiver keeping ids in 32 bits
// consistently passes (it acknowledges everything): the reason for them.
var (
	specEventIDs32  = inGroup(contract.GroupIdempotency, contract.SpecEventIDs32)
	specRecordIDs32 = inGroup(contract.GroupState, contract.SpecRecordIDs32)
	specEdgeCreated = perTrigger("PROJECT_CREATED", contract.SpecEdge)
	focusIDs32      = "-ginkgo.focus=low 32 bits|PROJECT_CREATED " + regexp.QuoteMeta(contract.SpecEdge)
)

func runIDs32(t *testing.T, rc http.Handler, hooks bool) harnessRun {
	t.Helper()
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	args := []string{focusIDs32, "-scenarios=request-lost", "-inspect-timeout=300ms", "-deadline=2s", "-seed=3"}
	if hooks {
		args = append(args, "-inspect="+srv.URL+testreceivers.InspectPath+"{eventId}", "-state="+srv.URL+testreceivers.StatePath+"{recordId}")
	}
	return runSuite(t, srv.URL+"/hook", args...)
}

// TestIDs32Harness: a receiver that keeps every id in 32 bits, in its
// hooks too, passes the edge spec (ids up to 2^53-1, acknowledged) and
// fails both 32-bit specs, each naming the two ids that agree in their
// low 32 bits, as the receiver's failure, not the setup's; the same
// receiver with 64-bit ids passes them.
func TestIDs32Harness(t *testing.T) {
	if *flagTarget != "" {
		t.Skip("-target given: verifying that receiver, not the harness")
	}
	cases := []struct {
		name string
		rc   http.Handler
		pass bool
	}{
		{"int64 ids", testreceivers.NewState(testreceivers.NewestWins), true},
		{"int32 ids", testreceivers.NewStateInt32IDs(testreceivers.NewestWins), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := runIDs32(t, c.rc, true)
			specs := h.specs()
			for _, name := range []string{specEventIDs32, specRecordIDs32, specEdgeCreated} {
				if s, ok := specs[name]; !ok || s.State.Is(types.SpecStateSkipped) {
					t.Fatalf("%q did not run:\n%s", name, h.output)
				}
			}
			failed := h.failed()
			if c.pass {
				if len(failed) > 0 {
					t.Fatalf("a receiver with 64-bit ids failed %v:\n%s", failed, h.output)
				}
				return
			}
			if want := []string{specEventIDs32, specRecordIDs32}; strings.Join(failed, "|") != strings.Join(want, "|") {
				t.Fatalf("failed %v, want exactly %v (the edge spec passes: every delivery is acknowledged):\n%s", failed, want, h.output)
			}
			if sum := contract.Summarize(h.report); len(sum.Setup) > 0 {
				t.Errorf("blamed the setup: %+v", sum.Setup)
			}
			msg := specs[specEventIDs32].Failure.Message
			m := regexp.MustCompile(`eventId (\d+) \(low 32 bits (\d+)\) was counted as applied \(the inspect hook said 1\) before it was sent, once eventId (\d+) was applied: the receiver keeps eventIds in 32 bits`).FindStringSubmatch(msg)
			if m == nil {
				t.Fatalf("the eventId spec does not name the two eventIds:\n%s", msg)
			}
			twin, low, x := atoi(t, m[1]), atoi(t, m[2]), atoi(t, m[3])
			if twin != x+1<<32 || low != x || x >= 1<<31 {
				t.Errorf("eventIds %d and %d: want X below 2^31 and X + 2^32", x, twin)
			}
			for _, want := range []string{"--set event.eventId=" + m[1], "--set event.eventId=" + m[3]} {
				if !strings.Contains(msg, want) {
					t.Errorf("the reproducer lacks %q:\n%s", want, msg)
				}
			}
			msg = specs[specRecordIDs32].Failure.Message
			m = regexp.MustCompile(`records (\d+) and (\d+), whose recordIds agree in their low 32 bits`).FindStringSubmatch(msg)
			if m == nil {
				t.Fatalf("the recordId spec does not name the two records:\n%s", msg)
			}
			if r, twin := atoi(t, m[1]), atoi(t, m[2]); twin != r+1<<32 {
				t.Errorf("records %d and %d: want R and R + 2^32", r, twin)
			}
			if !strings.Contains(msg, "record.status is") || !strings.Contains(msg, "--set record.id="+m[2]) {
				t.Errorf("the recordId spec does not say which value differs, or how to send the events again:\n%s", msg)
			}
		})
	}
}

// TestIDs32SkipWithoutHooks: without the hooks the 32-bit specs are
// skipped naming the flag, never passed.
func TestIDs32SkipWithoutHooks(t *testing.T) {
	if *flagTarget != "" {
		t.Skip("-target given: verifying that receiver, not the harness")
	}
	h := runIDs32(t, testreceivers.NewStateInt32IDs(testreceivers.NewestWins), false)
	specs := h.specs()
	for name, why := range map[string]string{specEventIDs32: contract.SkipNoInspect, specRecordIDs32: contract.SkipNoState} {
		s, ok := specs[name]
		if !ok || !s.State.Is(types.SpecStateSkipped) || !strings.Contains(s.Failure.Message, why) {
			t.Errorf("%s: %s %q, want skipped with %q", name, s.State, s.Failure.Message, why)
		}
	}
}

func atoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
