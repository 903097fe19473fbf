package contract

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// inspectParallel bounds the questions in flight to the hook, run-wide: a
// batch of counting specs has thousands of events, and one at a time over a
// network (or one process each, for a command) would take longer than the
// receiver, while more at once would test the hook.
const inspectParallel = 16

// askError is a question to the hook that got no usable answer: the event it
// was about and why.
type askError struct {
	ev  schemas.Identity
	err error
}

func (e *askError) Error() string { return e.err.Error() }
func (e *askError) Unwrap() error { return e.err }

// hookHungError is the hook found hung by the run-wide rule (HookHungAfter
// questions in a row without an answer): the spec that finds it aborts the
// suite.
type hookHungError struct {
	msg string
	// server: the receiver's server, which serves the hook, answers
	// nothing: the receiver is hung, not only its hook.
	server bool
}

func (e *hookHungError) Error() string { return e.msg }

// settleFor is how long a count reached after took is watched for a late
// duplicate: settle when positive, none when negative, and when zero
// (adaptive) MinSettle or twice took, whichever is longer, since a
// duplicate handled by the same queue as its first copy is applied about as
// late.
func settleFor(settle, took time.Duration) time.Duration {
	switch {
	case settle > 0:
		return settle
	case settle < 0:
		return 0
	}
	return max(MinSettle, 2*took)
}

// tracked is one counted event: when it was acknowledged, when its count
// was first seen at 1, and what the watch found.
type tracked struct {
	ev   schemas.Identity
	spec string // the spec that counts it, for the end-of-run report
	// ackedAt is its first acknowledgement; lastSent the end of its last
	// delivery, from which a late duplicate is watched for.
	ackedAt, lastSent time.Time
	deadline          time.Time // ackedAt + the inspect timeout
	n                 int       // the last count
	appliedAt         time.Time // first seen at 1; zero while not
	// firstAsked is when the hook was first asked about it (and answered);
	// zeroAt when a question last found it at 0. The count is monotonic,
	// so a 0 there proves it was not applied by then, and a first count
	// seen past the deadline proves nothing about the deadline.
	firstAsked, zeroAt time.Time
	settleTo           time.Time
	done               bool
	// nextAsk is when the next question about it is due (see pollGap).
	nextAsk time.Time
	// lateAt is when the count was first seen at 1 after the deadline
	// passed (by a drain or the end-of-run question); zero while not.
	lateAt time.Time
	// suspect: its spec blamed the hook (nothing in the run was ever
	// counted), so that never applying it proves nothing of the receiver.
	suspect bool
}

// took is how long after the acknowledgement the count was first seen: an
// upper bound of how long it took to appear.
func (it *tracked) took() time.Duration { return max(0, it.appliedAt.Sub(it.ackedAt)) }

// uncertainty is by how much took may exceed the true apply time: the
// count appeared after the last question that found it at 0 was asked
// (or after the acknowledgement), and before the answer that found it.
func (it *tracked) uncertainty() time.Duration {
	return max(0, it.appliedAt.Sub(later(it.ackedAt, it.zeroAt)))
}

// The polling of an event's count: the first question at its
// acknowledgement, the next ones MinPollGap apart at first, then a quarter
// of the time since the acknowledgement, at most MaxPollGap apart. A count
// that appears soon is seen soon (the apply time is an upper bound, too
// high by at most the gap, plus the hook's answer time), and the events
// that take long, or are never applied, leave the hook to the fresh ones.
// Fixed steps from the start of a watch, 10 ms doubling to 100 ms for
// every event at once, reported 1.45 s for a receiver that applied in
// 0.51 s: a batch's events were asked about all together, in rounds as
// long as the hook took to answer them all.
const (
	MinPollGap = 10 * time.Millisecond
	MaxPollGap = 100 * time.Millisecond
)

// pollGap is the gap before the next question about an event whose
// acknowledgement was age ago.
func pollGap(age time.Duration) time.Duration { return min(max(age/4, MinPollGap), MaxPollGap) }

// asked notes a question about it answered at answered, for the next.
func (it *tracked) asked(answered time.Time) {
	it.nextAsk = answered.Add(pollGap(answered.Sub(it.ackedAt)))
}

// due is when it wants its next question, and whether it wants one.
func (it *tracked) due() (time.Time, bool) {
	switch {
	case it.done:
		return time.Time{}, false
	case it.n == 1 && !it.settleTo.IsZero():
		// The count only grows: one question once the settle window
		// has passed sees any duplicate applied in it, and the hook is
		// spared a question per gap.
		return it.settleTo, true
	}
	return it.nextAsk, true
}

// roundSize bounds the questions of one round of a watch: the next round
// waits for the slowest answer of this one, so a round about every event
// due at once (hundreds, when a scenario acknowledges faster than the hook
// answers) held back the first question about the events acknowledged
// meanwhile, and their apply times with it.
const roundSize = 2 * inspectParallel

// dueFirst keeps the roundSize items of ask whose questions are the most
// overdue: an event never asked about (due at its acknowledgement) before
// one asked about a moment ago.
func dueFirst(ask []*tracked, due func(*tracked) time.Time) []*tracked {
	if len(ask) <= roundSize {
		return ask
	}
	slices.SortFunc(ask, func(a, b *tracked) int { return due(a).Compare(due(b)) })
	return ask[:roundSize]
}

// sleepUntil sleeps until the earliest of due, at least a millisecond and
// at most MaxPollGap; false when ctx ended.
func sleepUntil(ctx context.Context, next time.Time) bool {
	return sleep(ctx, min(max(time.Until(next), time.Millisecond), MaxPollGap))
}

// lateStart reports that the hook was first asked about it only after its
// deadline: whatever that question found, it says nothing of whether the
// count appeared within the inspect timeout.
func (it *tracked) lateStart() bool { return it.firstAsked.After(it.deadline) }

// saidZero is how long after the acknowledgement a question last found
// the count at 0.
func (it *tracked) saidZero() time.Duration { return max(0, it.zeroAt.Sub(it.ackedAt)) }

// overdue reports that the count was not reached before the deadline.
func (it *tracked) overdue() bool { return it.appliedAt.IsZero() && it.n == 0 }

// ask asks the hook about ev, bounded by the inspect timeout, and keeps the
// run-wide tally of questions in a row that got no answer in time.
func (r *run) ask(ctx context.Context, ev schemas.Identity) (int, error) {
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, r.t.InspectTimeout)
	defer cancel()
	n, err := r.t.Inspect.Applied(cctx, ev)
	timedOut := err != nil && ctx.Err() == nil && errors.Is(cctx.Err(), context.DeadlineExceeded)
	if timedOut {
		// A hook served by the receiver's own server that does not
		// answer may be the server's fault, not the hook's: asked once.
		r.serverOnce.Do(func() { r.serverSilent = r.serverSilentCheck(ctx) })
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case timedOut:
		// "In a row" is one after another, as for late deliveries
		// (noteAnswer): questions asked together that time out
		// together, on a machine busy for a moment, are one
		// observation, not sixteen.
		if r.hookLate == 0 || !start.Before(r.hookLateMark) {
			r.hookLate++
			r.hookLateMark = time.Now()
		}
		if r.hookLate >= HookHungAfter {
			return 0, r.hookHungErrLocked(ev)
		}
		return 0, hookTimeout(r.t.Inspect, ev, r.t.InspectTimeout)
	case err == nil:
		r.hookLate = 0
	}
	return n, err
}

// answer is the hook's answer about one event: the count, and when it was
// asked and answered (the count held at some moment between the two).
type answer struct {
	n               int
	err             error
	asked, answered time.Time
}

// askAll asks the hook about every event, a few at a time. A hung hook
// stops it early.
func (r *run) askAll(ctx context.Context, events []schemas.Identity) []answer {
	out := make([]answer, len(events))
	r.hookOnce.Do(func() { r.hookSem = make(chan struct{}, inspectParallel) })
	sem := r.hookSem
	var wg sync.WaitGroup
	for i, ev := range events {
		sem <- struct{}{}
		if r.hookHung() {
			<-sem
			r.mu.Lock()
			out[i].err = &askError{ev: ev, err: r.hookHungErrLocked(ev)}
			r.mu.Unlock()
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			a := answer{asked: time.Now()}
			a.n, a.err = r.ask(ctx, ev)
			a.answered = time.Now()
			out[i] = a
		})
	}
	wg.Wait()
	return out
}

func (r *run) hookHung() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hookLate >= HookHungAfter
}

// serverSilentCheck says whether the inspect hook is served on the
// receiver's host and port and that server does not answer a plain GET of
// the webhook URL (any status will do) within the inspect timeout: then it
// is the receiver's server that is hung, not only its hook.
func (r *run) serverSilentCheck(ctx context.Context) bool {
	u, ok := r.t.Inspect.(*urlInspector)
	if !ok {
		return false
	}
	hook, err := hookURL(u.template)
	if err != nil {
		return false
	}
	target, err := url.Parse(r.t.URL)
	if err != nil || !strings.EqualFold(delivery.HostPort(hook), delivery.HostPort(target)) {
		return false
	}
	cctx, cancel := context.WithTimeout(ctx, r.t.InspectTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(cctx, http.MethodGet, r.to.raw, nil)
	if err != nil {
		return false
	}
	// Trusted as the deliveries are: a handshake the default client
	// refuses is not a silent server.
	resp, err := delivery.NewTLSClient(r.t.InspectTimeout, 1, r.t.TLS).Do(req)
	if err != nil {
		return ctx.Err() == nil
	}
	resp.Body.Close()
	return false
}

// hostPortOf is delivery.HostPort of a URL given as text.
func hostPortOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return delivery.HostPort(u)
}

// hookHungErrLocked is the verdict on a hung hook; r.mu is held.
func (r *run) hookHungErrLocked(ev schemas.Identity) error {
	if r.serverSilent {
		return &hookHungError{msg: fmt.Sprintf("%s %s %d questions in a row within %s (--inspect-timeout), and it is served by the receiver's own server (%s), which did not answer a plain GET of the webhook URL within %s either: the receiver's server itself does not answer, not only its hook. The remaining specs were not run: check that the receiver is up and answers (curl -i %s)",
			hookName(r.t.Inspect), AbortedHookHung, r.hookLate, r.t.InspectTimeout, hostPortOf(r.t.URL), r.t.InspectTimeout, shellQuote(r.to.shown)), server: true}
	}
	return &hookHungError{msg: fmt.Sprintf("%s %s %d questions in a row within %s (--inspect-timeout): is it hung? The receiver was not judged, and the remaining specs were not run, since each would wait for the hook too: fix the hook (%s)\n%s",
		hookName(r.t.Inspect), AbortedHookHung, r.hookLate, r.t.InspectTimeout, hookProtocol(r.t.Inspect), askYourself(r.t.Inspect, ev))}
}

// askOnce asks about every event until each has an answer: a hook that
// could not be reached is asked again until timeout. It is the check before
// sending, and the end-of-run question. The first call of the run asks the
// hook about events no run ever sends first (probeHook).
func (r *run) askOnce(ctx context.Context, events []schemas.Identity, timeout time.Duration) (map[int64]int, error) {
	r.probeOnce.Do(func() { r.probeErr = r.probeHook(ctx) })
	if r.probeErr != nil {
		return nil, r.probeErr
	}
	return r.askEach(ctx, events, timeout)
}

// probeEvents are events that no run sends: their eventIds lie in the gap
// of a base's stride above every run's payloads and renderings (see
// idBaseStride), at the lowest base and the highest.
var probeEvents = []schemas.Identity{
	{EventID: 1*idBaseStride + probeOffset, RecordID: 48291, TriggerKey: inspectedTrigger},
	{EventID: idBases*idBaseStride + probeOffset + 1, RecordID: 48292, TriggerKey: inspectedTrigger},
}

// probeOffset puts the probe events above the renderings of every run
// of the built-in scenarios (about 1.05 million above its base) and below
// the next base.
const probeOffset = 2_000_003

// probeHook asks the hook about probeEvents before the run counts anything:
// a hook that says one of them was applied does not count per event (it
// answers 1 to everything, or counts something else), and every count it
// gave would mean nothing: a receiver that drops every event would pass.
// It is the setup's failure, found before any delivery or reroll.
func (r *run) probeHook(ctx context.Context) error {
	got, err := r.askEach(ctx, probeEvents, r.t.InspectTimeout)
	var hung *hookHungError
	if err != nil && !errors.As(err, &hung) {
		// No answer by the protocol (a timeout, a 500): the questions
		// of the specs meet it too, and are judged by the usual rules,
		// spec by spec.
		return nil
	}
	if err != nil {
		return err
	}
	for _, ev := range probeEvents {
		if n := got[ev.EventID]; n > 0 {
			return &askError{ev: ev, err: &hookError{fmt.Sprintf("%s %s %d for eventId %d, an event this run never sends (asked before any delivery): it does not count the receiver's applications per eventId, so none of its counts can be trusted (a receiver that drops every event would pass). The hook must answer how many times the receiver applied that very eventId: 0 (or 404) for one it never received: fix the hook (%s)\n%s",
				hookName(r.t.Inspect), ProbeSaid, n, ev.EventID, hookProtocol(r.t.Inspect), askYourself(r.t.Inspect, ev))}}
		}
	}
	return nil
}

// ProbeSaid follows the hook's name in the failure of a hook that said an
// event the run never sends was applied (see probeHook).
const ProbeSaid = "said"

// askEach is askOnce without the probe.
func (r *run) askEach(ctx context.Context, events []schemas.Identity, timeout time.Duration) (map[int64]int, error) {
	got := map[int64]int{}
	deadline := time.Now().Add(timeout)
	pending := events
	for interval := 10 * time.Millisecond; ; interval = min(2*interval, 100*time.Millisecond) {
		as := r.askAll(ctx, pending)
		var next []schemas.Identity
		for i, ev := range pending {
			var te *transientError
			switch err := as[i].err; {
			case err == nil:
				got[ev.EventID] = as[i].n
			case ctx.Err() != nil:
				return got, ctx.Err()
			case errors.As(err, &te) && time.Now().Before(deadline):
				next = append(next, ev)
			default:
				return got, asAskError(ev, err)
			}
		}
		if len(next) == 0 {
			return got, nil
		}
		pending = next
		if !sleep(ctx, interval) {
			return got, ctx.Err()
		}
	}
}

func asAskError(ev schemas.Identity, err error) error {
	var ae *askError
	if errors.As(err, &ae) {
		return ae
	}
	return &askError{ev: ev, err: err}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// watch polls the hook until every item is done: its count reached 1 and,
// with settle watching, stayed there for its settle window (see settleFor)
// from its last delivery on, since a duplicate processed in the background
// is applied after its first copy was counted; or its count went past 1 (a
// duplicate applied); or its deadline passed without the count reaching 1.
// Items that are all watched together share the polling: a batch of specs
// costs one settle window, not one each. An error is an *askError, a hung
// hook's, or the context's.
func (r *run) watch(ctx context.Context, items []*tracked, settle time.Duration) error {
	r.prog.counting.Add(int64(len(items)))
	defer r.prog.counting.Add(-int64(len(items)))
	for {
		var ask []*tracked
		var next time.Time
		now := time.Now()
		for _, it := range items {
			due, ok := it.due()
			switch {
			case !ok:
			case !now.Before(due):
				ask = append(ask, it)
			case next.IsZero() || due.Before(next):
				next = due
			}
		}
		if len(ask) == 0 && next.IsZero() {
			return nil
		}
		if len(ask) == 0 {
			if !sleepUntil(ctx, next) {
				return ctx.Err()
			}
			continue
		}
		ask = dueFirst(ask, func(it *tracked) time.Time { due, _ := it.due(); return due })
		evs := make([]schemas.Identity, len(ask))
		for i, it := range ask {
			evs[i] = it.ev
		}
		as := r.askAll(ctx, evs)
		for i, it := range ask {
			var te *transientError
			// The count held between the question and the answer: seen
			// at 1, it was applied by the answer; seen at 0 when asked
			// past the deadline, it was not applied within it.
			a := as[i]
			now := a.answered
			switch err := a.err; {
			case err != nil && ctx.Err() != nil:
				return ctx.Err()
			case err != nil && errors.As(err, &te) && time.Now().Before(it.deadline):
				it.asked(time.Now())
				continue
			case err != nil:
				return asAskError(it.ev, err)
			}
			it.asked(now)
			n := a.n
			prev := it.n
			it.n = n
			if it.firstAsked.IsZero() {
				it.firstAsked = a.asked
			}
			if n == 0 {
				it.zeroAt = a.asked
			}
			switch {
			case n > 1:
				it.done = true
			case n == 1 && it.appliedAt.IsZero():
				it.appliedAt = now
				w := settleFor(settle, it.took())
				if w == 0 {
					it.done = true
					break
				}
				it.settleTo = later(it.lastSent, now).Add(w)
			case n == 1:
				it.done = !now.Before(it.settleTo)
			case n == 0 && prev > 0:
				// The count went back down: the hook is inconsistent,
				// which the verdict reports from the counts.
				it.done = true
			case a.asked.After(it.deadline):
				it.done = true
			}
		}
	}
}

// newTracked starts tracking ev, acknowledged at ackedAt and last delivered
// at lastSent, for spec, with deadline the inspect timeout (or timeout when
// shorter) after the acknowledgement.
func (r *run) newTracked(ev schemas.Identity, spec string, ackedAt, lastSent time.Time, timeout time.Duration) *tracked {
	return &tracked{ev: ev, spec: spec, ackedAt: ackedAt, lastSent: lastSent, deadline: ackedAt.Add(timeout)}
}

// settled records what a watch found, run-wide: apply latencies, and the
// events not applied within the inspect timeout, which the next drain and
// the end of the run ask about again. An event first asked about past its
// deadline has no apply latency worth the name (it is how late verify
// asked): it is counted in unknown instead.
func (r *run) settled(items []*tracked, suspect bool) (lat []float64, unknown int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, it := range items {
		switch {
		case !it.appliedAt.IsZero() && it.lateStart():
			unknown++
		case !it.appliedAt.IsZero():
			lat = append(lat, float64(it.took().Microseconds())/1000)
		case it.n == 0:
			it.suspect = suspect
			r.overdue = append(r.overdue, it)
		}
	}
	return lat, unknown
}

// uncertainties are the uncertainties, in ms, of the apply times settled
// reports for items.
func uncertainties(items []*tracked) []float64 {
	var out []float64
	for _, it := range items {
		if !it.appliedAt.IsZero() && !it.lateStart() {
			out = append(out, float64(it.uncertainty().Microseconds())/1000)
		}
	}
	return out
}

// drain waits, before a spec that counts, until every event of earlier
// specs that was not applied within the inspect timeout is applied, or the
// run's drain budget is spent: a receiver still applying one spec's backlog
// would otherwise fail the next spec, whose events queue behind it. What it
// did is returned for the spec's report, empty when there was nothing to
// wait for.
func (r *run) drain(ctx context.Context) (string, error) {
	// Suspect events are asked about once, not waited for: found applied,
	// the hook counts after all (the receiver was behind), and they are
	// waited for like the others.
	r.seekCount(ctx, nil, 0)
	r.mu.Lock()
	var wait []*tracked
	for _, it := range r.overdue {
		// A suspect event says nothing of a backlog: the hook may never
		// count (a wrong URL), and waiting for it would only cost time.
		if it.lateAt.IsZero() && !it.suspect {
			wait = append(wait, it)
		}
	}
	budget := r.t.DrainBudget - r.drained
	r.mu.Unlock()
	if len(wait) == 0 {
		return "", nil
	}
	if budget <= 0 {
		return fmt.Sprintf("this spec started while %s of earlier specs were still not applied: the drain budget of %s (--drain-budget) was spent, so it did not wait for them, and the receiver may still have been busy with them", nEvents(len(wait)), r.t.DrainBudget), nil
	}
	start := time.Now()
	left, err := r.pollLate(ctx, wait, budget)
	took := time.Since(start)
	r.mu.Lock()
	r.drained += took
	r.mu.Unlock()
	if err != nil {
		return "", err
	}
	if left == 0 {
		return fmt.Sprintf("before this spec, waited %s for %s of earlier specs that were not applied within the inspect timeout: all were applied then", roundLatency(took), nEvents(len(wait))), nil
	}
	return fmt.Sprintf("before this spec, waited %s (the rest of the drain budget, --drain-budget %s) for %s of earlier specs that were not applied within the inspect timeout; %d still were not, and the receiver may still have been busy with them", roundLatency(took), r.t.DrainBudget, nEvents(len(wait)), left), nil
}

// seekCount looks for evidence that the hook counts, before a check that
// found nothing applied blames it while nothing of the run ever was: the
// events of the run's payload and counting specs seen applied by their
// watches, then an answer of 1 or more about own (the check's events) or
// the oldest of the run's other events not seen applied (earlier specs'
// overdue ones, suspect ones too, and those of jobs run ahead: a receiver
// far behind applies the oldest first), asked about once, or, with
// wait, again until one is applied or wait passes (the drain budget pays
// for it). Found, the run's anyApplied is set and no overdue event is
// suspect any more: the receiver was behind, and its hook was right.
func (r *run) seekCount(ctx context.Context, own []*tracked, wait time.Duration) bool {
	r.mu.Lock()
	found := r.anyApplied
	var older []*tracked
	for _, it := range r.overdue {
		if it.lateAt.IsZero() {
			older = append(older, it)
		}
	}
	r.mu.Unlock()
	if found {
		return true
	}
	// The watches of jobs run ahead are over by the time any is judged;
	// the events they did not see counted are asked about with the
	// overdue ones.
	var watched []*tracked
	for _, j := range r.shapes {
		watched = append(watched, j.items...)
	}
	for _, j := range r.jobs {
		watched = append(watched, j.items...)
	}
	for _, it := range watched {
		switch {
		case it.counted():
			found = true
		case !slices.Contains(own, it):
			older = append(older, it)
		}
	}
	if !found && (len(own) > 0 || len(older) > 0) && !r.hookHung() {
		slices.SortFunc(older, func(a, b *tracked) int { return a.ackedAt.Compare(b.ackedAt) })
		evs := make([]schemas.Identity, 0, len(own)+roundSize)
		for _, it := range own {
			evs = append(evs, it.ev)
		}
		for _, it := range older {
			if len(evs) == len(own)+roundSize {
				break
			}
			if !slices.ContainsFunc(evs, func(ev schemas.Identity) bool { return ev.EventID == it.ev.EventID }) {
				evs = append(evs, it.ev)
			}
		}
		start := time.Now()
		for interval := 20 * time.Millisecond; ; interval = min(2*interval, 200*time.Millisecond) {
			as := r.askAll(ctx, evs)
			found = slices.ContainsFunc(as, func(a answer) bool { return a.err == nil && a.n > 0 })
			if found || wait <= 0 || time.Since(start)+interval > wait || !sleep(ctx, interval) {
				break
			}
		}
		if wait > 0 {
			r.mu.Lock()
			r.drained += time.Since(start)
			r.mu.Unlock()
		}
	}
	if !found {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.anyApplied = true
	for _, it := range r.overdue {
		it.suspect = false
	}
	return true
}

// counted reports whether the hook was seen counting it, in time or not.
func (it *tracked) counted() bool { return it.n > 0 || !it.appliedAt.IsZero() || !it.lateAt.IsZero() }

// pollLate asks about overdue events until each is applied or budget passes,
// noting when each was first seen applied; it returns how many were not.
func (r *run) pollLate(ctx context.Context, wait []*tracked, budget time.Duration) (int, error) {
	end := time.Now().Add(budget)
	for interval := 20 * time.Millisecond; ; interval = min(2*interval, 200*time.Millisecond) {
		evs := make([]schemas.Identity, 0, len(wait))
		for _, it := range wait {
			evs = append(evs, it.ev)
		}
		as := r.askAll(ctx, evs)
		var next []*tracked
		for i, it := range wait {
			var te *transientError
			now := as[i].answered
			switch err := as[i].err; {
			case err != nil && ctx.Err() != nil:
				return len(wait), ctx.Err()
			case err != nil && errors.As(err, &te):
				next = append(next, it)
			case err != nil:
				return len(wait), asAskError(it.ev, err)
			case as[i].n > 0:
				r.mu.Lock()
				it.lateAt, it.n = now, as[i].n
				// The hook does count: a check that finds nothing is the
				// receiver's failure again.
				r.anyApplied = true
				r.mu.Unlock()
			default:
				r.mu.Lock()
				it.zeroAt = as[i].asked
				r.mu.Unlock()
				next = append(next, it)
			}
		}
		wait = next
		if len(wait) == 0 || !time.Now().Add(interval).Before(end) {
			return len(wait), nil
		}
		if !sleep(ctx, interval) {
			return len(wait), ctx.Err()
		}
	}
}

// LateApplication is what the end of the run found about an event that was
// not applied within the inspect timeout (the spec that counted it failed
// for it): found applied when asked again, still not applied while the
// receiver went on applying the others (far behind), or lost.
type LateApplication struct {
	Spec       string `json:"spec"` // the spec that counted it, below SuiteText
	EventID    int64  `json:"eventId"`
	RecordID   int64  `json:"recordId"`
	TriggerKey string `json:"triggerKey"`
	// AppliedAfterMS is how long after its acknowledgement a question
	// found its count at 1 or more: when it was found on asking again,
	// not when it was applied; 0 when it never was.
	AppliedAfterMS float64 `json:"appliedAfterMs,omitempty"`
	// NotAppliedAfterMS is how long after its acknowledgement the last
	// question that found it not applied was asked; 0 when it was applied.
	NotAppliedAfterMS float64 `json:"notAppliedAfterMs,omitempty"`
	// NotWithinMS is the inspect timeout it was not applied within.
	NotWithinMS float64 `json:"notWithinMs,omitempty"`
	// FarBehind: still not applied when the drain budget ran out, while
	// the receiver was still applying the others (OthersApplied of them
	// in the last WindowMS): not known lost. Without it, a not-applied
	// event is lost: the receiver applied none of those still pending
	// for a whole window.
	FarBehind     bool    `json:"farBehind,omitempty"`
	OthersApplied int     `json:"othersApplied,omitempty"`
	WindowMS      float64 `json:"windowMs,omitempty"`
	// LagMS, with FarBehind and no OthersApplied, is the slowest lag seen
	// of the events found applied late, which this one had not reached
	// when the drain budget ran out: a receiver that applies each event a
	// while after it arrives leaves gaps with nothing applied.
	LagMS float64 `json:"lagMs,omitempty"`
}

// String says what became of the event, in the words of the verdict.
func (l LateApplication) String() string {
	ev := schemas.Identity{EventID: l.EventID, RecordID: l.RecordID, TriggerKey: l.TriggerKey}
	switch {
	case l.AppliedAfterMS > 0:
		return fmt.Sprintf("%s (%s) was %s %s after it was acknowledged (not applied within %s, --inspect-timeout)", eventName(ev), l.Spec, FoundApplied, roundLatency(ms(l.AppliedAfterMS)), roundLatency(ms(l.NotWithinMS)))
	case l.FarBehind && l.OthersApplied == 0:
		return fmt.Sprintf("%s (%s) was still not applied %s after it was acknowledged, less than the others found applied late took (up to %s) when the drain budget (--drain-budget) ran out: far behind, not known lost", eventName(ev), l.Spec, roundLatency(ms(l.NotAppliedAfterMS)), roundLatency(ms(l.LagMS)))
	case l.FarBehind:
		return fmt.Sprintf("%s (%s) was still not applied %s after it was acknowledged; the receiver was still applying the others (%d in the last %s) when the drain budget (--drain-budget) ran out: far behind, not known lost", eventName(ev), l.Spec, roundLatency(ms(l.NotAppliedAfterMS)), l.OthersApplied, roundLatency(ms(l.WindowMS)))
	}
	return fmt.Sprintf("%s (%s) was never applied: still not applied %s after it was acknowledged, and the receiver applied none of the events still pending in the last %s (it stopped applying them). Coperniq got its 2xx and will not send it again: this event is lost", eventName(ev), l.Spec, roundLatency(ms(l.NotAppliedAfterMS)), roundLatency(ms(l.WindowMS)))
}

// FoundApplied is how a LateApplication says an event was applied after
// the inspect timeout: found so when asked again, which bounds when it was
// applied from above only.
const FoundApplied = "found applied when asked again"

// LateApplications is the end-of-run report entry (EntryLate): one line
// per event on the console.
type LateApplications []LateApplication

func (ls LateApplications) String() string {
	var b strings.Builder
	b.WriteString("not applied within the inspect timeout, asked again at the end of the run:")
	for _, l := range ls {
		b.WriteString("\n  ")
		b.WriteString(l.String())
	}
	return b.String()
}

// LateAdvice is the end-of-run line about a receiver that applies slowly:
// when events were not applied within the inspect timeout and none is
// known lost, how many, the slowest lag, and the --inspect-timeout that
// would have covered it. "" when there were none, or some were lost (a
// longer timeout would not pass the receiver).
func (ls LateApplications) LateAdvice() string {
	var found, behind int
	var slowest, slowestWithin, waited, within time.Duration
	for _, l := range ls {
		within = max(within, ms(l.NotWithinMS))
		switch {
		case l.AppliedAfterMS > 0:
			found++
			if ms(l.AppliedAfterMS) > slowest {
				slowest, slowestWithin = ms(l.AppliedAfterMS), ms(l.NotWithinMS)
			}
		case l.FarBehind:
			behind++
			waited = max(waited, ms(l.NotAppliedAfterMS))
		default:
			return ""
		}
	}
	if found+behind == 0 {
		return ""
	}
	if behind == 0 {
		// Asked again only at the end of the run, the slowest may have
		// been applied long before it was found: say the bracket.
		bound := "an upper bound"
		if slowestWithin > 0 && slowest > 2*slowestWithin {
			bound = fmt.Sprintf("its lag is between %s, the timeout it was not applied within, and that: it was not asked in between", roundLatency(slowestWithin))
		}
		were := "were"
		if found == 1 {
			were = "was"
		}
		return fmt.Sprintf("%s %s applied later than --inspect-timeout %s and none was lost: the slowest was found applied %s after its acknowledgement (when asked again: %s). The receiver is late, not losing events: rerun with --inspect-timeout %s to judge it by outcome, if that lag is acceptable (a longer timeout costs a receiver that passes nothing: each question ends once its answer is right)",
			nEvents(found), were, roundLatency(within), roundLatency(slowest), bound, coveringTimeout(slowest))
	}
	return fmt.Sprintf("%s were not applied within --inspect-timeout %s and none is known lost: %d were found applied later (the slowest %s after its acknowledgement), %d were still being worked through, far behind, %s after theirs. The receiver is late, not known to lose events: rerun with --inspect-timeout %s or more, and a --drain-budget long enough for its backlog, to judge it by outcome, if that lag is acceptable",
		nEvents(found+behind), roundLatency(within), found, roundLatency(slowest), behind, roundLatency(waited), coveringTimeout(max(slowest, waited)))
}

// coveringTimeout is an inspect timeout that covers lag with a margin of a
// quarter, rounded up to a figure a user types: whole seconds below 10s,
// 5s steps below a minute, 30s steps below 10m, whole minutes above.
func coveringTimeout(lag time.Duration) string {
	d := lag + lag/4
	step := time.Second
	switch {
	case d >= 10*time.Minute:
		step = time.Minute
	case d >= time.Minute:
		step = 30 * time.Second
	case d >= 10*time.Second:
		step = 5 * time.Second
	}
	d = (d + step - 1) / step * step
	if d%time.Minute == 0 {
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

func ms(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

// finish asks once more, at the end of the run, about every event that was
// not applied within the inspect timeout, for what is left of the drain
// budget (or once when it is spent), and says what became of each.
func (r *run) finish(ctx context.Context) ([]LateApplication, error) {
	r.mu.Lock()
	overdue := append([]*tracked(nil), r.overdue...)
	budget := r.t.DrainBudget - r.drained
	r.mu.Unlock()
	if len(overdue) == 0 {
		return nil, nil
	}
	var wait []*tracked
	suspects := 0
	for _, it := range overdue {
		if it.lateAt.IsZero() {
			wait = append(wait, it)
			if it.suspect {
				suspects++
			}
		}
	}
	var behind drainProgress
	if len(wait) > 0 && !r.hookHung() {
		counts := false
		if suspects == len(wait) {
			// Only events of specs that blamed a hook, nothing of the
			// run ever counted: a receiver whose queue is behind the
			// whole run (an earlier backlog) has applied nothing yet, as
			// a hook at a wrong URL says. What is left of the drain
			// budget waits for any of the run's events to be counted:
			// one is, and the hook was right.
			start := time.Now()
			counts = r.seekCount(ctx, nil, max(budget, 0))
			budget -= time.Since(start)
			if !counts {
				// Asked once more, not waited for.
				if _, err := r.pollLate(ctx, wait, 0); err != nil {
					return nil, err
				}
			}
		}
		if suspects < len(wait) || counts {
			var err error
			if behind, err = r.drainWhileApplying(ctx, wait, max(budget, 0)); err != nil {
				return nil, err
			}
		}
	}
	r.mu.Lock()
	anyApplied := r.anyApplied
	r.mu.Unlock()
	out := make([]LateApplication, 0, len(overdue))
	for _, it := range overdue {
		if it.suspect && it.lateAt.IsZero() && !anyApplied {
			// The hook was blamed and nothing ever counted: no verdict
			// on the receiver.
			continue
		}
		l := LateApplication{Spec: it.spec, EventID: it.ev.EventID, RecordID: it.ev.RecordID, TriggerKey: it.ev.TriggerKey,
			NotWithinMS: float64(it.deadline.Sub(it.ackedAt).Microseconds()) / 1000}
		if !it.lateAt.IsZero() {
			l.AppliedAfterMS = float64(it.lateAt.Sub(it.ackedAt).Microseconds()) / 1000
		} else {
			l.NotAppliedAfterMS = float64(it.saidZero().Microseconds()) / 1000
			// The slowest lag of the others excuses only an event younger
			// than it: one pending longer than any was applied late is lost.
			withinLag := behind.applied == 0 && behind.lag > 0 && it.saidZero() < behind.lag
			l.FarBehind, l.OthersApplied = behind.applied > 0 || withinLag, behind.applied
			l.WindowMS = float64(behind.window.Microseconds()) / 1000
			if withinLag {
				l.LagMS = float64(behind.lag.Microseconds()) / 1000
			}
		}
		out = append(out, l)
	}
	return out, nil
}

// drainProgress is what the last window of drainWhileApplying saw: applied of
// the pending events were applied within window.
type drainProgress struct {
	applied int
	window  time.Duration
	// lag, when the window saw none applied, is the slowest lag seen of
	// the events found applied late, when some event still pending was
	// younger than it: not applied yet is then no sign of a stop.
	lag time.Duration
}

// drainWhileApplying asks about the events of wait, window after window
// (the inspect timeout each), as long as the receiver applies some of them
// in each, for budget in all, but one window at least: a receiver far
// behind is told from one that stopped. It returns the last window's
// progress: none means the events still pending are lost.
func (r *run) drainWhileApplying(ctx context.Context, wait []*tracked, budget time.Duration) (drainProgress, error) {
	window := r.t.InspectTimeout
	end := time.Now().Add(max(budget, window))
	var last drainProgress
	for len(wait) > 0 {
		start := time.Now()
		// Only whole windows: a short one that saw nothing applied
		// would call lost what is only far behind.
		if last.window > 0 && end.Sub(start) < window {
			break
		}
		if _, err := r.pollLate(ctx, wait, window); err != nil {
			return last, err
		}
		var next []*tracked
		r.mu.Lock()
		for _, it := range wait {
			if it.lateAt.IsZero() {
				next = append(next, it)
			}
		}
		r.mu.Unlock()
		last = drainProgress{applied: len(wait) - len(next), window: time.Since(start)}
		wait = next
		if last.applied == 0 {
			// A receiver that applies each event a while after it
			// arrives applies nothing between the runs of events it
			// got: an event younger than the slowest lag seen is not
			// lost yet.
			if last.lag = r.lagAhead(wait); last.lag == 0 {
				break
			}
		}
	}
	return last, nil
}

// lagAhead is the slowest lag, from acknowledgement to count, of the
// run's events found applied late, when an event of wait is younger than
// it; 0 when none is.
func (r *run) lagAhead(wait []*tracked) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	var lag time.Duration
	for _, it := range r.overdue {
		if !it.lateAt.IsZero() {
			lag = max(lag, it.lateAt.Sub(it.ackedAt))
		}
	}
	for _, it := range wait {
		if time.Since(it.ackedAt) < lag {
			return lag
		}
	}
	return 0
}

// nEvents counts events in words.
func nEvents(n int) string {
	if n == 1 {
		return "1 event"
	}
	return fmt.Sprintf("%d events", n)
}
