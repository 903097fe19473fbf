package schemas_test

import (
	"testing"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// BenchmarkValidateGenerated validates what the tool really emits: compact
// realistic payloads of all 18 triggers, the stream `generate all | validate`
// sees. (An external test package may import the generator, which imports
// schemas.) The full/ runs take the JSON Schema validator for every payload,
// as Validate did before its fast path: run in the same process, their
// ratio to the others holds on a busy machine, where absolute figures do
// not.
func BenchmarkValidateGenerated(b *testing.B) {
	for _, level := range schemas.Levels() {
		benchValidateGenerated(b, level.String(), level, schemas.Validate)
	}
	for _, level := range schemas.Levels() {
		benchValidateGenerated(b, "full/"+level.String(), level, schemas.ValidateFull)
	}
}

func benchValidateGenerated(b *testing.B, name string, level schemas.Level, validate func([]byte, schemas.Level) (schemas.Validation, error)) {
	b.Run(name, func(b *testing.B) {
		g := generator.New(7)
		var payloads [][]byte
		total := 0
		for range 10 {
			for _, key := range schemas.TriggerKeys() {
				p, err := g.JSON(key)
				if err != nil {
					b.Fatal(err)
				}
				payloads = append(payloads, p)
				total += len(p)
			}
		}
		b.SetBytes(int64(total / len(payloads)))
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			r, err := validate(payloads[i%len(payloads)], level)
			if err != nil || !r.Valid() {
				b.Fatal(err, r.Violations)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "payloads/s")
	})
}
