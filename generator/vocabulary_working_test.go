package generator_test

import (
	"testing"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// A team whose working state is a status of its own (ON_SITE, not the
// built-in IN_PROGRESS) has that status among those only it has: a status
// movement into or out of one of them must still change the status, or
// the generator writes payloads its own strict validator rejects.
func TestMovementsChangeTheStatusWhenTheWorkingStateIsTheTeams(t *testing.T) {
	v := schemas.DefaultVocabulary()
	v.WorkOrderStatuses = []string{"QUEUED", "DISPATCHED", "ON_SITE", "BLOCKED", "COMPLETED", "CANCELLED"}
	v.WorkingStatus = "ON_SITE"
	val, err := schemas.NewValidator(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range generator.ProfileNames() {
		g := generator.New(1, generator.WithVocabulary(v), generator.WithProfile(generator.Profile(p)))
		for i := range 3000 {
			b, err := g.JSON("TASK_STATUS_MOVEMENT")
			if err != nil {
				t.Fatal(err)
			}
			r, err := val.Validate(b, schemas.Strict)
			if err != nil {
				t.Fatal(err)
			}
			// Realistic and minimal payloads pass strict; maximal and
			// edge ones carry what strict refuses on purpose.
			if (p == string(generator.Realistic) || p == string(generator.Minimal)) && !r.Valid() {
				t.Fatalf("%s #%d: %v\n%s", p, i, r.Violations, b)
			}
			for _, vi := range r.Violations {
				if vi.Rule == schemas.RuleStatusMoved {
					t.Fatalf("%s #%d: %s\n%s", p, i, vi, b)
				}
			}
		}
	}
}
