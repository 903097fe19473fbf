package scenarios

import (
	"container/heap"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Rendered is one event of a rendered scenario, in firing order: the
// message to deliver (its identity and exact payload, overrides applied)
// and where it came from.
type Rendered struct {
	delivery.Message
	FiredAt time.Time
	// Step is the kind of step that fired the event and Line where that
	// step is in the file, for reports.
	Step string
	Line int
}

// Messages is a rendered scenario as delivery.Engine.Run takes it; bodies
// are shared.
func Messages(events []Rendered) []delivery.Message {
	out := make([]delivery.Message, len(events))
	for i, e := range events {
		out[i] = e.Message
	}
	return out
}

// RenderOption changes one Render.
type RenderOption func(*renderConfig) error

type renderConfig struct {
	params   map[string]int
	timeline *Timeline
	idOffset int64
}

// MaxEventIDOffset is the largest offset WithEventIDOffset takes: the
// eventIds of the largest rendering stay below 2^53, which a JavaScript
// receiver reads exactly.
const MaxEventIDOffset = 1<<53 - 1<<22

// WithEventIDOffset adds offset to every eventId the rendering draws, and
// changes nothing else: the same seed gives the same events with other
// eventIds. A receiver that keeps the events of earlier runs (a staging
// one) gets eventIds it has not seen from a seed whose own it has. An
// eventId a scenario file sets itself (set/merge) is left as written. An
// offset out of range fails Render with a *schemas.FieldError on
// EventIDOffset.
func WithEventIDOffset(offset int64) RenderOption {
	return func(c *renderConfig) error {
		if offset < 0 || offset > MaxEventIDOffset {
			return &schemas.FieldError{Field: "EventIDOffset", Value: fmt.Sprint(offset), Want: fmt.Sprintf("want 0 to %d", int64(MaxEventIDOffset))}
		}
		c.idOffset = offset
		return nil
	}
}

// WithParam sets a declared parameter (such as projects) for one Render.
func WithParam(name string, value int) RenderOption {
	return func(c *renderConfig) error {
		if value < 0 || value > maxRepeatCount {
			return paramError(name, "", fmt.Sprintf("parameter %s = %d must be between 0 and %d", name, value, maxRepeatCount))
		}
		c.params[name] = value
		return nil
	}
}

// Render plays the scenario in a fresh world and returns its events in
// firing order: firedAt strictly increasing, and eventIds increasing with
// it. The same seed and options give byte-identical events on any
// machine. Every payload passes the strict schema unless the file's
// overrides say otherwise.
//
// Rendering is also where a lifecycle is checked against the parameters
// given: errors are *Error values located at the step that failed, or a
// *schemas.FieldError naming a parameter it does not take.
func (s *Scenario) Render(seed uint64, opts ...RenderOption) ([]Rendered, error) {
	cfg := renderConfig{params: map[string]int{}}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	for name := range cfg.params {
		if !slices.ContainsFunc(s.Params, func(p Param) bool { return p.Name == name }) {
			var names []string
			for _, p := range s.Params {
				names = append(names, p.Name)
			}
			// The message alone: the field paramError would name after a
			// misspelt parameter ("Project: ...") is no field at all.
			e := paramError(name, "", "")
			if len(names) == 0 {
				e.Msg = fmt.Sprintf("scenario %s has no parameter %q (it declares none)", s.Name, name)
			} else {
				e.Msg = fmt.Sprintf("scenario %s has no parameter %q; it has [%s]", s.Name, name, strings.Join(names, " "))
			}
			return nil, e
		}
	}
	res, err := s.render(seed, cfg, false)
	if err != nil {
		return nil, err
	}
	return res.events, nil
}

type renderResult struct {
	events   []Rendered
	count    int
	triggers map[string]int
}

// The world is played as a discrete-event simulation. A flow is a thread
// of steps with its own clock: the top level is one, and each iteration of
// a parallel repeat is another, starting at a staggered time. The next
// step of every flow waits in a queue at the time it is due; the earliest
// runs first, so events interleave across flows the way concurrent
// projects do. A step's delay is drawn when the step before it in its
// flow has run, because it may depend on what that step did (work starts
// on the day it was scheduled for).
type flow struct {
	id      int
	clock   time.Time
	frames  []*frame
	parent  *flow
	iter    []int // iteration numbers, from the outermost repeat
	waiting int   // live children of a parallel repeat
	joined  time.Time
	pending *inst
	seq     int
}

type frame struct {
	steps []*step
	i     int
	scope *rtScope
	// for a sequential repeat's body
	rep         *step
	iter, count int
	outer       *rtScope
}

func (f *flow) top() *frame { return f.frames[len(f.frames)-1] }

// inst is one execution of a step.
type inst struct {
	st      *step
	scope   *rtScope
	iter    []int
	at      time.Time // when it is due
	clock   time.Time // its flow's clock before the delay
	emitted int
	// pre is the record a step creating one will create, drawn before
	// the step is timed (world.prepare).
	pre *generator.Record
}

type rtScope struct {
	parent *rtScope
	ents   map[string]any
}

func newRtScope(parent *rtScope) *rtScope { return &rtScope{parent: parent, ents: map[string]any{}} }

func (sc *rtScope) lookup(name string) any {
	for s := sc; s != nil; s = s.parent {
		if e, ok := s.ents[name]; ok {
			return e
		}
	}
	return nil
}

type flowQueue []*flow

func (q flowQueue) Len() int { return len(q) }
func (q flowQueue) Less(i, j int) bool {
	if a, b := q[i].pending.at, q[j].pending.at; !a.Equal(b) {
		return a.Before(b)
	}
	return q[i].seq < q[j].seq
}
func (q flowQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *flowQueue) Push(x any)   { *q = append(*q, x.(*flow)) }
func (q *flowQueue) Pop() any {
	old := *q
	f := old[len(old)-1]
	*q = old[:len(old)-1]
	return f
}

// maxSteps bounds the steps one render runs, events or not.
const maxSteps = 2 * MaxEvents

// worldStream keeps the world's random draws (delays, dates) apart from
// the generator's stream, which draws the records' own details.
const worldStream = 0x51ce_a110_0d5e_ed00

func (s *Scenario) render(seed uint64, cfg renderConfig, check bool) (*renderResult, error) {
	params := map[string]int{}
	for _, p := range s.Params {
		params[p.Name] = p.Default
	}
	for k, v := range cfg.params {
		params[k] = v
	}
	// The scenario's name is part of the seed: two scenarios run with the
	// same seed against one receiver must not send the same ids.
	seed ^= fnv64(s.Name)
	w := &world{
		sc:       s,
		g:        generator.New(seed, s.generatorOptions()...),
		rng:      rand.New(rand.NewPCG(seed, worldStream)),
		check:    check,
		triggers: map[string]int{},
		used:     map[int64]bool{},
		eventIDs: map[int64]bool{},
		tl:       cfg.timeline,
	}
	// Event ids increase through a run as a busy account's do: from a
	// seeded start, by a few at a time (other automations fire between).
	// The range is wide so that runs of different scenarios and seeds
	// rarely share an id.
	w.nextID = 40000 + w.rng.Int64N(1000000) + cfg.idOffset
	start := s.start
	if start.IsZero() {
		// 13:00 UTC: the morning across US time zones.
		start = generator.DefaultEpoch.Add(13 * hour)
	}
	w.last = start.Add(-time.Millisecond)

	r := &renderer{w: w, params: params}
	main := r.newFlow(nil, start, nil)
	main.frames = []*frame{{steps: s.steps, scope: newRtScope(nil)}}
	if err := r.advance(main); err != nil {
		return nil, err
	}
	for r.q.Len() > 0 {
		f := heap.Pop(&r.q).(*flow)
		in := f.pending
		f.pending = nil
		if r.steps++; r.steps > maxSteps {
			return nil, w.stepError(in, fmt.Errorf("the scenario runs more than %d steps", maxSteps))
		}
		w.cur = in
		if err := in.st.kind.apply(w, in); err != nil {
			return nil, w.stepError(in, err)
		}
		if w.last.Year() > 9999 {
			// RFC 3339 writes four-digit years: a later time is a payload
			// every strict receiver rejects.
			return nil, w.stepError(in, fmt.Errorf("the scenario's clock passes the end of year 9999 (%s), which RFC 3339 times cannot write; start it earlier", w.last.Format(time.RFC3339)))
		}
		if in.emitted > 0 {
			f.clock = w.last
		} else {
			f.clock = in.at
		}
		f.top().i++
		if err := r.advance(f); err != nil {
			return nil, err
		}
	}
	events := s.activation.filter(w.events, start)
	return &renderResult{events: events, count: w.count - (len(w.events) - len(events)), triggers: w.triggers}, nil
}

type renderer struct {
	w      *world
	params map[string]int
	q      flowQueue
	flows  int
	seq    int
	steps  int
}

func (r *renderer) newFlow(parent *flow, clock time.Time, iter []int) *flow {
	r.flows++
	return &flow{id: r.flows, clock: clock, parent: parent, iter: iter}
}

// advance moves f to its next runnable step and queues it, entering and
// leaving repeats on the way; a flow that ends hands its clock to the
// parallel repeat that started it.
func (r *renderer) advance(f *flow) error {
	for {
		if len(f.frames) == 0 {
			p := f.parent
			if p == nil {
				return nil
			}
			if f.clock.After(p.joined) {
				p.joined = f.clock
			}
			if p.waiting--; p.waiting > 0 {
				return nil
			}
			p.clock = p.joined
			p.top().i++
			f = p
			continue
		}
		fr := f.top()
		if fr.i >= len(fr.steps) {
			if fr.rep != nil && fr.iter+1 < fr.count {
				fr.iter++
				fr.i = 0
				fr.scope = newRtScope(fr.outer)
				continue
			}
			f.frames = f.frames[:len(f.frames)-1]
			if len(f.frames) > 0 {
				f.top().i++
			}
			continue
		}
		st := fr.steps[fr.i]
		if st.kind != nil {
			in := &inst{st: st, scope: fr.scope, iter: r.iterPath(f), clock: f.clock}
			d := st.after
			if !d.set {
				d = st.kind.delay(r.w, in)
			}
			in.at = f.clock.Add(d.draw(r.w.rng))
			// People work in the day, on weekdays, where the record is: a
			// delay left to the kind's default or given as a range lands
			// in working hours in the site's time zone; a fixed after: is
			// taken as written.
			r.w.prepare(in)
			if (!st.after.set || st.after.lo != st.after.hi) && !st.kind.auto {
				in.at = r.w.workingHours(in.at, r.w.stepLocation(in))
			}
			if st.kind.due != nil {
				in.at = laterOf(in.at, st.kind.due(r.w, in))
			}
			in.at = in.at.Truncate(time.Millisecond)
			f.pending = in
			r.seq++
			f.seq = r.seq
			heap.Push(&r.q, f)
			return nil
		}
		count := st.count
		if st.countParam != "" {
			count = r.params[st.countParam]
		}
		if st.after.set {
			f.clock = f.clock.Add(st.after.draw(r.w.rng))
		}
		if count == 0 {
			fr.i++
			continue
		}
		if !st.parallel {
			f.frames = append(f.frames, &frame{steps: st.body, scope: newRtScope(fr.scope), rep: st, count: count, outer: fr.scope})
			continue
		}
		f.waiting, f.joined = count, f.clock
		base := r.iterPath(f)
		for i := range count {
			child := r.newFlow(f, f.clock.Add(st.stagger.draw(r.w.rng)), append(slices.Clone(base), i+1))
			child.frames = []*frame{{steps: st.body, scope: newRtScope(fr.scope)}}
			if err := r.advance(child); err != nil {
				return err
			}
		}
		return nil
	}
}

// iterPath numbers the iterations f is in, for messages.
func (r *renderer) iterPath(f *flow) []int {
	out := slices.Clone(f.iter)
	for _, fr := range f.frames {
		if fr.rep != nil {
			out = append(out, fr.iter+1)
		}
	}
	return out
}

func (w *world) stepError(in *inst, err error) error {
	msg := in.st.name + ": " + err.Error()
	if len(in.iter) > 0 {
		parts := make([]string, len(in.iter))
		for i, n := range in.iter {
			parts[i] = fmt.Sprint(n)
		}
		msg += fmt.Sprintf(" (repeat iteration %s)", strings.Join(parts, "."))
	}
	return ErrorList{{File: w.sc.file, Line: in.st.pos.line, Col: in.st.pos.col, Msg: msg}}
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
