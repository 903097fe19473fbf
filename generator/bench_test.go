package generator

import (
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// benchmarkJSON measures payloads generated and encoded per second on the
// AppendJSON fast path, cycling through every trigger.
func benchmarkJSON(b *testing.B, opts ...Option) {
	keys := schemas.TriggerKeys()
	g := New(1, opts...)
	buf := make([]byte, 0, 8192)
	// SetBytes wants the size per op: take the average over a warm-up.
	total := 0
	for i := range 1000 {
		buf, _ = g.AppendJSON(buf[:0], keys[i%len(keys)])
		total += len(buf)
	}
	b.SetBytes(int64(total / 1000))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		var err error
		buf, err = g.AppendJSON(buf[:0], keys[i%len(keys)])
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "payloads/s")
}

// BenchmarkGenerate is the headline figure: realistic payloads per second on
// one core (go test -run x -bench Generate -cpu 1 ./generator/).
func BenchmarkGenerate(b *testing.B) { benchmarkJSON(b) }

func BenchmarkGenerateProfiles(b *testing.B) {
	for _, p := range Profiles() {
		b.Run(string(p), func(b *testing.B) { benchmarkJSON(b, WithProfile(p)) })
	}
}

// BenchmarkPayload measures the Go-values path (one allocation per payload
// plus the encoding).
func BenchmarkPayload(b *testing.B) {
	keys := schemas.TriggerKeys()
	g := New(1)
	var buf []byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p, _ := g.Payload(keys[i%len(keys)])
		buf = p.AppendJSON(buf[:0])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "payloads/s")
}

// BenchmarkOverrides measures the slow path: decode, set, re-encode and
// validate at the contract level.
func BenchmarkOverrides(b *testing.B) {
	o := &Overrides{}
	o.Set("record.title", "1 Override Way Austin TX 78701")
	benchmarkJSON(b, WithOverrides(o))
}
