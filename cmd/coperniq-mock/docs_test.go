package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestDocsWritesOnlyTheRequestedFormat(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	r := cli(t, "", "docs", "--out", dir, "--format", "markdown").want(t, 0)
	if !strings.Contains(r.stdout, "wrote markdown docs for 18 triggers to "+dir) {
		t.Errorf("summary line: %q", r.stdout)
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	sort.Strings(files)
	if len(files) != 19 || files[0] != "README.md" || !strings.HasPrefix(files[1], "triggers/") {
		t.Errorf("--format markdown wrote %v, want README.md and 18 trigger pages", files)
	}
	page, err := os.ReadFile(filepath.Join(dir, "triggers", "TASK_STATUS_MOVEMENT.md"))
	if err != nil || !strings.Contains(string(page), "# TASK_STATUS_MOVEMENT: Work Order Status Movement") {
		t.Errorf("trigger page: %v", err)
	}
}

func TestDocsBadInput(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown format", []string{"docs", "--out", t.TempDir(), "--format", "markdown,htlm"},
			[]string{`--format "htlm" isn't one of [markdown html asyncapi openapi schema]`, "did you mean html?"}},
		{"empty format list", []string{"docs", "--out", t.TempDir(), "--format", ","}, []string{"no format"}},
		{"no --out", []string{"docs"}, []string{"--out DIR is required"}},
		{"stray argument", []string{"docs", "--out", t.TempDir(), "extra"}, []string{"unknown command"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", tc.args...).want(t, 2)
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
		})
	}

	// A directory whose README.md someone else wrote is left alone: exit 2,
	// the file named, nothing written.
	dir := t.TempDir()
	readme := filepath.Join(dir, "README.md")
	os.WriteFile(readme, []byte("# Our service\n"), 0o644)
	r := cli(t, "", "docs", "--out", dir).want(t, 2)
	if !strings.Contains(r.stderr, readme) {
		t.Errorf("refusal does not name the file:\n%s", r.stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a refused run wrote %d entries", len(entries))
	}
}

func TestDocsHelp(t *testing.T) {
	r := cli(t, "", "docs", "--help").want(t, 0)
	for _, w := range []string{"Examples:", "--format", "--seed", "asyncapi"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("docs --help lacks %q", w)
		}
	}
}
