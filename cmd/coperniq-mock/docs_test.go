package main

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

func TestDocsWritesOnlyTheRequestedFormat(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	r := cli(t, "", "docs", "--out", dir, "--format", "markdown").want(t, 0)
	if !strings.Contains(r.stdout, "wrote markdown, schema docs for 18 triggers to "+dir) {
		t.Errorf("summary line: %q", r.stdout)
	}
	files := listFiles(dir)
	var md, other []string
	for _, f := range files {
		switch {
		case f == "README.md" || strings.HasPrefix(f, "triggers/"):
			md = append(md, f)
		case strings.HasPrefix(f, "schemas/"):
		default:
			other = append(other, f)
		}
	}
	if len(md) != 19 || len(other) != 0 {
		t.Errorf("--format markdown wrote %v besides schemas/, want README.md and 18 trigger pages", append(md, other...))
	}
	page, err := os.ReadFile(filepath.Join(dir, "triggers", "TASK_STATUS_MOVEMENT.md"))
	if err != nil || !strings.Contains(string(page), "# TASK_STATUS_MOVEMENT: Work Order Status Movement") {
		t.Errorf("trigger page: %v", err)
	}
}

func listFiles(dir string) []string {
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	sort.Strings(files)
	return files
}

// The site the README suggests: the pages link to the schema files, which
// are written, and not to AsyncAPI or OpenAPI, which are not.
func TestDocsForYourOwnSite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	cli(t, "", "docs", "--out", dir, "--format", "html,markdown").want(t, 0)
	files := listFiles(dir)
	for _, want := range []string{"README.md", "index.html", "triggers/TASK_CREATED.md",
		"schemas/contract/TASK_CREATED.json", "schemas/strict/TASK_CREATED.json", "schemas/strict/defs/record.json"} {
		if !slices.Contains(files, want) {
			t.Errorf("%s was not written", want)
		}
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".yaml") {
			t.Errorf("wrote %s, which was not asked for", f)
		}
	}
	for _, page := range []string{"README.md", "index.html", "triggers/TASK_CREATED.md"} {
		b, _ := os.ReadFile(filepath.Join(dir, page))
		for _, spec := range []string{"asyncapi.yaml", "openapi.yaml"} {
			if strings.Contains(string(b), spec) {
				t.Errorf("%s links to %s, which was not written", page, spec)
			}
		}
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
			has(t, "stderr", r.stderr, tc.want...)
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
