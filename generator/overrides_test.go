package generator

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// keysOf returns the keys of the object at path (dotted) in doc, in order.
func keysOf(t *testing.T, doc []byte, path string) []string {
	t.Helper()
	n, err := parseTree(doc)
	if err != nil {
		t.Fatal(err)
	}
	if path != "" {
		n = lookupDotted(n, path)
	}
	if n == nil {
		return nil
	}
	return n.keys
}

func field(t *testing.T, doc []byte, path string) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	for seg := range strings.SplitSeq(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			if arr, ok := v.([]any); ok && len(seg) == 1 {
				v = arr[seg[0]-'0']
				continue
			}
			return "<missing>"
		}
		if v, ok = m[seg]; !ok {
			return "<missing>"
		}
	}
	return v
}

func TestOverrides(t *testing.T) {
	type set struct {
		path  string
		value any
	}
	tests := []struct {
		name    string
		trigger string
		profile Profile
		sets    []set
		merge   string
		allow   bool
		want    map[string]any // dotted path → value (json.Number for numbers)
		wantErr string
	}{
		{name: "dotted path", trigger: "PROJECT_CREATED", sets: []set{{"record.stage.name", "Permitting"}},
			want: map[string]any{"record.stage.name": "Permitting"}},
		{name: "JSON pointer", trigger: "PROJECT_CREATED", sets: []set{{"/record/stage/name", "Design"}},
			want: map[string]any{"record.stage.name": "Design"}},
		{name: "number value", trigger: "PROJECT_CREATED", sets: []set{{"record.dealValue", json.Number("28500.75")}},
			want: map[string]any{"record.dealValue": json.Number("28500.75")}},
		{name: "string that looks like a number", trigger: "PROJECT_CREATED", sets: []set{{"record.title", "42"}},
			want: map[string]any{"record.title": "42"}},
		{name: "number where a string belongs", trigger: "PROJECT_CREATED", sets: []set{{"record.title", json.Number("42")}},
			wantErr: "invalid at the contract level"},
		{name: "invalid allowed", trigger: "PROJECT_CREATED", sets: []set{{"record.title", json.Number("42")}}, allow: true,
			want: map[string]any{"record.title": json.Number("42")}},
		{name: "record.id keeps recordIds in step", trigger: "TASK_STATUS_MOVEMENT", sets: []set{{"record.id", 12345}},
			want: map[string]any{"record.id": json.Number("12345"), "event.recordId": json.Number("12345"), "workOrder.recordId": json.Number("12345")}},
		{name: "explicit event.recordId wins", trigger: "TASK_STATUS_MOVEMENT",
			sets: []set{{"event.recordId", 999}, {"record.id", 12345}},
			want: map[string]any{"record.id": json.Number("12345"), "event.recordId": json.Number("999"), "workOrder.recordId": json.Number("12345")}},
		{name: "workOrder.id and status follow into the event", trigger: "TASK_STATUS_MOVEMENT",
			sets: []set{{"workOrder.id", 77}, {"workOrder.status", "ON_SITE_REVIEW"}},
			want: map[string]any{"event.workOrderId": json.Number("77"), "event.currentStatus": "ON_SITE_REVIEW"}},
		{name: "record id on a trigger without work order", trigger: "PROJECT_CREATED", sets: []set{{"record.id", 5}},
			want: map[string]any{"event.recordId": json.Number("5"), "workOrder": "<missing>"}},
		{name: "typo gets a suggestion", trigger: "PROJECT_CREATED", sets: []set{{"record.stage.nmae", "x"}},
			wantErr: `override path "record.stage.nmae" isn't a field of PROJECT_CREATED payloads; did you mean record.stage.name?`},
		{name: "pointer typo suggests a pointer", trigger: "PROJECT_CREATED", sets: []set{{"/record/stage/nmae", "x"}},
			wantErr: `override path "/record/stage/nmae" isn't a field of PROJECT_CREATED payloads; did you mean /record/stage/name?`},
		{name: "child of a string", trigger: "PROJECT_CREATED", sets: []set{{"record.stage.name.x", 3}},
			wantErr: `override path "record.stage.name.x": record.stage.name is a string and cannot have a child`},
		{name: "pointer to a child of a string", trigger: "PROJECT_CREATED", sets: []set{{"/record/stage/name/x", 3}},
			wantErr: `override path "/record/stage/name/x": /record/stage/name is a string and cannot have a child`},
		{name: "child of a number in an array", trigger: "PROJECT_CREATED",
			sets:    []set{{"record.trades", json.RawMessage(`[1]`)}, {"record.trades.0.x", 3}},
			wantErr: `override path "record.trades.0.x": record.trades.0 is a number and cannot have a child`},
		{name: "field of another trigger", trigger: "PROJECT_CREATED", sets: []set{{"workOrder.status", "QUEUED"}},
			wantErr: `isn't a field of PROJECT_CREATED payloads`},
		{name: "array element", trigger: "PROJECT_CREATED", sets: []set{{"record.trades.0", "Roofing"}},
			want: map[string]any{"record.trades.0": "Roofing"}},
		{name: "array append", trigger: "PROJECT_CREATED",
			sets: []set{{"record.trades", json.RawMessage(`["Solar","Storage"]`)}, {"/record/trades/-", "Generator"}},
			want: map[string]any{"record.trades.2": "Generator"}},
		{name: "array index out of range", trigger: "PROJECT_CREATED",
			sets:    []set{{"record.trades", json.RawMessage(`["Solar","Storage"]`)}, {"record.trades.7", "Solar"}},
			wantErr: `override path "record.trades.7": record.trades is an array of 2, and "7" is not an index from 0 to 2`},
		{name: "child of a null object is created", trigger: "PROJECT_CREATED", profile: Minimal,
			sets: []set{{"record.stage.id", 16650}, {"record.stage.name", "Permitting"}},
			want: map[string]any{"record.stage.name": "Permitting", "record.stage.id": json.Number("16650")}},
		{name: "half-created object is invalid", trigger: "PROJECT_CREATED", profile: Minimal,
			sets: []set{{"record.stage.name", "Permitting"}}, wantErr: "/record/stage"},
		{name: "object value", trigger: "PROJECT_CREATED", sets: []set{{"record.geoLocation", json.RawMessage(`{"lng":-97.7,"lat":30.2}`)}},
			want: map[string]any{"record.geoLocation.lat": json.Number("30.2")}},
		{name: "unknown field the payload has", trigger: "PROJECT_CREATED", profile: Maximal,
			sets: []set{{"record.x-coperniq-mock-customFields.financing", "Cash"}}, want: map[string]any{"record.x-coperniq-mock-customFields.financing": "Cash"}},
		{name: "merge patch", trigger: "PROJECT_CREATED", profile: Maximal,
			merge: `{"record": {"stage": {"name": "Design"}, "x_future_field": null}, "x_future_field": null}`,
			want:  map[string]any{"record.stage.name": "Design", "record.x_future_field": "<missing>", "x_future_field": "<missing>"}},
		{name: "merge patch null deletes a required key", trigger: "PROJECT_CREATED", merge: `{"record":{"dealValue":null}}`,
			wantErr: "dealValue"},
		{name: "merge patch null deletes, allowed", trigger: "PROJECT_CREATED", merge: `{"record":{"dealValue":null}}`, allow: true,
			want: map[string]any{"record.dealValue": "<missing>"}},
		{name: "merge patch record id follows", trigger: "TASK_CREATED", merge: `{"record":{"id":4242}}`,
			want: map[string]any{"event.recordId": json.Number("4242"), "workOrder.recordId": json.Number("4242")}},
		{name: "merge patch adds an undocumented field", trigger: "PROJECT_CREATED", merge: `{"record":{"customFields":{"panelCount":24}}}`,
			want: map[string]any{"record.customFields.panelCount": json.Number("24")}},
		{name: "merge patch typo", trigger: "PROJECT_CREATED", merge: `{"record":{"stag":{"name":"x"}}}`,
			wantErr: `merge patch: override path "record.stag" isn't a field of PROJECT_CREATED payloads; did you mean record.stage?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			profile := tt.profile
			if profile == "" {
				profile = Realistic
			}
			base, err := New(1, WithProfile(profile)).JSON(tt.trigger)
			if err != nil {
				t.Fatal(err)
			}
			o := &Overrides{}
			for _, s := range tt.sets {
				o.Set(s.path, s.value)
			}
			if tt.merge != "" {
				if err := o.Merge([]byte(tt.merge)); err != nil {
					t.Fatal(err)
				}
			}
			g := New(1, WithProfile(profile), WithOverrides(o), WithAllowInvalid(tt.allow))
			out, err := g.JSON(tt.trigger)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for path, want := range tt.want {
				if got := field(t, out, path); !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %#v, want %#v\n%s", path, got, want, out)
				}
			}
			// Keys keep their places.
			for _, obj := range []string{"", "event", "record"} {
				before, after := keysOf(t, base, obj), keysOf(t, out, obj)
				if tt.merge == "" && !reflect.DeepEqual(before, after) {
					t.Errorf("keys of %q moved: %v → %v", obj, before, after)
				}
			}
			// Apply on its own does the same as the generator.
			o.AllowInvalid = tt.allow
			direct, err := o.Apply(tt.trigger, base)
			if err != nil || !bytes.Equal(direct, out) {
				t.Errorf("Apply gave %v\n%s\nwant\n%s", err, direct, out)
			}
		})
	}
}

func TestOverrideErrors(t *testing.T) {
	base, _ := New(1).JSON("PROJECT_CREATED")
	o := &Overrides{}
	o.Set("record.stage.nmae", "x")
	_, err := o.Apply("PROJECT_CREATED", base)
	var pe *PathError
	if !errors.As(err, &pe) || pe.Suggestion != "record.stage.name" || pe.TriggerKey != "PROJECT_CREATED" {
		t.Fatalf("got %#v", err)
	}
	if strings.Contains(err.Error(), "--set") {
		t.Errorf("library error mentions a flag: %v", err)
	}

	o = &Overrides{}
	o.Set("record.id", "abc")
	_, err = o.Apply("PROJECT_CREATED", base)
	var ie *InvalidError
	if !errors.As(err, &ie) || len(ie.Violations) == 0 || !strings.Contains(err.Error(), "/record/id") {
		t.Fatalf("got %v", err)
	}

	if _, err := o.Apply("NO_SUCH_TRIGGER", base); !errors.As(err, new(*schemas.UnknownTriggerError)) {
		t.Errorf("unknown trigger: %v", err)
	}

	o = &Overrides{}
	o.Set("record..id", 1)
	if _, err := o.Apply("PROJECT_CREATED", base); err == nil || !strings.Contains(err.Error(), "empty segment") {
		t.Errorf("empty segment: %v", err)
	}

	err = (&Overrides{}).Merge([]byte("{\n  \"record\": {\n    \"title\": \"x\",\n  }\n}"))
	if err == nil || !strings.Contains(err.Error(), "line 4, column 3") {
		t.Errorf("malformed merge patch: %v", err)
	}
	err = (&Overrides{}).Merge([]byte(`{"record": `))
	if err == nil || !strings.Contains(err.Error(), "line 1, column 12") {
		t.Errorf("truncated merge patch: %v", err)
	}

	// A nil or empty Overrides changes nothing.
	var none *Overrides
	if out, err := none.Apply("PROJECT_CREATED", base); err != nil || !bytes.Equal(out, base) {
		t.Errorf("nil overrides: %v", err)
	}
	a, _ := New(1, WithOverrides(&Overrides{})).JSON("PROJECT_CREATED")
	if !bytes.Equal(a, base) {
		t.Error("empty overrides changed the payload")
	}
}

func TestParseSet(t *testing.T) {
	tests := []struct {
		name, expr string
		path       string
		value      any
		err        string
	}{
		{"string", "record.stage.name=Permitting", "record.stage.name", "Permitting", ""},
		{"number", "record.dealValue=28500.75", "record.dealValue", json.Number("28500.75"), ""},
		{"big integer", "record.id=9007199254740993", "record.id", json.Number("9007199254740993"), ""},
		{"quoted number is a string", `record.title="42"`, "record.title", "42", ""},
		{"null", "record.stage=null", "record.stage", nil, ""},
		{"bool", "workOrder.isField=false", "workOrder.isField", false, ""},
		{"object keeps order", `record.stage={"name": "X", "id": 1}`, "record.stage", json.RawMessage(`{"name":"X","id":1}`), ""},
		{"array", `record.trades=["Solar", "Storage"]`, "record.trades", json.RawMessage(`["Solar","Storage"]`), ""},
		{"empty value", "record.title=", "record.title", "", ""},
		{"equals in value", "record.title=a=b", "record.title", "a=b", ""},
		{"spaces around path", " record.title =x", "record.title", "x", ""},
		{"pointer", "/record/stage/name=Design", "/record/stage/name", "Design", ""},
		{"missing equals", "record.title", "", nil, "has no '='"},
		{"missing path", "=x", "", nil, "no path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, value, err := ParseSet(tt.expr)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || path != tt.path || !reflect.DeepEqual(value, tt.value) {
				t.Fatalf("ParseSet(%q) = %q, %#v, %v", tt.expr, path, value, err)
			}
		})
	}
}

func FuzzParseSet(f *testing.F) {
	for _, s := range []string{"record.stage.name=Permitting", "a=1", `a="1"`, "a={\"b\": [1, 2]}", "=", "a=", "a", "/x/y=null",
		"a= 5 ", "a=\xff", "a=\"\xff\"", "a=1e999", "a=[1,", " a . b =c"} {
		f.Add(s)
	}
	doc, _ := New(1).JSON("TASK_CREATED")
	f.Fuzz(func(t *testing.T, expr string) {
		path, value, err := ParseSet(expr)
		if err != nil {
			return
		}
		if path == "" || strings.Contains(path, "=") {
			t.Fatalf("ParseSet(%q) returned path %q", expr, path)
		}
		again := FormatSet(path, value)
		path2, value2, err := ParseSet(again)
		if err != nil || path2 != path || !reflect.DeepEqual(value2, value) {
			t.Fatalf("ParseSet(%q) = %q %#v; FormatSet gives %q, which parses to %q %#v %v", expr, path, value, again, path2, value2, err)
		}
		// Setting it never panics, whatever the path.
		o := &Overrides{AllowInvalid: true}
		o.Set(path, value)
		_, _ = o.Apply("TASK_CREATED", doc)
	})
}

// --set reaches what --merge reaches, so that a one-off override needs no
// patch file: record.customFields, whose keys are the contractor's own, and
// dotted "-" appends as a pointer's does.
func TestSetCustomFieldsAndDottedAppend(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{`record.customFields={"a":1}`, `"customFields":{"a":1}`},
		{`record.customFields.panelCount=24`, `"panelCount":24`},
		{`record.trades.-=Roofing`, `"Roofing"]`},
		{`/record/trades/-=Roofing`, `"Roofing"]`},
	} {
		var o Overrides
		if err := o.SetExpr(tc.expr); err != nil {
			t.Fatal(err)
		}
		g := New(1, WithOverrides(&o))
		out, err := g.JSON("PROJECT_CREATED")
		if err != nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("--set %s: %v\n%s", tc.expr, err, out)
		}
	}
}
