package schemas_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// A vocabulary file that lists its own phase types and request statuses
// but keeps built-in workflows leaves their stages' values to a guess by
// position. Substitutions names each guess, and what it says payloads
// carry is what the generator sends.
func TestSubstitutionsNameTheGuesses(t *testing.T) {
	if got := schemas.DefaultVocabulary().Substitutions(); got != nil {
		t.Errorf("built-in vocabulary: %q", got)
	}
	src := "workOrderStatuses: [QUEUED, DISPATCHED, ON_SITE, BLOCKED, COMPLETED, CANCELLED]\nworkingStatus: ON_SITE\n" +
		"phaseTypes: [SALES, ENGINEERING, PERMITTING, BUILD, PTO]\nrequestStatuses: [OPEN, QUOTED, WON, LOST]\n" +
		"workflows:\n  solar:\n    - {id: 16646, name: Sales, phaseType: SALES}\n    - {name: Engineering, phaseType: ENGINEERING}\n" +
		"    - {name: Permits, phaseType: PERMITTING}\n    - {name: Build, phaseType: BUILD}\n    - {name: PTO, phaseType: PTO}\n"
	v, err := schemas.ParseVocabulary("team.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(v.Substitutions(), "\n")
	for _, want := range []string{
		"phaseTypes lacks the phaseType of built-in stages the file keeps, so payloads carry its value at the same position instead: ",
		"INSPECTION is sent as PTO (roofing Inspection, hvac Inspection, electrical Inspection)",
		"requestStatuses lacks the requestStatus of built-in stages",
		"NURTURE is sent as OPEN (Nurture)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "solar") || len(v.Substitutions()) != 2 {
		t.Errorf("the file's own solar workflow is no guess:\n%s", got)
	}

	// What the warning says payloads carry, they carry.
	g := generator.New(4, generator.WithVocabulary(v))
	seen := false
	for range 3000 {
		b, err := g.JSON("PROJECT_PHASE_STARTED")
		if err != nil {
			t.Fatal(err)
		}
		var p struct {
			Event  struct{ PhaseType string }
			Record struct{ Stage struct{ Name string } }
		}
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		if p.Record.Stage.Name == "Inspection" {
			seen = true
			if p.Event.PhaseType != "PTO" {
				t.Fatalf("stage Inspection sent with phaseType %s, the warning says PTO", p.Event.PhaseType)
			}
		}
	}
	if !seen {
		t.Error("no payload of the Inspection stage in 3000: the check above checked nothing")
	}
}
