package scenarios

import (
	"strings"
	"testing"
	"time"
)

// Coperniq does not process records retroactively: events fired before the
// automation's activation are never delivered.
func TestActivationDropsEarlierEvents(t *testing.T) {
	src := func(activation string) []byte {
		return []byte(`name: activation
` + activation + `
steps:
  - createProject: {name: home, workflow: solar}
  - createWorkOrder: {project: home, name: survey, title: Site Survey}
  - moveWorkOrder: {workOrder: survey, to: ASSIGNED, after: 2d}
  - moveWorkOrder: {workOrder: survey, to: SCHEDULED, after: 1d}
`)
	}
	render := func(activation string) []Rendered {
		t.Helper()
		s, err := Parse("activation.yaml", src(activation))
		if err != nil {
			t.Fatal(err)
		}
		events, err := s.Render(1)
		if err != nil {
			t.Fatal(err)
		}
		return events
	}
	all := render("")
	if len(all) != 4 {
		t.Fatalf("without activation: %d events, want 4", len(all))
	}
	start := all[0].FiredAt
	for _, tc := range []struct {
		name, setting string
		on            time.Time
	}{
		{"offset", "activation: 1d", start.Add(24 * time.Hour)},
		{"time", "activation: " + start.Add(24*time.Hour).Format(time.RFC3339), start.Add(24 * time.Hour).Truncate(time.Second)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := render(tc.setting)
			if len(got) == 0 || len(got) >= len(all) {
				t.Fatalf("%d of %d events delivered", len(got), len(all))
			}
			for _, e := range got {
				if e.FiredAt.Before(tc.on) {
					t.Errorf("event %d (%s) fired at %s, before the activation at %s", e.EventID, e.TriggerKey, e.FiredAt, tc.on)
				}
			}
			// What is delivered is exactly the events after activation.
			var want []int64
			for _, e := range all {
				if !e.FiredAt.Before(tc.on) {
					want = append(want, e.EventID)
				}
			}
			if len(want) != len(got) {
				t.Errorf("delivered %d events, want the %d fired after activation", len(got), len(want))
			}
		})
	}
	_, err := Parse("bad.yaml", src("activation: yesterday"))
	if err == nil || !strings.Contains(err.Error(), `activation "yesterday" is neither an RFC 3339 time`) || !strings.Contains(err.Error(), "bad.yaml:2:") {
		t.Errorf("bad activation: %v", err)
	}
}
