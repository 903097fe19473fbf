package delivery

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Clock maps waits on the reported timeline to real waits. The engine keeps
// the difference per event, so that every time it records (scheduled start,
// actual start) lies where it would have with real waits: a virtual clock
// changes how long a run takes, never what its log says.
//
// Only waits the sender chooses are scaled (backoff, jitter). Request
// latency, the per-attempt timeout and the shutdown grace period are real
// network time on a real receiver and stay unscaled; a 10 s timeout divided
// by 1000 would turn every slow answer into a failure.
//
// The zero Clock is the real clock.
type Clock struct {
	scale float64
}

// RealClock waits as long as asked.
func RealClock() Clock { return Clock{} }

// VirtualClock divides every wait by scale: at 1000 a 5-minute wait lasts
// 0.3 s. A scale below 1 slows waits down.
func VirtualClock(scale float64) (Clock, error) {
	if !(scale > 0) || math.IsInf(scale, 0) {
		return Clock{}, fmt.Errorf("time scale %v must be a finite number above 0 (1 is real time, 1000 makes 5m last 0.3s)", scale)
	}
	if scale == 1 {
		return Clock{}, nil
	}
	return Clock{scale: scale}, nil
}

// Scale is the factor waits are divided by, 1 for the real clock.
func (c Clock) Scale() float64 {
	if c.scale == 0 {
		return 1
	}
	return c.scale
}

// Real is how long a wait of d on the reported timeline really lasts.
func (c Clock) Real(d time.Duration) time.Duration {
	if c.scale == 0 || d <= 0 {
		return d
	}
	return time.Duration(float64(d) / c.scale)
}

func (c Clock) String() string {
	if c.scale == 0 {
		return "real"
	}
	return "virtual x" + strconv.FormatFloat(c.scale, 'g', -1, 64)
}
