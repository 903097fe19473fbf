package delivery

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Outcome accounts for every event of a run.
type Outcome struct {
	Target  string    // masked
	Started time.Time // start of the run, where the reported timeline begins
	Elapsed time.Duration
	// Span is the reported timeline from the start to the end of the last
	// attempt: with a virtual clock, how long the run would have taken.
	Span        time.Duration
	Seed        uint64
	Clock       string
	Policy      string
	Interrupted bool
	// Insecure reports that the target's TLS certificate was not verified
	// (TLS.Insecure): every report of the run must say so.
	Insecure bool

	// Events = Acked + Dead + Pending; Pending is 0 unless Interrupted.
	Events, Acked, Dead, Pending int
	// InFlight is the attempts still running when Run returned: always 0,
	// kept so that Check proves it.
	InFlight int
	// Retried counts the events that needed more than one attempt.
	Retried int
	// Attempts counts delivery attempts; Duplicates counts the duplicate
	// deliveries, which are not attempts. Together they are the requests
	// made.
	Attempts, Duplicates int

	// Latency quantiles over every request, duplicates included, at a
	// microsecond's resolution.
	LatencyP50, LatencyP99, LatencyMax time.Duration

	Triggers map[string]Counts // by trigger key
	Statuses map[int]int       // requests by HTTP status received
	Errors   map[ErrKind]int   // requests by error, when no status came back
	Results  []EventResult     // every event, in the order given to Run
}

// Counts is the accounting of one trigger.
type Counts struct {
	Events, Acked, Dead, Pending int
}

// EventResult is an event's final state. Message.Body is the slice given to
// Run, not a copy, so that a caller can re-deliver from the summary.
type EventResult struct {
	Message
	State       State
	Attempts    int
	Duplicates  int
	LastStatus  int
	LastErrKind ErrKind
}

func (r *run) summary() *Outcome {
	s := &Outcome{
		Target:      r.target.masked,
		Started:     r.wall,
		Elapsed:     time.Since(r.origin),
		Span:        r.lastEnd.Sub(r.wall),
		Seed:        r.seed,
		Clock:       r.cfg.clock.String(),
		Policy:      r.cfg.policy.String(),
		Interrupted: r.interrupted,
		Insecure:    r.cfg.insecure,
		Events:      len(r.states),
		InFlight:    r.inflight,
		Attempts:    r.attempts,
		Duplicates:  r.dupSent,
		LatencyP50:  time.Duration(r.hist.ValueAtQuantile(50)) * time.Microsecond,
		LatencyP99:  time.Duration(r.hist.ValueAtQuantile(99)) * time.Microsecond,
		LatencyMax:  time.Duration(r.hist.Max()) * time.Microsecond,
		Triggers:    map[string]Counts{},
		Statuses:    r.statuses,
		Errors:      r.errs,
		Results:     make([]EventResult, len(r.states)),
	}
	for i := range r.states {
		es := &r.states[i]
		s.Results[i] = EventResult{Message: *es.ev, State: es.state, Attempts: es.attempts,
			Duplicates: es.dups, LastStatus: es.lastStatus, LastErrKind: es.lastKind}
		c := s.Triggers[es.ev.TriggerKey]
		c.Events++
		switch es.state {
		case StateAcked:
			s.Acked++
			c.Acked++
		case StateDead:
			s.Dead++
			c.Dead++
		default:
			s.Pending++
			c.Pending++
		}
		s.Triggers[es.ev.TriggerKey] = c
		if es.attempts > 1 {
			s.Retried++
		}
	}
	return s
}

// Accounting is the equation every summary starts with, e.g.
// "events 40 = acked 39 + dead 1"; pending appears when the run was
// interrupted.
func (s *Outcome) Accounting() string {
	return equation(s.Events, s.Acked, s.Dead, s.Pending, s.Interrupted)
}

func equation(events, ack, dead, pending int, interrupted bool) string {
	e := fmt.Sprintf("events %d = acked %d + dead %d", events, ack, dead)
	if pending > 0 || interrupted {
		e += fmt.Sprintf(" + pending %d", pending)
	}
	if interrupted {
		e += " (interrupted)"
	}
	return e
}

// Check verifies the accounting: every event is acked, dead or (only after
// an interruption) pending, nothing is in flight, and the per-event,
// per-trigger and per-outcome counts agree with the totals.
func (s *Outcome) Check() error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if s.Acked+s.Dead+s.Pending != s.Events {
		fail("events %d != acked %d + dead %d + pending %d", s.Events, s.Acked, s.Dead, s.Pending)
	}
	if s.InFlight != 0 {
		fail("%d attempts still in flight", s.InFlight)
	}
	if s.Pending > 0 && !s.Interrupted {
		fail("%d events pending in a run that was not interrupted", s.Pending)
	}
	if len(s.Results) != s.Events {
		fail("%d event results for %d events", len(s.Results), s.Events)
	}
	var ack, dead, pending, attempts, dups, retried int
	for _, r := range s.Results {
		switch r.State {
		case StateAcked:
			ack++
		case StateDead:
			dead++
		case StatePending:
			pending++
		default:
			fail("event %d ended %q, not acked, dead or pending", r.EventID, r.State)
		}
		if r.State != StatePending && r.Attempts < 1 {
			fail("event %d is %s without an attempt", r.EventID, r.State)
		}
		if r.Attempts > 1 {
			retried++
		}
		attempts += r.Attempts
		dups += r.Duplicates
	}
	if ack != s.Acked || dead != s.Dead || pending != s.Pending {
		fail("event results say acked %d, dead %d, pending %d; totals say %d, %d, %d", ack, dead, pending, s.Acked, s.Dead, s.Pending)
	}
	if attempts != s.Attempts || dups != s.Duplicates || retried != s.Retried {
		fail("event results count %d attempts, %d duplicates, %d retried; totals say %d, %d, %d", attempts, dups, retried, s.Attempts, s.Duplicates, s.Retried)
	}
	var tc Counts
	for k, c := range s.Triggers {
		if c.Acked+c.Dead+c.Pending != c.Events {
			fail("trigger %s: %s", k, equation(c.Events, c.Acked, c.Dead, c.Pending, false))
		}
		tc.Events, tc.Acked, tc.Dead, tc.Pending = tc.Events+c.Events, tc.Acked+c.Acked, tc.Dead+c.Dead, tc.Pending+c.Pending
	}
	if tc != (Counts{s.Events, s.Acked, s.Dead, s.Pending}) {
		fail("per-trigger counts add up to %s", equation(tc.Events, tc.Acked, tc.Dead, tc.Pending, false))
	}
	var outcomes int
	for _, n := range s.Statuses {
		outcomes += n
	}
	for _, n := range s.Errors {
		outcomes += n
	}
	if outcomes != s.Attempts+s.Duplicates {
		fail("%d outcomes counted for %d attempts + %d duplicates", outcomes, s.Attempts, s.Duplicates)
	}
	return errors.Join(errs...)
}

// Select returns the events in the given states, in the order given to Run,
// all of them when no state is given: the input of a re-delivery.
func (s *Outcome) Select(states ...State) []Message {
	return selectIn(s.Results, func(r EventResult) (State, Message) { return r.State, r.Message }, states)
}

// selectIn returns the messages of items in the given states (all with
// none), in order.
func selectIn[T any](items []T, of func(T) (State, Message), states []State) []Message {
	var out []Message
	for _, it := range items {
		if st, m := of(it); len(states) == 0 || slices.Contains(states, st) {
			out = append(out, m)
		}
	}
	return out
}

// String is the human summary: the accounting equation first, then
// requests, latency, outcomes, triggers and the run's settings.
func (s *Outcome) String() string {
	var b strings.Builder
	b.WriteString(s.Accounting())
	fmt.Fprintf(&b, "\nattempts %d, retried events %d, duplicates %d", s.Attempts, s.Retried, s.Duplicates)
	fmt.Fprintf(&b, "\nlatency p50 %s, p99 %s, max %s", s.LatencyP50, s.LatencyP99, s.LatencyMax)
	if len(s.Statuses)+len(s.Errors) > 0 {
		b.WriteString("\noutcomes")
		codes := make([]int, 0, len(s.Statuses))
		for c := range s.Statuses {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		for _, c := range codes {
			fmt.Fprintf(&b, " %s:%d", strconv.Itoa(c), s.Statuses[c])
		}
		kinds := make([]ErrKind, 0, len(s.Errors))
		for k := range s.Errors {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds)
		for _, k := range kinds {
			fmt.Fprintf(&b, " %s:%d", k, s.Errors[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Triggers)) {
		c := s.Triggers[k]
		fmt.Fprintf(&b, "\n  %s: %s", k, equation(c.Events, c.Acked, c.Dead, c.Pending, false))
	}
	b.WriteString("\n")
	b.WriteString(s.Settings())
	return b.String()
}

// Settings is the one-line account of how the run was made: target, retry
// policy, clock, seed and duration (and, on a virtual clock, the span the
// run covered on its timeline).
func (s *Outcome) Settings() string {
	line := fmt.Sprintf("target %s; %s; clock %s; seed %d; took %s", s.Target, s.Policy, s.Clock, s.Seed, s.Elapsed.Round(time.Millisecond))
	if s.Clock != RealClock().String() {
		line += fmt.Sprintf(" (%s on the virtual timeline)", s.Span.Round(time.Millisecond))
	}
	return line
}

// onlyTLS reports whether no request of the run was answered and the
// failures are a TLS server's refusal (RefusedByTLS).
func (s *Outcome) onlyTLS() bool {
	return len(s.Statuses) == 0 && RefusedByTLS(s.Errors)
}

// RefusedByTLS reports whether errs, the requests of a run none of which
// was answered, by error kind, are a TLS server refusing the sender's
// settings: some failed in the handshake and the others were hung up on
// (reset, closed, cut off: the same refusal seen from another point of
// the connection). A timeout, or any other kind, is the receiver's own.
func RefusedByTLS[K ~string, N int | int64](errs map[K]N) bool {
	for k, n := range errs {
		switch ErrKind(k) {
		case KindTLS, KindReset, KindEOF, KindCutShort:
		default:
			if n > 0 {
				return false
			}
		}
	}
	return errs[K(KindTLS)] > 0
}
