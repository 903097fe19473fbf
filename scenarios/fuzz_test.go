package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: no input makes Parse panic, every error points into the file,
// and what parses renders without panicking.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("library/*.yaml")
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err == nil {
			f.Add(src)
		}
	}
	for _, src := range []string{
		"",
		"steps:\n  - createProject: {name: p}\n  - startPhaze: {project: p}\n",
		"a: &x [*x]\nsteps: *x\n",
		"steps: &s\n  - repeat: {count: 2, steps: *s}\n",
		"steps:\n  - repeat: {count: 3, parallel: true, stagger: 0..1d, steps: [createProject: {name: p}, startPhase: {project: p}]}\n",
		"steps:\n  - createProject: {name: p, set: [\"record.title=x\"], merge: {record: {dealValue: 1}}}\n",
		"steps:\n  - createProject: {after: 1d..}\n",
		"steps:\n- createProject: !!str x\n",
		"steps: [{createRequest: {name: r}}, {moveRequest: {request: r, to: Proposal}}]\n",
		"{steps: [1, [2], {3: 4}]}\n",
		"steps:\n  - createProject: {name: \"\\u0000\"}\n",
		// Over the key cap: refused before the parser runs.
		"steps:\n" + strings.Repeat("  - createAccount: {name: a}\n", MaxKeys),
		"description: \"a:b: c\"\nsteps: [{\"createAccount\": {\"name\": \"x\"}}]\n",
		// Syntax errors that get a hint, which reads the lines around.
		"delivery:\n retry: ci\n  duplicate: 0.3\nsteps: []\n",
		"description: Roof: re-roof\nsteps: []\n",
		"steps:\n  - createAccount: {name: a}\n    - createAccount: {name: b}\n",
		"steps:\n\t- createAccount: {name: a}\n",
	} {
		f.Add([]byte(src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := Parse("fuzz.yaml", src)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %T without a position: %v", err, err)
			}
			for _, e := range list {
				if e.Line < 1 || e.Col < 1 || !strings.HasPrefix(e.Error(), "fuzz.yaml:") || e.Msg == "" {
					t.Fatalf("bad position or message: %q", e.Error())
				}
			}
			return
		}
		if s.Events() > 2000 {
			return // a valid but large scenario: rendering it only costs time
		}
		events, err := s.Render(1)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("render error %T without a position: %v", err, err)
			}
			return
		}
		if len(events) != s.Events() {
			t.Fatalf("rendered %d events, Parse counted %d", len(events), s.Events())
		}
	})
}
