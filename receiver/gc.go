package receiver

import (
	"math"
	"runtime/debug"
)

// TuneGC sets the process's garbage collector for a capture receiver that
// holds at most maxBytes of deliveries, and returns what restores the
// previous settings. With maxBytes 0 (no bound) it changes nothing: a
// memory limit needs a bound to rest on.
//
// Each delivery leaves some kilobytes of garbage, and at the default
// target the collector ran every few thousand deliveries, holding answers
// up long enough that `load` at 10,000/s ran out of workers (make
// bench-listen: late sends 89-26,452 at GOGC=100, 22-1,504 at 400,
// alternating). The memory limit, twice maxBytes, keeps the process's peak
// where the default target had it (some 2.5 times maxBytes, see
// DefaultMaxBytes).
func TuneGC(maxBytes int64) (restore func()) {
	if maxBytes <= 0 {
		return func() {}
	}
	limit := int64(math.MaxInt64)
	if maxBytes < math.MaxInt64/2 {
		limit = max(maxBytes*2, 64<<20)
	}
	prevPercent := debug.SetGCPercent(400)
	prevLimit := debug.SetMemoryLimit(limit)
	return func() {
		debug.SetGCPercent(prevPercent)
		debug.SetMemoryLimit(prevLimit)
	}
}
