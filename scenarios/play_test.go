package scenarios_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

// NewPlay is what every command that plays a scenario starts from: the
// same name and seed give the same events as Load and Render, and each
// step's error comes through as that step makes it.
func TestNewPlay(t *testing.T) {
	for _, tc := range []struct {
		name  string
		scen  string
		opts  []scenarios.RenderOption
		field string // of a *delivery.FieldError
		want  string // in the error; "" for none
	}{
		{"a built-in one", "request-won", nil, "", ""},
		{"an unknown one", "nope", nil, "", `scenario "nope" is neither a built-in one`},
		{"a parameter it lacks", "request-won", []scenarios.RenderOption{scenarios.WithParam("projects", 2)}, "Projects", `has no parameter "projects"`},
		{"an offset out of range", "request-won", []scenarios.RenderOption{scenarios.WithEventIDOffset(-1)}, "EventIDOffset", "want 0 to"},
		{"no events", "concurrent-projects", []scenarios.RenderOption{scenarios.WithParam("projects", 0)}, "", "renders to no events"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := scenarios.NewPlay(tc.scen, nil, 7, tc.opts...)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				sc, _ := scenarios.Load(tc.scen)
				events, _ := sc.Render(7)
				if p.Scenario.Name != tc.scen || p.Seed != 7 || len(p.Events) != len(events) || string(p.Events[0].Body) != string(events[0].Body) {
					t.Errorf("play %s seed %d, %d events; want %s's %d events", p.Scenario.Name, p.Seed, len(p.Events), tc.scen, len(events))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
			var fe *delivery.FieldError
			if isField := errors.As(err, &fe); isField != (tc.field != "") || isField && fe.Field != tc.field {
				t.Errorf("err %v: want a *delivery.FieldError on %q", err, tc.field)
			}
		})
	}
}
