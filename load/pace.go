package load

import (
	"math"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/coperniq-mock/coperniq-mock/generator"
)

// The pacer is one goroutine that wakes once per tick and releases every
// slot due by then; workers claim released slots in order. A worker that
// finishes a send while slots are released takes the next one without
// sleeping, and a sleeping worker is woken only when a slot is released
// and no worker is awake to take it. Per request that saves the timer of
// the design before (each worker slept on a timer until its slot's time),
// and it sends each tick's slots in one burst, so the receiver and the
// netpoller find several connections ready per wake-up instead of one.
// Profiled at 20,000/s on the development machine, the wake-ups (futex,
// timers, the scheduler) were a fifth of the CPU per request.
//
// A tick is at least pacerTick: at high rates slots leave up to that much
// behind their time (it counts in corrected latency, which is measured from
// the slot's time). Where slots are further apart than pacerTick the pacer
// wakes for each, spinning for the last stretch (see maxSpin), so a low
// rate carries neither the tick nor the Go timer's lateness.
const pacerTick = 200 * time.Microsecond

// Go's timers fire up to about a millisecond late (the scheduler and the
// netpoller wake late), and that lateness would count in corrected latency.
// So the pacer sleeps until spin before a slot's time, then yields in a loop
// until it. spin is at most maxSpin, and a spinShare-th of the time between
// a shard's slots, so spinning costs at most a tenth of a core.
const (
	maxSpin   = time.Millisecond
	spinShare = 10
)

// pace releases this shard's slots as they fall due, until all are
// released or the run is interrupted; then it closes r.paced.
func (r *runner) pace() {
	defer close(r.paced)
	n, idx := int64(r.cfg.shard.Count), int64(r.cfg.shard.Index)
	due := func(k int64) time.Duration { return r.sched.at(k*n + idx) }
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	prep := &preparer{r: r, gen: r.generator(MaxInflightLimit)}
	var last time.Duration // offset of the last release
	for k := int64(0); k < r.slots; {
		at := due(k)
		gap := due(k+1) - at
		wake, spin := at, time.Duration(0)
		if gap < pacerTick {
			wake = max(at, last+pacerTick)
		} else {
			spin = min(maxSpin, gap/spinShare)
		}
		// The payloads the next sends will take, while there is time.
		prep.fill()
		if !r.sleepUntil(r.start.Add(wake), spin, timer) {
			return
		}
		now := time.Since(r.start)
		m := k + 1
		for m < r.slots && due(m) <= now {
			m++
		}
		if now-at > r.cfg.lateAfter {
			// The pacer itself was late (a stalled machine): these slots
			// did not wait for a free worker.
			r.lateUntil.Store(m)
		}
		r.released.Store(m)
		// Wake as many sleeping workers as there are new slots; workers
		// still busy take the rest when they finish.
		for w := min(m-k, r.idle.Load()); w > 0; w-- {
			select {
			case r.wake <- struct{}{}:
			default:
				w = 0
			}
		}
		k, last = m, now
	}
}

// sleepUntil waits until t, the last spin of it yielding in a loop; it is
// false when the run was interrupted.
func (r *runner) sleepUntil(t time.Time, spin time.Duration, timer *time.Timer) bool {
	for {
		d := time.Until(t)
		if d <= spin {
			for time.Now().Before(t) {
				runtime.Gosched()
			}
			return !r.interrupted()
		}
		timer.Reset(d - spin)
		select {
		case <-timer.C:
		case <-r.interrupt:
			timer.Stop()
			return false
		}
	}
}

// claim takes the next released slot of this shard, if any.
func (r *runner) claim() (int64, bool) {
	for {
		k := r.next.Load()
		if k >= r.released.Load() {
			return 0, false
		}
		if r.next.CompareAndSwap(k, k+1) {
			return k, true
		}
	}
}

// Payloads are generated ahead by the pacer, a few at a time while it
// waits for the next tick, into a ring: in a batch the generator's tables
// stay in the CPU's caches, where between two requests' system calls they
// did not (profiled at 20,000/s, a payload cost twice what BenchmarkGenerate
// measures). The ring is a queue of payloads, not of slots: the n-th send of
// a shard takes the n-th payload (numbered as the shard's slots are, so the
// shards together send the mix one copy would), whatever slot it fills, and
// a slot dropped for lateness takes none. So a payload generated ahead is
// never wasted on a dropped slot, and however far the workers fall behind
// the schedule the pacer keeps a batch ready for them. (A ring indexed by
// slot, as before, fell out of use exactly near saturation: with the
// workers a few milliseconds behind the pacer found its buffers taken, and
// the workers generated the payloads themselves, cold, which pushed them
// further behind; profiled at 60,000/s, a quarter of the CPU went into
// generation, most of it the workers'.) A worker whose payload is not ready
// (the pacer behind, or its buffer still being sent) generates it itself.
const (
	maxAhead = 4096
	// aheadSpan is how much of the peak rate's sends the pacer keeps ready:
	// at 45,000/s on the busy development machine, with 5 ms the workers
	// still generated 1-5% of the payloads, with 20 ms next to none.
	aheadSpan = 20 * time.Millisecond
)

// States of a ring buffer besides holding payload n ≥ 0 ready to take.
const (
	bufFree    = -1 // holds nothing
	bufWriting = -2 // the pacer is generating into it
	bufSending = -3 // a worker is sending from it
)

type prepared struct {
	state atomic.Int64 // payload number held, or a bufState
	trig  int
	body  []byte
}

// aheadFor is how many payloads the pacer keeps ready for a shard whose
// peak rate is peak per second, and the ring's length for that and
// inflight sends holding a buffer each (at most a thousand counted: beyond,
// a payload whose buffer is still being sent is generated by its worker): a
// power of two. Every buffer of the ring is used in turn, so the ring is
// sized for the run's rate, not for the fastest.
func aheadFor(peak float64, inflight int) (ahead int64, ring int) {
	ahead = int64(min(max(math.Ceil(peak*aheadSpan.Seconds()), 1), maxAhead))
	ring = 1
	for ring < int(ahead)+min(inflight, 1024) {
		ring *= 2
	}
	return ahead, ring
}

// takePayload takes payload n from the ring, if the pacer made it; the
// caller sends it and then calls p.done.
func (r *runner) takePayload(n int64) *prepared {
	if r.ring == nil {
		return nil
	}
	if p := &r.ring[n&int64(len(r.ring)-1)]; p.state.CompareAndSwap(n, bufSending) {
		return p
	}
	return nil
}

func (p *prepared) done() { p.state.Store(bufFree) }

// preparer generates payloads ahead of the sends that take them.
type preparer struct {
	r    *runner
	gen  *generator.Generator
	next int64 // the next payload number to generate
}

// fill generates payloads up to the ahead count past the last one taken.
// A buffer still held is skipped (that payload's worker generates it), as
// is a number already taken. A worker claims a ready buffer by compare-
// and-swap, and the pacer reclaims a buffer whose payload was passed over
// (its worker found it still being written) the same way, so no buffer is
// ever both written and sent.
func (p *preparer) fill() {
	r := p.r
	if r.ring == nil {
		return
	}
	n := int64(r.cfg.shard.Count)
	idx := int64(r.cfg.shard.Index)
	taken := r.taken.Load()
	p.next = max(p.next, taken)
	for ; p.next < taken+r.ahead; p.next++ {
		e := &r.ring[p.next&int64(len(r.ring)-1)]
		old := e.state.Load()
		if !(old == bufFree || old >= 0 && old < taken) || !e.state.CompareAndSwap(old, bufWriting) {
			continue
		}
		e.trig = r.pick(p.next*n + idx)
		e.body = r.appendPayload(p.gen, e.body[:0], e.trig)
		e.state.Store(p.next)
	}
}
