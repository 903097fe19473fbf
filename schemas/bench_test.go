package schemas

import (
	"encoding/json"
	"testing"
)

func mustJSONIndent(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// benchPayloads are realistic payloads of 1.0 to 1.6 KB (1.2 KB on
// average): the documented example as published (1.5 KB) and variants for
// other trigger families, indented the same way.
func benchPayloads(b *testing.B) [][]byte {
	out := [][]byte{documentedBytes(b)}
	for _, key := range []string{"TASK_CREATED", "PROJECT_PHASE_STARTED", "DEAL_STATUS_MOVEMENT", "APPOINTMENT_RESCHEDULED"} {
		doc := payloadFor(b, mustLookup(b, key))
		at(doc, "record")["jurisdiction"] = map[string]any{"id": 4402.0, "name": "City of Austin Development Services"}
		out = append(out, mustJSONIndent(b, doc))
	}
	for _, p := range out {
		for _, l := range Levels() {
			r, err := Validate(p, l)
			if err != nil || len(r.Violations) > 0 {
				b.Fatalf("benchmark payload is not clean at %s: %v %v\n%s", l, err, r.Violations, p)
			}
		}
	}
	return out
}

func benchValidate(b *testing.B, level Level) {
	payloads := benchPayloads(b)
	total := 0
	for _, p := range payloads {
		total += len(p)
	}
	b.SetBytes(int64(total / len(payloads)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := Validate(payloads[i%len(payloads)], level)
		if err != nil || !r.Valid() {
			b.Fatal(err, r.Violations)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "payloads/s")
}

func BenchmarkValidateStrict(b *testing.B)   { benchValidate(b, Strict) }
func BenchmarkValidateContract(b *testing.B) { benchValidate(b, Contract) }
