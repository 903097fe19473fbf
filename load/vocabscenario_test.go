package load

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// A plan's scenario is parsed once with its vocabulary, by Options, and
// the run takes that value: it parses again only a scenario given apart
// from the vocabulary (WithScenario, then WithVocabulary, in Go).
func TestPlanScenarioParsedOnceWithItsVocabulary(t *testing.T) {
	v, err := schemas.ParseVocabulary("team.yaml", []byte("workOrderStatuses: [NEW, DISPATCHED, WORKING, COMPLETED, CANCELLED]\nqueuedStatus: NEW\nworkingStatus: WORKING\n"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "dispatch.yaml")
	src := "steps:\n  - createProject: {name: p}\n  - createWorkOrder: {project: p, name: w, title: Survey}\n  - moveWorkOrder: {workOrder: w, to: DISPATCHED}\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := Plan{Rate: "10/s", Duration: time.Second, Scenario: file, Vocabulary: v, Profile: "realistic", Retry: "none", Timeout: time.Second, Shard: "0/1", MaxInflight: 1, MaxLateness: DefaultMaxLateness}
	for _, tc := range []struct {
		name    string
		opts    func(t *testing.T) []Option
		reparse bool
	}{
		{"a plan's", func(t *testing.T) []Option {
			opts, err := plan.Options()
			if err != nil {
				t.Fatal(err)
			}
			return opts
		}, false},
		{"a vocabulary given after the plan's options", func(t *testing.T) []Option {
			opts, err := plan.Options()
			if err != nil {
				t.Fatal(err)
			}
			return append(opts, WithVocabulary(v))
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := defaultConfig()
			for _, o := range tc.opts(t) {
				if err := o(&cfg); err != nil {
					t.Fatal(err)
				}
			}
			parsed := cfg.scenario
			if err := cfg.speakVocabulary(); err != nil {
				t.Fatal(err)
			}
			if again := cfg.scenario != parsed; again != tc.reparse {
				t.Errorf("scenario parsed again for the run: %v, want %v", again, tc.reparse)
			}
		})
	}
}
