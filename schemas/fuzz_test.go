package schemas

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func addSeeds(f *testing.F) {
	f.Add(documentedBytes(f))
	files, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{"", "{", "[]", "null", `{"event":{"triggerKey":"TASK_CREATED"}}`, `{"a":"\ud800"}`,
		`{"é":"\u00e9\t"}`, "1e400", "-0", `{"event":{"triggerKey":"PROJECT_X"},"record":{"type":"DEAL","id":1e400}}`,
		"\"\xff\"", `[1,2,{"a":[true,false,null]}]`, `{"a":1,"a":2}`, "01", "1.", "-", "1e", `"\u0000"`} {
		f.Add([]byte(s))
	}
	for _, p := range IDSeeds(f) {
		f.Add(p)
	}
}

// FuzzValidate: arbitrary bytes never panic, a syntax error comes exactly
// for what encoding/json rejects, and the result is self-consistent.
func FuzzValidate(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, level := range Levels() {
			r, err := Validate(data, level)
			if err != nil {
				var se *SyntaxError
				if !errors.As(err, &se) || se.Line < 1 || se.Column < 1 {
					t.Fatalf("error %v (%T) is not a positioned *SyntaxError", err, err)
				}
				if json.Valid(data) {
					t.Fatalf("syntax error %v for valid JSON", err)
				}
				continue
			}
			if !json.Valid(data) {
				t.Fatalf("no error for invalid JSON")
			}
			var doc any
			if err := json.Unmarshal(data, &doc); err == nil {
				// Only the bytes show what the raw rules find, and the ids
				// that float64s round alike; apart from them both entry
				// points agree, but for naming numbers as written.
				written := &writtenNumbers{payload: data}
				fromBytes := r
				fromBytes.Violations = slices.DeleteFunc(slices.Clone(r.Violations), func(v Violation) bool {
					return v.Rule == RuleUTF8 || v.Rule == RuleDuplicateKey || roundedAlike(written, v)
				})
				if len(fromBytes.Violations) == 0 {
					fromBytes.Violations = nil
				}
				again := ValidateValue(doc, level)
				if !reflect.DeepEqual(withoutNumbers(again), withoutNumbers(fromBytes)) {
					t.Fatalf("Validate and ValidateValue disagree:\n%+v\n%+v", r, again)
				}
			}
			if !slices.IsSortedFunc(r.Violations, func(a, b Violation) int { return strings.Compare(a.Location, b.Location) }) {
				t.Fatalf("violations not sorted: %v", r.Violations)
			}
			failed := false
			for _, v := range r.Violations {
				failed = failed || !v.Warning
				if v.Message == "" || v.Rule == "" || (v.Location != "" && v.Location[0] != '/') {
					t.Fatalf("malformed violation %+v", v)
				}
				if v.Warning && (level == Strict || v.Rule == RuleSchema) {
					t.Fatalf("only cross-field rules warn, and only at the contract level: %+v", v)
				}
			}
			if r.Valid() == failed {
				t.Fatalf("Valid() = %v with violations %v", r.Valid(), r.Violations)
			}
			if _, err := Lookup(r.TriggerKey); (err == nil) != r.Known {
				t.Fatalf("Known = %v for %q", r.Known, r.TriggerKey)
			}
		}
	})
}

// roundedAlike reports whether v is the violation of an id rule whose ids
// differ as written but not as float64s, which ValidateValue compares.
func roundedAlike(written *writtenNumbers, v Violation) bool {
	pair, ok := twoNumbers[v.Rule]
	if !ok || v.Rule == RuleUIDBelowID {
		return false
	}
	a, ok1 := written.at(v.Location)
	b, ok2 := written.at(pair.other)
	if !ok1 || !ok2 {
		return false
	}
	fa, errA := a.Float64()
	fb, errB := b.Float64()
	return errA == nil && errB == nil && fa == fb
}

// withoutNumbers is r without the messages that name numbers, which
// Validate names as the payload wrote them and ValidateValue as decoded.
func withoutNumbers(r Validation) Validation {
	r.Violations = slices.Clone(r.Violations)
	for i, v := range r.Violations {
		if _, ok := twoNumbers[v.Rule]; ok || v.Rule == RuleIDRange {
			r.Violations[i].Message = ""
		}
	}
	return r
}

// FuzzFastDecode: whenever the fast decoder succeeds, encoding/json
// succeeds with the same value.
func FuzzFastDecode(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := fastDecode(data)
		if !ok {
			return
		}
		var std any
		if err := json.Unmarshal(data, &std); err != nil {
			t.Fatalf("fast decoder accepted what encoding/json rejects (%v): %q", err, data)
		}
		if !reflect.DeepEqual(fast, std) {
			t.Fatalf("fast decoder: %#v\nencoding/json: %#v", fast, std)
		}
	})
}
