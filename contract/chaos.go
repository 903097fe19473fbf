package contract

// Chaos runs: seeded runs of a random mix of lifecycle scenarios, delivered
// with random faults from the delivery engine's vocabulary, each checked by
// the inspect hook (applied counts) and the state hook (final state); the
// first failing run is shrunk (shrink.go).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Defaults of chaos runs.
const (
	// DefaultShrinkBudget bounds the time spent shrinking a failing run.
	DefaultShrinkBudget = 2 * time.Minute
	// MaxChaosWindow is the widest reordering window a run draws: within
	// what the ci retries cover (see StateReorder).
	MaxChaosWindow = StateReorder
	// idStride spaces the ids of runs and attempts: every id a rendering
	// gives is below it, and an offset is a multiple of it.
	idStride = 100_000_000
	// idOffsets is how many offsets there are; the largest id stays below
	// 2^53 (JavaScript receivers).
	idOffsets = 10_000_000
)

// ChaosPool are the lifecycle scenarios a chaos run mixes by default: the
// built-in ones of a few dozen events (a shrunk failure is read by a
// person).
var ChaosPool = []string{"work-order-lifecycle", "out-of-order-delivery", "request-won", "request-lost",
	"duplicate-delivery", "retry-after-5xx", "appointment-rescheduled", "call-logged", "phase-sla-violation"}

// Fault is what happens to one delivery of a chaos schedule besides being
// sent, with the ci retries after a non-2xx answer.
type Fault string

// The faults. A sequential duplicate is the same event twice in the
// schedule; reordering is the schedule's order.
const (
	FaultNone       Fault = ""
	FaultConcurrent Fault = "concurrent-duplicate" // two copies sent at the same moment
	FaultGaveUp     Fault = "gave-up"              // sent, abandoned before the answer, sent again
)

// Delivery is one step of a schedule: an event of one of its scenarios,
// what happens to it, and how long the sender waits before it.
type Delivery struct {
	Scenario int    `yaml:"scenario" json:"scenario"` // index in Schedule.Scenarios
	Event    int    `yaml:"event" json:"event"`       // index in that scenario's events, in firing order
	Trigger  string `yaml:"trigger" json:"trigger"`   // for the reader; not used to deliver
	Fault    Fault  `yaml:"fault,omitempty" json:"fault,omitempty"`
	// DelayMS is a pause before this delivery, in milliseconds.
	DelayMS int `yaml:"delayMs,omitempty" json:"delayMs,omitempty"`
}

// ScheduledScenario is a scenario of a schedule and the seed it is
// rendered with.
type ScheduledScenario struct {
	Name string `yaml:"name" json:"name"`
	Seed uint64 `yaml:"seed" json:"seed"`
}

// Schedule is a chaos run, explicitly: which events, in which order,
// which duplicated and how.
type Schedule struct {
	Scenarios  []ScheduledScenario `yaml:"scenarios" json:"scenarios"`
	Deliveries []Delivery          `yaml:"deliveries" json:"deliveries"`
}

// Describe sums a schedule up: "2 scenarios, 37 deliveries of 31 events
// (5 duplicated, 2 concurrent, 1 gave up, 3 delayed, 12 out of order)".
func (s Schedule) Describe() string {
	seen := map[[2]int]bool{}
	dups, conc, gave, delayed, ooo := 0, 0, 0, 0, 0
	for i, d := range s.Deliveries {
		k := [2]int{d.Scenario, d.Event}
		if seen[k] {
			dups++
		}
		seen[k] = true
		switch d.Fault {
		case FaultConcurrent:
			conc++
		case FaultGaveUp:
			gave++
		}
		if d.DelayMS > 0 {
			delayed++
		}
		if i > 0 && s.Deliveries[i-1].Scenario == d.Scenario && s.Deliveries[i-1].Event > d.Event {
			ooo++
		}
	}
	return fmt.Sprintf("%s, %s of %s (%d duplicated, %d concurrent, %d gave up, %d delayed, %d out of order)",
		plural(len(s.Scenarios), "scenario"), plural(len(s.Deliveries), "delivery"), plural(len(seen), "event"), dups, conc, gave, delayed, ooo)
}

// mix derives a seed from a seed and a path of numbers.
func mix(seed uint64, path ...uint64) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for _, v := range append([]uint64{seed}, path...) {
		for i := range b {
			b[i] = byte(v >> (8 * i))
		}
		h.Write(b[:])
	}
	return h.Sum64()
}

// rendered caches the events of a schedule's scenarios.
type rendered struct {
	events [][]scenarios.Rendered
}

func renderSchedule(s Schedule) (*rendered, error) {
	out := &rendered{}
	for _, sc := range s.Scenarios {
		scn, err := scenarios.Load(sc.Name)
		if err != nil {
			return nil, fmt.Errorf("contract: chaos scenario %q: %w", sc.Name, err)
		}
		evs, err := scn.Render(sc.Seed)
		if err != nil {
			return nil, fmt.Errorf("contract: rendering %s (seed %d): %w", sc.Name, sc.Seed, err)
		}
		for _, e := range evs {
			if e.EventID >= idStride || e.RecordID >= idStride {
				return nil, fmt.Errorf("contract: scenario %s (seed %d) renders ids past %d, which chaos runs cannot offset", sc.Name, sc.Seed, idStride)
			}
		}
		out.events = append(out.events, evs)
	}
	return out, nil
}

// check reports a delivery that names no event of the schedule.
func (r *rendered) check(s Schedule) error {
	for i, d := range s.Deliveries {
		if d.Scenario < 0 || d.Scenario >= len(r.events) || d.Event < 0 || d.Event >= len(r.events[d.Scenario]) {
			return fmt.Errorf("delivery %d names event %d of scenario %d, which does not exist", i+1, d.Event, d.Scenario)
		}
		switch d.Fault {
		case FaultNone, FaultConcurrent, FaultGaveUp:
		default:
			return fmt.Errorf("delivery %d: fault %q isn't one of [%s %s]", i+1, d.Fault, FaultConcurrent, FaultGaveUp)
		}
		if d.DelayMS < 0 || d.DelayMS > 60_000 {
			return fmt.Errorf("delivery %d: delayMs %d: want 0 to 60000", i+1, d.DelayMS)
		}
	}
	return nil
}

// newSchedule draws run's schedule from seed: a mix of one to three
// scenarios of pool, their events merged by firedAt, shuffled within a
// window of up to MaxChaosWindow, with duplicates, concurrent duplicates,
// give-ups and delays.
func newSchedule(seed uint64, run int, pool []string) (Schedule, error) {
	rnd := rand.New(rand.NewPCG(mix(seed, uint64(run)), 0xc4a05))
	var s Schedule
	for i := range 1 + rnd.IntN(3) {
		s.Scenarios = append(s.Scenarios, ScheduledScenario{Name: pool[rnd.IntN(len(pool))], Seed: mix(seed, uint64(run), uint64(i)) >> 12})
	}
	r, err := renderSchedule(s)
	if err != nil {
		return s, err
	}
	type ev struct {
		sc, i int
		at    time.Time
	}
	var all []ev
	for sc, evs := range r.events {
		for i, e := range evs {
			all = append(all, ev{sc, i, e.FiredAt})
		}
	}
	slices.SortStableFunc(all, func(a, b ev) int { return a.at.Compare(b.at) })
	// A reordering after which a receiver applying record values, or
	// work-order statuses, in arrival order still ends right cannot catch
	// it: the order is drawn again (from the same seed) until it can catch
	// both, or the most it can after chaosOrderDraws.
	views := make([][]eventView, len(r.events))
	wants := make([]wantState, len(r.events))
	for sc, evs := range r.events {
		var bodies [][]byte
		for _, e := range evs {
			v, err := viewOf(e.Body)
			if err != nil {
				return s, fmt.Errorf("contract: reading scenario %s: %w", s.Scenarios[sc].Name, err)
			}
			views[sc] = append(views[sc], v)
			bodies = append(bodies, e.Body)
		}
		if wants[sc], err = wantFromBodies(bodies); err != nil {
			return s, fmt.Errorf("contract: reading scenario %s: %w", s.Scenarios[sc].Name, err)
		}
	}
	power := func(order []ev) int {
		var rec, wo bool
		for sc := range r.events {
			var seq []eventView
			for _, e := range order {
				if e.sc == sc {
					seq = append(seq, views[sc][e.i])
				}
			}
			r, w := arrivalOrderTells(seq, wants[sc], 0)
			rec, wo = rec || r, wo || w
		}
		return b2i(rec) + b2i(wo)
	}
	fired := all
	best, bestPower := fired, -1
	for range chaosOrderDraws {
		order := slices.Clone(fired)
		window := 1 + rnd.IntN(MaxChaosWindow)
		for lo := 0; lo < len(order); lo += window {
			win := order[lo:min(lo+window, len(order))]
			rnd.Shuffle(len(win), func(i, j int) { win[i], win[j] = win[j], win[i] })
		}
		if p := power(order); p > bestPower {
			best, bestPower = order, p
		}
		if bestPower == 2 {
			break
		}
	}
	all = best
	for _, e := range all {
		d := Delivery{Scenario: e.sc, Event: e.i, Trigger: r.events[e.sc][e.i].TriggerKey}
		switch x := rnd.Float64(); {
		case x < 0.1:
			d.Fault = FaultConcurrent
		case x < 0.2:
			d.Fault = FaultGaveUp
		}
		if rnd.Float64() < 0.1 {
			d.DelayMS = 1 + rnd.IntN(20)
		}
		s.Deliveries = append(s.Deliveries, d)
		if rnd.Float64() < 0.2 {
			// A sequential duplicate, a few deliveries later.
			at := len(s.Deliveries) + rnd.IntN(4)
			dup := Delivery{Scenario: e.sc, Event: e.i, Trigger: d.Trigger}
			s.Deliveries = append(s.Deliveries, Delivery{})
			at = min(at, len(s.Deliveries)-1)
			copy(s.Deliveries[at+1:], s.Deliveries[at:])
			s.Deliveries[at] = dup
		}
	}
	return s, nil
}

// chaosOrderDraws bounds the reorderings newSchedule tries for a run.
const chaosOrderDraws = 16

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Problem is one way a run failed.
type Problem struct {
	// Kind groups problems for shrinking: a smaller run reproduces the
	// failure when it has a problem of the same kind.
	Kind string
	Text string
}

// The kinds of problem.
const (
	ProblemNotAcked = "not acknowledged"
	ProblemLost     = "not applied"
	// ProblemLate: not applied within the inspect timeout, but found
	// applied within a window as long after it (a queue behind). Listed
	// after the other kinds, so that a run that also lost an event is
	// shrunk for that.
	ProblemLate  = "applied late"
	ProblemTwice = "applied more than once"
	ProblemState = "final state"
)

// attempt is one execution of a schedule.
type attempt struct {
	problems   []Problem
	deliveries int
	took       time.Duration
}

// executor runs schedules against one target.
type executor struct {
	t       Target
	url     string
	shown   string
	client  *http.Client
	policy  delivery.Policy
	secrets []string
	to      dest
	light   *run // for abandon
	// observe, when set, is told of every delivery and its answer (the
	// final-state specs count them in the run's progress and answer
	// times, and record those not acknowledged).
	observe func(message, delivery.Result)
	// lag is the longest a state check was seen taking to settle (to
	// match, or to stop changing): how far behind the receiver applies.
	// quick: a shrink attempt, whose state check waits only a few lags
	// (see executeQuick).
	lag   time.Duration
	quick bool
	// watch: while a run delivers, the inspect hook is asked once about
	// each event after its first acknowledgement, beside the deliveries,
	// so that an event counted then and 0 at the end is told as a count
	// that went back down (a receiver forgetting old eventIds), not as
	// one never applied.
	watch bool
}

func newExecutor(t Target) (*executor, error) {
	t, err := t.withDefaults()
	if err != nil {
		return nil, err
	}
	if t.Inspect == nil && t.State == nil {
		return nil, errors.New("contract: chaos runs need an inspect hook or a state hook (Target.Inspect, Target.State) to judge a run: verify --inspect/--inspect-cmd, --state/--state-cmd")
	}
	x := &executor{t: t, url: t.URL}
	if t.TokenParam != "" {
		name, val, _ := ParseTokenParam(t.TokenParam)
		x.url = withQuery(t.URL, name, val, false)
		x.secrets = secretsOf(x.url, val)
	}
	x.shown = delivery.MaskURL(x.url)
	if x.to, err = newDest(x.url, x.shown); err != nil {
		return nil, err
	}
	x.policy, _ = delivery.ParsePreset(stateRetry)
	x.policy.Timeout = t.Deadline
	x.client = delivery.NewTLSClient(t.Deadline, 4, t.TLS)
	x.light = &run{t: t, secrets: x.secrets}
	return x, nil
}

// reachable checks that the target and the hooks accept connections, so
// that a receiver not running is not reported as one that loses events.
func (x *executor) reachable(ctx context.Context) error {
	if err := CheckReachable(ctx, x.t.URL, min(ReachTimeout, x.t.Deadline)); err != nil {
		return err
	}
	if u, ok := x.t.Inspect.(*urlInspector); ok {
		if err := CheckInspectReachable(ctx, u.template, min(ReachTimeout, x.t.InspectTimeout)); err != nil {
			return fmt.Errorf("--inspect: %w", err)
		}
	}
	return checkStateReachable(ctx, x.t)
}

// message is an event as an attempt sends it: its ids offset.
type message struct {
	id   schemas.Identity
	body []byte
}

// offsetBody adds off to every id that names an event, a record or a work
// order, so that each attempt's events are new to the receiver.
func offsetBody(body []byte, off int64) (message, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return message{}, err
	}
	add := func(obj any, keys ...string) {
		m, ok := obj.(map[string]any)
		if !ok {
			return
		}
		for _, k := range keys {
			if n, ok := m[k].(json.Number); ok {
				if i, err := n.Int64(); err == nil {
					m[k] = json.Number(fmt.Sprint(i + off))
				}
			}
		}
	}
	add(v["event"], "eventId", "recordId", "workOrderId")
	add(v["record"], "id")
	add(v["workOrder"], "id", "recordId")
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return message{}, err
	}
	out := bytes.TrimRight(b.Bytes(), "\n")
	id, err := schemas.DecodeIdentity(out)
	return message{id: id, body: out}, err
}

// idOffset is the id offset of attempt n of run: derived, so that the same
// seed gives the same ids, and different for every attempt.
func idOffset(seed uint64, run, n int) int64 {
	return int64(1+mix(seed, uint64(run), uint64(n), 0x1d)%idOffsets) * idStride
}

// pending is a delivery waiting for its retry.
type pending struct {
	msg message
	n   int   // attempts so far
	due int64 // on the delivery clock
}

// delivered is what deliver sent and got.
type delivered struct {
	events     []message // each event once, in first-delivery order
	acked      map[int64]bool
	lastAnswer map[int64]string
	arrivals   []schemas.Identity // acknowledged deliveries, in order
	// counted are the events the inspect hook was seen counting while the
	// run delivered (executor.watch): one that is 0 at the end went back
	// down.
	counted map[int64]bool
	posts   int
}

// deliver sends s's deliveries one at a time, in order, with ids offset by
// off. A delivery that gets no 2xx is retried at the ci preset's backoff
// ceilings (5, 10, 20, 40 ms) on a clock that counts each delivery as one
// millisecond, while the next ones go: the arrival order is the
// schedule's, whatever the machine's speed, and a receiver answering 409
// until a record exists gets the record within a reordering window.
func (x *executor) deliver(ctx context.Context, s Schedule, r *rendered, off int64) (*delivered, error) {
	res := &delivered{acked: map[int64]bool{}, lastAnswer: map[int64]string{}, counted: map[int64]bool{}}
	msgs, events, err := messagesOf(s, r, off)
	if err != nil {
		return nil, err
	}
	res.events = events
	var mu sync.Mutex
	watched := make(chan schemas.Identity, len(events))
	if x.watch && x.t.Inspect != nil {
		wctx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() {
			for id := range watched {
				if wctx.Err() != nil {
					return
				}
				// Best effort: an error here is the final count's to
				// report.
				if n, err := inspectIdentity(wctx, x.t.Inspect, id); err == nil && n > 0 {
					mu.Lock()
					res.counted[id.EventID] = true
					mu.Unlock()
				}
			}
		})
		// The watch does not hold the run up: what it has not asked
		// about when the deliveries end is left unknown.
		defer func() { stop(); wg.Wait() }()
	}
	defer close(watched)
	var clock int64
	var queue []*pending
	post := func(m message) bool {
		sres := delivery.Send(ctx, x.client, x.url, m.body, nil)
		ok := sres.Err == nil && sres.Status >= 200 && sres.Status <= 299
		if x.observe != nil {
			x.observe(m, sres)
		}
		mu.Lock()
		defer mu.Unlock()
		res.posts++
		clock++
		switch {
		case ok:
			if !res.acked[m.id.EventID] && x.watch {
				watched <- m.id
			}
			res.acked[m.id.EventID] = true
			res.arrivals = append(res.arrivals, m.id)
		case sres.Err != nil:
			res.lastAnswer[m.id.EventID] = "no answer (" + string(sres.ErrKind) + ")"
		default:
			res.lastAnswer[m.id.EventID] = fmt.Sprintf("%d %s", sres.Status, http.StatusText(sres.Status))
		}
		return ok
	}
	backoff := func(n int) int64 {
		return int64(x.policy.Backoff.Delay(n, nil) / time.Millisecond)
	}
	// first sends a delivery's first attempt; a failure waits for its
	// retry while other deliveries go on, as with Coperniq.
	first := func(m message) {
		if !post(m) && x.policy.Attempts > 1 {
			queue = append(queue, &pending{msg: m, n: 1, due: clock + backoff(1)})
		}
	}
	retryDue := func(all bool) {
		for len(queue) > 0 && ctx.Err() == nil {
			slices.SortStableFunc(queue, func(a, b *pending) int { return int(a.due - b.due) })
			p := queue[0]
			if p.due > clock {
				if !all {
					return
				}
				clock = p.due
			}
			queue = queue[1:]
			if post(p.msg) {
				continue
			}
			if p.n++; p.n < x.policy.Attempts {
				p.due = clock + backoff(p.n)
				queue = append(queue, p)
			}
		}
	}
	for _, d := range s.Deliveries {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if d.DelayMS > 0 {
			sleepCtx(ctx, time.Duration(d.DelayMS)*time.Millisecond)
		}
		retryDue(false)
		m := msgs[[2]int{d.Scenario, d.Event}]
		switch d.Fault {
		case FaultConcurrent:
			var wg sync.WaitGroup
			var ok [2]bool
			for i := range ok {
				wg.Go(func() { ok[i] = post(m) })
			}
			wg.Wait()
			if !ok[0] && !ok[1] && x.policy.Attempts > 1 {
				queue = append(queue, &pending{msg: m, n: 1, due: clock + backoff(1)})
			}
		case FaultGaveUp:
			x.light.abandon(ctx, payload{Body: m.body}, x.to)
			first(m)
		default:
			first(m)
		}
	}
	retryDue(true)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return res, nil
}

// messagesOf offsets the ids of the events s delivers by off: by
// delivery, and each event once in first-delivery order.
func messagesOf(s Schedule, r *rendered, off int64) (map[[2]int]message, []message, error) {
	msgs := map[[2]int]message{}
	var events []message
	for _, d := range s.Deliveries {
		k := [2]int{d.Scenario, d.Event}
		if _, ok := msgs[k]; ok {
			continue
		}
		m, err := offsetBody(r.events[d.Scenario][d.Event].Body, off)
		if err != nil {
			return nil, nil, fmt.Errorf("contract: offsetting the ids of %s: %w", r.events[d.Scenario][d.Event].TriggerKey, err)
		}
		msgs[k] = m
		events = append(events, m)
	}
	return msgs, events, nil
}

// StaleError is a chaos run or replay not judged: the receiver already
// had some of its events applied, or its records, before they were sent.
// Chaos ids depend only on the seed (and a replay's on --id-offset), so a
// receiver that kept an earlier run's state would be found to have
// applied events it dropped: a receiver storing nothing would pass.
type StaleError struct {
	// What was found: "event 123 (TASK_CREATED, record 9) was already
	// applied before it was sent (the inspect hook said 1)", and how many
	// more.
	Found string
}

func (e *StaleError) Error() string {
	return e.Found + ": stale receiver state from an earlier run with the same ids, or an inspect hook that does not count; the receiver was not judged"
}

// staleEvents asks the inspect hook about each event, and the state hook
// about each record, before the first delivery: one question each (on
// loopback a few ms per run of some thirty events, against the hundreds
// of ms a run takes).
func (x *executor) staleEvents(ctx context.Context, events []message) error {
	var found []string
	if x.t.Inspect != nil {
		for _, m := range events {
			n, err := inspectIdentity(ctx, x.t.Inspect, m.id)
			if err != nil {
				return fmt.Errorf("asking the inspect hook before the first delivery, so the run could not be judged: %w", err)
			}
			if n > 0 {
				found = append(found, fmt.Sprintf("%s was already applied before it was sent (the inspect hook said %d)", identityName(m.id), n))
			}
		}
	}
	if x.t.State != nil {
		seen := map[int64]bool{}
		for _, m := range events {
			id := m.id.RecordID
			if id == 0 || seen[id] {
				continue
			}
			seen[id] = true
			st, err := stateNow(ctx, x.t.State, id, x.t.InspectTimeout)
			if err != nil {
				return fmt.Errorf("the state hook gave no usable answer for record %d before the first delivery, so the run could not be judged: %w", id, err)
			}
			if st != nil {
				found = append(found, fmt.Sprintf("record %d already had state in the receiver before any event about it was sent", id))
			}
		}
	}
	if len(found) == 0 {
		return nil
	}
	msg := found[0]
	if len(found) > 1 {
		msg += fmt.Sprintf(" (and %d more such events or records)", len(found)-1)
	}
	return &StaleError{Found: msg}
}

// notAcked lists the events that were never acknowledged.
func (x *executor) notAcked(d *delivered) []Problem {
	var out []Problem
	for _, m := range d.events {
		if !d.acked[m.id.EventID] {
			out = append(out, Problem{ProblemNotAcked, fmt.Sprintf("%s was not acknowledged after %d attempts (retry preset %s); its last answer: %s",
				identityName(m.id), x.policy.Attempts, stateRetry, d.lastAnswer[m.id.EventID])})
		}
	}
	return out
}

// execute delivers s with ids offset by off, then checks applied counts and
// the final state. An error is the setup's (a hook outside its protocol, a
// context cancelled), not the receiver's.
func (x *executor) execute(ctx context.Context, s Schedule, r *rendered, off int64) (attempt, error) {
	start := time.Now()
	var res attempt
	_, events, err := messagesOf(s, r, off)
	if err != nil {
		return res, err
	}
	if err := x.staleEvents(ctx, events); err != nil {
		return res, err
	}
	d, err := x.deliver(ctx, s, r, off)
	if err != nil {
		return res, err
	}
	res.deliveries = d.posts
	res.problems = x.notAcked(d)
	var late []Problem // last: see ProblemLate
	if x.t.Inspect != nil {
		counts, err := x.applied(ctx, d.events)
		if err != nil {
			return res, err
		}
		var pending []message
		for _, m := range d.events {
			switch n := counts[m.id.EventID]; {
			case n == 0 && d.acked[m.id.EventID]:
				pending = append(pending, m)
			case n > 1:
				res.problems = append(res.problems, Problem{ProblemTwice, fmt.Sprintf("%s was applied %d times, want once", identityName(m.id), n)})
			}
		}
		if len(pending) > 0 {
			// Late or lost: asked again for one more window, a queue
			// behind applies them meanwhile, a receiver that dropped
			// them does not.
			again, err := x.applied(ctx, pending)
			if err != nil {
				return res, err
			}
			for _, m := range pending {
				if again[m.id.EventID] > 0 {
					late = append(late, Problem{ProblemLate, fmt.Sprintf("%s was acknowledged but not applied within %s (--inspect-timeout); found applied within %s more: late, not lost", identityName(m.id), roundLatency(x.t.InspectTimeout), roundLatency(x.t.InspectTimeout))})
					continue
				}
				if d.counted[m.id.EventID] {
					res.problems = append(res.problems, Problem{ProblemLost, fmt.Sprintf("%s was counted as applied while the run delivered, then as never applied (0 after %s, and still %s later): the inspect hook's count went back down: the receiver forgot it applied it (it keeps only its newest eventIds?), or its hook does not count", identityName(m.id), roundLatency(x.t.InspectTimeout), roundLatency(x.t.InspectTimeout))})
					continue
				}
				res.problems = append(res.problems, Problem{ProblemLost, fmt.Sprintf("%s was acknowledged but not applied (the inspect hook said 0 after %s, and still %s later: lost, or far behind)", identityName(m.id), roundLatency(x.t.InspectTimeout), roundLatency(x.t.InspectTimeout))})
			}
		}
	}
	if x.t.State != nil {
		var bodies [][]byte
		for _, m := range d.events {
			if d.acked[m.id.EventID] {
				bodies = append(bodies, m.body)
			}
		}
		want, err := wantFromBodies(bodies)
		if err != nil {
			return res, err
		}
		// The whole timeout even when every event is counted: an
		// inspect hook may count at receipt (to drop duplicates) while
		// a queue applies the records later. checkState returns as soon
		// as they match, so only a failing run waits it out.
		wait := x.t.InspectTimeout
		if x.quick {
			wait = min(wait, max(quickStateWait, 3*x.lag))
		}
		chk, err := checkState(ctx, x.t.State, want, wait)
		x.lag = max(x.lag, chk.settled)
		if err != nil {
			var sa *stateAsk
			if errors.As(err, &sa) {
				return res, fmt.Errorf("the state hook gave no usable answer for record %d, so the run could not be judged: %w", sa.recordID, sa.err)
			}
			return res, err
		}
		for _, m := range chk.mismatches {
			res.problems = append(res.problems, Problem{ProblemState, m.String()})
		}
	}
	res.problems = append(res.problems, late...)
	res.took = time.Since(start)
	return res, nil
}

// quickStateWait is the least a shrink attempt's state check waits.
const quickStateWait = 500 * time.Millisecond

// executeQuick is execute for a shrink attempt: its state check waits
// three times the longest the receiver's state was seen taking to settle
// (at least quickStateWait), not the whole --inspect-timeout, so that a
// receiver that keeps a wrong state shrinks in seconds. A candidate it
// keeps wrongly (a state not settled yet) costs no false verdict: the
// shrunk schedule is replayed with the whole timeout before it is shown,
// and one that does not fail then is reported flaky, the original kept.
func (x *executor) executeQuick(ctx context.Context, s Schedule, r *rendered, off int64) (attempt, error) {
	x.quick = true
	defer func() { x.quick = false }()
	return x.execute(ctx, s, r, off)
}

// applied polls the inspect hook until every event's count is at least 1
// or Target.InspectTimeout passes, and returns the last counts.
func (x *executor) applied(ctx context.Context, events []message) (map[int64]int, error) {
	deadline := time.Now().Add(x.t.InspectTimeout)
	counts := map[int64]int{}
	interval := 5 * time.Millisecond
	for {
		done := true
		for _, m := range events {
			if counts[m.id.EventID] >= 1 {
				continue
			}
			n, err := inspectIdentity(ctx, x.t.Inspect, m.id)
			if err != nil {
				var te *transientError
				if errors.As(err, &te) && time.Now().Before(deadline) {
					done = false
					continue
				}
				return nil, fmt.Errorf("the inspect hook gave no usable answer, so the run could not be judged: %w", err)
			}
			counts[m.id.EventID] = n
			done = done && n >= 1
		}
		if done || time.Now().After(deadline) {
			return counts, nil
		}
		sleepCtx(ctx, interval)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		interval = min(2*interval, 100*time.Millisecond)
	}
}

// inspectIdentity asks insp about one event.
func inspectIdentity(ctx context.Context, insp Inspector, id schemas.Identity) (int, error) {
	return insp.Applied(ctx, id)
}

// identityName names an event in a problem.
func identityName(id schemas.Identity) string {
	return fmt.Sprintf("event %d (%s, record %d)", id.EventID, id.TriggerKey, id.RecordID)
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// ChaosOptions configure RunChaos.
type ChaosOptions struct {
	// Runs is how many seeded runs to make, at least 1.
	Runs int
	// Seed makes the runs reproducible: the same seed gives the same
	// schedules, ids and shrunk sequence. Zero draws one (RandomSeed),
	// returned in the report.
	Seed uint64
	// Pool is the scenarios a run mixes (ChaosPool when nil).
	Pool []string
	// ShrinkBudget bounds shrinking (DefaultShrinkBudget when 0; negative
	// does not shrink).
	ShrinkBudget time.Duration
	// Progress, when set, is called after each run and each shrinking
	// attempt, for a command to print.
	Progress func(string)
}

// RunResult is one chaos run.
type RunResult struct {
	Run      int
	Schedule Schedule
	Problems []Problem
	Took     time.Duration
}

// ChaosReport is what RunChaos found.
type ChaosReport struct {
	Seed uint64
	Runs []RunResult
	// Failure is the first failing run, shrunk; nil when every run passed
	// (or every run made before a cancelled context did).
	Failure *Shrunk
}

// RunChaos makes o.Runs seeded runs against t (its inspect and state
// hooks judge each), stops at the first that fails, and shrinks it. The
// error is the setup's: a bad target or option, a hook that does not
// answer by its protocol, a cancelled context. Cancelled, it still returns
// what it found: the runs that passed, and a failing run as shrunk so far
// (Shrunk.Interrupted).
func RunChaos(ctx context.Context, t Target, o ChaosOptions) (*ChaosReport, error) {
	if o.Runs < 1 {
		return nil, fmt.Errorf("contract: chaos runs %d: want 1 or more", o.Runs)
	}
	if o.Seed == 0 {
		o.Seed = RandomSeed()
	}
	if o.Pool == nil {
		o.Pool = ChaosPool
	}
	if o.ShrinkBudget == 0 {
		o.ShrinkBudget = DefaultShrinkBudget
	}
	x, err := newExecutor(t)
	if err != nil {
		return nil, err
	}
	x.watch = true
	if err := x.reachable(ctx); err != nil {
		return nil, err
	}
	rep := &ChaosReport{Seed: o.Seed}
	for run := 1; run <= o.Runs; run++ {
		s, err := newSchedule(o.Seed, run, o.Pool)
		if err != nil {
			return rep, err
		}
		r, err := renderSchedule(s)
		if err != nil {
			return rep, err
		}
		a, err := x.execute(ctx, s, r, idOffset(o.Seed, run, 0))
		if err != nil {
			return rep, fmt.Errorf("chaos run %d of seed %d: %w", run, o.Seed, err)
		}
		rr := RunResult{Run: run, Schedule: s, Problems: a.problems, Took: a.took}
		rep.Runs = append(rep.Runs, rr)
		if o.Progress != nil {
			o.Progress(rr.String())
		}
		if len(a.problems) == 0 {
			continue
		}
		sh, err := x.shrink(ctx, o, run, s, a.problems)
		rep.Failure = sh
		return rep, err
	}
	return rep, nil
}

// String is a run's line in a report.
func (r RunResult) String() string {
	took := roundLatency(r.Took).Round(time.Millisecond)
	if len(r.Problems) > 0 {
		return fmt.Sprintf("run %d: %s: FAILED in %s (%s): %s", r.Run, r.Schedule.Describe(), took, plural(len(r.Problems), "problem"), r.Problems[0].Text)
	}
	return fmt.Sprintf("run %d: %s: ok in %s", r.Run, r.Schedule.Describe(), took)
}

// problemLines renders problems, at most ten.
func problemLines(ps []Problem) string {
	var b strings.Builder
	for i, p := range ps {
		if i == 10 {
			fmt.Fprintf(&b, "  … and %d more\n", len(ps)-i)
			break
		}
		fmt.Fprintf(&b, "  %s\n", p.Text)
	}
	return b.String()
}
