package load

import (
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
		// The payloads of the slots this wake-up will release.
		ahead := k + 1
		for ahead < r.slots && ahead-k < ringSize/2 && due(ahead) <= wake {
			ahead++
		}
		prep.upTo(ahead)
		if !r.sleepUntil(r.start.Add(wake), spin, timer) {
			return
		}
		now := time.Since(r.start)
		m := k + 1
		for m < r.slots && due(m) <= now {
			m++
		}
		prep.upTo(min(m, k+ringSize/2))
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

// Payloads are generated ahead by the pacer, a tick's worth at a time
// while it waits for the tick, into a ring of buffers indexed by slot: in
// a batch the generator's tables stay in the CPU's caches, where between
// two requests' system calls they did not (profiled at 20,000/s, a payload
// cost twice what BenchmarkGenerate measures). The worker that claims a
// slot sends its prepared payload in place and frees the buffer; where the
// pacer found the buffer still in use (a slot ringSize earlier not sent
// yet) the worker generates the payload itself.
const ringSize = 256 // a power of two

// free marks a ring buffer that holds no payload.
const free = -1

type prepared struct {
	slot atomic.Int64 // the slot whose payload body holds, or free
	trig int
	body []byte
}

// prepared is slot k's payload from the ring, if the pacer made it.
func (r *runner) prepared(k int64) *prepared {
	if r.ring == nil {
		return nil
	}
	if p := &r.ring[k&(ringSize-1)]; p.slot.Load() == k {
		return p
	}
	return nil
}

// preparer generates the payloads of slots ahead of their release.
type preparer struct {
	r    *runner
	gen  *generator.Generator
	next int64 // the next slot to prepare
}

// upTo prepares the slots below m. It is called only for slots not yet
// released, so no worker reads a buffer while it is written; the release
// (an atomic store) publishes the buffer to the worker that claims it.
func (p *preparer) upTo(m int64) {
	r := p.r
	if r.ring == nil {
		return
	}
	n, idx := int64(r.cfg.shard.Count), int64(r.cfg.shard.Index)
	p.next = max(p.next, r.released.Load()) // after a burst it left unprepared
	for ; p.next < min(m, r.slots); p.next++ {
		e := &r.ring[p.next&(ringSize-1)]
		if e.slot.Load() != free {
			continue // still being sent: the worker generates this one
		}
		e.trig = r.pick(p.next*n + idx)
		e.body = r.appendPayload(p.gen, e.body[:0], e.trig)
		e.slot.Store(p.next)
	}
}
