package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func writeScenario(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestScenarioFileCaps holds item 8's scenario caps, on real files: a 20 MB
// description is refused without being read whole, and 80,000 keys (over
// 25 s in the YAML parser) are refused before it runs; the errors say what
// to do. The work before refusing is a single pass, measured in bytes
// allocated rather than time.
func TestScenarioFileCaps(t *testing.T) {
	for _, tc := range []struct {
		name, content, want string
	}{
		{"a 20 MB description", "description: " + strings.Repeat("d", 20<<20) + "\nsteps:\n  - create: project\n",
			"big.yaml:1:1: the file is 1048577 bytes, over the 1024 KiB cap for a scenario file; split it up"},
		{"80,000 keys", "steps:\n  - wait: 1s\nparams:\n" + func() string {
			var b strings.Builder
			for i := range 80_000 {
				fmt.Fprintf(&b, "  k%d: 1\n", i)
			}
			return b.String()
		}(), "more than 5000 keys (line 5001 passes the cap"},
		{"keys in flow style", "steps: [" + strings.Repeat(`{"wait": "1s"}, `, 6000) + "]\n", "more than 5000 keys"},
		// 1 MB of brackets took all 24 GB of the machine in the YAML parser.
		{"500,000 nested brackets", "steps: " + strings.Repeat("[", 500_000) + strings.Repeat("]", 500_000) + "\n",
			"big.yaml:1:1: the file nests [ ] and { } more than 100 deep (line 1 passes the cap for a scenario file); write it with fewer levels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeScenario(t, tc.content)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := Load(path)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
				t.Errorf("%d MiB allocated before refusing the file", alloc>>20)
			}
		})
	}
	// Colons inside values (times, URLs) are not keys.
	var b strings.Builder
	b.WriteString("start: 2026-03-31T14:00:00Z\nsteps:\n")
	for range 3000 {
		b.WriteString("  - wait: 1s # at 14:00:00, see https://example.com/a:b\n")
	}
	if why := checkCaps([]byte(b.String())); why != "" {
		t.Errorf("a file of 3001 keys and many colons in values: %s", why)
	}
}

// A scenario that starts at the end of year 9999 would date its events in
// year 10000, which strict rejects: it is refused with why, rather than
// sending payloads our own validator calls invalid.
func TestScenarioPastYear9999(t *testing.T) {
	path := writeScenario(t, "start: 9999-12-31T23:00:00Z\nsteps:\n  - createAccount: {name: c}\n  - createProject: {name: home, account: c, workflow: solar, after: 2h}\n")
	s, err := Load(path)
	if err == nil {
		_, err = s.Render(1)
	}
	if err == nil || !strings.Contains(err.Error(), "passes the end of year 9999") {
		t.Fatalf("error %v", err)
	}
}
