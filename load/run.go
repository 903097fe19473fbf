package load

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
)

// Progress is what an observer hears while a run goes on.
type Progress struct {
	Elapsed   time.Duration // since the start
	Planned   time.Duration // the load profile's length
	Scheduled int64         // slots due so far
	Sent      int64
	Acked     int64
	Failed    int64 // attempts not acknowledged, so far
	Dropped   int64 // slots dropped for lateness, so far
	Late      int64
	InFlight  int64
	// Closed is set for a closed loop (RateMax): Scheduled is then Sent,
	// and nothing is ever late or dropped.
	Closed bool
	// Rate is first attempts ended per second, and P99 their corrected
	// p99, over the last progress interval.
	Rate float64
	P99  time.Duration
	// Draining is set once every slot is sent and retries are finishing;
	// Done on the last call.
	Draining, Done bool
}

// Run sends load to target as configured by opts and reports what
// happened. Requests leave at their scheduled times whatever the receiver
// does (an open model), at most max-inflight at a time; or, with
// WithRate(RateMax, d), each of max-inflight senders sends as soon as its
// last answer came (a closed loop). Run returns when
// the load profile is over and retries have drained, or soon after ctx is
// cancelled: requests in flight then get the grace period to finish, and
// the report is complete either way (marked interrupted). The error is
// only for bad options.
func Run(ctx context.Context, target *delivery.Target, opts ...Option) (*Report, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if target == nil {
		return nil, errors.New("no target")
	}
	if len(cfg.stages) == 0 && cfg.closed == 0 {
		return nil, errors.New("no load profile: give WithRate or WithStages")
	}
	if cfg.client != nil && cfg.tls != nil {
		return nil, errors.New("load: WithTLSConfig and WithClient were both given, and the client would ignore the TLS settings: " +
			"build the client with delivery.NewTLSClient(timeout, max-inflight, cfg) and drop WithTLSConfig, or drop WithClient (WithTLSConfig alone keeps the run's own, faster client)")
	}
	if cfg.closed > 0 && cfg.latenessSet {
		return nil, errors.New("max lateness does not apply to a closed loop (rate max): nothing is scheduled, so no send is ever late")
	}
	if err := cfg.speakVocabulary(); err != nil {
		return nil, err
	}
	if cfg.scenario != nil {
		// A scenario that cannot render fails here, not slot by slot.
		if _, err := cfg.scenario.Render(cfg.seed); err != nil {
			return nil, fmt.Errorf("scenario %s: %w", cfg.scenario.Name, err)
		}
	}
	r := newRunner(&cfg, target)
	send, err := r.newSender()
	if err != nil {
		return nil, err
	}
	r.send = send
	defer send.close()
	return r.run(ctx), nil
}

type runner struct {
	cfg        *config
	target     *delivery.Target
	send       sender
	clientName string
	dials      atomic.Int64
	sched      *schedule
	planned    time.Duration // the load profile's length, or the closed loop's
	slots      int64         // this shard's
	keys       []string
	cum        []uint64 // cumulative mix weights
	start      time.Time
	idBase     int64 // first event id, from the seed

	next      atomic.Int64 // next slot of this shard to claim
	released  atomic.Int64 // slots of this shard the pacer released
	lateUntil atomic.Int64 // slots below it were released late by the pacer
	idle      atomic.Int64 // workers waiting for a slot
	wake      chan struct{}
	paced     chan struct{} // closed when the pacer is done
	sent      atomic.Int64
	late      atomic.Int64
	capWaits  atomic.Int64
	dropLate  atomic.Int64
	inflight  atomic.Int64
	peak      atomic.Int64
	open      atomic.Int64 // events whose first attempt failed, not yet acked or dead
	draining  atomic.Bool
	stopOnce  sync.Once
	stopAt    time.Time     // written before interrupt is closed
	interrupt chan struct{} // closed when ctx is cancelled
	done      chan struct{} // closed when workers may leave

	// afterWindow counts first sends started after onTimeBy, the window's
	// end plus the on-time allowance (LateAfter).
	afterWindow atomic.Int64
	onTimeBy    time.Time

	retries *retryQueue
	// ready is retries.ready when the policy retries, else nil: a worker
	// waiting for its slot then selects on one channel fewer.
	ready <-chan *event
	rec   *recorder

	ring      []prepared  // payloads generated ahead, without a scenario
	life      *lifecycles // with a scenario
	keyIndex  map[string]int
	genErrors atomic.Int64
}

func newRunner(cfg *config, target *delivery.Target) *runner {
	// A copy, so that the caller's target keeps its body limit: a load
	// test reads no response body beyond draining it.
	t := *target
	t.BodyLimit = 0
	r := &runner{
		cfg:       cfg,
		target:    &t,
		sched:     newSchedule(cfg.stages),
		interrupt: make(chan struct{}),
		done:      make(chan struct{}),
		wake:      make(chan struct{}, cfg.maxInflight),
		paced:     make(chan struct{}),
	}
	r.planned = r.sched.planned
	if cfg.closed > 0 {
		r.planned = cfg.closed
	}
	r.slots = shardSlots(r.sched.slots, cfg.shard)
	r.idBase = EventIDBase(cfg.seed)
	if cfg.scenario != nil {
		r.life = newLifecycles(cfg.scenario, cfg.seed, cfg.maxInflight)
		r.keyIndex = map[string]int{}
		for i, k := range cfg.scenario.Triggers() {
			r.keys = append(r.keys, k)
			r.keyIndex[k] = i
		}
	} else {
		if cfg.closed == 0 {
			// A closed loop's workers make their own payloads: nothing
			// waits for a time at which it could prepare them.
			r.ring = make([]prepared, ringSize)
		}
		for i := range r.ring {
			r.ring[i].slot.Store(free)
		}
		var sum uint64
		for _, w := range cfg.mix {
			sum += uint64(w.Weight)
			r.keys = append(r.keys, w.Trigger)
			r.cum = append(r.cum, sum)
		}
	}
	return r
}

// newSender chooses the client: the caller's (WithClient), net/http where
// a proxy from the environment applies to the target (the HTTP/1.1 writer
// speaks to the target only), else the writer.
func (r *runner) newSender() (sender, error) {
	cfg := r.cfg
	if cfg.client != nil {
		r.dials.Store(-1)
		r.clientName = "net/http (the caller's client)"
		return newHTTPSender(r.target, cfg.client), nil
	}
	req := &http.Request{URL: r.target.URL()}
	if proxy, err := http.ProxyFromEnvironment(req); err != nil {
		return nil, fmt.Errorf("proxy from the environment: %w", err)
	} else if proxy != nil {
		client := delivery.NewClient(cfg.timeoutOf(), cfg.maxInflight)
		tr := client.Transport.(*http.Transport)
		if cfg.tls != nil {
			tr.TLSClientConfig = cfg.tls.Clone()
		}
		dial := tr.DialContext
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			r.dials.Add(1)
			return dial(ctx, network, addr)
		}
		r.clientName = "net/http (through the proxy " + delivery.MaskURL(proxy.String()) + ")"
		return newHTTPSender(r.target, client), nil
	}
	r.clientName = ClientWire
	return newWire(r.target, cfg.timeoutOf(), cfg.maxInflight, cfg.tls, &r.dials)
}

func (r *runner) run(ctx context.Context) *Report {
	cfg := r.cfg
	interval := cfg.interval
	if interval == 0 {
		interval = max(time.Second, (r.planned / DefaultMaxPoints).Round(time.Second))
	}
	// A short lead lets every worker start before the first slot is due.
	r.start = time.Now().Add(5 * time.Millisecond)
	r.onTimeBy = r.start.Add(r.planned + cfg.lateAfter)
	r.rec = newRecorder(r.start, interval, r.keys)
	r.retries = newRetryQueue(cfg.maxRetryQ)
	if cfg.policy.Attempts > 1 {
		r.ready = r.retries.ready
	}
	defer r.send.cancel()

	go r.retries.dispatch(r.done)
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-ctx.Done():
			r.stop()
		case <-finished:
		}
	}()
	stopProgress := r.progress()

	worker := r.worker
	if cfg.closed > 0 {
		worker = r.loop
		close(r.paced)
	} else {
		go r.pace()
	}
	var phase1, all sync.WaitGroup
	for w := range cfg.maxInflight {
		phase1.Add(1)
		all.Add(1)
		go worker(w, &phase1, &all)
	}
	phase1.Wait()
	window := r.planned
	if r.interrupted() {
		window = max(min(window, r.stopAt.Sub(r.start)), 0)
	} else {
		r.draining.Store(true)
		r.drain()
	}
	close(r.done)
	all.Wait()
	end := time.Now()
	stopProgress()
	return r.report(window, end)
}

// drain waits for retries to settle, within the drain bound.
func (r *runner) drain() {
	if r.open.Load() == 0 {
		return
	}
	deadline := time.NewTimer(r.cfg.drain)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for r.open.Load() > 0 {
		select {
		case <-deadline.C:
			return
		case <-r.interrupt:
			return
		case <-tick.C:
		}
	}
}

func (r *runner) stop() {
	r.stopOnce.Do(func() {
		r.stopAt = time.Now()
		close(r.interrupt)
		time.AfterFunc(r.cfg.grace, r.send.cancel)
	})
}

func (r *runner) interrupted() bool {
	select {
	case <-r.interrupt:
		return true
	default:
		return false
	}
}

// pick chooses the trigger of slot g from the slot number alone, so that
// the shards of a run together send the same mix as one copy would.
func (r *runner) pick(g int64) int {
	u := splitmix(r.cfg.seed ^ uint64(g)*0x9E3779B97F4A7C15)
	x := u % r.cum[len(r.cum)-1]
	for i, c := range r.cum {
		if x < c {
			return i
		}
	}
	return len(r.cum) - 1
}

// EventIDBase is the first event id of a run with this seed. Runs with
// different seeds start their ids a multiple of a billion apart (below
// JSON's 2^53), so that a second run into a deduplicating receiver sends
// new events rather than exercising its duplicate shortcut.
func EventIDBase(seed uint64) int64 {
	return eventIDFloor + int64(splitmix(seed^0x5EED)%idBlocks)*idBlock
}

const (
	eventIDFloor = 1_000_000
	idBlock      = 1_000_000_000
	idBlocks     = 1 << 22 // 4.2e15 at most, well below 2^53
)

func splitmix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// event is a sent event that may be retried.
type event struct {
	body     []byte
	trig     int
	attempts int
	due      time.Time // of the next retry
}

func (r *runner) worker(w int, phase1, all *sync.WaitGroup) {
	defer all.Done()
	cfg := r.cfg
	sh := cfg.shard
	// Event ids: every worker of every shard walks its own arithmetic
	// sequence, with a stride that does not depend on this run's
	// max-inflight, so that copies of a run never share an id.
	n := int64(sh.Count)
	gen, rnd, buf := r.kit(w)

	func() {
		defer phase1.Done()
		for !r.interrupted() {
			k, ok := r.claim()
			if !ok {
				if r.next.Load() >= r.slots || !r.idleWait(rnd) {
					return
				}
				continue
			}
			g := k*n + int64(sh.Index)
			due := r.start.Add(r.sched.at(g))
			// One reading of the monotonic clock (time.Now reads the wall
			// clock too) serves the drop and, for a prepared payload, the
			// send's start.
			now := r.start.Add(time.Since(r.start))
			if lag := now.Sub(due); lag > cfg.lateAfter {
				if k >= r.lateUntil.Load() {
					// Released on time, and no worker was free.
					r.capWaits.Add(1)
				}
				if lag > cfg.maxLateness {
					r.dropLate.Add(1)
					r.rec.dropped(lag)
					if p := r.prepared(k); p != nil {
						p.slot.Store(free)
					}
					continue
				}
			}
			if p := r.prepared(k); p != nil { // never with a scenario
				r.sendFirst(p.body, p.trig, due, now, rnd)
				p.slot.Store(free)
				continue
			}
			var trig int
			if buf, trig, ok = r.payload(gen, buf, g); ok {
				r.sendFirst(buf, trig, due, r.start.Add(time.Since(r.start)), rnd)
			}
		}
	}()
	r.serveRetries(rnd)
}

// kit is what worker w sends with: its payload generator (and so its
// sequence of event ids), its random source (for retry jitter) and a
// payload buffer.
func (r *runner) kit(w int) (*generator.Generator, *rand.Rand, []byte) {
	rnd := rand.New(rand.NewPCG(r.cfg.seed, uint64(r.cfg.shard.Index)<<32|uint64(w)))
	return r.generator(w), rnd, make([]byte, 0, 4096)
}

// payload makes slot g's payload in buf: the scenario's event with its id
// renumbered, or a fresh event of the mix. It is false, and counted, when
// the scenario could not render it: the slot is left unsent, since a
// scenario that cannot render at some seed is the scenario's bug.
func (r *runner) payload(gen *generator.Generator, buf []byte, g int64) ([]byte, int, bool) {
	if r.life == nil {
		trig := r.pick(g)
		return r.appendPayload(gen, buf[:0], trig), trig, true
	}
	ev, err := r.life.event(g)
	if err != nil {
		r.genErrors.Add(1)
		return buf, 0, false
	}
	return withEventID(buf[:0], ev.Body, r.idBase+g), r.keyIndex[ev.TriggerKey], true
}

// serveRetries sends retries as they fall due until the run is done.
func (r *runner) serveRetries(rnd *rand.Rand) {
	for {
		select {
		case ev := <-r.ready:
			r.sendRetry(ev, rnd)
		case <-r.done:
			return
		}
	}
}

// loop is a worker of a closed loop: it sends the next slot of the shard,
// a fresh payload, as soon as its last send ended (serving first a retry
// that fell due), until the run's length is over or it is interrupted;
// then it serves retries until the run is done. Slots are numbered as an
// open run's are (a shard takes i, i+n, ...), so the trigger mix, a
// scenario's lifecycles and the event ids stay disjoint across shards;
// each event counts as due when it left, so corrected latency is raw.
func (r *runner) loop(w int, phase1, all *sync.WaitGroup) {
	defer all.Done()
	cfg := r.cfg
	sh := cfg.shard
	n := int64(sh.Count)
	gen, rnd, buf := r.kit(w)

	func() {
		defer phase1.Done()
		if d := time.Until(r.start); d > 0 {
			time.Sleep(d)
		}
		for !r.interrupted() {
			select {
			case ev := <-r.ready: // nil without a retry policy: never ready
				r.sendRetry(ev, rnd)
				continue
			default:
			}
			if time.Since(r.start) >= cfg.closed {
				return
			}
			k := r.next.Add(1) - 1
			var trig int
			var ok bool
			if buf, trig, ok = r.payload(gen, buf, k*n+int64(sh.Index)); ok {
				now := r.start.Add(time.Since(r.start))
				r.sendFirst(buf, trig, now, now, rnd)
			}
		}
	}()
	r.serveRetries(rnd)
}

// idSequences is how many event-id sequences a shard has: one per
// worker, at most MaxInflightLimit, and the pacer's.
const idSequences = MaxInflightLimit + 1

// generator is the payload generator of worker w, or of the pacer when w
// is MaxInflightLimit, each with its own sequence of event ids.
func (r *runner) generator(w int) *generator.Generator {
	sh := r.cfg.shard
	n := int64(sh.Count)
	return generator.New(splitmix(r.cfg.seed^uint64(sh.Index)<<32^uint64(w)),
		generator.WithProfile(r.cfg.profile),
		generator.WithVocabulary(r.cfg.vocab),
		generator.WithEventIDs(r.idBase+int64(sh.Index)+n*int64(w), n*idSequences))
}

func (r *runner) appendPayload(gen *generator.Generator, buf []byte, trig int) []byte {
	buf, err := gen.AppendJSON(buf, r.keys[trig])
	if err != nil {
		// The mix was checked against the catalog: unreachable.
		panic(err)
	}
	return buf
}

// idleWait sleeps until the pacer may have released a slot, serving a
// retry that falls due meanwhile; it is false when the run was interrupted.
// The worker counts itself idle before it looks again, so that either it
// sees a slot released meanwhile or the pacer sees it idle and wakes it.
func (r *runner) idleWait(rnd *rand.Rand) bool {
	r.idle.Add(1)
	defer r.idle.Add(-1)
	if r.next.Load() < r.released.Load() {
		return true
	}
	select {
	case <-r.wake:
	case <-r.paced:
		// Every slot is released (or the run interrupted): the caller
		// claims what is left, or leaves.
	case ev := <-r.ready:
		r.sendRetry(ev, rnd)
	case <-r.interrupt:
		return false
	}
	return true
}

// attempt sends body, start being the clock read just before; it returns
// the result and when the attempt ended.
func (r *runner) attempt(body []byte, start time.Time) (delivery.Result, time.Time) {
	n := r.inflight.Add(1)
	for p := r.peak.Load(); n > p && !r.peak.CompareAndSwap(p, n); p = r.peak.Load() {
	}
	res := r.send.send(body, start)
	r.inflight.Add(-1)
	return res, start.Add(res.Latency)
}

// sendFirst sends an event due at due; start is the clock read just before
// (the lateness is measured to it).
func (r *runner) sendFirst(body []byte, trig int, due, start time.Time, rnd *rand.Rand) {
	r.sent.Add(1)
	lag := start.Sub(due)
	if lag > r.cfg.lateAfter {
		r.late.Add(1)
		if start.After(r.onTimeBy) {
			r.afterWindow.Add(1)
		}
	}
	res, end := r.attempt(body, start)
	r.rec.first(trig, due, lag, end, &res)
	if res.Acked() {
		return
	}
	// Open from here: drain, which runs once every first attempt has
	// ended, waits for it. (Counting every event in and out cost two
	// atomic adds per request on a line all workers write.)
	r.open.Add(1)
	// The worker reuses body for its next event: a retry needs its own.
	r.failed(&event{body: append([]byte(nil), body...), trig: trig, attempts: 1}, rnd)
}

func (r *runner) sendRetry(ev *event, rnd *rand.Rand) {
	ev.attempts++
	res, _ := r.attempt(ev.body, time.Now())
	r.rec.retry(ev.trig, &res)
	if res.Acked() {
		r.open.Add(-1)
		return
	}
	r.failed(ev, rnd)
}

// failed retries ev per the policy, or declares it dead.
func (r *runner) failed(ev *event, rnd *rand.Rand) {
	p := r.cfg.policy
	if ev.attempts >= p.Attempts || r.interrupted() {
		if ev.attempts >= p.Attempts {
			r.rec.died(ev.trig, false)
			r.open.Add(-1)
		}
		// Interrupted: the event stays open and is reported pending.
		return
	}
	ev.due = time.Now().Add(p.Backoff.Delay(ev.attempts, rnd))
	if !r.retries.push(ev) {
		r.rec.died(ev.trig, true)
		r.open.Add(-1)
	}
}

// progress calls the observer every tick until the returned stop is called,
// which also makes the last call.
func (r *runner) progress() (stop func()) {
	fn := r.cfg.observer
	if fn == nil {
		return func() {}
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	last := time.Now()
	snap := func(done bool) {
		now := time.Now()
		n, errs, p99 := r.rec.window()
		acked, _, _ := r.rec.totals()
		elapsed := max(now.Sub(r.start), 0)
		sent := r.sent.Load()
		scheduled := sent
		if r.cfg.closed == 0 {
			scheduled = shardSlots(r.sched.count(min(elapsed, r.planned)), r.cfg.shard)
		}
		rate := 0.0
		if d := now.Sub(last).Seconds(); d > 0 {
			rate = float64(n) / d
		}
		last = now
		fn(Progress{
			Elapsed: elapsed, Planned: r.planned, Scheduled: scheduled, Closed: r.cfg.closed > 0,
			Sent: sent, Acked: acked, Failed: errs, Dropped: r.dropLate.Load(),
			Late: r.late.Load(), InFlight: r.inflight.Load(), Rate: rate, P99: p99,
			Draining: r.draining.Load(), Done: done,
		})
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(r.cfg.progressTick)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				snap(false)
			case <-quit:
				return
			}
		}
	}()
	return func() {
		close(quit)
		wg.Wait()
		snap(true)
	}
}

func (r *runner) report(window time.Duration, end time.Time) *Report {
	cfg := r.cfg
	rep := &Report{
		Version:     ReportVersion,
		Target:      r.target.String(),
		Started:     r.start,
		Planned:     Duration(r.planned),
		Window:      Duration(window),
		Elapsed:     Duration(end.Sub(r.start)),
		Interrupted: r.interrupted(),
		Stages:      FormatStages(cfg.stages),
		ClosedLoop:  cfg.closed > 0,
		Mix:         mixName(cfg),
		Scenario:    scenarioName(cfg),
		Profile:     string(cfg.profile),
		Seed:        cfg.seed,
		Shards:      []Shard{cfg.shard},
		MaxInflight: cfg.maxInflight,
		Timeout:     Duration(cfg.timeoutOf()),
		Retry:       cfg.retryString(),
		MaxLateness: Duration(cfg.maxLateness),
		LateAfter:   Duration(cfg.lateAfter),
		Sent:        r.sent.Load(),
		DroppedLate: r.dropLate.Load(),
		Late:        r.late.Load(),
		CapWaits:    r.capWaits.Load(),
		Connections: r.dials.Load(),
		Client:      r.clientName,
		GenErrors:   r.genErrors.Load(),
	}
	rep.SentAfterWindow = r.afterWindow.Load()
	rep.Scheduled = r.slots
	switch {
	case cfg.closed > 0:
		// Nothing was scheduled: each send was its own slot.
		rep.Stages = Stage{From: RateMax, To: RateMax, Duration: cfg.closed}.String()
		rep.Scheduled = 0
		rep.MaxLateness, rep.LateAfter = 0, 0
	case rep.Interrupted:
		rep.Scheduled = shardSlots(r.sched.count(window), cfg.shard)
	}
	// A send racing the interruption may be due a hair after it.
	rep.Scheduled = max(rep.Scheduled, rep.Sent+rep.DroppedLate)
	rep.Dropped = rep.Scheduled - rep.Sent
	rep.PeakInflight = r.peak.Load()
	r.rec.fill(rep, end)
	for k, msg := range rep.ErrorSamples {
		// The receiver's bytes may echo the URL's token, or drive a
		// terminal: shown as every answer is.
		rep.ErrorSamples[k] = r.target.ShowAnswer(msg)
	}
	rep.Pending = rep.Sent - rep.Acked - rep.Dead
	return rep
}

// retryQueue holds failed events until their retry is due, then hands each
// to the first free worker.
type retryQueue struct {
	mu    sync.Mutex
	h     eventHeap
	limit int
	wake  chan struct{}
	ready chan *event
}

func newRetryQueue(limit int) *retryQueue {
	return &retryQueue{limit: limit, wake: make(chan struct{}, 1), ready: make(chan *event)}
}

// push queues ev; false when the queue is full.
func (q *retryQueue) push(ev *event) bool {
	q.mu.Lock()
	if len(q.h) >= q.limit {
		q.mu.Unlock()
		return false
	}
	heap.Push(&q.h, ev)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

func (q *retryQueue) dispatch(done <-chan struct{}) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		q.mu.Lock()
		var ev *event
		wait := time.Hour
		if len(q.h) > 0 {
			if d := time.Until(q.h[0].due); d <= 0 {
				ev = heap.Pop(&q.h).(*event)
			} else {
				wait = d
			}
		}
		q.mu.Unlock()
		if ev != nil {
			select {
			case q.ready <- ev:
			case <-done:
				return
			}
			continue
		}
		timer.Reset(wait)
		select {
		case <-timer.C:
		case <-q.wake:
			timer.Stop()
		case <-done:
			return
		}
	}
}

type eventHeap []*event

func (h eventHeap) Len() int           { return len(h) }
func (h eventHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h eventHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)        { *h = append(*h, x.(*event)) }
func (h *eventHeap) Pop() any {
	old := *h
	ev := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return ev
}

func scenarioName(c *config) string {
	if c.scenario == nil {
		return ""
	}
	return c.scenario.Name
}

func mixName(c *config) string {
	if c.scenario != nil {
		return ""
	}
	return c.mix.String()
}
