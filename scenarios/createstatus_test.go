package scenarios

import (
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// createWorkOrder's status: under a vocabulary takes the team's queued
// status (and QUEUED for it), and ASSIGNED only when the team lists it;
// never a cancelled status, and a vocabulary that renames neither queued
// nor cancelled (one that sets only slaTypes) parses like any other.
func TestCreateWorkOrderStatusInAVocabulary(t *testing.T) {
	step := func(status string) string {
		return "steps:\n  - createProject: {name: p}\n  - createWorkOrder: {project: p, name: w, title: Survey, status: " + status + "}\n"
	}
	for _, tc := range []struct {
		name, vocab, status string
		ok                  bool
	}{
		{"only slaTypes set, QUEUED", "slaTypes: [AMBER, BREACH]\n", "QUEUED", true},
		{"only slaTypes set, ASSIGNED", "slaTypes: [AMBER, BREACH]\n", "ASSIGNED", true},
		{"queued renamed, the team's name", "workOrderStatuses: [NEW, ASSIGNED, WORKING, COMPLETED, CANCELLED]\nqueuedStatus: NEW\nworkingStatus: WORKING\n", "NEW", true},
		{"queued renamed, QUEUED as its alias", "workOrderStatuses: [NEW, ASSIGNED, WORKING, COMPLETED, CANCELLED]\nqueuedStatus: NEW\nworkingStatus: WORKING\n", "QUEUED", true},
		{"cancelled renamed, CANCELLED is no starting status", "workOrderStatuses: [QUEUED, ASSIGNED, WORKING, COMPLETED, VOIDED]\ncancelledStatus: VOIDED\nworkingStatus: WORKING\n", "CANCELLED", false},
		{"ASSIGNED the team lacks", "workOrderStatuses: [QUEUED, DISPATCHED, WORKING, COMPLETED, CANCELLED]\nworkingStatus: WORKING\n", "ASSIGNED", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := schemas.ParseVocabulary("team.yaml", []byte(tc.vocab))
			if err != nil {
				t.Fatal(err)
			}
			_, err = parseWith("s.yaml", []byte(step(tc.status)), v)
			switch {
			case tc.ok && err != nil:
				t.Errorf("status %s: %v", tc.status, err)
			case !tc.ok && (err == nil || !strings.Contains(err.Error(), tc.status)):
				t.Errorf("status %s: %v, want it refused by name", tc.status, err)
			}
		})
	}
}

// A team without a cancelled status has "" for it: no status, and an empty
// one read from a payload does not end a work order.
func TestNoCancelledStatusEndsNothing(t *testing.T) {
	v, err := schemas.ParseVocabulary("team.yaml", []byte("workOrderStatuses: [QUEUED, ASSIGNED, WORKING, COMPLETED]\nworkingStatus: WORKING\n"))
	if err != nil {
		t.Fatal(err)
	}
	if terminal(v, "") {
		t.Error(`"" ends a work order`)
	}
	if !terminal(v, "COMPLETED") || terminal(v, "WORKING") {
		t.Error("COMPLETED should end a work order, WORKING not")
	}
}
