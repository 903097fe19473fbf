package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestRunWritesBothLevelsAndRemovesStaleFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "examples.json"), []byte(`{"record.stage.name": ["Permitting"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "strict", "RETIRED_TRIGGER.json")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(dir, "examples.json"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"contract/envelope.json", "contract/defs/record.json", "strict/TASK_CREATED.json", "strict/defs/stage.json"} {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Errorf("%s not written: %v", name, err)
		}
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale file kept: %v", err)
	}
}

func TestRunRejectsBadExamples(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "examples.json"), []byte(`{"record.nope": [1]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(dir, "examples.json"); err == nil {
		t.Error("want an error for an unknown example path")
	}
}

// The committed examples file is what `go generate ./schemas` writes from
// the generator: a generator change that alters an example (a ZIP code once
// moved from 72201 to 72202) must come with the regenerated files, or the
// schemas and docs show values the tool no longer emits.
func TestCommittedExamplesAreTheGenerators(t *testing.T) {
	got := filepath.Join(t.TempDir(), "examples.json")
	if err := writeGeneratorExamples(got); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "schemas", "examples.json"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, want) {
		t.Errorf("schemas/examples.json is not what the generator gives today: run `go generate ./schemas` and commit the result")
	}
}
