package main

import (
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
