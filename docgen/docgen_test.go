package docgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// writeDocs renders every format into a fresh directory and returns its
// files, slash path → bytes. The site is built once per test binary run:
// the tests look at the same output from different sides.
func writeDocs(t *testing.T, opts ...Option) (string, map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	if err := Write(dir, opts...); err != nil {
		t.Fatal(err)
	}
	return dir, readTree(t, dir)
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// The committed docs/ folder is this command's output; a change to the
// schemas, the generator or this package that changes a byte must come with
// regenerated docs.
func TestDocsUpToDate(t *testing.T) {
	const committed = "../docs"
	_, want := writeDocs(t)
	got := map[string][]byte{}
	if _, err := os.Stat(committed); err == nil {
		got = readTree(t, committed)
	}
	var problems []string
	for name, data := range want {
		old, ok := got[name]
		switch {
		case !ok:
			problems = append(problems, "missing "+name)
		case !bytes.Equal(old, data):
			problems = append(problems, "outdated "+name)
		}
	}
	for name := range got {
		// The screenshot in docs/ is taken by hand from index.html; the
		// reference coperniq.md is written by hand, and TestReferenceRows
		// checks every row of it against the code; the report formats under
		// docs/reports/ are written by hand too.
		if _, ok := want[name]; !ok && name != "screenshot.png" && name != "coperniq.md" && !strings.HasPrefix(name, "reports/") {
			problems = append(problems, "not generated "+name)
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		if len(problems) > 10 {
			problems = append(problems[:10], "...")
		}
		t.Fatalf("docs/ is stale: run 'go run ./cmd/coperniq-mock docs --out docs' (or make docs)\n  %s", strings.Join(problems, "\n  "))
	}
}

func TestDocsDeterministic(t *testing.T) {
	_, a := writeDocs(t)
	_, b := writeDocs(t)
	if len(a) != len(b) {
		t.Fatalf("two runs wrote %d and %d files", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	_, c := writeDocs(t, WithSeed(7), WithFormats(Markdown))
	if bytes.Equal(a["triggers/TASK_CREATED.md"], c["triggers/TASK_CREATED.md"]) {
		t.Error("another seed gave the same example payload")
	}
	if !bytes.Contains(c["triggers/TASK_CREATED.md"], []byte("--seed 7")) {
		t.Error("the page does not say which seed reproduces its example")
	}
}

func TestDocsLayout(t *testing.T) {
	_, files := writeDocs(t)
	want := []string{"README.md", "index.html", "asyncapi.yaml", "openapi.yaml"}
	for _, key := range schemas.TriggerKeys() {
		want = append(want, "triggers/"+key+".md",
			"schemas/contract/"+key+".json", "schemas/strict/"+key+".json")
	}
	for _, name := range want {
		if _, ok := files[name]; !ok {
			t.Errorf("%s was not written", name)
		}
	}
	// Every schema file, shared definitions included, byte for byte.
	for _, level := range schemas.Levels() {
		for _, key := range schemas.TriggerKeys() {
			b, _ := schemas.Schema(key, level)
			if !bytes.Equal(files["schemas/"+level.String()+"/"+key+".json"], b) {
				t.Errorf("schemas/%s/%s.json is not the embedded file", level, key)
			}
		}
		if _, ok := files["schemas/"+level.String()+"/defs/record.json"]; !ok {
			t.Errorf("%s defs/ were not exported", level)
		}
	}
}

func TestDocsFormatsWriteOnlyWhatWasAsked(t *testing.T) {
	// The Markdown pages link to the schema files, so they come along;
	// nothing else does.
	_, md := writeDocs(t, WithFormats(Markdown))
	for name := range md {
		if name != "README.md" && !strings.HasPrefix(name, "triggers/") && !strings.HasPrefix(name, "schemas/") {
			t.Errorf("markdown alone wrote %s", name)
		}
	}
	if _, ok := md["schemas/strict/TASK_CREATED.json"]; !ok {
		t.Error("markdown without the schema files its pages link to")
	}
	_, h := writeDocs(t, WithFormats(HTML))
	if _, ok := h["schemas/contract/TASK_CREATED.json"]; !ok {
		t.Error("html without the schema files it links to")
	}
	if _, ok := h["README.md"]; ok {
		t.Error("html alone wrote the markdown")
	}
	_, api := writeDocs(t, WithFormats(OpenAPI))
	if _, ok := api["schemas/contract/TASK_CREATED.json"]; !ok {
		t.Error("openapi without the schema files it references")
	}
	if _, ok := api["README.md"]; ok {
		t.Error("openapi alone wrote the markdown")
	}
}

func TestParseFormats(t *testing.T) {
	got, err := ParseFormats(" HTML, markdown,html ")
	if err != nil || !slices.Equal(got, []Format{Markdown, HTML}) {
		t.Errorf("got %v, %v", got, err)
	}
	_, err = ParseFormats("markdown,asyncap")
	var uf *UnknownFormatError
	if !errors.As(err, &uf) || uf.Name != "asyncap" || !strings.Contains(err.Error(), "did you mean asyncapi?") {
		t.Errorf("unknown format error: %v", err)
	}
	if _, err := ParseFormats(" , "); err == nil {
		t.Error("an empty list parsed")
	}
	if err := Write(t.TempDir(), WithFormats("pdf")); err == nil || !strings.Contains(err.Error(), `"pdf"`) {
		t.Errorf("Write accepted format pdf: %v", err)
	}
}

// Pointed at a directory that holds someone's README, Write must not
// replace it; its own earlier output it replaces freely.
func TestDocsRefusesToOverwriteForeignFiles(t *testing.T) {
	dir := t.TempDir()
	readme := filepath.Join(dir, "README.md")
	os.WriteFile(readme, []byte("# My project\n"), 0o644)
	err := Write(dir, WithFormats(Markdown, HTML))
	if err == nil || !strings.Contains(err.Error(), readme) {
		t.Fatalf("want a refusal naming %s, got %v", readme, err)
	}
	if b, _ := os.ReadFile(readme); string(b) != "# My project\n" {
		t.Error("the README was overwritten")
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err == nil {
		t.Error("a refused Write still wrote other files")
	}
	// Its own output it rewrites: every file it renders carries the mark
	// early enough for checkOverwrite to see it.
	other := t.TempDir()
	for range 2 {
		if err := Write(other); err != nil {
			t.Fatalf("rewriting its own output: %v", err)
		}
	}
}

func TestDocsPageContent(t *testing.T) {
	_, files := writeDocs(t, WithFormats(Markdown))
	page := string(files["triggers/TASK_STATUS_MOVEMENT.md"])
	for _, want := range []string{
		"# TASK_STATUS_MOVEMENT: Work Order Status Movement",
		"**Fires when a work order changes status.**",
		"- **Top-level keys:** `event`, `record`, `workOrder`",
		"| **`workOrderId`** ★ | integer | no |",
		"| **`previousStatus`** ★",
		"## `record.geoLocation`",
		"| `lat` | number | no |",
		"| `status` | string | yes |",           // record.status is nullable
		"Known values: `QUEUED`, `ASSIGNED`",    // strict vocabulary
		"Always `TASK_STATUS_MOVEMENT` here.",   // the const triggerKey
		"| `firedAt` | string (date-time) | no", // format shown
		"```json\n{\n  \"event\": {",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("TASK_STATUS_MOVEMENT.md lacks %q", want)
		}
	}
	// The shared definition's example triggerKey must not leak onto other
	// triggers' pages.
	created := string(files["triggers/PROJECT_CREATED.md"])
	if strings.Contains(created, `"TASK_STATUS_MOVEMENT"`) || !strings.Contains(created, "None: `event` carries only the 5 fields") {
		t.Error("PROJECT_CREATED.md shows another trigger's key or misses its no-extras note")
	}
	if strings.Contains(created, "## `workOrder`") {
		t.Error("PROJECT_CREATED.md documents a workOrder it does not carry")
	}
	index := string(files["README.md"])
	for _, key := range schemas.TriggerKeys() {
		if !strings.Contains(index, "(triggers/"+key+".md)") {
			t.Errorf("the index does not link %s", key)
		}
	}
	if strings.Index(index, "### Work order") > strings.Index(index, "### Call") {
		t.Error("families are out of order")
	}
}

// Every field the strict schema defines appears in the page's tables, so
// the docs cannot silently drop a property the validator enforces.
func TestDocsCoverEveryField(t *testing.T) {
	s, err := buildSite(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range s.pages {
		var documented []string
		for _, o := range p.objects {
			for _, f := range o.fields {
				if f.object == "" {
					documented = append(documented, f.path)
				}
			}
		}
		want, _ := schemas.Fields(p.trigger.Key)
		slices.Sort(documented)
		if !slices.Equal(documented, want) {
			t.Errorf("%s documents %v,\nschema defines %v", p.trigger.Key, documented, want)
		}
		var extras []string
		for _, f := range p.extras {
			extras = append(extras, f.name)
		}
		var catalog []string
		for _, f := range p.trigger.Fields {
			catalog = append(catalog, f.Name)
		}
		if !slices.Equal(extras, catalog) {
			t.Errorf("%s: extras %v, catalog %v", p.trigger.Key, extras, catalog)
		}
	}
}

func TestDocsHTMLIsSelfContainedAndEscaped(t *testing.T) {
	_, files := writeDocs(t, WithFormats(HTML))
	page := string(files["index.html"])
	for _, bad := range []string{"<script", "<link", "@import", "src=\"http", "url(http"} {
		if strings.Contains(page, bad) {
			t.Errorf("index.html contains %q: it must work offline", bad)
		}
	}
	for _, key := range schemas.TriggerKeys() {
		if !strings.Contains(page, `<li><a href="#`+key+`"><code>`+key+`</code></a></li>`) || !strings.Contains(page, `id="`+key+`"`) {
			t.Errorf("index.html has no jump link or section for %s", key)
		}
	}
	if strings.Count(page, "<pre><code>") != len(schemas.TriggerKeys()) {
		t.Error("not one pretty-printed example per trigger")
	}

	// Payload strings are escaped token by token.
	tree, err := decodeOrdered([]byte(`{"title":"<script>alert(\"x\")</script> & 🌞","n":1.5,"ok":true,"none":null}`))
	if err != nil {
		t.Fatal(err)
	}
	got := string(highlightJSON(tree))
	if strings.Contains(got, "<script>") || !strings.Contains(got, `&lt;script&gt;alert(\&#34;x\&#34;)&lt;/script&gt; &amp; 🌞`) {
		t.Errorf("highlightJSON did not escape: %s", got)
	}
}

func TestInvalidExampleIsAnError(t *testing.T) {
	p := &page{trigger: schemas.Triggers()[0]}
	if err := p.generateExample(1); err != nil {
		t.Fatalf("a realistic example failed: %v", err)
	}
	raw := bytes.Replace(compactBytes(t, p.example), []byte(`"record":{"id":`), []byte(`"record":{"id":"x","was":`), 1)
	err := p.checkExample(raw, 1)
	var invalid *InvalidExampleError
	if !errors.As(err, &invalid) || invalid.TriggerKey != "TASK_CREATED" {
		t.Fatalf("a payload with a string record.id was accepted as an example: %v", err)
	}
	if !strings.Contains(err.Error(), "/record/id") || !strings.Contains(err.Error(), "seed 1") {
		t.Errorf("error does not locate the violation: %s", err)
	}
	// An example of another trigger is no example of this one.
	other := &page{trigger: schemas.Triggers()[3]}
	if err := other.checkExample(compactBytes(t, p.example), 1); err == nil {
		t.Error("a TASK_CREATED payload was accepted as the example of " + other.trigger.Key)
	}
}

func compactBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestMarkdownEscaping(t *testing.T) {
	if got := codeSpan("a|b`c"); got != "``a\\|b`c``" {
		t.Errorf("codeSpan = %s", got)
	}
	if got := cell("x <b> | y"); got != `x &lt;b&gt; \| y` {
		t.Errorf("cell = %s", got)
	}
	if got := codeFence("```"); got != "````" {
		t.Errorf("codeFence = %s", got)
	}
}

var (
	mdLink   = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	mdHead   = regexp.MustCompile("(?m)^#{1,6} (.+)$")
	htmlID   = regexp.MustCompile(` id="([^"]+)"`)
	htmlHref = regexp.MustCompile(` href="([^"]+)"`)
)

// Every link in the Markdown and the HTML leads somewhere: a fragment to a
// heading or id on the same page, a relative path to a written file or
// folder. External links are not used at all.
func TestDocsLinksResolve(t *testing.T) {
	// All formats, and the subsets a site publishes (the README suggests
	// --format html,markdown): a format not written is not linked to.
	for _, formats := range [][]Format{Formats(), {Markdown, HTML}, {Markdown}, {HTML}, {HTML, OpenAPI}} {
		t.Run(strings.Join(formatsToStrings(formats), ","), func(t *testing.T) {
			dir, files := writeDocs(t, WithFormats(formats...))
			checkLinks(t, dir, files)
		})
	}
}

func formatsToStrings(fs []Format) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = string(f)
	}
	return out
}

func checkLinks(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	check := func(page, target string, anchors map[string]bool) {
		t.Helper()
		if strings.Contains(target, "://") {
			t.Errorf("%s links outside the docs: %s", page, target)
			return
		}
		file, frag, _ := strings.Cut(target, "#")
		if file == "" {
			if !anchors[frag] {
				t.Errorf("%s: no anchor #%s", page, frag)
			}
			return
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.Dir(page), filepath.FromSlash(file))); err != nil {
			t.Errorf("%s: broken link %s", page, target)
		}
	}
	for name, data := range files {
		switch {
		case strings.HasSuffix(name, ".md"):
			anchors := map[string]bool{}
			for _, m := range mdHead.FindAllStringSubmatch(string(data), -1) {
				anchors[anchor(m[1])] = true
			}
			for _, m := range mdLink.FindAllStringSubmatch(string(data), -1) {
				check(name, m[1], anchors)
			}
		case strings.HasSuffix(name, ".html"):
			anchors := map[string]bool{}
			for _, m := range htmlID.FindAllStringSubmatch(string(data), -1) {
				if anchors[m[1]] {
					t.Errorf("%s: duplicate id %s", name, m[1])
				}
				anchors[m[1]] = true
			}
			for _, m := range htmlHref.FindAllStringSubmatch(string(data), -1) {
				check(name, m[1], anchors)
			}
		}
	}
}

func TestWritten(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []Format
		want string
	}{
		{"none", nil, ""},
		{"one brings the schemas", []Format{OpenAPI}, "openapi,schema"},
		{"out of order, repeated", []Format{OpenAPI, Markdown, OpenAPI}, "markdown,openapi,schema"},
		{"every format", Formats(), "markdown,html,asyncapi,openapi,schema"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(Names(Written(tc.in)...), ","); got != tc.want {
				t.Errorf("Written(%v) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}
