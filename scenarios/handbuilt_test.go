package scenarios_test

import (
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// A vocabulary built in Go keeps the built-in value of each field it
// leaves empty, as the generator and the docs take it, so a built-in
// scenario plays in the zero vocabulary; one that breaks a rule is refused
// by the rule.
func TestPlayTakesHandBuiltVocabulary(t *testing.T) {
	p, err := scenarios.NewPlay("residential-solar", &schemas.Vocabulary{}, 1)
	if err != nil || len(p.Events) == 0 {
		t.Fatalf("zero vocabulary: %v", err)
	}
	v := schemas.DefaultVocabulary()
	v.WorkingStatus = "BUSY"
	_, err = scenarios.NewPlay("residential-solar", v, 1)
	if err == nil || !strings.Contains(err.Error(), "workingStatus BUSY isn't one of workOrderStatuses") {
		t.Fatalf("working status not a status: err %v, want the rule", err)
	}
}
