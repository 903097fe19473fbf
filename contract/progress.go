package contract

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

// DefaultProgressEvery is how often Run reports its progress when
// RunConfig.Progress is set and ProgressEvery is not.
const DefaultProgressEvery = 5 * time.Second

// DefaultProgressLog is how often a run nobody watches reports, in a CI
// log: a full run against a receiver that answers in 1.2 s (about a minute
// and a half) gets a few lines rather than twenty, and no log goes silent
// long enough to look hung. A run shorter than the interval prints none.
const DefaultProgressLog = 30 * time.Second

// ProgressInterval is how often a run reports its progress: every when
// given (never, 0, when that is 0 or less); else DefaultProgressEvery when
// someone watches (a terminal, verbose output), DefaultProgressLog when not.
func ProgressInterval(every time.Duration, given, watched bool) time.Duration {
	switch {
	case given && every <= 0:
		return 0
	case given:
		return every
	case watched:
		return DefaultProgressEvery
	}
	return DefaultProgressLog
}

// Progress is where a run stands, reported every RunConfig.ProgressEvery
// while it goes: a receiver that answers in a second or two keeps a full
// run busy for a minute, and a run that prints nothing meanwhile looks
// hung.
type Progress struct {
	Elapsed time.Duration
	// Done and Total count the specs: finished, and selected to run.
	Done, Total int
	// Running is what the run is doing: the spec it runs, or the specs it
	// runs together (the payload specs, the duplicate and lifecycle
	// specs).
	Running string
	// Deliveries is how many deliveries have ended so far (answered or
	// not), Counting how many events are still being counted.
	Deliveries, Counting int
}

// String is the progress as one line: "verify: 40 of 105 specs done after
// 32s, 1520 deliveries, 210 events being counted; running the 25
// duplicate, retry and lifecycle specs together".
func (p Progress) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "verify: %d of %s done after %s, %s", p.Done, specs(p.Total), p.Elapsed.Round(time.Second), nDeliveries(p.Deliveries))
	if p.Counting > 0 {
		fmt.Fprintf(&b, ", %s being counted", nEvents(p.Counting))
	}
	if p.Running != "" {
		fmt.Fprintf(&b, "; running %s", p.Running)
	}
	return b.String()
}

// progress keeps the tallies a Progress reports; the zero value is ready.
type progress struct {
	deliveries, counting atomic.Int64
	done, total          atomic.Int64

	mu      sync.Mutex
	spec    string // the spec running
	phase   string // what runs ahead, while it does
	started time.Time
}

func (p *progress) setPhase(s string) {
	p.mu.Lock()
	p.phase = s
	p.mu.Unlock()
}

func (p *progress) before(r types.SpecReport) {
	name, ok := SpecName(r)
	if !ok {
		return
	}
	p.mu.Lock()
	p.spec = name
	p.mu.Unlock()
}

func (p *progress) after(r types.SpecReport) {
	if _, ok := SpecName(r); !ok {
		return
	}
	// A spec left out by --focus/--skip is reported skipped with no
	// message; one skipped for a reason (no hook) was selected.
	// An interrupted one did not finish.
	if r.State.Is(types.SpecStateSkipped) && r.Failure.Message == "" || r.State.Is(types.SpecStateInterrupted) {
		return
	}
	p.done.Add(1)
	p.mu.Lock()
	p.spec = ""
	p.mu.Unlock()
}

func (p *progress) snapshot() Progress {
	p.mu.Lock()
	running := p.phase
	if running == "" {
		running = p.spec
	}
	started := p.started
	p.mu.Unlock()
	return Progress{
		Elapsed: time.Since(started), Done: int(p.done.Load()), Total: int(p.total.Load()),
		Running: running, Deliveries: int(p.deliveries.Load()), Counting: int(p.counting.Load()),
	}
}

// report calls f every every until stop is closed.
func (p *progress) report(f func(Progress), every time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			f(p.snapshot())
		}
	}
}
