package contract

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the Ginkgo DSL reads as prose only dot-imported

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// shapeJob is a spec that sends payloads of its own and, with an inspect
// hook, counts each once: the per-trigger payload specs (realistic,
// minimal, maximal, edge), the unknown trigger and the payloads without
// record. Like the counting specs (countJob), every selected one is run
// ahead, together, when the first of them comes, a few at a time: one by
// one, a receiver that answers in 1.2 s cost two and a half minutes for
// these specs alone, since each waited for its answers in turn. The specs
// are independent (no two share an eventId), as Coperniq's deliveries are:
// it sends concurrently. Each spec then judges its own part.
type shapeJob struct {
	group, leaf string // the spec's containers below SuiteText, and its text
	ps          []payload

	// What running it found.
	ran       bool
	drain     string
	stale     string        // events found applied before they were sent (staleMessage)
	rerolled  string        // what rerolling them did, for a seed drawn at random
	beforeErr error         // asking the hook before sending
	before    map[int64]int // the counts before sending
	sent      []sent        // in the order of ps, as far as delivered
	items     []*tracked    // the events counted, each watched from its acknowledgement
	fresh     []payload     // their payloads
	watchErr  error
	took      time.Duration // from the start of its job to its end
}

func (j *shapeJob) name() string { return j.group + " " + j.leaf }

// shapeParallel is how many payload specs deliver at once. Coperniq's own
// concurrency is not published; 16 is below the burst spec's 50, and cuts
// these specs to 10 s against a receiver that answers in 1.2 s (8 at a
// time: 20 s; one by one: two and a half minutes).
const shapeParallel = 16

// shapeJob registers a payload spec's job.
func (r *run) shapeJob(group, leaf string, ps ...payload) *shapeJob {
	j := &shapeJob{group: group, leaf: leaf, ps: ps}
	r.shapes = append(r.shapes, j)
	return j
}

// shaped runs the spec of job j: with every selected payload spec when it
// is the first (see selected), alone otherwise; then judges it.
func (r *run) shaped(ctx SpecContext, j *shapeJob, hint string) {
	GinkgoHelper()
	r.shapeOnce.Do(func() {
		if sel := r.selected(func(i int) string { return r.shapes[i].name() }, len(r.shapes)); sel != nil {
			var jobs []*shapeJob
			for i, s := range r.shapes {
				if sel[i] {
					jobs = append(jobs, s)
				}
			}
			r.runShapes(ctx, jobs)
		}
	})
	if !j.ran {
		r.runShapes(ctx, []*shapeJob{j})
	}
	r.judgeShape(ctx, j, hint)
}

// runShapes runs jobs, shapeParallel at a time, after one drain: each asks
// the hook about its events, delivers them in turn and watches each from
// its own acknowledgement.
func (r *run) runShapes(ctx context.Context, jobs []*shapeJob) {
	for _, j := range jobs {
		j.ran = true
	}
	if len(jobs) > 1 {
		r.prog.setPhase(fmt.Sprintf("the %d payload specs together, %d at a time", len(jobs), shapeParallel))
		defer r.prog.setPhase("")
	}
	note, err := "", error(nil)
	if r.t.Inspect != nil {
		note, err = r.drain(ctx)
	}
	for _, j := range jobs {
		j.drain, j.beforeErr = note, err
	}
	if err != nil {
		return
	}
	r.parallel(len(jobs), func(i int) { r.runShape(forSpec(ctx, jobs[i].name()), jobs[i]) })
}

// parallel calls f(0) to f(n-1), shapeParallel at a time, and starts no
// more once the receiver answers nothing in time: the first spec judged
// then stops the run.
func (r *run) parallel(n int, f func(i int)) {
	sem := make(chan struct{}, shapeParallel)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		if r.hung() {
			<-sem
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			f(i)
		})
	}
	wg.Wait()
}

// runShape is one job of runShapes.
func (r *run) runShape(ctx context.Context, j *shapeJob) {
	start := time.Now()
	defer func() { j.took = time.Since(start) }()
	if r.t.Inspect != nil {
		// An event already applied before it was sent (a previous run's
		// state: eventIds depend on the seed) is stale state, as in the
		// counting specs: rerolled to another eventId base for a seed
		// drawn at random, the spec not judged for a repeated seed.
		// Left out of the count, it would let a receiver that applies
		// nothing pass.
		j.before, j.beforeErr = r.askOnce(ctx, eventsOf(j.ps), r.t.InspectTimeout)
		if j.beforeErr == nil {
			j.beforeErr = r.rerollShape(ctx, j)
		}
		if j.beforeErr != nil {
			return
		}
		if j.stale = r.staleMessage(j.ps, j.before); j.stale != "" {
			return
		}
	}
	var watches sync.WaitGroup
	var mu sync.Mutex
	for _, p := range j.ps {
		if r.hung() {
			break
		}
		s := r.post(ctx, p, r.to, ExpectAck)
		j.sent = append(j.sent, s)
		if r.t.Inspect == nil || !s.acked() {
			continue
		}
		// Watched from its own acknowledgement while the next payload
		// is sent: its apply time is its own.
		it := r.track(j.name(), []payload{p}, []sent{s})
		j.items = append(j.items, it...)
		j.fresh = append(j.fresh, p)
		watches.Go(func() {
			if err := r.watch(ctx, it, -1); err != nil {
				mu.Lock()
				if j.watchErr == nil {
					j.watchErr = err
				}
				mu.Unlock()
			}
		})
	}
	watches.Wait()
}

// judgeShape reports what running j found, as its spec's outcome: every
// payload acknowledged within the deadline and, with an inspect hook, each
// event applied once. The count is not watched for a late duplicate: each
// event is sent once.
func (r *run) judgeShape(ctx context.Context, j *shapeJob, hint string) {
	GinkgoHelper()
	if j.drain != "" {
		AddReportEntry(EntryDrain, j.drain, ReportEntryVisibilityFailureOrVerbose)
	}
	if j.beforeErr != nil {
		r.failHook(j.beforeErr)
	}
	if j.took > 0 {
		AddReportEntry(EntryRanFor, roundLatency(j.took), ReportEntryVisibilityNever)
	}
	if j.rerolled != "" {
		AddReportEntry(EntryDrain, j.rerolled, ReportEntryVisibilityFailureOrVerbose)
	}
	if j.stale != "" {
		failSetup(ProblemStale, j.stale)
	}
	record(j.sent...)
	r.abortIfHung()
	if why := r.whyNotAcked(j.sent, hint); why != "" {
		Fail(why)
	}
	if r.t.Inspect == nil || len(j.items) == 0 {
		return
	}
	if j.watchErr != nil {
		r.failHook(j.watchErr)
	}
	// The reproducer is the first event's that was not applied.
	r.verdict(ctx, "was acknowledged", j.fresh, j.items, "", appliedHint(hint), j.sent...)
}

// rerollShape moves the events of j that the receiver already applied
// before they were sent to another eventId base, as rerollApplied does for
// the counting specs, when the run's seed was drawn at random; j.before
// gains the counts of the moved events. What is still applied after
// maxRerolls is stale state.
func (r *run) rerollShape(ctx context.Context, j *shapeJob) error {
	if !r.seedRandom {
		return nil
	}
	first, tries := 0, 0
	for ; tries <= maxRerolls; tries++ {
		var stale []int
		for i, p := range j.ps {
			if j.before[p.Event.EventID] > 0 {
				stale = append(stale, i)
			}
		}
		if tries == 0 {
			first = len(stale)
		}
		if len(stale) == 0 || tries == maxRerolls {
			break
		}
		r.rerollMu.Lock()
		base := r.nextBase()
		var moved []schemas.Identity
		for _, i := range stale {
			q, err := r.plan.moved(j.ps[i], base)
			if err != nil {
				r.rerollMu.Unlock()
				return err
			}
			j.ps[i] = q
			moved = append(moved, q.Event)
		}
		r.rerollMu.Unlock()
		more, err := r.askEach(ctx, moved, r.t.InspectTimeout)
		if err != nil {
			return err
		}
		maps.Copy(j.before, more)
	}
	if tries > 0 {
		j.rerolled = fmt.Sprintf("the receiver had already applied %d of the eventIds first drawn for this spec (earlier runs' events: it keeps its state, and this run's seed was drawn at random); it counts them at another eventId base instead (%s)", first, schemas.Plural(tries, "reroll"))
	}
	return nil
}
