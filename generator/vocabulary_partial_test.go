package generator_test

import (
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// A vocabulary built by hand in Go may leave fields empty, which a file
// cannot (ParseVocabulary starts from the built-in one). Each empty field
// keeps the built-in value, as a key left out of a file does: the
// generator neither panics nor writes an empty name.
func TestHandBuiltVocabularyKeepsBuiltinForEmptyFields(t *testing.T) {
	cases := map[string]func(v *schemas.Vocabulary){
		"zero value":        func(v *schemas.Vocabulary) { *v = schemas.Vocabulary{} },
		"no statuses":       func(v *schemas.Vocabulary) { v.WorkOrderStatuses = nil },
		"no working status": func(v *schemas.Vocabulary) { v.WorkingStatus = "" },
		"no phase types":    func(v *schemas.Vocabulary) { v.PhaseTypes = nil },
		"no phase statuses": func(v *schemas.Vocabulary) { v.PhaseStarted, v.PhaseCompleted = "", "" },
		"no SLA types":      func(v *schemas.Vocabulary) { v.SLATypes = nil },
		"no request status": func(v *schemas.Vocabulary) { v.RequestStatuses = nil },
		"no workflows":      func(v *schemas.Vocabulary) { v.Workflows = nil },
		"no request stages": func(v *schemas.Vocabulary) { v.RequestWorkflow = schemas.Workflow{} },
		"no trigger names":  func(v *schemas.Vocabulary) { v.TriggerNames = nil },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			v := schemas.DefaultVocabulary()
			edit(v)
			g := generator.New(3, generator.WithVocabulary(v))
			for i := 0; i < 40; i++ {
				for _, key := range schemas.TriggerKeys() {
					b, err := g.JSON(key)
					if err != nil {
						t.Fatalf("%s: %v", key, err)
					}
					r, err := schemas.Validate(b, schemas.Contract)
					if err != nil || !r.Valid() {
						t.Fatalf("%s: %v %+v\n%s", key, err, r.Violations, b)
					}
				}
			}
		})
	}
}

// A hand-built vocabulary that breaks a rule a file must keep is refused
// with the rule, on every payload, and never half-applied.
func TestHandBuiltVocabularyBreakingARuleIsRefused(t *testing.T) {
	cases := []struct {
		name string
		edit func(v *schemas.Vocabulary)
		want string
	}{
		{"working status not a status", func(v *schemas.Vocabulary) { v.WorkingStatus = "BUSY" }, "workingStatus BUSY isn't one of workOrderStatuses"},
		{"no QUEUED", func(v *schemas.Vocabulary) { v.WorkOrderStatuses = []string{"IN_PROGRESS", "COMPLETED"} }, "queuedStatus QUEUED isn't one of workOrderStatuses [IN_PROGRESS COMPLETED]"},
		{"one SLA type", func(v *schemas.Vocabulary) { v.SLATypes = []string{"RED"} }, "slaTypes needs a warning and a violation threshold"},
		{"workflow without stages", func(v *schemas.Vocabulary) { v.Workflows[0].Stages = nil }, "has no stages"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := schemas.DefaultVocabulary()
			tc.edit(v)
			g := generator.New(3, generator.WithVocabulary(v))
			for _, key := range schemas.TriggerKeys() {
				_, err := g.JSON(key)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("%s: err %v, want one saying %q", key, err, tc.want)
				}
			}
			if _, err := g.PayloadFor("PROJECT_CREATED", generator.DefaultEpoch, g.Record("PROJECT"), nil); err == nil {
				t.Fatal("PayloadFor took a refused vocabulary")
			}
		})
	}
}
