package contract

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the Ginkgo DSL reads as prose only dot-imported

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// countJob is a spec that counts applications with a settle watch: the
// duplicate and retry specs, and each lifecycle scenario replay (in this
// package's comments, the counting specs; verify's output calls them by
// their groups, GroupIdempotency and GroupLifecycle). Its
// deliveries and the watch of its counts run apart from the spec itself,
// so that every selected job of the run is delivered in one batch and
// watched at once: the settle windows overlap, and a run costs one window
// instead of one per spec. The spec then judges its own part.
type countJob struct {
	group, leaf string // the spec's containers below SuiteText, and its text
	ps          []payload
	how         string // "delivered twice, ...", for the verdict
	reproduce   string
	hint        string // why a delivery that was not acknowledged matters
	// steps is how many deliveries in a row the job makes at least (its
	// longest record's, or all of them over the concurrency), to start
	// the longest jobs first.
	steps int
	// deliver makes the job's deliveries; it returns them and, when a
	// delivery the count depends on failed, why counting is moot.
	deliver func(ctx context.Context) ([]sent, string)

	// reroll replaces the job's events by fresh ones (another seed), for
	// a run whose seed was drawn at random: see runJobs.
	reroll func(j *countJob) error

	// What running it found; rerolled says what reroll did.
	rerolled string
	ran      bool
	drain    string
	err      error // the hook's, or the context's
	stale    string
	sent     []sent
	failure  string
	items    []*tracked
	took     time.Duration // from the start of its job to its end
}

func (j *countJob) name() string { return j.group + " " + j.leaf }

// idempotencyJobs are the jobs of GroupIdempotency.
func (r *run) idempotencyJobs() []*countJob {
	jobs := []*countJob{
		r.dupAfterJob(r.plan.dupAfter),
		r.dupConcurrentJob(r.plan.dupConcurrent),
		r.gaveUpJob(r.plan.gaveUp),
	}
	r.jobs = append(r.jobs, jobs...)
	return jobs
}

// oneEventJob is a GroupIdempotency job counting p, whose reroll makes
// the job again with build; note says how to repeat the deliveries by hand.
func (r *run) oneEventJob(leaf, how, note string, p payload, build func(payload) *countJob, deliver func(context.Context) ([]sent, string)) *countJob {
	return &countJob{
		group: GroupIdempotency, leaf: leaf, ps: []payload{p}, how: how, steps: 2,
		reproduce: p.reproducer(r.to) + "   (" + note + ")",
		deliver:   deliver,
		reroll:    r.rerollWith(build),
	}
}

// rerollWith makes a one-event job's reroll: the next fresh counted
// payload, at the next reroll's eventId base, made into a job by build.
func (r *run) rerollWith(build func(payload) *countJob) func(j *countJob) error {
	return func(j *countJob) error {
		ps, err := r.plan.fresh(r.nextSeed(1), 1, r.nextBase())
		if err != nil {
			return err
		}
		*j = *build(ps[0])
		return nil
	}
}

// nextSeed hands out n seeds for rerolls, past those the plan used.
func (r *run) nextSeed(n uint64) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rerollSeed == 0 {
		r.rerollSeed = countedSeed(r.t.Seed) + inspectedSpan
	}
	s := r.rerollSeed
	r.rerollSeed += n
	return s
}

// nextBase hands out the eventId base of the next reroll: another than
// the run's, so that a job whose ids an earlier run with the same base
// took (the receiver keeps its state) moves away from them.
func (r *run) nextBase() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	run := idBase(r.t.Seed, 0)
	for {
		r.rerolls++
		if b := idBase(r.t.Seed, r.rerolls); b != run {
			return b
		}
	}
}

func (r *run) dupAfterJob(p payload) *countJob {
	return r.oneEventJob(SpecDupAfter, "delivered twice, the copy after the first was acknowledged", "run it twice", p, r.dupAfterJob, func(ctx context.Context) ([]sent, string) {
		first := r.post(ctx, p, r.to, ExpectAck)
		if !first.acked() {
			return []sent{first}, "the first copy was not acknowledged:\n" + r.notAcked([]sent{first}, 1, hintCounted)
		}
		second := r.post(ctx, p, r.to, ExpectAck)
		if !second.acked() {
			return []sent{first, second}, "the duplicate was not acknowledged (a receiver must acknowledge a duplicate, and skip its work):\n" + r.notAcked([]sent{second}, 1, hintCounted)
		}
		return []sent{first, second}, ""
	})
}

func (r *run) dupConcurrentJob(p payload) *countJob {
	return r.oneEventJob(SpecDupConcurrent, "delivered twice at the same moment", "run it twice at once", p, r.dupConcurrentJob, func(ctx context.Context) ([]sent, string) {
		both := r.postTogether(ctx, []payload{p, p})
		for i, s := range both {
			if !s.acked() {
				return both, fmt.Sprintf("copy %d of 2, sent at the same time, was not acknowledged (a receiver must acknowledge a duplicate, and skip its work):\n", i+1) + r.notAcked([]sent{s}, 1, hintCounted)
			}
		}
		return both, ""
	})
}

func (r *run) gaveUpJob(p payload) *countJob {
	return r.oneEventJob(SpecGaveUp, "sent, abandoned by the sender before the answer (as a sender whose timeout is shorter than the receiver's work), and delivered again", "interrupt it, then run it again", p, r.gaveUpJob, func(ctx context.Context) ([]sent, string) {
		first := r.abandon(ctx, p, r.to)
		if first.res.Err != nil {
			return []sent{first}, first.describe("the first copy could not be sent", whyNoAnswer)
		}
		second := r.post(ctx, p, r.to, ExpectAck)
		if !second.acked() {
			return []sent{first, second}, "the redelivery was not acknowledged:\n" + r.notAcked([]sent{second}, 1, hintCounted)
		}
		return []sent{first, second}, ""
	})
}

// batchParallel is how many jobs of a batch deliver at once: every job of
// a full run (3 duplicate and retry specs, 22 scenario replays), so that
// the batch lasts as long as its longest job, not the sum of a few at a
// time: four at a time, a receiver that answers in 1.2 s kept a full run
// busy for minutes. Most jobs deliver one record's events in turn, one
// delivery in flight each; the widest deliver scenarioConcurrency records
// at once.
const batchParallel = 32

// counted runs the spec of job j: in the run's batch when j is in it (the
// first spec of the batch runs it all), alone otherwise; then judges it.
func (r *run) counted(ctx SpecContext, j *countJob) {
	GinkgoHelper()
	r.batchOnce.Do(func() {
		if batch := r.batch(); slices.Contains(batch, j) {
			r.runJobs(ctx, batch)
		}
	})
	if !j.ran {
		r.runJobs(ctx, []*countJob{j})
	}
	r.judge(ctx, j)
}

// batch lists the counting jobs that the current run of the suite selects
// (see selected).
func (r *run) batch() []*countJob {
	if r.t.Inspect == nil {
		return nil
	}
	sel := r.selected(func(i int) string { return r.jobs[i].name() }, len(r.jobs))
	var out []*countJob
	for i, j := range r.jobs {
		if sel != nil && sel[i] {
			out = append(out, j)
		}
	}
	return out
}

// selected tells which of n specs, named name(i) below SuiteText, the
// current run of the suite selects, as far as it can be told from Ginkgo's
// configuration: the focus and skip regular expressions matched as Ginkgo
// matches them. Where it cannot be told (label or file filters, an unknown
// suite description that a focus might match), it is nil, and a job runs
// alone when its spec comes: running jobs ahead only makes the run faster,
// never different.
func (r *run) selected(name func(i int) string, n int) []bool {
	sc, _ := GinkgoConfiguration()
	if sc.LabelFilter != "" || len(sc.FocusFiles) > 0 || len(sc.SkipFiles) > 0 {
		return nil
	}
	var focus, skip *regexp.Regexp
	if len(sc.FocusStrings) > 0 {
		focus = regexp.MustCompile(strings.Join(sc.FocusStrings, "|"))
	}
	if len(sc.SkipStrings) > 0 {
		skip = regexp.MustCompile(strings.Join(sc.SkipStrings, "|"))
	}
	// The containers above the specs: the team's own, then SuiteText.
	texts := CurrentSpecReport().ContainerHierarchyTexts
	i := slices.Index(texts, SuiteText)
	if i < 0 {
		return nil
	}
	prefix := strings.Join(texts[:i+1], " ")
	if r.description != "" {
		prefix = r.description + " " + prefix
	}
	out := make([]bool, n)
	for k := range n {
		text := prefix + " " + name(k)
		out[k] = (focus == nil || focus.MatchString(text)) && (skip == nil || !skip.MatchString(text))
	}
	return out
}

// runJobs runs jobs together, after one drain: each job asks the hook
// about its events before it sends any, delivers them, and watches their
// counts, all jobs at once.
func (r *run) runJobs(ctx context.Context, jobs []*countJob) {
	for _, j := range jobs {
		j.ran = true
	}
	if len(jobs) > 1 {
		r.prog.setPhase(fmt.Sprintf("the %d duplicate, retry and lifecycle specs together", len(jobs)))
		defer r.prog.setPhase("")
	}
	setErr := func(err error) {
		for _, j := range jobs {
			if j.err == nil && j.stale == "" && j.failure == "" {
				j.err = err
			}
		}
	}
	note, err := r.drain(ctx)
	if err != nil {
		setErr(err)
		return
	}
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Each job asks the hook about its events before it sends any, then
	// delivers, and is watched as soon as its own deliveries are done,
	// while the others go on: the settle windows overlap, an event's apply
	// time does not include the other jobs' deliveries, and a one-record
	// scenario does not wait for the hook to answer about the 900 events
	// of another before it starts.
	sem := make(chan struct{}, batchParallel)
	var wg sync.WaitGroup
	// The longest first: they bound the batch.
	order := slices.Clone(jobs)
	slices.SortStableFunc(order, func(a, b *countJob) int { return b.steps - a.steps })
	for _, j := range order {
		j.drain = note
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			start := time.Now()
			defer func() { j.took = time.Since(start) }()
			got, err := r.askOnce(ctx, eventsOf(j.ps), r.t.InspectTimeout)
			if err == nil {
				err = r.rerollApplied(ctx, []*countJob{j}, got)
			}
			if err != nil {
				j.err = err
				return
			}
			if j.stale = r.staleMessage(j.ps, got); j.stale != "" {
				if j.rerolled != "" {
					j.stale += j.rerolled + "\n"
				}
				return
			}
			if r.hung() {
				// The receiver answers nothing in time: the spec that
				// judges this job stops the run.
				cancel()
				return
			}
			jctx, early := r.startEarly(forSpec(dctx, j.name()))
			j.sent, j.failure = j.deliver(jctx)
			early.finish()
			if j.failure != "" || len(j.sent) == 0 {
				return
			}
			j.items = r.track(j.name(), j.ps, j.sent)
			early.merge(j.items, r.t.Settle)
			j.err = r.watch(ctx, j.items, r.t.Settle)
		})
	}
	wg.Wait()
}

// judge reports what running j found, as its spec's outcome.
func (r *run) judge(ctx context.Context, j *countJob) {
	GinkgoHelper()
	if j.drain != "" {
		AddReportEntry(EntryDrain, j.drain, ReportEntryVisibilityFailureOrVerbose)
	}
	if j.took > 0 {
		AddReportEntry(EntryRanFor, roundLatency(j.took), ReportEntryVisibilityNever)
	}
	passed := false
	if len(j.ps) == 1 {
		record(j.sent...)
	} else {
		AddReportEntry(EntryReproduce, j.reproduce, ReportEntryVisibilityNever)
		// A scenario makes hundreds of deliveries: a passing one records
		// only those that went wrong one by one, the others as answer
		// times, so that a JUnit report stays readable. A failing one
		// records them all, in the order they were answered: its failure
		// lists them, and a CI script reading the JSON report must find
		// them there too. Deferred, since a failure unwinds judge; each
		// delivery lands in one entry only, so that answer times are not
		// counted twice.
		defer func() {
			if !passed {
				record(j.sent...)
				return
			}
			var latencies []float64
			for _, s := range j.sent {
				if s.acked() {
					latencies = append(latencies, float64(s.res.Latency.Microseconds())/1000)
				} else {
					record(s)
				}
			}
			AddReportEntry(EntryLatencies, latencies, ReportEntryVisibilityNever)
		}()
	}
	r.abortIfHung()
	switch {
	case j.err != nil && errors.Is(j.err, context.Canceled):
		Fail(fmt.Sprintf("%s was interrupted: %v", j.leaf, j.err))
	case j.err != nil:
		r.failHook(j.err)
	case j.stale != "":
		failSetup(ProblemStale, j.stale)
	case j.failure != "":
		Fail(j.failure)
	case len(j.items) == 0:
		Fail(fmt.Sprintf("%s: nothing was delivered", j.leaf))
	}
	if j.rerolled != "" {
		AddReportEntry(EntryDrain, j.rerolled, ReportEntryVisibilityFailureOrVerbose)
	}
	r.verdict(ctx, j.how, j.ps, j.items, j.reproduce, hintCounted, j.sent...)
	passed = true
}

// scenarioJob is the job of one lifecycle scenario replay: delivered
// through the delivery engine, as `scenario run` does, one attempt per
// event.
func (r *run) scenarioJob(name string, sr scenarioRun) *countJob {
	j := r.buildScenarioJob(name, sr)
	r.jobs = append(r.jobs, j)
	return j
}

// buildScenarioJob is scenarioJob without the registration; its reroll
// renders the scenario again with the next seed whose eventIds the run
// does not use.
func (r *run) buildScenarioJob(name string, sr scenarioRun) *countJob {
	cmd := sr.command(name)
	ps := make([]payload, len(sr.payloads))
	byID := map[int64]payload{}
	for i, p := range sr.payloads {
		p.Command = cmd
		ps[i] = p
		byID[p.Event.EventID] = p
	}
	how, leaf := "in order", SpecScenarioInOrder
	if sr.shuffled {
		how, leaf = "shuffled", SpecScenarioShuffled
	}
	if d := sr.duplicates(); d != "" {
		how += ", " + d
	}
	hint := fmt.Sprintf("Scenario %s was delivered %s (%d events; each record's events one at a time).", name, how, len(sr.events))
	if sr.shuffled {
		hint += " Coperniq promises no order: an event may arrive before the one it follows, and must still be acknowledged."
	}
	j := &countJob{
		group: GroupLifecycle + " " + name, leaf: leaf, ps: ps, steps: sr.steps(),
		how:       fmt.Sprintf("scenario %s was delivered %s", name, how),
		reproduce: cmd + " " + r.to.targetArgs(),
		hint:      hint,
	}
	j.deliver = func(ctx context.Context) ([]sent, string) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var all []sent
		var mu sync.Mutex
		opts := []delivery.Option{
			delivery.WithPolicy(delivery.Policy{Attempts: 1, Timeout: r.t.Deadline}),
			delivery.WithSeed(sr.seed),
			delivery.WithConcurrency(scenarioConcurrency),
			delivery.WithRecordOrder(true),
			delivery.WithTLSConfig(r.t.TLS),
			delivery.WithObserver(func(a delivery.Attempt) {
				res := delivery.Result{Status: a.Status, Latency: a.Latency, ErrKind: a.ErrKind, Body: []byte(a.Response)}
				if a.Err != "" {
					res.Err = errors.New(a.Err)
				}
				now := time.Now()
				s := sent{p: byID[a.EventID], to: r.to, expect: ExpectAck, res: res, start: now.Add(-a.Latency), at: now, secrets: r.secrets, spec: specOf(ctx)}
				r.noteAnswer(s)
				if s.acked() {
					earlyFrom(ctx).acked(s.p.Event, now)
				}
				mu.Lock()
				all = append(all, s)
				mu.Unlock()
				if r.hung() {
					cancel()
				}
			}),
		}
		if sr.shuffled {
			opts = append(opts, delivery.WithReorder(len(sr.events)))
		}
		if sr.dup > 0 {
			opts = append(opts, delivery.WithDuplicate(sr.dup, sr.dupMode))
		}
		eng, err := delivery.New(r.to.t, opts...)
		if err != nil {
			return nil, fmt.Sprintf("contract: delivery engine for scenario %s: %v", name, err)
		}
		_, runErr := eng.Run(ctx, deliveryEvents(sr))
		mu.Lock()
		defer mu.Unlock()
		if runErr != nil && !r.hung() {
			return all, fmt.Sprintf("delivering scenario %s was interrupted: %v", name, runErr)
		}
		return all, r.whyNotAcked(all, hint)
	}
	j.reroll = func(j *countJob) error {
		sc, err := scenarios.LoadWithVocabulary(name, r.t.Vocabulary)
		if err != nil {
			return err
		}
		seed := r.nextSeed(scenarioSeedSpan)
		next, err := renderFresh(sc, &seed, r.plan, r.nextBase())
		if err != nil {
			return err
		}
		next.shuffled = sr.shuffled
		*j = *r.buildScenarioJob(name, next)
		return nil
	}
	return j
}

// maxRerolls bounds the seeds a job tries before its events are taken as
// stale state after all.
const maxRerolls = 20

// rerollApplied gives a job whose events the receiver already applied
// before they were sent other events, when the run's seed was drawn at
// random: another seed at another eventId base. Runs draw their eventIds
// above one of 1023 bases (idBase), so a receiver that keeps the state of
// earlier runs (a staging one) may hold some of the eventIds a run with
// the same base draws, without any stale state of this seed.
// A repeated seed is never rerolled: its events already applied are stale
// state. got gains the counts of the new events.
func (r *run) rerollApplied(ctx context.Context, jobs []*countJob, got map[int64]int) error {
	if !r.seedRandom {
		return nil
	}
	applied := func(ps []payload) int {
		n := 0
		for _, p := range ps {
			if got[p.Event.EventID] > 0 {
				n++
			}
		}
		return n
	}
	for _, j := range jobs {
		first := applied(j.ps)
		tries := 0
		for ; j.reroll != nil && tries < maxRerolls && applied(j.ps) > 0; tries++ {
			// The plan's record of the eventIds in use is shared by
			// the jobs, which reroll concurrently.
			r.rerollMu.Lock()
			err := j.reroll(j)
			r.rerollMu.Unlock()
			if err != nil {
				// No fresh events left to draw (a limit of the run,
				// not the receiver's fault): what is applied is
				// judged as stale state, a setup problem.
				j.rerolled = fmt.Sprintf("rerolling this spec's events to other eventIds stopped after %s: %v", schemas.Plural(tries, "reroll"), err)
				break
			}
			more, err := r.askOnce(ctx, eventsOf(j.ps), r.t.InspectTimeout)
			if err != nil {
				return err
			}
			maps.Copy(got, more)
		}
		if tries > 0 && applied(j.ps) == 0 && j.rerolled == "" {
			j.rerolled = fmt.Sprintf("the receiver had already applied %d of the eventIds first drawn for this spec (earlier runs' events: it keeps its state, and this run's seed was drawn at random); it counts the events of another seed and eventId base instead (%s)", first, schemas.Plural(tries, "reroll"))
		}
	}
	return nil
}
