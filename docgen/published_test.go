package docgen

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// The published tree (what `docs` writes: the AsyncAPI and OpenAPI
// documents and the schema files they reference) must work in tooling that
// knows nothing of this project: redocly, @readme/openapi-parser and
// @asyncapi/parser (`make lint-docs` runs them). Two properties make that
// so, and this file guards them without npm:
//   - a $ref stands alone: draft-07 based tooling, AsyncAPI's default schema
//     format among them, ignores every keyword beside a $ref, which dropped
//     the fields and consts each trigger adds to the shared event;
//   - every $ref resolves to a file inside the tree, so nothing is
//     downloaded: no absolute URLs, and no $id, which would make relative
//     references resolve against a URL instead of the file's location.

// publishedProblems lists every violation in the tree at dir.
func publishedProblems(dir string) ([]string, error) {
	docs := map[string]any{} // slash path → normalised document
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ext := filepath.Ext(p)
		if ext != ".json" && ext != ".yaml" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		v, err := decodeDoc(data)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		rel, _ := filepath.Rel(dir, p)
		docs[filepath.ToSlash(rel)] = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, file := range slices.Sorted(maps.Keys(docs)) {
		walkObjects(docs[file], "", func(o map[string]any, ptr string) {
			where := file + "#" + ptr
			if id, ok := o["$id"]; ok {
				problems = append(problems, fmt.Sprintf("%s: $id %v: relative $refs would resolve against it instead of the file's location", where, id))
			}
			ref, ok := o["$ref"].(string)
			if !ok {
				return
			}
			if len(o) > 1 {
				var others []string
				for k := range o {
					if k != "$ref" {
						others = append(others, k)
					}
				}
				slices.Sort(others)
				problems = append(problems, fmt.Sprintf("%s: $ref %s has siblings %v, which draft-07 tooling ignores (use allOf)", where, ref, others))
			}
			if err := resolveIn(docs, file, ref); err != nil {
				problems = append(problems, fmt.Sprintf("%s: $ref %s: %v", where, ref, err))
			}
		})
	}
	return problems, nil
}

// decodeDoc reads JSON or YAML into the form encoding/json produces.
func decodeDoc(data []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	return out, json.Unmarshal(b, &out)
}

// resolveIn resolves ref, found in file, inside docs.
func resolveIn(docs map[string]any, file, ref string) error {
	target, frag, _ := strings.Cut(ref, "#")
	if strings.Contains(target, ":") || strings.HasPrefix(target, "/") {
		return fmt.Errorf("not a relative reference: it would be fetched")
	}
	name := file
	if target != "" {
		name = path.Join(path.Dir(file), target)
		if name == ".." || strings.HasPrefix(name, "../") {
			return fmt.Errorf("leaves the published tree")
		}
	}
	doc, ok := docs[name]
	if !ok {
		return fmt.Errorf("no file %s in the published tree", name)
	}
	if _, err := pointer(doc, frag); err != nil {
		return fmt.Errorf("%s#%s: %w", name, frag, err)
	}
	return nil
}

// walkObjects calls fn for every object in v with its JSON pointer.
func walkObjects(v any, ptr string, fn func(map[string]any, string)) {
	switch t := v.(type) {
	case map[string]any:
		fn(t, ptr)
		for k, e := range t {
			walkObjects(e, ptr+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), fn)
		}
	case []any:
		for i, e := range t {
			walkObjects(e, fmt.Sprintf("%s/%d", ptr, i), fn)
		}
	}
}

func TestPublishedTreeWorksInRealTooling(t *testing.T) {
	dir, _ := writeDocs(t)
	problems, err := publishedProblems(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	// The committed docs/ folder is what users download; TestDocsUpToDate
	// keeps it equal to Write's output, and this keeps it clean on its own
	// in case it is edited by hand.
	problems, err = publishedProblems("../docs")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("docs/: %s", p)
	}
}

// The checker finds each kind of problem, so a clean result means
// something.
func TestPublishedProblemsFindsEachKind(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  string // in the one problem reported; "" for none
	}{
		{"clean", map[string]string{
			"api.yaml":               "a:\n  $ref: \"./schemas/x.json\"\nb:\n  $ref: \"#/a\"\n",
			"schemas/x.json":         `{"properties": {"e": {"allOf": [{"$ref": "defs/e.json"}], "required": ["k"]}}}`,
			"schemas/defs/e.json":    `{"properties": {"f": {"$ref": "f.json#/properties/g"}}}`,
			"schemas/defs/f.json":    `{"properties": {"g": {"type": "string"}}}`,
			"schemas/defs/notes.txt": "ignored",
		}, ""},
		{"sibling", map[string]string{
			"x.json": `{"properties": {"e": {"$ref": "e.json", "required": ["k"]}}}`,
			"e.json": `{}`,
		}, "has siblings [required]"},
		{"absolute id", map[string]string{
			"x.json": `{"$id": "https://example.com/x.json", "type": "object"}`,
		}, "$id https://example.com/x.json"},
		{"url", map[string]string{
			"x.json": `{"allOf": [{"$ref": "https://example.com/e.json"}]}`,
		}, "would be fetched"},
		{"missing file", map[string]string{
			"x.json": `{"allOf": [{"$ref": "defs/e.json"}]}`,
		}, "no file defs/e.json"},
		{"outside the tree", map[string]string{
			"x.json": `{"allOf": [{"$ref": "../e.json"}]}`,
		}, "leaves the published tree"},
		{"missing fragment", map[string]string{
			"api.yaml": "a:\n  $ref: \"#/channels/nowhere\"\n",
		}, `no "channels"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range c.files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			problems, err := publishedProblems(dir)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case c.want == "" && len(problems) > 0:
				t.Errorf("problems in a clean tree: %q", problems)
			case c.want != "" && (len(problems) != 1 || !strings.Contains(problems[0], c.want)):
				t.Errorf("problems %q, want one containing %q", problems, c.want)
			}
		})
	}
}
