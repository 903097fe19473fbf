package schemas_test

import (
	"regexp"
	"runtime"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// BenchmarkValidateGenerated validates what the tool really emits: compact
// realistic payloads of all 18 triggers, the stream `generate all | validate`
// sees. (An external test package may import the generator, which imports
// schemas.) The full/ runs take the JSON Schema validator for every payload,
// as Validate did before its fast path: run in the same process, their
// ratio to the others holds on a busy machine better than absolute
// figures. payloads/cpu-s divides by the CPU time of the benchmark's own
// thread (Linux), which other processes on the machine do not inflate.
func BenchmarkValidateGenerated(b *testing.B) {
	for _, level := range schemas.Levels() {
		benchValidateGenerated(b, level.String(), level, schemas.Validate)
	}
	for _, level := range schemas.Levels() {
		benchValidateGenerated(b, "full/"+level.String(), level, schemas.ValidateFull)
	}
}

// BenchmarkValidateGeneratedInvalid is the cost of a payload with a
// violation: the fast pass that finds it is not clean, then the full
// validator that explains it (priority 4 breaks a strict-only rule).
func BenchmarkValidateGeneratedInvalid(b *testing.B) {
	g := generator.New(7)
	var payloads [][]byte
	for _, key := range []string{"TASK_CREATED", "TASK_COMPLETED", "TASK_STATUS_MOVEMENT"} {
		for range 10 {
			p, err := g.JSON(key)
			if err != nil {
				b.Fatal(err)
			}
			p = regexp.MustCompile(`"priority":(null|\d)`).ReplaceAll(p, []byte(`"priority":4`))
			payloads = append(payloads, p)
		}
	}
	for _, run := range []struct {
		name     string
		validate func([]byte, schemas.Level) (schemas.Validation, error)
	}{{"strict", schemas.Validate}, {"full/strict", schemas.ValidateFull}} {
		b.Run(run.name, func(b *testing.B) {
			b.ReportAllocs()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu0, cpuOK := threadCPU()
			i := 0
			for b.Loop() {
				r, err := run.validate(payloads[i%len(payloads)], schemas.Strict)
				if err != nil || r.Valid() {
					b.Fatal(err, "a payload with priority 4 passed")
				}
				i++
			}
			reportRates(b, cpu0, cpuOK)
		})
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
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		cpu0, cpuOK := threadCPU()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			r, err := validate(payloads[i%len(payloads)], level)
			if err != nil || !r.Valid() {
				b.Fatal(err, r.Violations)
			}
		}
		reportRates(b, cpu0, cpuOK)
	})
}

// reportRates reports payloads per second and, where the thread's CPU time
// is known (cpu0 taken before the loop), per CPU-second.
func reportRates(b *testing.B, cpu0 time.Duration, cpuOK bool) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "payloads/s")
	if cpu1, ok := threadCPU(); ok && cpuOK && cpu1 > cpu0 {
		b.ReportMetric(float64(b.N)/(cpu1-cpu0).Seconds(), "payloads/cpu-s")
	}
}
