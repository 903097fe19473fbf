package generator

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/coperniq-mock/coperniq-mock/schemas/schematest"
)

// TestEdgeProfileCoversTheCases checks, across seeds and triggers, that the
// edge profile really sends each awkward value at least once.
func TestEdgeProfileCoversTheCases(t *testing.T) {
	found := map[string]bool{}
	noMillis := regexp.MustCompile(`"firedAt":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"`)
	var buf []byte
	for seed := uint64(1); seed <= seedsPerCase; seed++ {
		for _, key := range schemas.TriggerKeys() {
			var err error
			buf, err = New(seed, WithProfile(Edge)).AppendJSON(buf[:0], key)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(buf, []byte("9007199254740991")) {
				t.Fatalf("seed %d %s: an edge payload lacks 2^53-1:\n%s", seed, key, buf)
			}
			var d schematest.Payload
			if err := json.Unmarshal(buf, &d); err != nil {
				t.Fatal(err)
			}
			found["max safe integer"] = true
			if !bytes.Contains(buf, []byte(`"record":`)) {
				found["without record"] = true
				continue
			}
			if len(d.Record.Title) > 2000 {
				found["title over 2000 bytes"] = true
			}
			for _, r := range string(buf) {
				if r >= 0x1F300 && r <= 0x1FAFF {
					found["emoji"] = true
				}
				if r > 0x7F && r < 0x1F300 {
					found["non-ASCII letters"] = true
				}
			}
			if bytes.Contains(buf, []byte(`\u0007`)) || bytes.Contains(buf, []byte(`\n`)) {
				found["control characters"] = true
			}
			if noMillis.Match(buf) {
				found["firedAt without milliseconds"] = true
			}
			if v := d.Record.DealValue; v != nil {
				if *v == 0 {
					found["dealValue 0"] = true
				}
				if *v != float64(int64(*v)) {
					found["fractional dealValue"] = true
				}
			}
			if w := d.WorkOrder; w != nil && !slices.Contains(schemas.WorkOrderStatuses, w.Status) {
				found["unknown work-order status"] = true
				if *d.Event.CurrentStatus != w.Status {
					t.Fatalf("currentStatus %s out of step with status %s", *d.Event.CurrentStatus, w.Status)
				}
			}
			if s := d.Record.Status; s != nil && !slices.Contains(schemas.RecordStatuses, *s) {
				found["unknown record status"] = true
			}
			if d.Record.Trades != nil && len(d.Record.Trades) == 0 {
				found["empty trades"] = true
			}
			if bytes.Contains(buf, []byte(`"":`)) {
				found["empty key"] = true
			}
		}
	}
	for _, want := range []string{
		"max safe integer", "title over 2000 bytes", "emoji", "non-ASCII letters", "control characters",
		"firedAt without milliseconds", "dealValue 0", "fractional dealValue", "unknown work-order status",
		"unknown record status", "empty trades", "empty key", "without record",
	} {
		if !found[want] {
			t.Errorf("no edge payload had %s", want)
		}
	}
}

// The maximal profile fills every field the rules allow, adds unknown fields
// that nobody can take for Coperniq's (UnknownFieldPrefix), and never
// contradicts this project's own rules: requestStatus only on requests,
// stage only where a workflow is, strict-valid apart from the extra fields.
func TestMaximalFillsEverything(t *testing.T) {
	// Fields that stay null where the rules say so, by record type.
	allowedNull := func(recType, obj, k string) bool {
		switch {
		case obj == "record" && k == "requestStatus":
			return recType != "DEAL"
		case obj == "record" && k == "status":
			return recType == "DEAL"
		case obj == "record" && (k == "stage" || k == "jurisdiction" || k == "dealValue"):
			return recType == "ACCOUNT" || recType == "VENDOR"
		}
		return false
	}
	for _, key := range schemas.TriggerKeys() {
		for seed := uint64(1); seed <= 20; seed++ {
			b, _ := New(seed, WithProfile(Maximal)).JSON(key)
			var doc map[string]any
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			if _, ok := doc[UnknownFieldPrefix+"futureField"]; !ok {
				t.Fatalf("%s: no unknown top-level field", key)
			}
			rec := doc["record"].(map[string]any)
			recType := rec["type"].(string)
			if rs := rec["requestStatus"]; rs != nil && recType != "DEAL" {
				t.Errorf("%s seed %d: a %s record with requestStatus %v", key, seed, recType, rs)
			}
			var unknown int
			var walk func(path string, m map[string]any)
			walk = func(path string, m map[string]any) {
				for k, v := range m {
					if strings.HasPrefix(k, UnknownFieldPrefix) {
						unknown++
						continue
					}
					if n, ok := v.(map[string]any); ok {
						walk(path+"."+k, n)
					}
				}
			}
			walk("", doc)
			for _, obj := range []string{"event", "record", "workOrder"} {
				m, ok := doc[obj].(map[string]any)
				if !ok {
					continue
				}
				for k, v := range m {
					queued := obj == "workOrder" && m["status"] == "QUEUED" && k == "assigneeId" // nobody is assigned yet
					if v == nil && !queued && !strings.HasPrefix(k, UnknownFieldPrefix) && !(key == "TASK_CREATED" && k == "previousStatus") && k != "completionDate" && !allowedNull(recType, obj, k) {
						t.Errorf("%s seed %d: maximal %s.%s is null on a %s", key, seed, obj, k, recType)
					}
				}
			}
			for _, nested := range []string{"stage", "geoLocation", "jurisdiction"} {
				if n, _ := rec[nested].(map[string]any); n != nil && len(n) < 3 {
					t.Errorf("%s: record.%s has no unknown field: %v", key, nested, n)
				}
			}
			// Apart from the unknown fields, a maximal payload follows
			// every strict rule.
			stripped := stripUnknown(doc)
			sb, _ := json.Marshal(stripped)
			if r, err := schemas.Validate(sb, schemas.Strict); err != nil || !r.Valid() {
				t.Errorf("%s seed %d without its unknown fields: %v %v", key, seed, err, r.Violations)
			}
			if unknown < 4 {
				t.Errorf("%s seed %d: only %d unknown fields", key, seed, unknown)
			}
		}
	}
}

func stripUnknown(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, e := range m {
		if !strings.HasPrefix(k, UnknownFieldPrefix) {
			out[k] = stripUnknown(e)
		}
	}
	return out
}

func TestMinimalNullsEverything(t *testing.T) {
	nullable := map[string][]string{
		"record": {"status", "requestStatus", "stage", "address", "city", "state", "geoLocation",
			"jurisdiction", "trades", "dealValue", "ownerId", "primaryEmail", "primaryPhone"},
		"workOrder": {"description", "priority", "assigneeId", "startDate", "endDate"},
	}
	for _, key := range schemas.TriggerKeys() {
		b, _ := New(3, WithProfile(Minimal)).JSON(key)
		var doc map[string]map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		for _, obj := range []string{"record", "workOrder"} {
			for k, v := range doc[obj] {
				if slices.Contains(nullable[obj], k) && v != nil {
					t.Errorf("%s: minimal %s.%s = %v, want null", key, obj, k, v)
				}
			}
		}
	}
}

func TestEdgeStringsAreValidUTF8(t *testing.T) {
	for seed := uint64(1); seed <= 50; seed++ {
		b, _ := New(seed, WithProfile(Edge)).JSON("TASK_STATUS_MOVEMENT")
		if !utf8.Valid(b) || strings.ContainsRune(string(b), utf8.RuneError) {
			t.Fatalf("seed %d: invalid UTF-8 in output", seed)
		}
	}
}
