package load

import (
	"math"
	"time"
)

// schedule maps the run's slots (its events, numbered from 0 over all
// shards) to the times they are due, as offsets from the start. Times are
// computed from the start for every slot, never by adding intervals, so that
// rounding never accumulates into drift. A shard takes every n-th slot, so
// the shards of a run together send exactly the slots one copy would.
type schedule struct {
	stages  []Stage
	firstEv []float64       // events due before each stage
	startAt []time.Duration // offset of each stage
	planned time.Duration
	slots   int64 // slots due before planned
}

func newSchedule(stages []Stage) *schedule {
	s := &schedule{stages: stages}
	ev := 0.0
	var at time.Duration
	for _, st := range stages {
		s.firstEv = append(s.firstEv, ev)
		s.startAt = append(s.startAt, at)
		ev += st.events()
		at += st.Duration
	}
	s.planned = at
	s.slots = s.count(at)
	return s
}

// at is the offset at which slot g is due. The rate is linear within a
// stage, so the number of events by τ into it is aτ + (b−a)τ²/2D; at solves
// that for τ in the form that is stable when a == b and when a is 0.
func (s *schedule) at(g int64) time.Duration {
	// The stage holding slot g: the last one with events that starts at or
	// before it. Past the last event, g is never due.
	j := -1
	for k, st := range s.stages {
		if s.firstEv[k] > float64(g) {
			break
		}
		if st.events() > 0 {
			j = k
		}
	}
	if j < 0 || float64(g) >= s.firstEv[j]+s.stages[j].events() {
		return time.Duration(math.MaxInt64)
	}
	st := s.stages[j]
	m := float64(g) - s.firstEv[j]
	if m <= 0 {
		return s.startAt[j]
	}
	a, b, d := float64(st.From), float64(st.To), st.Duration.Seconds()
	disc := a*a + 2*(b-a)*m/d
	tau := 2 * m / (a + math.Sqrt(max(disc, 0)))
	if !(tau < float64(math.MaxInt64/2)/float64(time.Second)) { // past a rate of 0: never
		return time.Duration(math.MaxInt64)
	}
	return s.startAt[j] + time.Duration(tau*float64(time.Second))
}

// eventsBy is the expected number of events due before offset t.
func (s *schedule) eventsBy(t time.Duration) float64 {
	for j, st := range s.stages {
		end := s.startAt[j] + st.Duration
		if t >= end && j+1 < len(s.stages) {
			continue
		}
		tau := min(t-s.startAt[j], st.Duration).Seconds()
		a, b, d := float64(st.From), float64(st.To), st.Duration.Seconds()
		return s.firstEv[j] + a*tau + (b-a)*tau*tau/(2*d)
	}
	return 0
}

// count is the number of slots due strictly before offset t.
func (s *schedule) count(t time.Duration) int64 {
	if t <= 0 {
		return 0
	}
	m := int64(math.Ceil(s.eventsBy(t)))
	// Floating point may be one off either way at a boundary: settle it
	// against at, the function that decides when a slot is sent.
	for m > 0 && s.at(m-1) >= t {
		m--
	}
	for s.at(m) < t && (s.slots == 0 || m < s.slots) {
		m++
	}
	return m
}

// shardSlots is how many of the first m slots belong to shard sh.
func shardSlots(m int64, sh Shard) int64 {
	i, n := int64(sh.Index), int64(sh.Count)
	if m <= i {
		return 0
	}
	return (m - i + n - 1) / n
}
