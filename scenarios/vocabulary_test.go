package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// moveWorkOrder to: ON_HOLD and slaViolation level: ORANGE work when the
// vocabulary has them, and the events speak it.
func TestScenarioWithVocabulary(t *testing.T) {
	vocabScenario, err := os.ReadFile(filepath.Join("testdata", "on-hold.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse("on-hold.yaml", vocabScenario)
	if err == nil || !strings.Contains(err.Error(), `on-hold.yaml:7:42:`) || !strings.Contains(err.Error(), `"ON_HOLD" isn't one of`) {
		t.Fatalf("without the vocabulary: %v", err)
	}
	v, err := schemas.ParseVocabulary("team.yaml", []byte(`triggerNames: {TASK_STATUS_MOVEMENT: Task Status Changed}
workOrderStatuses: [QUEUED, ASSIGNED, WORKING, ON_HOLD, COMPLETED, CANCELLED]
workingStatus: WORKING
slaTypes: [YELLOW, ORANGE, RED]
`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse("plain.yaml", []byte("steps:\n  - createProject: {name: p}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WithVocabulary(v); err != nil {
		t.Fatal(err)
	}
	s, err = parseWith("on-hold.yaml", vocabScenario, v)
	if err != nil {
		t.Fatal(err)
	}
	val, err := schemas.NewValidator(v)
	if err != nil {
		t.Fatal(err)
	}
	events, err := s.Render(1)
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, e := range events {
		r, err := val.Validate(e.Body, schemas.Strict)
		if err != nil || !r.Valid() {
			t.Errorf("%s: %v %v\n%s", e.TriggerKey, err, r.Violations, e.Body)
		}
		all.Write(e.Body)
	}
	for _, want := range []string{`"currentStatus":"ON_HOLD"`, `"slaType":"ORANGE"`, `"triggerName":"Task Status Changed"`, `"currentStatus":"WORKING"`} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("no event carries %s", want)
		}
	}
	if strings.Contains(all.String(), `"IN_PROGRESS"`) && strings.Contains(all.String(), `"currentStatus":"IN_PROGRESS"`) {
		t.Error("IN_PROGRESS outside the vocabulary")
	}
}
