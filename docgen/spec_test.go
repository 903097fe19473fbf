package docgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/coperniq-mock/coperniq-mock/schemas/schematest"
	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The AsyncAPI and OpenAPI documents are checked the way a spec linter
// would: parsed by an independent YAML reader, validated against the
// specifications' own JSON Schemas (testdata/, see testdata/README.md), and
// every $ref resolved and used.

var (
	siteOnce sync.Once
	siteVal  *site
	siteErr  error
)

func testSite(t *testing.T) *site {
	t.Helper()
	siteOnce.Do(func() { siteVal, siteErr = buildSite(1) })
	if siteErr != nil {
		t.Fatal(siteErr)
	}
	return siteVal
}

// fromYAML parses YAML with goccy/go-yaml and normalises it to what
// encoding/json produces, the form both validators take.
func fromYAML(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatalf("the YAML does not parse: %v", err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fromTree turns an ordered tree into the same normal form.
func fromTree(t *testing.T, v any) any {
	t.Helper()
	out, err := jsonschema.UnmarshalJSON(strings.NewReader(compactJSON(v)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The hand-written YAML must mean exactly the tree it was written from.
func TestDocsYAMLRoundTrip(t *testing.T) {
	s := testSite(t)
	for name, c := range map[string]struct {
		tree obj
		data []byte
	}{
		"asyncapi.yaml": {s.asyncAPITree(), s.asyncAPI()},
		"openapi.yaml":  {s.openAPITree(), s.openAPI()},
	} {
		if !reflect.DeepEqual(fromYAML(t, c.data), fromTree(t, c.tree)) {
			t.Errorf("%s does not parse back to the document it was written from", name)
		}
	}

	tricky := []any{"yes", "No", "ON", "y", "null", "~", "true", "3.0.0", "1e3", "0x1F", ".inf", "2026-03-31",
		"12:30", "", " padded", "trailing ", "- dash", "a: b", "a:b", "a #b", "#x", "key:", "@x", "`x`", "'x'",
		`"x"`, "%x", "!x", "*x", "&x", "|x", ">x", "?x", "[x]", "{x}", "x, y", "=", "<b>", "tab\there",
		"line\nbreak", "ends with newline\n", "two\n\nparagraphs\n", "trailing blank\n\n", "  indented\nfirst",
		"emoji 🌞 and é", "nel\u0085sep\u2028par\u2029", "bom\ufeff", "ctl\x01", "back\\slash",
		json.Number("-97.7431"), json.Number("28500"), true, nil, obj{}, []any{}, []any{[]any{"nested"}, obj{{"a", "b"}}}}
	doc := obj{}
	for i, v := range tricky {
		doc = append(doc, kv{fmt.Sprintf("k%d", i), v})
		if s, ok := v.(string); ok {
			doc = append(doc, kv{s + "#key", "x"})
		}
	}
	doc = append(doc, kv{"list", tricky})
	out := yamlDoc("header", doc)
	if !reflect.DeepEqual(fromYAML(t, out), fromTree(t, doc)) {
		t.Errorf("tricky scalars do not survive the YAML writer:\n%s", out)
	}
}

// metaSchema compiles one of the specifications' schemas from testdata,
// offline: the AsyncAPI one is draft-07 and the OpenAPI one 2020-12, and
// the library has both meta-schemas built in.
func metaSchema(t *testing.T, file string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(offline{})
	url := "file:///testdata/" + file
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compiling %s: %v", file, err)
	}
	return sch
}

type offline struct{}

func (offline) Load(url string) (any, error) {
	return nil, fmt.Errorf("offline: refusing to fetch %s", url)
}

func at(v any, path ...string) map[string]any {
	for _, p := range path {
		v = v.(map[string]any)[p]
	}
	return v.(map[string]any)
}

func TestDocsAsyncAPIMatchesOfficialSchema(t *testing.T) {
	matchesOfficialSchema(t, "asyncapi-3.0.0-schema.json", "asyncapi.yaml", "AsyncAPI 3.0.0", testSite(t).asyncAPI(), map[string]func(map[string]any){
		"no info":                func(d map[string]any) { delete(d, "info") },
		"version 2 field":        func(d map[string]any) { at(d, "operations", "TASK_CREATED")["action"] = "publish" },
		"message without schema": func(d map[string]any) { at(d, "components", "messages", "TASK_CREATED")["payload"] = "schema" },
		"unknown top-level key":  func(d map[string]any) { d["webhooks"] = map[string]any{} },
	})
}

func TestDocsOpenAPIMatchesOfficialSchema(t *testing.T) {
	matchesOfficialSchema(t, "openapi-3.1-schema.json", "openapi.yaml", "OpenAPI 3.1", testSite(t).openAPI(), map[string]func(map[string]any){
		"no info.version": func(d map[string]any) { delete(at(d, "info"), "version") },
		"lower-case 2xx": func(d map[string]any) {
			r := at(d, "webhooks", "TASK_CREATED", "post", "responses")
			r["2xx"] = r["2XX"]
			delete(r, "2XX")
		},
		"request body without content": func(d map[string]any) {
			delete(at(d, "webhooks", "TASK_CREATED", "post", "requestBody"), "content")
		},
		"openapi 3.0": func(d map[string]any) { d["openapi"] = "3.0.3" },
	})
}

// matchesOfficialSchema fails unless the generated document (YAML) passes
// the official meta-schema and each of breaks, applied to a copy, makes it
// fail: else the check proves nothing.
func matchesOfficialSchema(t *testing.T, metaFile, docName, standard string, yamlDoc []byte, breaks map[string]func(map[string]any)) {
	t.Helper()
	sch := metaSchema(t, metaFile)
	doc := fromYAML(t, yamlDoc).(map[string]any)
	if err := sch.Validate(doc); err != nil {
		t.Fatalf("%s is not a valid %s document: %v", docName, standard, err)
	}
	for name, breakIt := range breaks {
		broken := schematest.Clone(doc)
		breakIt(broken)
		if err := sch.Validate(broken); err == nil {
			t.Errorf("%s: the broken document passed the %s schema", name, standard)
		}
	}
}

// diskSchemas serves the exported schema files, which have no $id: their
// relative $refs resolve against the file:// URL they were loaded from.
type diskSchemas struct{ dir string }

func (l diskSchemas) Load(url string) (any, error) {
	rel, ok := strings.CutPrefix(url, schemas.BaseURL)
	if !ok {
		rel, ok = strings.CutPrefix(url, "file://"+filepath.ToSlash(l.dir)+"/schemas/")
	}
	if !ok {
		return nil, fmt.Errorf("offline: refusing to fetch %s", url)
	}
	f, err := os.Open(filepath.Join(l.dir, "schemas", filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

// resolveRefs follows every $ref in doc: a fragment must point into the
// document, a relative path must name a file beside it, which is compiled
// as a JSON Schema. It returns the compiled schemas by $ref.
func resolveRefs(doc any, dir string) (map[string]*jsonschema.Schema, error) {
	comp := jsonschema.NewCompiler()
	comp.UseLoader(diskSchemas{dir})
	comp.AssertFormat()
	compiled := map[string]*jsonschema.Schema{}
	var walk func(v any, where string) error
	walk = func(v any, where string) error {
		switch t := v.(type) {
		case map[string]any:
			if ref, ok := t["$ref"].(string); ok {
				if frag, ok := strings.CutPrefix(ref, "#"); ok {
					if _, err := pointer(doc, frag); err != nil {
						return fmt.Errorf("%s: $ref %s: %w", where, ref, err)
					}
				} else if _, done := compiled[ref]; !done {
					p := filepath.Join(dir, filepath.FromSlash(ref))
					if _, err := os.Stat(p); err != nil {
						return fmt.Errorf("%s: $ref %s: %w", where, ref, err)
					}
					sch, err := comp.Compile("file://" + filepath.ToSlash(p))
					if err != nil {
						return fmt.Errorf("%s: $ref %s does not compile: %w", where, ref, err)
					}
					compiled[ref] = sch
				}
			}
			for k, e := range t {
				if err := walk(e, where+"/"+k); err != nil {
					return err
				}
			}
		case []any:
			for i, e := range t {
				if err := walk(e, fmt.Sprintf("%s/%d", where, i)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return compiled, walk(doc, "")
}

// pointer resolves a JSON pointer (RFC 6901) in a normalised document.
func pointer(doc any, ptr string) (any, error) {
	if ptr == "" {
		return doc, nil
	}
	v := doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("no %q", tok)
		}
		if v, ok = m[tok]; !ok {
			return nil, fmt.Errorf("no %q", tok)
		}
	}
	return v, nil
}

// Every reference resolves, and every example validates against the schema
// its message or request body references.
func TestDocsRefsResolveAndExamplesValidate(t *testing.T) {
	dir, files := writeDocs(t, WithFormats(AsyncAPI, OpenAPI))
	async := fromYAML(t, files["asyncapi.yaml"])
	refs, err := resolveRefs(async, dir)
	if err != nil {
		t.Fatal(err)
	}
	for key, m := range at(async, "components", "messages") {
		msg := m.(map[string]any)
		ref := msg["payload"].(map[string]any)["$ref"].(string)
		for _, ex := range msg["examples"].([]any) {
			if err := refs[ref].Validate(ex.(map[string]any)["payload"]); err != nil {
				t.Errorf("asyncapi %s: the example fails %s: %v", key, ref, err)
			}
		}
	}

	open := fromYAML(t, files["openapi.yaml"])
	refs, err = resolveRefs(open, dir)
	if err != nil {
		t.Fatal(err)
	}
	hooks := at(open, "webhooks")
	if len(hooks) != len(schemas.TriggerKeys()) {
		t.Errorf("%d webhooks, want one per trigger", len(hooks))
	}
	for key := range hooks {
		media := at(hooks, key, "post", "requestBody", "content", "application/json")
		ref := media["schema"].(map[string]any)["$ref"].(string)
		for _, ex := range media["examples"].(map[string]any) {
			if err := refs[ref].Validate(ex.(map[string]any)["value"]); err != nil {
				t.Errorf("openapi %s: the example fails %s: %v", key, ref, err)
			}
		}
		// A payload of another trigger must fail this trigger's schema, or
		// the check above proves nothing.
		other := at(hooks, "PROJECT_CREATED", "post", "requestBody", "content", "application/json", "examples", "realistic")["value"]
		if key != "PROJECT_CREATED" && refs[ref].Validate(other) == nil {
			t.Errorf("openapi %s: its schema accepts a PROJECT_CREATED payload", key)
		}
	}

	// A dangling reference is reported.
	broken := schematest.Clone(open)
	at(broken, "webhooks", "TASK_CREATED", "post", "requestBody", "content", "application/json", "schema")["$ref"] = "./schemas/contract/TASK_DONE.json"
	if _, err := resolveRefs(broken, dir); err == nil || !strings.Contains(err.Error(), "TASK_DONE.json") {
		t.Errorf("a reference to a missing file resolved: %v", err)
	}
	broken = schematest.Clone(async)
	at(broken, "operations", "TASK_CREATED")["channel"] = map[string]any{"$ref": "#/channels/nowhere"}
	if _, err := resolveRefs(broken, dir); err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Errorf("a reference into nothing resolved: %v", err)
	}
}
