package contract

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the Ginkgo DSL reads as prose only dot-imported

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// SuiteText is the top container of the specs; Summarize finds them by it.
const SuiteText = "Coperniq receiver"

// The groups below SuiteText besides one per trigger family (named
// FamilyText(family)).
const (
	GroupDelivery    = "every delivery"
	GroupToken       = "token in the URL"
	GroupIdempotency = "duplicates and retries"
	GroupLifecycle   = "lifecycle scenarios"
)

// FamilyText is the container of a trigger family's specs.
func FamilyText(f schemas.Family) string { return string(f) + " triggers" }

// The spec names (leaf texts), so that a CI job can --focus or --skip them
// and a test can tell which one failed. The per-trigger ones sit below the
// family and trigger key: "Coperniq receiver work order triggers
// TASK_CREATED acknowledges its realistic payload with a 2xx".
const (
	SpecRealistic        = "acknowledges its realistic payload with a 2xx"
	SpecMinimal          = "acknowledges its minimal payload (nullable fields null) with a 2xx"
	SpecMaximal          = "acknowledges its maximal payload, unknown extra fields included, with a 2xx"
	SpecEdge             = "acknowledges its edge payloads (ids up to 2^53-1, unicode, long strings, firedAt with and without milliseconds, unseen statuses) with a 2xx"
	SpecUnknownTrigger   = "acknowledges an unknown future triggerKey with a 2xx"
	SpecDeadline         = "answers every delivery within the deadline"
	SpecRedirect         = "does not acknowledge with a redirect"
	SpecTokenMissing     = "rejects a delivery without the token"
	SpecTokenWrong       = "rejects a delivery with a wrong token"
	SpecTokenRight       = "acknowledges a delivery with the right token"
	SpecDupAfter         = "applies a duplicate delivery once when the copy arrives after the first was acknowledged"
	SpecDupConcurrent    = "applies a duplicate delivery once when the copy arrives concurrently with the first"
	SpecGaveUp           = "applies an event once when the sender gave up waiting and delivered it again"
	SpecScenarioInOrder  = "applies every event exactly once, delivered in order"
	SpecScenarioShuffled = "applies every event exactly once, delivered shuffled"
)

// SpecBurst is the burst spec's name for a burst of n.
func SpecBurst(n int) string {
	return fmt.Sprintf("acknowledges a burst of %d concurrent deliveries", n)
}

// Skip reasons: a spec that cannot run is skipped with one of these, never
// passed.
const (
	SkipNoInspect   = "needs an inspect hook to count applications: verify --inspect URL or --inspect-cmd CMD (Target.Inspect in Go)"
	SkipNoToken     = "needs the receiver's token: verify --token-param NAME=VALUE (Target.TokenParam in Go)"
	SkipNoScenarios = "lifecycle scenarios not available in this build"
)

// Why each kind of failure matters, printed under its headline.
const (
	whyNotAcked = "Coperniq retries every answer that is not a 2xx, so this event would come back again and again instead of being processed."
	whyTimeout  = "Coperniq gives up waiting and delivers the event again. Acknowledge first, then do the work (a queue, a background job)."
	whyNoAnswer = "A delivery without an answer has failed, and Coperniq retries it."
	whyRedirect = "Coperniq does not follow redirects: a 3xx is a failed delivery, retried until Coperniq gives up. Configure the final URL (https, trailing slash) in Coperniq, or answer 2xx at this one."
	hintMinimal = "Every nullable field of this payload is null (record.stage, address, geoLocation, jurisdiction, trades, dealValue, ...): Coperniq sends null for whatever is not filled in."
	hintMaximal = "This payload carries every field, plus properties Coperniq does not document: Coperniq may add fields at any time, so read the ones you need and ignore the rest."
	hintEdge    = "Edge payloads carry ids up to 2^53-1 (past 32-bit integers), unicode and emoji, 2 KB titles, firedAt without milliseconds and statuses outside the published set."
	hintUnknown = "Coperniq adds triggers without notice. A 4xx to a trigger you do not handle makes Coperniq retry it forever: acknowledge it with a 2xx and ignore it."
	hintCounted = "Coperniq may deliver an event more than once; a receiver must apply it once (keep the eventIds it has applied, or make the work idempotent)."
)

// Setup problems: a spec that failed because of how the suite was set up,
// not because of the receiver's handling of a delivery, carries a report
// entry named EntryProblem whose value says which problem (Summarize
// collects them; the CLI exits 2 when every failure is one).
const (
	EntryProblem = "setup problem"
	// ProblemHook: the inspect hook did not answer by the protocol.
	ProblemHook = "inspect hook"
	// ProblemStale: an event was counted as applied before it was sent,
	// from a previous run's state or a hook that does not count.
	ProblemStale = "stale state"
)

// run is one registration of the specs: the target, its payloads and the
// client every delivery goes through.
type run struct {
	// mu guards the tallies below, kept across specs.
	mu sync.Mutex
	// anyApplied: some count check found an event applied; zeroChecks:
	// how many found none of theirs applied (see expectApplied).
	anyApplied bool
	zeroChecks int
	// timeouts counts the deliveries in a row that got no answer within
	// the deadline (see hungAfter).
	timeouts int

	t      Target
	err    error // a bad Target: every spec fails with it
	plan   *plan
	client *http.Client

	url, shown      string // the delivery URL (token set) and its masked form
	secrets         []string
	tokName, tokVal string
	scenarios       []scenarioPlan
	scenarioSkipWhy string
	scenarioErr     error // fails the lifecycle specs only
}

func newRun(t Target) *run {
	r := &run{}
	r.t, r.err = t.withDefaults()
	if r.err != nil {
		return r
	}
	r.url = r.t.URL
	if r.t.TokenParam != "" {
		r.tokName, r.tokVal, _ = ParseTokenParam(r.t.TokenParam)
		r.url = withQuery(r.t.URL, r.tokName, r.tokVal, false)
	}
	r.shown = delivery.MaskURL(r.url)
	r.secrets = secretsOf(r.url, r.tokVal)
	r.client = delivery.NewClient(r.t.Deadline, max(r.t.Burst, 4))
	if r.plan, r.err = newPlan(r.t); r.err != nil {
		return r
	}
	r.scenarios, r.scenarioSkipWhy, r.scenarioErr = planScenarios(r.t, r.plan)
	return r
}

// DescribeReceiver registers the contract specs for target in the calling
// Ginkgo suite, in one container named SuiteText, and returns true so that
// it can be called as `var _ = contract.DescribeReceiver(...)`. Specs that
// need what target lacks (an inspect hook, a token) are skipped with the
// reason. A bad target fails every spec with the reason rather than panicking
// while the tree is built.
//
// The specs are independent of each other and of their order; they share
// the receiver, whose state they never reset (see the package doc).
func DescribeReceiver(target Target) bool {
	r := newRun(target)
	return Describe(SuiteText, func() {
		BeforeEach(func() {
			if r.err != nil {
				Fail(r.err.Error())
			}
			r.abortIfHung()
		})
		for _, fam := range schemas.Families() {
			table := []any{func(key string) {
				It(SpecRealistic, func(ctx SpecContext) { r.ackApplied(ctx, "", r.plan.realistic[key]) })
				It(SpecMinimal, func(ctx SpecContext) { r.ackApplied(ctx, hintMinimal, r.plan.minimal[key]) })
				It(SpecMaximal, func(ctx SpecContext) { r.ackApplied(ctx, hintMaximal, r.plan.maximal[key]) })
				It(SpecEdge, func(ctx SpecContext) { r.ackApplied(ctx, hintEdge, r.plan.edge[key]...) })
			}}
			for _, tr := range schemas.Triggers() {
				if tr.Family == fam {
					table = append(table, Entry(tr.Key, tr.Key))
				}
			}
			DescribeTableSubtree(FamilyText(fam), table...)
		}
		Describe(GroupDelivery, func() {
			It(SpecUnknownTrigger, func(ctx SpecContext) { r.ackApplied(ctx, hintUnknown, r.plan.unknown) })
			It(SpecDeadline, r.specDeadline)
			It(SpecBurst(r.t.Burst), r.specBurst)
			It(SpecRedirect, r.specRedirect)
		})
		Describe(GroupToken, func() {
			BeforeEach(func() {
				if r.tokName == "" {
					Skip(SkipNoToken)
				}
			})
			It(SpecTokenMissing, func(ctx SpecContext) {
				u := withQuery(r.t.URL, r.tokName, "", true)
				r.reject(ctx, r.post(ctx, r.plan.tokenMissing, u, delivery.MaskURL(u), ExpectReject), "without the "+r.tokName+" parameter")
			})
			It(SpecTokenWrong, func(ctx SpecContext) {
				wrong := "coperniq-mock-wrong-token"
				if wrong == r.tokVal {
					wrong += "-2"
				}
				u := withQuery(r.t.URL, r.tokName, wrong, false)
				// The wrong value is no secret: show it, so the reproducer
				// sends the same request.
				shown := withQuery(delivery.MaskURL(withQuery(r.t.URL, r.tokName, "", true)), r.tokName, wrong, false)
				r.reject(ctx, r.post(ctx, r.plan.tokenWrong, u, shown, ExpectReject), fmt.Sprintf("with %s=%s", r.tokName, wrong))
			})
			It(SpecTokenRight, func(ctx SpecContext) { r.ackAll(ctx, "", r.plan.tokenRight) })
		})
		Describe(GroupIdempotency, func() {
			BeforeEach(func() {
				if r.t.Inspect == nil {
					Skip(SkipNoInspect)
				}
			})
			It(SpecDupAfter, r.specDupAfter)
			It(SpecDupConcurrent, r.specDupConcurrent)
			It(SpecGaveUp, r.specGaveUp)
		})
		r.describeScenarios()
		r.describeStates() // final-state specs: statespecs.go
	})
}

// record attaches each delivery to the spec's report.
func record(ss ...sent) {
	for _, s := range ss {
		AddReportEntry(EntryDelivery, s.record(), ReportEntryVisibilityNever)
	}
}

// ackAll delivers each payload in turn and fails unless every one was
// acknowledged within the deadline.
func (r *run) ackAll(ctx context.Context, hint string, ps ...payload) []sent {
	GinkgoHelper()
	var all, failed []sent
	for _, p := range ps {
		s := r.post(ctx, p, r.url, r.shown, ExpectAck)
		all = append(all, s)
		if !s.acked() {
			failed = append(failed, s)
		}
		if r.hung() {
			record(all...)
			r.abortIfHung()
		}
	}
	record(all...)
	if len(failed) > 0 {
		Fail(r.notAcked(failed, len(all), hint))
	}
	return all
}

// ackApplied is ackAll, then, with an inspect hook, the check that the
// receiver applied each event once: a receiver that acknowledges first and
// drops the event in its worker (a null it did not expect, a field it does
// not know) loses it as surely as one that answers 500, and Coperniq never
// sends it again. An event the receiver decides to ignore (an unknown
// trigger) counts as applied once, by the inspect protocol. The count is not
// watched for a late duplicate: each event is sent once.
func (r *run) ackApplied(ctx context.Context, hint string, ps ...payload) {
	GinkgoHelper()
	if r.t.Inspect == nil {
		r.ackAll(ctx, hint, ps...)
		return
	}
	// Unlike the specs that exist to count, an event already applied
	// before it was sent (a previous run's state: eventIds depend on the
	// seed) is not a setup failure here: its count would mean nothing, so
	// it is left out, and the answer is checked all the same.
	before, err := awaitApplied(ctx, r.t.Inspect, eventsOf(ps), 0, r.t.InspectTimeout, -1)
	if err != nil {
		r.failHook(err)
	}
	all := r.ackAll(ctx, hint, ps...)
	var fresh []payload
	for _, p := range ps {
		if before.got[p.Event.ID] == 0 {
			fresh = append(fresh, p)
		}
	}
	if len(fresh) == 0 {
		return
	}
	// The reproducer is the first event's that was not applied.
	r.expectApplied(ctx, "was acknowledged", fresh, "", -1, appliedHint(hint), all...)
}

// appliedHint is why an acknowledged event that was not applied matters.
func appliedHint(hint string) string {
	why := "Acknowledged and not applied is an event lost: Coperniq got its 2xx and will not send it again. Whatever the receiver's worker does with it, it must end in the event being applied (or deliberately ignored, which counts as applied once)."
	if hint != "" {
		return hint + "\n" + why
	}
	return why
}

// HungAfter is how many deliveries in a row may go without an answer within
// the deadline before the suite stops: a hung receiver would otherwise make
// every remaining spec wait out the deadline, about an hour of CI at the
// default 10 s.
const HungAfter = 5

// AbortedHung starts the message of a run stopped for a hung receiver.
const AbortedHung = "the receiver answered none of the last"

func (r *run) hung() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.timeouts >= HungAfter
}

// abortIfHung stops the suite when the last HungAfter deliveries went
// unanswered: the current spec fails with the reason, the rest are not run.
func (r *run) abortIfHung() {
	GinkgoHelper()
	if r.hung() {
		AbortSuite(fmt.Sprintf("%s %d deliveries within %s: is it hung? The remaining specs were not run: each would wait out the deadline too. Check that the receiver answers at all (coperniq-mock send TASK_CREATED --to URL), then run the suite again.",
			AbortedHung, HungAfter, r.t.Deadline))
	}
}

// notAcked explains deliveries that were not acknowledged: a list when there
// are several, then the first in full.
func (r *run) notAcked(failed []sent, total int, hint string) string {
	var b strings.Builder
	if total > 1 {
		fmt.Fprintf(&b, "%d of %d deliveries were not acknowledged:\n", len(failed), total)
		for i, s := range failed {
			if i == 10 {
				fmt.Fprintf(&b, "  … and %d more\n", len(failed)-i)
				break
			}
			fmt.Fprintf(&b, "  - %s: %s\n", s.p.label(), s.outcome())
		}
		b.WriteString("\nthe first of them:\n")
	}
	s := failed[0]
	var headline, why string
	switch {
	case s.timedOut():
		headline, why = fmt.Sprintf("%s got no answer within the deadline of %s", s.p.label(), r.t.Deadline), whyTimeout
	case s.res.Err != nil:
		headline, why = fmt.Sprintf("%s got no answer: %s", s.p.label(), s.res.ErrKind), whyNoAnswer
	case s.redirected():
		headline, why = fmt.Sprintf("%s was answered with a redirect: %s", s.p.label(), s.outcome()), whyRedirect
	default:
		headline, why = fmt.Sprintf("%s was not acknowledged: %s", s.p.label(), s.outcome()), whyNotAcked
	}
	if hint != "" {
		why = hint + "\n" + why
	}
	b.WriteString(s.describe(headline, why))
	return b.String()
}

// reject fails unless s was refused: a receiver that acknowledges a delivery
// without its token accepts events from anyone who finds the URL.
func (r *run) reject(ctx context.Context, s sent, how string) {
	GinkgoHelper()
	record(s)
	if s.res.Err != nil {
		Fail(s.describe(fmt.Sprintf("a delivery %s got no answer (%s), want a 401 or 403", how, s.res.ErrKind),
			"The receiver must answer a delivery it refuses; it should refuse it quickly, before any work."))
	}
	if s.acked() {
		Fail(s.describe(fmt.Sprintf("a delivery %s was acknowledged: %s, want a 401 or 403", how, s.outcome()),
			"Coperniq signs nothing: the token in the URL is the only thing that tells its deliveries from anyone else's POST. A receiver that ignores it applies forged events."))
	}
}

func (r *run) specDeadline(ctx SpecContext) {
	var all, late []sent
	for _, key := range schemas.TriggerKeys() {
		s := r.post(ctx, r.plan.realistic[key], r.url, r.shown, ExpectInTime)
		all = append(all, s)
		if s.timedOut() || s.res.Latency > r.t.Deadline {
			late = append(late, s)
		}
		if r.hung() {
			record(all...)
			r.abortIfHung()
		}
	}
	record(all...)
	lat := make([]time.Duration, 0, len(all))
	for _, s := range all {
		lat = append(lat, s.res.Latency)
	}
	q := quantiles(lat)
	// The slow-answer warning is Summarize's, from every delivery of the
	// run: warning here too would print it twice, with two p99s.
	AddReportEntry(EntryLatency, fmt.Sprintf("%s over %s (deadline %s)", q, nDeliveries(len(all)), r.t.Deadline), ReportEntryVisibilityFailureOrVerbose)
	if len(late) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "%d of %d deliveries got no answer within the deadline of %s (%s):\n", len(late), len(all), r.t.Deadline, q)
		for _, s := range late {
			fmt.Fprintf(&b, "  - %s: %s\n", s.p.label(), s.outcome())
		}
		b.WriteString("\nthe first of them:\n")
		b.WriteString(late[0].describe(fmt.Sprintf("%s got no answer within %s", late[0].p.label(), r.t.Deadline), whyTimeout))
		Fail(b.String())
	}
}

// nDeliveries counts deliveries in words: "1 delivery", "18 deliveries".
func nDeliveries(n int) string {
	if n == 1 {
		return "1 delivery"
	}
	return fmt.Sprintf("%d deliveries", n)
}

func slowWarning(p99 time.Duration) string {
	return fmt.Sprintf("p99 answer time %s is over %s: the receiver works before acknowledging. Under a burst or a slow database it will pass Coperniq's timeout and get every event again; acknowledge first, then work.",
		roundLatency(p99), SlowAnswer)
}

func (r *run) specBurst(ctx SpecContext) {
	ps := r.plan.burst
	all := make([]sent, len(ps))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Go(func() {
			<-start
			all[i] = r.post(ctx, p, r.url, r.shown, ExpectAck)
		})
	}
	close(start)
	wg.Wait()
	record(all...)
	var failed []sent
	for _, s := range all {
		if !s.acked() {
			failed = append(failed, s)
		}
	}
	if len(failed) > 0 {
		Fail(r.notAcked(failed, len(all), fmt.Sprintf("These %d deliveries were sent at once, as when a bulk import or a workflow change fires one event per record.", len(all))))
	}
}

func (r *run) specRedirect(ctx SpecContext) {
	s := r.post(ctx, r.plan.realistic[unknownBase], r.url, r.shown, ExpectNoRedir)
	record(s)
	switch {
	case s.timedOut():
		// No answer is no evidence either way, and no pass: Coperniq
		// counts it as a failed delivery.
		Fail(s.describe(fmt.Sprintf("%s got no answer within the deadline of %s, so whether the receiver redirects is unknown", s.p.label(), r.t.Deadline), whyTimeout))
	case s.res.Err != nil:
		Fail(s.describe(fmt.Sprintf("%s got no answer (%s), so whether the receiver redirects is unknown", s.p.label(), s.res.ErrKind), whyNoAnswer))
	case s.redirected():
		Fail(s.describe(fmt.Sprintf("%s was answered with a redirect: %s", s.p.label(), s.outcome()), whyRedirect))
	}
	// Any other answer, a 404 included, is not a redirect: the specs that
	// want a 2xx catch the rest.
}

// mustAck fails at once when a delivery a counting spec depends on was not
// acknowledged: counting would explain nothing.
func (r *run) mustAck(s sent, what string) {
	GinkgoHelper()
	if !s.acked() {
		Fail(what + ":\n" + r.notAcked([]sent{s}, 1, hintCounted))
	}
}

func (r *run) specDupAfter(ctx SpecContext) {
	p := r.plan.dupAfter
	r.precheck(ctx, []payload{p})
	first := r.post(ctx, p, r.url, r.shown, ExpectAck)
	record(first)
	r.mustAck(first, "the first copy was not acknowledged")
	second := r.post(ctx, p, r.url, r.shown, ExpectAck)
	record(second)
	r.mustAck(second, "the duplicate was not acknowledged (a receiver must acknowledge a duplicate, and skip its work)")
	r.expectOnce(ctx, "delivered twice, the copy after the first was acknowledged", []payload{p}, p.reproducer(r.shown)+"   (run it twice)", first, second)
}

func (r *run) specDupConcurrent(ctx SpecContext) {
	p := r.plan.dupConcurrent
	r.precheck(ctx, []payload{p})
	var both [2]sent
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range both {
		wg.Go(func() {
			<-start
			both[i] = r.post(ctx, p, r.url, r.shown, ExpectAck)
		})
	}
	close(start)
	wg.Wait()
	record(both[:]...)
	for i, s := range both {
		r.mustAck(s, fmt.Sprintf("copy %d of 2, sent at the same time, was not acknowledged (a receiver must acknowledge a duplicate, and skip its work)", i+1))
	}
	r.expectOnce(ctx, "delivered twice at the same moment", []payload{p}, p.reproducer(r.shown)+"   (run it twice at once)", both[:]...)
}

func (r *run) specGaveUp(ctx SpecContext) {
	p := r.plan.gaveUp
	r.precheck(ctx, []payload{p})
	first := r.abandon(ctx, p, r.url, r.shown)
	record(first)
	if first.res.Err != nil {
		Fail(first.describe("the first copy could not be sent", whyNoAnswer))
	}
	second := r.post(ctx, p, r.url, r.shown, ExpectAck)
	record(second)
	r.mustAck(second, "the redelivery was not acknowledged")
	r.expectOnce(ctx, "sent, abandoned by the sender before the answer (as a sender whose timeout is shorter than the receiver's work), and delivered again", []payload{p}, p.reproducer(r.shown)+"   (interrupt it, then run it again)", first, second)
}

// eventsOf lists the events of ps.
func eventsOf(ps []payload) []Event {
	events := make([]Event, len(ps))
	for i, p := range ps {
		events[i] = p.Event
	}
	return events
}

// failSetup fails the spec for a problem of the setup, not of the receiver,
// and marks it so (see EntryProblem).
func failSetup(kind, msg string) {
	GinkgoHelper()
	AddReportEntry(EntryProblem, kind, ReportEntryVisibilityNever)
	Fail(msg)
}

// failHook fails the spec because the inspect hook gave no usable answer.
func (r *run) failHook(err error) {
	GinkgoHelper()
	var ae *askError
	if !errors.As(err, &ae) {
		// The spec was interrupted or timed out: not the hook's fault.
		Fail(fmt.Sprintf("asking the inspect hook: %v", err))
	}
	msg := ae.err.Error()
	var he *hookError
	if !errors.As(ae.err, &he) {
		// An InspectFunc of a Go suite: its error is the team's own.
		msg = fmt.Sprintf("the inspect hook (Target.Inspect) failed for %s: %v: fix the hook (see the inspect protocol in the contract package doc)", ae.ev, ae.err)
	}
	failSetup(ProblemHook, msg+"\n\nThe receiver was not judged: this spec counts the receiver's applications of an event, and only the hook can tell them.")
}

// staleAdvice is what to do about counts found before the events were sent.
const staleAdvice = "stale receiver state from an earlier run, or an inspect hook that does not count; reset the receiver's state or pass a different --seed"

// precheck asks the hook about every event of ps before the first delivery
// of any of them, and fails the spec when one was already applied: eventIds
// depend only on the seed, so a receiver that kept a previous run's state
// (or a hook that answers 1 to everything) would make the counts mean
// nothing: a receiver that drops every event would pass.
func (r *run) precheck(ctx context.Context, ps []payload) {
	GinkgoHelper()
	res, err := awaitApplied(ctx, r.t.Inspect, eventsOf(ps), 0, r.t.InspectTimeout, -1)
	if err != nil {
		r.failHook(err)
	}
	var stale []payload
	for _, p := range ps {
		if res.got[p.Event.ID] > 0 {
			stale = append(stale, p)
		}
	}
	if len(stale) == 0 {
		return
	}
	var b strings.Builder
	first := stale[0]
	fmt.Fprintf(&b, "eventId %d was already applied before it was sent: %s\n", first.Event.ID, staleAdvice)
	if len(ps) > 1 {
		verb := "were"
		if len(stale) == 1 {
			verb = "was"
		}
		fmt.Fprintf(&b, "%d of the %d events this spec counts %s:\n", len(stale), len(ps), verb)
	}
	for i, p := range stale {
		if i == 10 {
			fmt.Fprintf(&b, "  … and %d more\n", len(stale)-i)
			break
		}
		fmt.Fprintf(&b, "  - %s: the inspect hook said %d before any delivery\n", p.Event, res.got[p.Event.ID])
	}
	fmt.Fprintf(&b, "\nThe receiver was not judged: this spec counts applications of events it has not sent yet.\nthe event is sent by:\n  %s\n", first.reproducer(r.shown))
	failSetup(ProblemStale, b.String())
}

// expectOnce asks the inspect hook until each payload's event was applied
// exactly once, watches the counts for a late duplicate (Target.Settle), and
// fails listing those that were not.
func (r *run) expectOnce(ctx context.Context, how string, ps []payload, reproduce string, deliveries ...sent) {
	GinkgoHelper()
	r.expectApplied(ctx, how, ps, reproduce, r.t.Settle, hintCounted, deliveries...)
}

// hookSuspectAfter is how many count checks in a row may find every event of
// theirs never applied, though acknowledged, before the suite stops waiting
// the whole Target.InspectTimeout for the next ones: a hook at a wrong URL
// answers 404 for everything, and waiting 5 s per spec for it turned a
// typo into minutes.
const hookSuspectAfter = 3

// hookSuspectTimeout replaces Target.InspectTimeout once hookSuspectAfter
// checks found nothing applied and no count was ever above 0.
const hookSuspectTimeout = 100 * time.Millisecond

// expectApplied asks the inspect hook until each payload's event was applied
// once (settle as in awaitApplied: negative does not watch for a late
// duplicate), and fails listing those that were not. Every delivery of ps
// was acknowledged. When no event of the run was ever counted as applied, a
// check that finds all of its events never applied blames the hook, not the
// receiver (see hookNeverCounts).
func (r *run) expectApplied(ctx context.Context, how string, ps []payload, reproduce string, settle time.Duration, hint string, deliveries ...sent) {
	GinkgoHelper()
	events := eventsOf(ps)
	timeout := r.t.InspectTimeout
	r.mu.Lock()
	if !r.anyApplied && r.zeroChecks >= hookSuspectAfter {
		timeout = min(timeout, hookSuspectTimeout)
	}
	r.mu.Unlock()
	res, err := awaitApplied(ctx, r.t.Inspect, events, 1, timeout, settle)
	if err != nil {
		r.failHook(err)
	}
	got := res.got
	var bad []string
	var first *payload
	never := 0
	for i, ev := range events {
		n := got[ev.ID]
		switch {
		case n == 1:
			continue
		case n == 0:
			never++
			bad = append(bad, fmt.Sprintf("%s was acknowledged but never applied (the inspect hook still said 0 after %s)", ev, roundLatency(timeout)))
		default:
			late := ""
			if res.watched > 0 {
				late = fmt.Sprintf(" (counted within %s of the count reaching 1)", roundLatency(res.watched))
			}
			bad = append(bad, fmt.Sprintf("%s was applied %d times, want once%s", ev, n, late))
		}
		if first == nil {
			first = &ps[i]
		}
	}
	r.mu.Lock()
	if never < len(events) {
		r.anyApplied = true
	} else {
		r.zeroChecks++
	}
	suspect := !r.anyApplied && never == len(events)
	zeroChecks := r.zeroChecks
	r.mu.Unlock()
	if len(bad) == 0 {
		return
	}
	if reproduce == "" {
		reproduce = first.reproducer(r.shown)
	}
	var b strings.Builder
	if suspect {
		b.WriteString(r.hookNeverCounts(first.Event, zeroChecks))
		b.WriteString("\n\n")
	}
	if len(events) > 1 {
		fmt.Fprintf(&b, "%d of %d events were not applied exactly once after %s:\n", len(bad), len(events), how)
	} else {
		fmt.Fprintf(&b, "after the event %s:\n", how)
	}
	for i, line := range bad {
		if i == 10 {
			fmt.Fprintf(&b, "  … and %d more\n", len(bad)-i)
			break
		}
		fmt.Fprintf(&b, "  %s\n", line)
	}
	switch {
	case never == len(bad):
		// Never applied: the duplicate hint would be beside the point.
		if hint != hintCounted {
			b.WriteString(hint + "\n")
		} else {
			b.WriteString("Coperniq got a 2xx for it and will not send it again: an event acknowledged and not applied is lost.\n")
		}
	default:
		b.WriteString(hintCounted + "\n")
	}
	if never == len(events) && !suspect {
		b.WriteString("If the receiver did apply it, the inspect hook is not finding it: ask the hook about that eventId yourself (see the inspect protocol).\n")
	}
	fmt.Fprintf(&b, "\nreproduce:\n  %s\n", reproduce)
	if len(deliveries) > 0 {
		b.WriteString("\ndeliveries:\n")
		for _, s := range deliveries {
			fmt.Fprintf(&b, "  - %s, eventId %d: %s in %s\n", s.p.label(), s.p.Event.ID, abandonedOr(s), roundLatency(s.res.Latency))
		}
	}
	fmt.Fprintf(&b, "\nthe event (eventId %d):\n%s\n", first.Event.ID, prettyExcerpt(first.Body))
	if suspect {
		failSetup(ProblemHook, b.String())
	}
	Fail(b.String())
}

// hookNeverCounts is the headline of a count check that found nothing
// applied when nothing of the run ever was: a hook at a wrong URL answers
// 404 to everything, which the protocol reads as "never applied", and a
// receiver that acknowledged every event is then blamed for a typo.
func (r *run) hookNeverCounts(ev Event, checks int) string {
	var b strings.Builder
	switch insp := r.t.Inspect.(type) {
	case *urlInspector:
		fmt.Fprintf(&b, "[%s] the inspect hook at GET %s answered 404 (never applied) for every event of the %d checks so far, though the receiver acknowledged each with a 2xx (is the hook's URL right?): fix the hook (%s)\n", ProblemHook, insp.shown, checks, protocolURL)
		fmt.Fprintf(&b, "ask it yourself: curl -i %s", scrubAll(shellQuote(delivery.MaskURL(fill(insp.template, ev))), insp.secrets))
	case *cmdInspector:
		fmt.Fprintf(&b, "[%s] the inspect command printed 0 (never applied) for every event of the %d checks so far, though the receiver acknowledged each with a 2xx: does it look where the receiver records what it applied? fix the hook (%s)\n", ProblemHook, checks, protocolCmd)
		fmt.Fprintf(&b, "ask it yourself: run the inspect command with %s=%d %s=%d %s=%s in its environment", EnvEventID, ev.ID, EnvRecordID, ev.RecordID, EnvTriggerKey, ev.TriggerKey)
	default:
		fmt.Fprintf(&b, "[%s] the inspect hook (Target.Inspect) said 0 (never applied) for every event of the %d checks so far, though the receiver acknowledged each with a 2xx: does it read the receiver's state? fix the hook (see the inspect protocol in the contract package doc)", ProblemHook, checks)
	}
	b.WriteString("\nEither the hook does not find what the receiver applies, or the receiver applies nothing at all: the receiver was not judged. (Once any event is counted, a check that finds nothing is the receiver's failure again.)")
	return b.String()
}

func abandonedOr(s sent) string {
	if s.expect == ExpectAbandon && s.res.Status == 0 {
		return "abandoned after sending"
	}
	return s.outcome()
}
