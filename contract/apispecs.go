package contract

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the Ginkgo DSL reads as prose only dot-imported

	"github.com/coperniq-mock/coperniq-mock/api"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

// apiWorld is a lifecycle scenario's world as the API specs serve it, and
// the first of its events they deliver.
type apiWorld struct {
	name   string
	seed   uint64
	tl     *scenarios.Timeline
	events []scenarios.Rendered // the ones delivered
	all    []scenarios.Rendered // as rendered, for the API's transport
}

// apiSpecs is the API specs' state for one run: the mock's listener, the
// worlds it serves, and the calls it answered.
type apiSpecs struct {
	r   *run
	err error // a bad plan or listener: every API spec fails with it

	worlds []apiWorld // one per lifecycle scenario
	retry  apiWorld   // the Retry-After spec's

	srv *http.Server
	sw  *apiSwitch
	// idle answers while no API spec delivers: the calls the receiver
	// makes during the other specs.
	idle *api.Handler

	passOnce sync.Once
	pass     apiPass // the key and calls-per-webhook specs' deliveries
	// sent are the bodies the API specs delivered so far, which every
	// later world's handler learns: a receiver whose queue still holds a
	// webhook of an earlier world finds its record, as Coperniq's API
	// keeps a record once announced.
	sent [][]byte
}

// apiPass is what one delivery pass of the API specs saw.
type apiPass struct {
	events int
	calls  []apiCall
	// unacked lists the webhooks not acknowledged, for a warning: the API
	// specs judge the API calls, the other specs the answers.
	unacked []string
	err     error
}

// apiCall is a call the mock answered, with the world it answered from.
type apiCall struct {
	api.Call
	world string
	// trigger is that of the webhook last sent before the call.
	trigger string
}

// plan renders, for each lifecycle scenario of the run, a world whose first
// APIEventsPerScenario events have eventIds unused by the rest of the run,
// and one more of the first scenario for the Retry-After spec.
func (a *apiSpecs) plan() error {
	names := a.r.replayed
	if len(names) == 0 {
		return fmt.Errorf("contract: the API specs serve the lifecycle scenarios' worlds, and none is available: %s", SkipNoScenarios)
	}
	seed := scenarioSeed(a.r.t.Seed) + apiScenarioSeedBase
	for _, name := range names {
		w, err := a.world(name, &seed, APIEventsPerScenario)
		if err != nil {
			return err
		}
		a.worlds = append(a.worlds, w)
	}
	var err error
	a.retry, err = a.world(names[0], &seed, APIRetryEvents)
	return err
}

func (a *apiSpecs) world(name string, seed *uint64, n int) (apiWorld, error) {
	sc, err := scenarios.LoadWithVocabulary(name, a.r.t.Vocabulary)
	if err != nil {
		return apiWorld{}, fmt.Errorf("contract: lifecycle scenario %q: %w", name, err)
	}
	for range scenarioSeedSpan {
		s := *seed
		*seed++
		tl := scenarios.NewTimeline()
		events, err := sc.Render(s, scenarios.WithTimeline(tl))
		if err != nil {
			return apiWorld{}, fmt.Errorf("contract: rendering scenario %s (seed %d): %w", sc.Name, s, err)
		}
		first := events[:min(n, len(events))]
		if slices.ContainsFunc(first, func(e scenarios.Rendered) bool { return a.r.plan.used[e.EventID] }) {
			continue
		}
		for _, e := range first {
			a.r.plan.used[e.EventID] = true
		}
		return apiWorld{name: sc.Name, seed: s, tl: tl, events: first, all: events}, nil
	}
	return apiWorld{}, fmt.Errorf("contract: scenario %s: no seed from %d to %d renders eventIds unused by the rest of the run", name, *seed-scenarioSeedSpan, *seed)
}

// handler is the API over w, answering as of before its first event; the
// quota is off so that each spec judges one thing.
func (a *apiSpecs) handler(w apiWorld, opts ...api.Option) (*api.Handler, error) {
	m := a.r.t.API
	return api.NewHandler(w.tl, append([]api.Option{api.WithKey(m.Key), api.WithQuota(0, 0), api.WithVocabulary(a.r.t.Vocabulary),
		api.WithTime(w.tl.Start().Add(-time.Millisecond))}, opts...)...)
}

// start listens on the mock's address, answering from the first world as of
// its end until a spec delivers.
func (a *apiSpecs) start() {
	if a.err != nil {
		return
	}
	var err error
	// No per-key quota: a run's own deliveries (thousands, many a second)
	// would spend it, and a receiver throttled by verify's volume is not
	// judged on its API client but slowed to a crawl. The Retry-After
	// spec judges the handling of a 429.
	if a.idle, err = api.NewHandler(a.worlds[0].tl, api.WithKey(a.r.t.API.Key), api.WithQuota(0, 0), api.WithVocabulary(a.r.t.Vocabulary)); err != nil {
		a.err = err
		return
	}
	ln, err := net.Listen("tcp", a.r.t.API.Addr)
	if err != nil {
		a.err = fmt.Errorf("contract: the API mock cannot listen on %s: %v", a.r.t.API.Addr, err)
		return
	}
	a.learnAll()
	a.sw = &apiSwitch{}
	a.sw.set(a.idle)
	a.srv = &http.Server{Handler: a.sw, ReadHeaderTimeout: 10 * time.Second}
	go a.srv.Serve(ln)
}

// learnAll makes the idle API know the record of every webhook the other
// specs send, as Coperniq's API knows the record of every webhook: a
// receiver that fetches each webhook's record, and refuses the webhook
// when it cannot, is not failed by the other specs for a record the mock
// did not know. The lifecycle and final-state specs' events are known
// from their plans; the rest are learned as they are sent.
func (a *apiSpecs) learnAll() {
	for _, c := range []*http.Client{a.r.client, a.r.patient} {
		c.Transport = learner{base: c.Transport, h: a.idle}
	}
	for _, sp := range a.r.scenarios {
		for _, e := range slices.Concat(sp.inOrder.events, sp.shuffled.events) {
			a.idle.Learn(e.Body)
		}
	}
	if a.r.t.State == nil {
		return
	}
	states, err := planStates(a.r.t, a.r.replayed)
	if err != nil {
		return // the final-state specs fail with it
	}
	for _, s := range states {
		for _, e := range s.events {
			if m, err := offsetBody(e.Body, s.offset); err == nil {
				a.idle.Learn(m.body)
			}
		}
	}
}

// learner lets h learn every webhook sent through it.
type learner struct {
	base http.RoundTripper
	h    *api.Handler
}

func (l learner) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.GetBody != nil {
		if rc, err := r.GetBody(); err == nil {
			b, _ := io.ReadAll(io.LimitReader(rc, 4<<20))
			rc.Close()
			l.h.Learn(b)
		}
	}
	return l.base.RoundTrip(r)
}

func (a *apiSpecs) stop() {
	if a.srv != nil {
		a.srv.Close()
	}
}

// apiSwitch serves the handler of the world being delivered, and tells
// when the receiver has calls in flight or made one last.
type apiSwitch struct {
	cur      atomic.Pointer[api.Handler]
	inflight atomic.Int64
	last     atomic.Int64 // unix nanoseconds of the last call's start
}

func (s *apiSwitch) set(h *api.Handler) { s.cur.Store(h) }

func (s *apiSwitch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.inflight.Add(1)
	s.last.Store(time.Now().UnixNano())
	defer s.inflight.Add(-1)
	s.cur.Load().ServeHTTP(w, r)
}

// quiet waits until the receiver has had no API call in flight and started
// none for APIQuiet, since since, at most apiQuietMax; and, while
// pending says a retry is due, for that.
func (s *apiSwitch) quiet(ctx context.Context, since time.Time, pending func() bool) {
	deadline := since.Add(apiQuietMax)
	for ctx.Err() == nil && time.Now().Before(deadline) {
		last := time.Unix(0, s.last.Load())
		if last.Before(since) {
			last = since
		}
		if s.inflight.Load() == 0 && time.Since(last) >= APIQuiet && (pending == nil || !pending()) {
			return
		}
		sleepCtx(ctx, 5*time.Millisecond)
	}
}

// deliver sends w's events one at a time, with the API answering from h as
// of each, waiting for the receiver's API calls after each.
func (a *apiSpecs) deliver(ctx context.Context, w apiWorld, h *api.Handler, pending func() bool) (unacked []string) {
	client := *a.r.client
	client.Transport = h.Transport(a.r.client.Transport, w.all)
	for _, b := range a.sent {
		h.Learn(b)
	}
	a.sw.set(h)
	defer a.sw.set(a.idle)
	for _, e := range w.events {
		if ctx.Err() != nil {
			break
		}
		a.r.sentAPI()
		a.sent = append(a.sent, e.Body)
		if res := a.r.to.t.Send(ctx, &client, e.Body); !res.Acked() {
			why := fmt.Sprintf("%d %s", res.Status, http.StatusText(res.Status))
			if res.Err != nil {
				why = res.Err.Error() // the URL masked
			}
			unacked = append(unacked, fmt.Sprintf("eventId %d %s (scenario %s): %s", e.EventID, e.TriggerKey, w.name, why))
		}
		a.sw.quiet(ctx, time.Now(), pending)
	}
	return unacked
}

// calls tags h's call log with w.
func (w apiWorld) calls(h *api.Handler) []apiCall {
	trig := map[int64]string{}
	for _, e := range w.all {
		trig[e.EventID] = e.TriggerKey
	}
	var out []apiCall
	for _, c := range h.Calls() {
		out = append(out, apiCall{Call: c, world: w.name, trigger: trig[c.AfterEvent]})
	}
	return out
}

// runPass delivers every world's first events once, for the key and
// calls-per-webhook specs.
func (a *apiSpecs) runPass(ctx context.Context) (apiPass, bool) {
	ran := false
	a.passOnce.Do(func() {
		ran = true
		for _, w := range a.worlds {
			h, err := a.handler(w)
			if err != nil {
				a.pass.err = err
				return
			}
			un := a.deliver(ctx, w, h, nil)
			a.pass.events += len(w.events)
			a.pass.unacked = append(a.pass.unacked, un...)
			a.pass.calls = append(a.pass.calls, w.calls(h)...)
		}
	})
	return a.pass, ran
}

// prepare is the start of every API spec: the pass it judges, or a failure.
func (a *apiSpecs) prepare(ctx context.Context) apiPass {
	GinkgoHelper()
	if a.srv == nil {
		Fail(errAPINotServing.Error())
	}
	p, ran := a.runPass(ctx)
	if p.err != nil {
		Fail(p.err.Error())
	}
	if ran { // once: the specs share the pass
		warnUnacked(p.unacked, p.events)
	}
	return p
}

func warnUnacked(unacked []string, events int) {
	if len(unacked) == 0 {
		return
	}
	AddReportEntry(EntryWarning, fmt.Sprintf("%d of the %d webhooks the API specs delivered were not acknowledged (the other specs judge the answers; these judge the API calls):\n  %s",
		len(unacked), events, strings.Join(unacked[:min(5, len(unacked))], "\n  ")))
}

func (a *apiSpecs) specKey(ctx SpecContext) {
	p := a.prepare(ctx)
	calls := p.calls
	// The calls made while the other specs delivered count too: every
	// call needs the key.
	for _, c := range a.idle.Calls() {
		calls = append(calls, apiCall{Call: c, world: "(during the other specs)"})
	}
	if len(calls) == 0 {
		Skip(fmt.Sprintf(SkipNoAPICalls, p.events, triggersOf(a.worlds...)))
	}
	var missing, wrong, unknown []apiCall
	for _, c := range calls {
		switch c.Auth {
		case "missing":
			missing = append(missing, c)
		case "wrong":
			wrong = append(wrong, c)
		}
		if unknownPath(c.Call) {
			unknown = append(unknown, c)
		}
	}
	if len(missing)+len(wrong)+len(unknown) == 0 {
		return
	}
	var b strings.Builder
	if len(missing) > 0 {
		fmt.Fprintf(&b, "%d of %d API calls carried no x-api-key header: %s\n", len(missing), len(calls), byPath(missing))
	}
	if len(wrong) > 0 {
		fmt.Fprintf(&b, "%d of %d API calls carried a wrong x-api-key: %s\n", len(wrong), len(calls), byPath(wrong))
	}
	if len(missing)+len(wrong) > 0 {
		b.WriteString("Coperniq's API authenticates every call with the x-api-key header and answers 401 without the right one, as the mock did: send the key on every call (the mock's is given by --api-key or COPERNIQ_MOCK_API_KEY).\n")
	}
	if len(unknown) > 0 {
		fmt.Fprintf(&b, "%d of %d API calls were to paths Coperniq's API does not have: %s\n", len(unknown), len(calls), byPath(unknown))
		b.WriteString("The mock answered them 404 (a path its OpenAPI document does not have) or 405 (a documented path with a method it does not take), as any path outside the document: check the receiver's API base URL and paths against 'coperniq-mock api --help' (the document's paths are plural: /projects/{id}, /opportunities/{id}, /accounts/{id}, /work-orders/{id}; /v1/ before them is accepted).\n")
	}
	Fail(strings.TrimSuffix(b.String(), "\n"))
}

// unknownPath tells a call to a path Coperniq's OpenAPI document does not
// have, or with a method the path does not take: the receiver's mistake.
// A documented operation the mock does not implement (501) is the mock's
// gap, and a 404 for a record of a documented path is an answer.
func unknownPath(c api.Call) bool {
	return c.Operation == "" && (c.Status == http.StatusNotFound || c.Status == http.StatusMethodNotAllowed)
}

// refusals says how calls that were never answered 429 were answered
// instead, by status, most first: "2 answered 404 Not Found, to a path
// Coperniq's API does not have".
func refusals(calls []api.Call) string {
	counts := api.CountCalls(calls, func(c api.Call) string {
		why := fmt.Sprintf("answered %d %s", c.Status, http.StatusText(c.Status))
		switch {
		case c.Status == http.StatusUnauthorized:
			why += fmt.Sprintf(", refused for the x-api-key (see %q)", SpecAPIKey)
		case unknownPath(c):
			why += fmt.Sprintf(", to a path Coperniq's API does not have (see %q)", SpecAPIKey)
		case c.Status == http.StatusNotImplemented:
			why += ", to an operation the mock does not implement"
		}
		return why
	})
	parts := make([]string, len(counts))
	for i, c := range counts {
		parts[i] = fmt.Sprintf("%d %s", c.N, c.Key)
	}
	return strings.Join(parts, "; ")
}

// byPath counts calls by method and path, most first: "GET /projects/7 (3),
// ...".
func byPath(calls []apiCall) string {
	cs := make([]api.Call, len(calls))
	for i, c := range calls {
		cs[i] = c.Call
	}
	return api.MostCalled(cs, 5)
}

func (a *apiSpecs) specCalls(ctx SpecContext) {
	p := a.prepare(ctx)
	if len(p.calls) == 0 {
		Skip(fmt.Sprintf(SkipNoAPICalls, p.events, triggersOf(a.worlds...)))
	}
	bound := a.r.t.API.MaxCallsPerEvent
	// Each world's webhooks are counted by its own handler
	// (Call.WebhooksSent): api.Check judges the worlds one by one, by the
	// rule scenario run --api holds a receiver to.
	byWorld := map[string][]api.Call{}
	var worlds []string
	for _, c := range p.calls {
		if byWorld[c.world] == nil {
			worlds = append(worlds, c.world)
		}
		byWorld[c.world] = append(byWorld[c.world], c.Call)
	}
	var over []string
	for _, w := range worlds {
		for _, f := range api.Check(byWorld[w], api.Rules{MaxCallsPerEvent: bound}) {
			if f.Rule == "calls-per-event" {
				over = append(over, fmt.Sprintf("scenario %s: %s", w, f.Detail))
			}
		}
	}
	if len(over) == 0 {
		return
	}
	Fail(fmt.Sprintf("the receiver called the API more than %d times per webhook (--api-max-calls), in %d of %d scenarios:\n  %s\n"+
		"Each webhook was sent once the receiver had made no API call for %s. Coperniq allows %d calls a day per key.",
		bound, len(over), len(worlds), strings.Join(over, "\n  "), APIQuiet, api.DefaultPerDay))
}

func (a *apiSpecs) specRetryAfter(ctx SpecContext) {
	if a.srv == nil {
		Fail(errAPINotServing.Error())
	}
	h, err := a.handler(a.retry, api.WithLimitFirstCall(APIRetryAfter))
	if err != nil {
		Fail(err.Error())
	}
	// After each webhook, wait for the retry of its 429 too, or until it
	// is well overdue.
	// A 429 is pending until a later call to its path retried it (calls
	// to other paths, in parallel, do not end the wait) or its
	// Retry-After is well past.
	pending := func() bool {
		calls := h.Calls()
		for i, c := range calls {
			if c.Status != http.StatusTooManyRequests {
				continue
			}
			retried := slices.ContainsFunc(calls[i+1:], func(n api.Call) bool { return n.Path == c.Path })
			if !retried && time.Now().Before(c.AnsweredAt.Add(time.Duration(c.RetryAfter)*time.Second+apiRetryGrace)) {
				return true
			}
		}
		return false
	}
	unacked := a.deliver(ctx, a.retry, h, pending)
	warnUnacked(unacked, len(a.retry.events))
	calls := h.Calls()
	if len(calls) == 0 {
		Skip(fmt.Sprintf(SkipNoAPICalls, len(a.retry.events), triggersOf(a.retry)))
	}
	var limited []api.Call
	for _, c := range calls {
		if c.Status == http.StatusTooManyRequests {
			limited = append(limited, c)
		}
	}
	if len(limited) == 0 {
		// Only a call that reaches a documented operation with the key
		// can be answered 429.
		Skip(fmt.Sprintf("none of the receiver's %d API calls was answered 429: %s; nothing to judge", len(calls), refusals(calls)))
	}
	var early []string
	for _, c := range calls {
		for _, l := range limited {
			due := l.AnsweredAt.Add(time.Duration(l.RetryAfter) * time.Second)
			// Another path just after the 429: sent in parallel, before
			// the receiver could read it. Which connection it came on
			// tells nothing: a client's pool hands the 429's connection,
			// freed microseconds earlier, to a parallel call already
			// waiting for one (Go's Transport does, under load). The
			// refused path again (its retry) came after the receiver
			// had the 429.
			inFlight := c.Path != l.Path && c.Time.Sub(l.AnsweredAt) < APIInFlight
			if c.Time.After(l.AnsweredAt) && !inFlight && c.Time.Add(api.DefaultSlack).Before(due) {
				early = append(early, fmt.Sprintf("%s %s came %s after the 429 answered to %s %s, whose Retry-After was %d s",
					c.Method, c.Path, roundLatency(c.Time.Sub(l.AnsweredAt)), l.Method, l.Path, l.RetryAfter))
				break
			}
		}
	}
	if len(early) == 0 {
		AddReportEntry("API 429s", fmt.Sprintf("%d of %d API calls answered 429 with Retry-After: %d s; no call came sooner", len(limited), len(calls), int(APIRetryAfter/time.Second)), ReportEntryVisibilityNever)
		return
	}
	Fail(fmt.Sprintf("%d of %d API calls came sooner than the Retry-After of a 429 before them:\n  %s\n"+
		"The mock answered the first API call after each of %d webhooks 429 Too Many Requests with Retry-After: %d (a call to another path within %s of the 429 is taken as sent before the receiver could read it, and not counted). Coperniq documents the 429 but not the Retry-After header: the header is our assumption. Its limits are per key, so wait that long before any call.",
		len(early), len(calls), strings.Join(early[:min(5, len(early))], "\n  "), len(a.retry.events), int(APIRetryAfter/time.Second), APIInFlight))
}

// triggersOf lists the triggers of the events ws deliver, each once.
func triggersOf(ws ...apiWorld) string {
	var keys []string
	for _, w := range ws {
		for _, e := range w.events {
			if !slices.Contains(keys, e.TriggerKey) {
				keys = append(keys, e.TriggerKey)
			}
		}
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}
