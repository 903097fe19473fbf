package schemas_test

import (
	"testing"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// BenchmarkValidateGenerated validates what the tool really emits: compact
// realistic payloads of all 18 triggers, the stream `generate all | validate`
// sees. (An external test package may import the generator, which imports
// schemas.)
func BenchmarkValidateGenerated(b *testing.B) {
	for _, level := range schemas.Levels() {
		b.Run(level.String(), func(b *testing.B) {
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
				r, err := schemas.Validate(payloads[i%len(payloads)], level)
				if err != nil || !r.Valid() {
					b.Fatal(err, r.Violations)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "payloads/s")
		})
	}
}
