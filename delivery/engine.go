package delivery

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// State is where an event stands.
type State string

// The states. An event ends acked, dead or (only when the run was
// interrupted) pending; StateRetrying only appears in Attempt.State.
const (
	StateAcked    State = "acked"    // a 2xx was received
	StateDead     State = "dead"     // every attempt failed
	StatePending  State = "pending"  // not finished when the run was interrupted
	StateRetrying State = "retrying" // the attempt failed and another is scheduled
)

// Attempt is the record of one HTTP attempt, as logged and observed. Times
// are on the clock's timeline (see Clock); Latency is real.
type Attempt struct {
	schemas.Identity
	// N counts the event's attempts from 1. A duplicate delivery is a
	// separate delivery and has N 1.
	N         int
	Duplicate bool
	// Scheduled is when the attempt was due: the run's start (plus jitter)
	// for a first attempt, the end of the previous attempt plus the backoff
	// for a retry. Started is when it was sent, later when every worker was
	// busy.
	Scheduled time.Time
	Started   time.Time
	Latency   time.Duration
	// Status is the HTTP status, 0 when ErrKind says why there was none.
	Status  int
	ErrKind ErrKind
	// Err is the error message, with the URL masked.
	Err string
	// Response is the start of a failed attempt's response body, scrubbed
	// of the URL's secrets.
	Response string
	// State is the event's state after this attempt: acked, retrying,
	// dead, or pending when the run was interrupted. Empty for a
	// duplicate, which does not change it.
	State State
}

// Acked reports whether the attempt got a 2xx.
func (a Attempt) Acked() bool { return a.ErrKind == KindNone && acked(a.Status) }

// Outcome is the status code as text, or the error kind.
func (a Attempt) Outcome() string { return outcomeOf(a.Status, a.ErrKind) }

// Engine delivers events to one target URL. It keeps nothing between runs
// but its connection pool, so one Engine may run several times; runs at the
// same time would share its log writer and observer.
type Engine struct {
	cfg    config
	target *Target
	client *http.Client
}

// New returns an engine delivering to target, parsed once by NewTarget at
// the edge and shared; WithHeader adds to its headers.
func New(target *Target, opts ...Option) (*Engine, error) {
	if target == nil {
		return nil, errors.New("target is nil (want one from delivery.NewTarget)")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.client != nil && cfg.tls != nil {
		return nil, errTLSWithClient
	}
	t := target.withHeader(cfg.header)
	client := cfg.client
	if client == nil {
		client = NewTLSClient(cfg.policy.Timeout, cfg.concurrency, cfg.tls)
	} else {
		client = noFollow(client)
	}
	return &Engine{cfg: cfg, target: t, client: client}, nil
}

// Target is the masked target URL.
func (e *Engine) Target() string { return e.target.masked }

// Policy is the retry policy in use.
func (e *Engine) Policy() Policy { return e.cfg.policy }

// Run delivers events and returns when every event is acked or dead, or,
// once ctx is cancelled, when the attempts in flight have finished or the
// grace period has cut them short. Event ids must be unique within a run
// and bodies non-empty. Events are started in the order given (see the
// package's Order).
//
// The Outcome is complete in every case, interrupted runs included (their
// unfinished events are pending). The error reports an interruption
// (wrapping ctx's error) or a failure to write the log; invalid events
// return a nil Outcome.
func (e *Engine) Run(ctx context.Context, events []Message) (*Outcome, error) {
	if err := checkEvents(events); err != nil {
		return nil, err
	}
	r := e.newRun(events)
	return r.run(ctx)
}

func checkEvents(events []Message) error {
	seen := make(map[int64]int, len(events))
	for i, ev := range events {
		if j, ok := seen[ev.EventID]; ok {
			return fmt.Errorf("event id %d appears twice (events[%d] and events[%d]); ids must be unique within a run", ev.EventID, j, i)
		}
		seen[ev.EventID] = i
		if len(ev.Body) == 0 {
			return fmt.Errorf("event %d (events[%d]) has an empty body", ev.EventID, i)
		}
	}
	return nil
}

// reorderStream is the random stream of the reorder shuffle; per-event
// streams use the event id, so a constant far from typical ids keeps them
// apart.
const reorderStream = 0x5eed_0f_0d3e5

type eventState struct {
	ev   *Message
	rnd  *rand.Rand
	next *eventState // the record's next event, with record order on
	// pos is the event's place in the delivery order (the given order,
	// after the reorder shuffle); of the attempts ready, the lowest pos
	// goes first.
	pos int

	// skip is how far this event's timeline runs ahead of real time: the
	// sum of (wait - real wait) of every wait on its causal chain.
	skip time.Duration

	state          State
	final          bool // acked or dead
	done           bool // final and nothing of it in flight or queued
	logged         bool // event line written
	resulted       bool // result line written
	dupPlanned     bool
	attempts       int
	dups           int
	inflight       int
	dupOutstanding int
	lastStatus     int
	lastKind       ErrKind
}

type job struct {
	es        *eventState
	n         int
	dup       bool
	scheduled time.Time     // on the virtual timeline
	skip      time.Duration // es.skip when the job was made
	// pos is es.pos, kept here so that ordering the ready jobs reads no
	// eventState; seq is when the job became ready, which breaks ties.
	pos int
	seq uint64
}

type outcome struct {
	job
	status     int
	kind       ErrKind
	err        error
	excerpt    []byte
	start, end time.Time // real
}

type run struct {
	cfg    config
	target *Target
	client *http.Client
	seed   uint64

	states []eventState
	heads  []*eventState

	origin time.Time // real, monotonic
	wall   time.Time // origin on the reported timeline

	// ready holds the attempts due now, lowest pos first: a record's next
	// event, released late, still goes before every later event, so that
	// with one worker the events go in their order, however their
	// records interleave (a FIFO served all first events of records
	// before any second one).
	ready  minHeap[job]
	timers minHeap[timed]
	seq    uint64

	active      int // events not done
	inflight    int
	stopping    bool
	interrupted bool
	attempts    int
	dupSent     int
	lastEnd     time.Time // latest attempt end on the virtual timeline
	statuses    map[int]int
	errs        map[ErrKind]int
	hist        *hdrhistogram.Histogram
	log         *logWriter
}

func (e *Engine) newRun(events []Message) *run {
	r := &run{cfg: e.cfg, target: e.target, client: e.client, seed: e.cfg.seed,
		statuses: map[int]int{}, errs: map[ErrKind]int{}, hist: newHist(),
		ready: minHeap[job]{less: earlierPos}, timers: minHeap[timed]{less: earlierDue}}
	if !e.cfg.seeded {
		// 53 bits: the seed is printed and logged as a JSON number, and
		// tools such as jq read numbers as doubles.
		r.seed = rand.Uint64() >> 11
	}
	r.states = make([]eventState, len(events))
	order := make([]*eventState, len(events))
	for i := range events {
		r.states[i] = eventState{ev: &events[i], state: StatePending}
		order[i] = &r.states[i]
	}
	if w := e.cfg.reorder; w > 1 {
		rnd := rand.New(rand.NewPCG(r.seed, reorderStream))
		for lo := 0; lo < len(order); lo += w {
			win := order[lo:min(lo+w, len(order))]
			rnd.Shuffle(len(win), func(i, j int) { win[i], win[j] = win[j], win[i] })
		}
	}
	for i, es := range order {
		es.pos = i
	}
	if !e.cfg.recordOrder {
		r.heads = order
		return r
	}
	last := make(map[int64]*eventState)
	for _, es := range order {
		if p := last[es.ev.RecordID]; p != nil {
			p.next = es
		} else {
			r.heads = append(r.heads, es)
		}
		last[es.ev.RecordID] = es
	}
	return r
}

// virtual places a real instant on the reported timeline of a chain that is
// skip ahead of real time.
func (r *run) virtual(t time.Time, skip time.Duration) time.Time {
	return r.wall.Add(t.Sub(r.origin) + skip)
}

func (r *run) run(ctx context.Context) (*Outcome, error) {
	r.origin = time.Now()
	r.wall = r.origin.Round(0).UTC()
	r.lastEnd = r.wall
	r.log = newLogWriter(r.cfg.log, r.target.red)
	r.log.run(r, len(r.states))

	// Attempts run under hard, not ctx: cancelling ctx stops new attempts,
	// and only the end of the grace period cuts running ones short.
	hard, hardCancel := context.WithCancel(context.WithoutCancel(ctx))
	defer hardCancel()
	work := make(chan job)
	results := make(chan outcome, r.cfg.concurrency)
	var wg sync.WaitGroup
	for range r.cfg.concurrency {
		wg.Go(func() {
			for j := range work {
				results <- r.attempt(hard, j)
			}
		})
	}

	r.active = len(r.states)
	for _, es := range r.heads {
		r.release(es, r.origin, 0)
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var timerDue time.Time
	var grace *time.Timer
	stop := func() {
		r.stopping, r.interrupted = true, true
		if r.inflight > 0 {
			grace = time.AfterFunc(r.cfg.grace, hardCancel)
		}
	}
	done := ctx.Done()
	for {
		// Checked before every dispatch: select picks among ready cases at
		// random, and a cancelled run must not start one more attempt.
		if !r.stopping && ctx.Err() != nil {
			stop()
			done = nil
		}
		if r.stopping && r.inflight == 0 || !r.stopping && r.active == 0 {
			break
		}
		// A worker's slot counts as taken until its outcome is recorded:
		// that outcome may release an event that goes before the ready
		// ones, and select would otherwise pick at random between
		// recording it and dispatching the next.
		var out chan job
		var head job
		if !r.stopping && r.ready.len() > 0 && r.inflight < r.cfg.concurrency {
			out, head = work, r.ready.peek()
		}
		var tick <-chan time.Time
		if !r.stopping && r.timers.len() > 0 {
			if due := r.timers.peek().due; !due.Equal(timerDue) {
				timer.Reset(time.Until(due))
				timerDue = due
			}
			tick = timer.C
		}
		select {
		case out <- head:
			r.ready.pop()
			r.dispatched(head)
		case o := <-results:
			r.record(o)
		case now := <-tick:
			timerDue = time.Time{}
			r.promote(now)
		case <-done:
			done = nil
			stop()
		}
	}
	close(work)
	wg.Wait()
	timer.Stop()
	if grace != nil {
		grace.Stop()
	}
	for i := range r.states {
		es := &r.states[i]
		if !es.final {
			es.state = StatePending
		}
		r.log.event(es)
		r.log.result(es)
	}
	s := r.summary()
	var err error
	if r.interrupted {
		err = fmt.Errorf("delivery interrupted with %d of %d events pending: %w", s.Pending, s.Events, context.Cause(ctx))
	}
	if r.log.err != nil {
		err = errors.Join(err, fmt.Errorf("writing the delivery log: %w", r.log.err))
	}
	return s, err
}

// release makes es's first attempt due, after the jitter, on a timeline
// that continues the one of the event it waited for.
func (r *run) release(es *eventState, now time.Time, skip time.Duration) {
	es.rnd = rand.New(rand.NewPCG(r.seed, uint64(es.ev.EventID)))
	es.skip = skip
	if r.cfg.dupP > 0 && es.rnd.Float64() < r.cfg.dupP {
		es.dupPlanned = true
	}
	var d time.Duration
	if r.cfg.jitter > 0 {
		// jitter+1 overflows at the longest duration there is.
		d = time.Duration(es.rnd.Int64N(int64(min(r.cfg.jitter, math.MaxInt64-1)) + 1))
	}
	wait := r.cfg.clock.Real(d)
	scheduled := r.virtual(now, es.skip).Add(d)
	es.skip += d - wait
	r.schedule(job{es: es, n: 1, scheduled: scheduled, skip: es.skip}, now, wait)
	if es.dupPlanned && r.cfg.dupMode == DupConcurrent {
		es.dupOutstanding++
		r.schedule(job{es: es, n: 1, dup: true, scheduled: scheduled, skip: es.skip}, now, wait)
	}
}

func (r *run) schedule(j job, now time.Time, wait time.Duration) {
	if wait <= 0 {
		r.makeReady(j)
		return
	}
	r.seq++
	r.timers.push(timed{due: now.Add(wait), seq: r.seq, j: j})
}

func (r *run) makeReady(j job) {
	r.seq++
	j.pos, j.seq = j.es.pos, r.seq
	r.ready.push(j)
}

func (r *run) promote(now time.Time) {
	for r.timers.len() > 0 && !r.timers.peek().due.After(now) {
		r.makeReady(r.timers.pop().j)
	}
}

func (r *run) dispatched(j job) {
	j.es.inflight++
	r.inflight++
	if !j.es.logged {
		r.log.event(j.es)
	}
}

// attempt runs in a worker: it must only read j.es.ev, which no one writes.
func (r *run) attempt(hard context.Context, j job) outcome {
	ctx, cancel := hard, context.CancelFunc(nil)
	if r.cfg.policy.Timeout > 0 {
		ctx, cancel = context.WithTimeout(hard, r.cfg.policy.Timeout)
	}
	resp := r.target.post(ctx, r.client, j.es.ev.Body, DefaultLogBodyLimit, false)
	if cancel != nil {
		cancel()
	}
	o := outcome{job: j, status: resp.status, kind: resp.kind, err: resp.err, excerpt: resp.body, start: resp.start, end: resp.end}
	if o.kind != KindNone && hard.Err() != nil {
		o.kind = KindCanceled
	}
	return o
}

func (r *run) record(o outcome) {
	es := o.es
	es.inflight--
	r.inflight--
	lat := o.end.Sub(o.start)
	recordLatency(r.hist, lat)
	if o.kind != KindNone {
		r.errs[o.kind]++
	} else {
		r.statuses[o.status]++
	}
	end := r.virtual(o.end, o.skip)
	if end.After(r.lastEnd) {
		r.lastEnd = end
	}
	a := Attempt{Identity: es.ev.Identity,
		N: o.n, Duplicate: o.dup, Scheduled: o.scheduled, Started: r.virtual(o.start, o.skip),
		Latency: lat, Status: o.status, ErrKind: o.kind}
	if o.err != nil {
		a.Err = o.err.Error()
	}
	if len(o.excerpt) > 0 {
		a.Response = r.target.red.String(string(o.excerpt))
	}
	if o.dup {
		es.dupOutstanding--
		es.dups++
		r.dupSent++
	} else {
		es.attempts++
		r.attempts++
		es.lastStatus, es.lastKind = o.status, o.kind
		switch {
		case o.kind == KindNone && acked(o.status):
			es.state, es.final = StateAcked, true
			if es.dupPlanned && r.cfg.dupMode == DupAfter && !r.stopping {
				es.dupOutstanding++
				r.makeReady(job{es: es, n: 1, dup: true, scheduled: end, skip: es.skip})
			}
		case o.kind == KindCanceled:
			es.state = StatePending
		case es.attempts >= r.cfg.policy.Attempts:
			es.state, es.final = StateDead, true
		case r.stopping:
			es.state = StatePending
		default:
			es.state = StateRetrying
			d := r.cfg.policy.Backoff.Delay(es.attempts, es.rnd)
			wait := r.cfg.clock.Real(d)
			es.skip += d - wait
			r.schedule(job{es: es, n: es.attempts + 1, scheduled: end.Add(d), skip: es.skip}, o.end, wait)
		}
		a.State = es.state
	}
	r.log.attempt(&a)
	if r.cfg.observer != nil {
		r.cfg.observer(a)
	}
	if es.final && !es.done && es.inflight == 0 && es.dupOutstanding == 0 {
		// The result line waits for the duplicates, so that it counts them.
		es.done = true
		r.log.result(es)
		r.active--
		if es.next != nil && !r.stopping {
			r.release(es.next, o.end, es.skip)
		}
	}
}

func newHist() *hdrhistogram.Histogram {
	// Microseconds from 1 µs to one hour, 3 significant digits.
	return hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
}

func recordLatency(h *hdrhistogram.Histogram, d time.Duration) {
	us := max(d.Microseconds(), 1)
	_ = h.RecordValue(min(us, h.HighestTrackableValue()))
}

// timed is an attempt waiting for its backoff or jitter; seq keeps equal
// due times in scheduling order, for reproducibility.
type timed struct {
	due time.Time
	seq uint64
	j   job
}

func earlierPos(a, b job) bool {
	if a.pos != b.pos {
		return a.pos < b.pos
	}
	return a.seq < b.seq
}

func earlierDue(a, b timed) bool {
	if !a.due.Equal(b.due) {
		return a.due.Before(b.due)
	}
	return a.seq < b.seq
}

// minHeap is a binary heap, least first by less, which must break ties
// (by a sequence number) for runs to be reproducible.
type minHeap[T any] struct {
	s    []T
	less func(a, b T) bool
}

func (h *minHeap[T]) len() int { return len(h.s) }
func (h *minHeap[T]) peek() T  { return h.s[0] }

// push and pop move a hole rather than swapping, which halves the copies
// of elements that are several words long.
func (h *minHeap[T]) push(x T) {
	h.s = append(h.s, x)
	s := h.s
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(x, s[p]) {
			break
		}
		s[i] = s[p]
		i = p
	}
	s[i] = x
}

func (h *minHeap[T]) pop() T {
	s := h.s
	top := s[0]
	n := len(s) - 1
	x := s[n]
	var zero T
	s[n] = zero // drop the references, for the collector
	s = s[:n]
	if n > 0 {
		i := 0
		for {
			c := 2*i + 1
			if c >= n {
				break
			}
			if c+1 < n && h.less(s[c+1], s[c]) {
				c++
			}
			if !h.less(s[c], x) {
				break
			}
			s[i] = s[c]
			i = c
		}
		s[i] = x
	}
	h.s = s
	return top
}
