package schemas_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// A vocabulary built in Go, not read from a file, is a team's vocabulary
// all the same: the validator made from it judges payloads by its values,
// so that what the generator makes with it passes, and a value it does not
// list fails.
func TestValidatorOfAHandBuiltVocabulary(t *testing.T) {
	edited := schemas.DefaultVocabulary()
	edited.PhaseTypes = []string{"Roof Tear-off", "Final Walkthrough"}
	edited.WorkOrderStatuses = []string{"QUEUED", "ON_SITE", "IN_PROGRESS", "COMPLETED"}
	for name, v := range map[string]*schemas.Vocabulary{
		"the built-in one edited": edited,
		// Empty fields keep the built-in values (Complete).
		"only its own lists": {PhaseTypes: edited.PhaseTypes, WorkOrderStatuses: edited.WorkOrderStatuses},
	} {
		t.Run(name, func(t *testing.T) { checkHandBuilt(t, v) })
	}
	if c, err := schemas.DefaultVocabulary().Complete(); err != nil || !c.IsDefault() {
		t.Errorf("the built-in values, built in Go: IsDefault false (err %v); it should share the built-in schemas", err)
	}
}

func checkHandBuilt(t *testing.T, v *schemas.Vocabulary) {
	val, err := schemas.NewValidator(v)
	if err != nil {
		t.Fatal(err)
	}
	g := generator.New(7, generator.WithVocabulary(v))
	for _, key := range []string{"PROJECT_PHASE_STARTED", "TASK_STATUS_MOVEMENT"} {
		for i := range 20 {
			b, err := g.JSON(key)
			if err != nil {
				t.Fatal(err)
			}
			for _, level := range schemas.Levels() {
				r, err := val.Validate(b, level)
				if err != nil || !r.Valid() {
					t.Fatalf("%s #%d at %s: a payload made with the vocabulary fails it: %v %+v\n%s", key, i, level, err, r.Violations, b)
				}
			}
		}
	}
	b, err := generator.New(7).JSON("PROJECT_PHASE_STARTED")
	if err != nil {
		t.Fatal(err)
	}
	r, err := val.Validate(b, schemas.Strict)
	if err != nil {
		t.Fatal(err)
	}
	if r.Valid() || !strings.Contains(fmt.Sprint(r.Violations), "phaseType") {
		t.Errorf("a built-in phase type the vocabulary does not list passed the strict level: %+v", r.Violations)
	}
}
