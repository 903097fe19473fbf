package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A team's vocabulary with ON_HOLD, ORANGE and a renamed trigger drives
// generate, scenario run, validate --strict --vocabulary and docs, end to
// end through the real binary.
func TestVocabularyEndToEnd(t *testing.T) {
	dir := t.TempDir()
	// Start from the exported built-in file, as a team would, and edit it
	// (vocabflags_test.go).
	vocab := teamVocabulary(t, dir)
	scenario := filepath.Join("..", "..", "scenarios", "testdata", "on-hold.yaml")

	// Without the vocabulary the scenario is refused where it says ON_HOLD.
	r := cli(t, "", "scenario", "run", scenario, "--dry-run").want(t, 2)
	if !strings.Contains(r.stderr, "on-hold.yaml:7:") || !strings.Contains(r.stderr, `"ON_HOLD" isn't one of`) {
		t.Errorf("without --vocabulary: %s", r.stderr)
	}
	events := cli(t, "", "scenario", "run", scenario, "--dry-run", "--vocabulary", vocab).want(t, 0).stdout
	for _, want := range []string{`"currentStatus":"ON_HOLD"`, `"slaType":"ORANGE"`, `"triggerName":"Task Status Changed"`} {
		if !strings.Contains(events, want) {
			t.Errorf("scenario run: no event with %s", want)
		}
	}
	generated := cli(t, "", "generate", "all", "--count", "30", "--vocabulary", vocab).want(t, 0).stdout
	if !strings.Contains(generated, `"Task Status Changed"`) || !strings.Contains(generated, `"ORANGE"`) {
		t.Error("generate ignores the vocabulary")
	}
	input := events + generated
	cli(t, input, "validate", "--strict", "--vocabulary", vocab, "-q").want(t, 0)
	// The built-in strict schemas reject what the vocabulary added.
	r = cli(t, events, "validate", "--strict", "-q").want(t, 1)
	if !strings.Contains(r.stdout, "ON_HOLD") {
		t.Errorf("validate --strict without the vocabulary:\n%s", r.stdout)
	}

	out := filepath.Join(dir, "docs")
	cli(t, "", "docs", "--out", out, "--vocabulary", vocab).want(t, 0)
	page, err := os.ReadFile(filepath.Join(out, "triggers", "TASK_STATUS_MOVEMENT.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Task Status Changed", "`ON_HOLD`", "Values set by your vocabulary file"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("docs page lacks %q", want)
		}
	}
	schema, err := os.ReadFile(filepath.Join(out, "schemas", "strict", "PROJECT_PHASE_SLA_VIOLATION.json"))
	if err != nil || !strings.Contains(string(schema), `"ORANGE"`) {
		t.Errorf("docs' strict schema lacks ORANGE: %v", err)
	}

	// A bad file gets file:line:col.
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("slaTypes: [RED]\nphaseTipes: [X]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = cli(t, "", "generate", "TASK_CREATED", "--vocabulary", bad).want(t, 2)
	if !strings.Contains(r.stderr, "bad.yaml:1:11: slaTypes needs") || !strings.Contains(r.stderr, "bad.yaml:2:1: unknown key phaseTipes") {
		t.Errorf("bad vocabulary: %s", r.stderr)
	}
}
