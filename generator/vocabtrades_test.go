package generator

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// With a vocabulary's trades, records carry those only (no built-in trade
// the file leaves out), a trade of the file's own among them, and a
// project follows the workflow its first trade picks.
func TestVocabularyTradesGenerated(t *testing.T) {
	v, err := schemas.ParseVocabulary("team.yaml", []byte("trades: [Roofing, Gutters, Siding]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, profile := range []Profile{Realistic, Maximal} {
		g := New(3, WithVocabulary(v), WithProfile(profile))
		seen := map[string]int{}
		for range 2000 {
			b, err := g.JSON("PROJECT_PHASE_STARTED")
			if err != nil {
				t.Fatal(err)
			}
			var p struct {
				Record struct {
					Trades []string
					Stage  *struct{ ID int64 }
				}
			}
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatal(err)
			}
			for _, tr := range p.Record.Trades {
				seen[tr]++
				if !slices.Contains(v.Trades, tr) {
					t.Fatalf("%s: trade %q outside the vocabulary's %v:\n%s", profile, tr, v.Trades, b)
				}
			}
			if len(p.Record.Trades) > 0 && p.Record.Stage != nil {
				wf := v.WorkflowForTrades(p.Record.Trades)
				if !slices.ContainsFunc(wf.Stages, func(s schemas.Stage) bool { return s.ID == p.Record.Stage.ID }) {
					t.Fatalf("%s: trades %v follow %s, but the stage is %d:\n%s", profile, p.Record.Trades, wf.Name, p.Record.Stage.ID, b)
				}
			}
		}
		for _, tr := range v.Trades {
			if seen[tr] == 0 {
				t.Errorf("%s: no record with trade %s in 2000 (%v)", profile, tr, seen)
			}
		}
	}
}
