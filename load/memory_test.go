package load

import (
	"runtime"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// TestMemoryStaysFlat records 10 million requests spread over a simulated
// three-hour run into the recorder, the only part of a run that keeps
// anything per interval, and checks that the heap does not grow with the
// count: histograms are fixed-size and the timeline is bounded by the
// interval chosen for the run's length.
func TestMemoryStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("10 million records")
	}
	const total = 10_000_000
	span := 3 * time.Hour
	start := time.Now()
	interval := max(time.Second, (span / DefaultMaxPoints).Round(time.Second))
	rec := newRecorder(start, interval, DefaultMix().triggerKeys())
	ok := delivery.Result{Status: 200}
	slow := delivery.Result{Status: 503}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var at1M uint64
	for i := range total {
		due := start.Add(time.Duration(int64(span) / total * int64(i)))
		res := &ok
		if i%1000 == 0 {
			res = &slow
		}
		res.Latency = time.Duration(100+i%5000) * time.Microsecond
		rec.first(i%18, due, 0, due.Add(res.Latency+time.Duration(i%7)*time.Millisecond), res)
		if i == total/10 {
			at1M = heap()
		}
	}
	at10M := heap()
	rep := &Report{}
	rec.fill(rep, start.Add(span))
	t.Logf("heap after 1M records %.1f MB, after 10M %.1f MB; %d timeline points", float64(at1M)/1e6, float64(at10M)/1e6, len(rep.Timeline))
	if at10M > at1M+8<<20 {
		t.Errorf("heap grew from %d to %d bytes between 1M and 10M records", at1M, at10M)
	}
	if at10M > 64<<20 {
		t.Errorf("heap %d bytes after 10M records", at10M)
	}
	if len(rep.Timeline) > DefaultMaxPoints+1 || rep.Corrected.Count() != total {
		t.Errorf("%d points, %d values", len(rep.Timeline), rep.Corrected.Count())
	}
}
