package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/suggest"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func generatedFiles(t *testing.T) map[string][]byte {
	t.Helper()
	data, err := os.ReadFile("examples.json")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := ParseExamples(data)
	if err != nil {
		t.Fatal(err)
	}
	files, err := GenerateFiles(ex)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestCommittedSchemasAreGenerated(t *testing.T) {
	want := generatedFiles(t)
	const fix = "the committed schema files are stale; run `go generate ./schemas` and commit the result"
	for name, content := range want {
		got, err := os.ReadFile(filepath.FromSlash(name))
		if err != nil {
			t.Errorf("%s: %v; %s", name, err, fix)
			continue
		}
		if !bytes.Equal(got, content) {
			t.Errorf("schemas/%s differs from what the tables generate; %s", name, fix)
		}
	}
	for _, level := range Levels() {
		err := filepath.WalkDir(level.String(), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if _, ok := want[filepath.ToSlash(p)]; !ok {
					t.Errorf("schemas/%s is not generated any more; %s", filepath.ToSlash(p), fix)
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// 18 triggers and 6 definitions per level, and the contract envelope.
	if n := len(want); n != 2*(18+6)+1 {
		t.Errorf("generated %d files, want %d", n, 2*(18+6)+1)
	}
}

// loadFiles decodes every committed schema file, keyed by slash path.
func loadFiles(t *testing.T) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, level := range Levels() {
		names, err := schemaFiles(level)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			data, err := files.ReadFile(level.String() + "/" + name)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatalf("%s/%s: %v", level, name, err)
			}
			out[level.String()+"/"+name] = doc
		}
	}
	return out
}

// eachSubschema calls fn for every subschema of s with its JSON pointer.
func eachSubschema(s map[string]any, ptr string, fn func(s map[string]any, ptr string)) {
	fn(s, ptr)
	if props, ok := s["properties"].(map[string]any); ok {
		for name, p := range props {
			if ps, ok := p.(map[string]any); ok {
				eachSubschema(ps, ptr+"/properties/"+name, fn)
			}
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		eachSubschema(items, ptr+"/items", fn)
	}
}

func TestEverySchemaCompiles(t *testing.T) {
	for _, level := range Levels() {
		// Both the published form and the validator's in-memory form.
		for _, fast := range []bool{false, true} {
			comp, err := newCompilerWith(level, fast)
			if err != nil {
				t.Fatal(err)
			}
			names, _ := schemaFiles(level)
			for _, name := range names {
				if _, err := comp.Compile(BaseURL + level.String() + "/" + name); err != nil {
					t.Errorf("%s/%s (fast integer %v): %v", level, name, fast, err)
				}
			}
		}
	}
}

func TestSchemaFilesFollowTheRules(t *testing.T) {
	for name, doc := range loadFiles(t) {
		level, file, _ := strings.Cut(name, "/")
		// No $id: references resolve against where the file is read from,
		// so a copied directory works offline in any tool.
		if id, ok := doc["$id"]; ok {
			t.Errorf("%s: $id %v; the files carry none", name, id)
		}
		if doc["$schema"] != draft {
			t.Errorf("%s: $schema %v, want %s", name, doc["$schema"], draft)
		}
		eachSubschema(doc, "", func(s map[string]any, ptr string) {
			where := name + "#" + ptr
			if ptr != "" {
				if d, _ := s["description"].(string); len(d) < 10 {
					t.Errorf("%s: every property needs a helpful description, got %q", where, d)
				}
			}
			for _, kw := range []string{"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"} {
				if _, ok := s[kw]; ok {
					t.Errorf("%s: %s makes the library use big-number arithmetic; check ranges with a rule in rules.go", where, kw)
				}
			}
			for _, kw := range []string{"pattern", "minLength", "maxLength"} {
				if _, ok := s[kw]; ok && level == "contract" {
					t.Errorf("%s: %s belongs to the strict level; the contract level accepts any string", where, kw)
				}
			}
			if _, hasProps := s["properties"]; !hasProps {
				return
			}
			ap, hasAP := s["additionalProperties"]
			up, hasUP := s["unevaluatedProperties"]
			switch {
			case level == "contract" && (ap == false || up == false):
				t.Errorf("%s: the contract level must allow additional properties", where)
			case level == "strict" && file == "defs/event.json":
				if hasAP || hasUP {
					t.Errorf("%s: the event base is extended by trigger files and must stay open", where)
				}
			case level == "strict" && ptr == "/properties/record":
				// Narrows record.type only; defs/record.json closes the record.
			case level == "strict" && ap != false && up != false:
				t.Errorf("%s: strict objects must be closed (additionalProperties %v, unevaluatedProperties %v)", where, ap, up)
			case level == "strict" && hasAP && hasUP:
				t.Errorf("%s: both additionalProperties and unevaluatedProperties", where)
			}
		})
	}
}

func TestStrictVocabulariesAreClosedAndContractOpen(t *testing.T) {
	docs := loadFiles(t)
	enumAt := func(file, ptr string) []any {
		var found []any
		eachSubschema(docs[file], "", func(s map[string]any, p string) {
			if p == ptr {
				found, _ = s["enum"].([]any)
			}
		})
		return found
	}
	cases := []struct {
		file, ptr string
		want      []string
	}{
		{"defs/record.json", "/properties/type", RecordTypes},
		{"defs/record.json", "/properties/status", RecordStatuses},
		{"defs/record.json", "/properties/requestStatus", RequestStatuses},
		{"defs/record.json", "/properties/trades/items", Trades},
		{"defs/record.json", "/properties/state", USStates},
		{"defs/workOrder.json", "/properties/status", WorkOrderStatuses},
		{"TASK_STATUS_MOVEMENT.json", "/properties/event/properties/currentStatus", WorkOrderStatuses},
		{"PROJECT_PHASE_STARTED.json", "/properties/event/properties/phaseType", PhaseTypes},
		{"DEAL_PHASE_SLA_VIOLATION.json", "/properties/event/properties/slaType", SLATypes},
		{"PROJECT_PHASE_COMPLETED.json", "/properties/event/properties/status", []string{"COMPLETED"}},
		{"PROJECT_CREATED.json", "/properties/record/properties/type", []string{"PROJECT"}},
		{"REQUEST_CREATED.json", "/properties/record/properties/type", []string{"DEAL"}},
	}
	for _, tc := range cases {
		t.Run(tc.file+tc.ptr, func(t *testing.T) {
			got := enumAt("strict/"+tc.file, tc.ptr)
			var strs []string
			for _, v := range got {
				if s, ok := v.(string); ok {
					strs = append(strs, s)
				}
			}
			if !slices.Equal(strs, tc.want) {
				t.Errorf("strict enum = %v, want %v", got, tc.want)
			}
			if got := enumAt("contract/"+tc.file, tc.ptr); got != nil {
				t.Errorf("contract must leave it open, has enum %v", got)
			}
		})
	}
}

// strictPaths walks a strict trigger schema the way a reader would,
// following $refs into defs/, and lists the dotted property paths.
func strictPaths(t *testing.T, docs map[string]map[string]any, file string) []string {
	var out []string
	var walk func(s map[string]any, base, prefix string)
	walk = func(s map[string]any, base, prefix string) {
		all, _ := s["allOf"].([]any)
		for _, sub := range all {
			walk(sub.(map[string]any), base, prefix)
		}
		if ref, ok := s["$ref"].(string); ok {
			target := path.Join(path.Dir(base), ref)
			d, ok := docs[target]
			if !ok {
				t.Fatalf("%s: $ref %s resolves to %s, which is not a file", base, ref, target)
			}
			walk(d, target, prefix)
		}
		props, _ := s["properties"].(map[string]any)
		for name, p := range props {
			full := strings.TrimPrefix(prefix+"."+name, ".")
			if !slices.Contains(out, full) {
				out = append(out, full)
			}
			walk(p.(map[string]any), base, full)
		}
	}
	walk(docs[file], file, "")
	slices.Sort(out)
	return out
}

func TestFieldsMatchTheStrictSchema(t *testing.T) {
	docs := loadFiles(t)
	for _, tr := range Triggers() {
		got, err := Fields(tr.Key)
		if err != nil {
			t.Fatal(err)
		}
		all := strictPaths(t, docs, "strict/"+tr.Key+".json")
		var want []string // the leaves: paths no other path extends
		for _, p := range all {
			if !slices.ContainsFunc(all, func(q string) bool { return strings.HasPrefix(q, p+".") }) {
				want = append(want, p)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("Fields(%s) = %v\nthe strict schema defines %v", tr.Key, got, want)
		}
	}
}

func TestFields(t *testing.T) {
	cases := []struct {
		trigger      string
		has, hasNot  []string
		wantErrMatch string
	}{
		{trigger: "PROJECT_CREATED",
			has:    []string{"event.eventId", "event.firedAt", "record.id", "record.stage.name", "record.geoLocation.lat", "record.trades", "record.jurisdiction.id"},
			hasNot: []string{"workOrder", "workOrder.id", "event.workOrderId", "record.trades.0", "record", "record.stage"}},
		{trigger: "TASK_CREATED",
			has: []string{"workOrder.id", "workOrder.modifiedAt", "event.workOrderId", "event.previousStatus"}},
		{trigger: "APPOINTMENT_RESCHEDULED",
			has: []string{"event.appointmentId", "event.dueDate", "event.previousDueDate"}, hasNot: []string{"event.phaseType"}},
		{trigger: "TASK_DONE", wantErrMatch: "did you mean TASK_COMPLETED"},
	}
	for _, tc := range cases {
		t.Run(tc.trigger, func(t *testing.T) {
			got, err := Fields(tc.trigger)
			if tc.wantErrMatch != "" {
				var ute *UnknownTriggerError
				if !errors.As(err, &ute) || !strings.Contains(err.Error(), tc.wantErrMatch) {
					t.Fatalf("err = %v, want an UnknownTriggerError mentioning %q", err, tc.wantErrMatch)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.IsSorted(got) {
				t.Errorf("not sorted: %v", got)
			}
			for _, p := range tc.has {
				if !slices.Contains(got, p) {
					t.Errorf("missing %s", p)
				}
			}
			for _, p := range tc.hasNot {
				if slices.Contains(got, p) {
					t.Errorf("should not contain %s", p)
				}
			}
		})
	}
}

func TestGenerateFilesExamples(t *testing.T) {
	cases := []struct {
		name    string
		ex      Examples
		wantErr string
		file    string // when no error: a file whose text must contain want
		want    string
	}{
		{name: "shown where the property is defined", ex: Examples{"record.stage.name": {"Permitting"}},
			file: "strict/defs/stage.json", want: `"examples": ["Permitting"]`},
		{name: "trigger fields go into trigger files", ex: Examples{"event.slaType": {"RED"}},
			file: "contract/PROJECT_PHASE_SLA_VIOLATION.json", want: `"examples": ["RED"]`},
		{name: "kept out of files whose vocabulary excludes it", ex: Examples{"event.status": {"COMPLETED"}},
			file: "strict/PROJECT_PHASE_COMPLETED.json", want: `"examples": ["COMPLETED"]`},
		{name: "unknown path", ex: Examples{"record.stage.nmae": {"x"}}, wantErr: `did you mean record.stage.name?`},
		{name: "wrong type", ex: Examples{"record.id": {"10423"}}, wantErr: `record.id value "10423" has the wrong type`},
		{name: "fraction for an integer", ex: Examples{"workOrder.priority": {json.Number("1.5")}}, wantErr: "wrong type"},
		{name: "outside every vocabulary", ex: Examples{"record.type": {"PERSON"}}, wantErr: `record.type value "PERSON" fits no schema's vocabulary`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files, err := GenerateFiles(tc.ex)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(files[tc.file]), tc.want) {
				t.Errorf("%s does not contain %s:\n%s", tc.file, tc.want, files[tc.file])
			}
		})
	}
	// event.status COMPLETED must not be shown on a STARTED trigger.
	files, _ := GenerateFiles(Examples{"event.status": {"COMPLETED"}})
	if strings.Contains(string(files["strict/PROJECT_PHASE_STARTED.json"]), `"examples"`) {
		t.Error("PROJECT_PHASE_STARTED shows an example outside its vocabulary")
	}
}

func TestGenerateFilesIsDeterministic(t *testing.T) {
	a, b := generatedFiles(t), generatedFiles(t)
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}

// The validator compiles a copy of the files with the integer check done in
// Go; it must agree with the library's own check on the published files.
func TestIntegerFastPathMatchesLibrary(t *testing.T) {
	compile := func(fast bool) *jsonschema.Schema {
		comp, err := newCompilerWith(Strict, fast)
		if err != nil {
			t.Fatal(err)
		}
		s, err := comp.Compile(BaseURL + "strict/TASK_STATUS_MOVEMENT.json")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	plain, fast := compile(false), compile(true)
	values := []any{0.0, 1.0, -1.0, 10423.0, 9007199254740991.0, 1e300, 1.5, -0.25, 1e-7,
		json.Number("7"), json.Number("7.0"), json.Number("7.5"), json.Number("1e400"), json.Number("123456789012345678901234567890"),
		"10423", true, nil, []any{1.0}, map[string]any{}, 3, int64(4)}
	for _, v := range values {
		for _, field := range []string{"id", "priority"} { // integer and integer-or-null
			doc := documentedDoc(t)
			at(doc, "workOrder")[field] = v
			results := [2][]Violation{}
			for i, s := range []*jsonschema.Schema{plain, fast} {
				if err := s.Validate(doc); err != nil {
					var verr *jsonschema.ValidationError
					if !errors.As(err, &verr) {
						t.Fatal(err)
					}
					results[i] = flattenAll(verr, nil)
				}
			}
			if !slices.Equal(results[0], results[1]) {
				t.Errorf("workOrder.%s = %#v: library says %v, fast path says %v", field, v, results[0], results[1])
			}
		}
	}
}

// Fields feeds did-you-mean: a mistyped property must suggest the property,
// not the object containing it.
func TestFieldsSuggestTheProperty(t *testing.T) {
	fields, _ := Fields("PROJECT_CREATED")
	for typo, want := range map[string]string{"record.stage.nmae": "record.stage.name", "event.firedat": "event.firedAt", "record.geoLocation.lng ": "record.geoLocation.lng"} {
		if got := suggest.Nearest(typo, fields); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", typo, got, want)
		}
	}
}
