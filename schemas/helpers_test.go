package schemas

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// documentedPath is a copy of /work/shared/coperniq/documented-example.json,
// the one real payload Coperniq publishes.
var documentedPath = filepath.Join("testdata", "documented-example.json")

func documentedBytes(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(documentedPath)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// documentedDoc returns a fresh decoded copy of the documented example, for
// a test to mutate.
func documentedDoc(t testing.TB) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(documentedBytes(t), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// brokenDoc is the documented example, or, when start names a trigger, the
// payload payloadFor derives for it, after mutate broke it.
func brokenDoc(t testing.TB, start string, mutate func(map[string]any)) map[string]any {
	t.Helper()
	doc := documentedDoc(t)
	if start != "" {
		doc = payloadFor(t, mustLookup(t, start))
	}
	mutate(doc)
	return doc
}

// payloadFor derives a payload the strict schema of trigger accepts from the
// documented example: the trigger's key, name, event fields, record type and
// workOrder presence.
func payloadFor(t testing.TB, tr Trigger) map[string]any {
	t.Helper()
	doc := documentedDoc(t)
	event := doc["event"].(map[string]any)
	record := doc["record"].(map[string]any)
	for _, f := range workOrderFields {
		delete(event, f.Name)
	}
	event["triggerKey"] = tr.Key
	event["triggerName"] = tr.Name
	for _, f := range tr.Fields {
		switch {
		case f.Name == "workOrderId":
			event[f.Name] = doc["workOrder"].(map[string]any)["id"]
		case f.Name == "currentStatus":
			event[f.Name] = doc["workOrder"].(map[string]any)["status"]
		case f.AlwaysNull:
			event[f.Name] = nil
		case len(f.Enum) > 0:
			event[f.Name] = f.Enum[0]
		case f.Type == TypeInteger:
			event[f.Name] = float64(900 + len(f.Name))
		case f.Type == TypeDateTime:
			event[f.Name] = "2026-04-02T09:30:00Z"
		default:
			event[f.Name] = "x"
		}
	}
	record["type"] = tr.RecordTypes[0]
	if tr.RecordTypes[0] == "DEAL" {
		record["status"] = nil
		record["requestStatus"] = "PROPOSAL"
	}
	if !tr.WorkOrder {
		delete(doc, "workOrder")
	}
	return doc
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// at follows a dotted path ("record.stage") through a decoded payload.
func at(doc map[string]any, path string) map[string]any {
	m := doc
	for _, k := range strings.Split(path, ".") {
		m = m[k].(map[string]any)
	}
	return m
}

func mustLookup(t testing.TB, key string) Trigger {
	t.Helper()
	tr, err := Lookup(key)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}
