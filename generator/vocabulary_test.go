package generator

import (
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// A team's vocabulary drives what the generator sends: every payload passes
// the strict schemas generated from it, and its own names show up.
func TestGeneratorSpeaksTheVocabulary(t *testing.T) {
	v := teamVocabulary(t)
	val, err := schemas.NewValidator(v)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, profile := range []Profile{Realistic, Minimal, Maximal} {
		for seed := uint64(1); seed <= 120; seed++ {
			g := New(seed, WithProfile(profile), WithVocabulary(v))
			for _, key := range schemas.TriggerKeys() {
				b, err := g.JSON(key)
				if err != nil {
					t.Fatal(err)
				}
				r, err := val.Validate(b, schemas.Strict)
				if err != nil {
					t.Fatal(err)
				}
				for _, viol := range r.Violations {
					if !viol.Warning && !(profile == Maximal && strings.Contains(viol.Message, UnknownFieldPrefix)) {
						t.Fatalf("%s seed %d %s: %v\n%s", profile, seed, key, r.Violations, b)
					}
				}
				for _, want := range []string{`"ON_HOLD"`, `"ORANGE"`, `"Task Status Changed"`, `"ENGINEERING"`, `"WORKING"`} {
					if strings.Contains(string(b), want) {
						seen[want] = true
					}
				}
				gone := []string{`"phaseType":"DESIGN"`}
				if strings.Contains(string(b), `"workOrder"`) {
					gone = append(gone, `"IN_PROGRESS"`, `"ASSIGNED"`)
				}
				for _, g := range gone {
					if strings.Contains(string(b), g) {
						t.Fatalf("%s seed %d %s: %s outside the vocabulary:\n%s", profile, seed, key, g, b)
					}
				}
			}
		}
	}
	for _, want := range []string{`"ON_HOLD"`, `"ORANGE"`, `"Task Status Changed"`, `"ENGINEERING"`, `"WORKING"`} {
		if !seen[want] {
			t.Errorf("no payload carried %s", want)
		}
	}
}

// teamVocabulary is a team's vocabulary with a trigger name, work-order
// statuses, an SLA type and phase types of its own.
func teamVocabulary(t *testing.T) *schemas.Vocabulary {
	t.Helper()
	v, err := schemas.ParseVocabulary("team.yaml", []byte(`triggerNames:
  TASK_STATUS_MOVEMENT: Task Status Changed
workOrderStatuses: [QUEUED, SCHEDULED, WORKING, ON_HOLD, COMPLETED, CANCELLED]
workingStatus: WORKING
slaTypes: [YELLOW, ORANGE, RED]
phaseTypes: [SALES, ENGINEERING, FIELD]
`))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
