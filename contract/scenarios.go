package contract

import (
	"context"
	"errors"
	"fmt"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the Ginkgo DSL reads as prose only dot-imported

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

// scenarioConcurrency is how many records' events are delivered at once.
// Each record's events still go one at a time, in order (or in the shuffled
// order): what "in order" means to a receiver is per record, and a
// 900-event scenario one request at a time would take minutes against a
// remote receiver.
const scenarioConcurrency = delivery.DefaultConcurrency

// scenarioSeedSpan bounds the search for a seed whose rendering shares no
// eventId with the rest of the run.
const scenarioSeedSpan = 200

// scenarioRun is one rendering of a lifecycle scenario and how it is
// delivered.
type scenarioRun struct {
	seed     uint64
	shuffled bool
	events   []scenarios.Rendered
	payloads []payload
}

// scenarioPlan is one lifecycle scenario rendered twice, with other eventIds:
// once delivered in order, once shuffled.
type scenarioPlan struct {
	name              string
	inOrder, shuffled scenarioRun
}

// command is the reproducer of a run: `scenario run` with every delivery
// choice pinned, so that the scenario file's own delivery block (retries,
// duplicates, reordering) does not change what is sent.
func (sr scenarioRun) command(name string) string {
	reorder := 0
	if sr.shuffled {
		reorder = len(sr.events)
	}
	return fmt.Sprintf("coperniq-mock scenario run %s --seed %d --retry none --duplicate 0 --jitter 0 --reorder %d --concurrency %d",
		name, sr.seed, reorder, scenarioConcurrency)
}

// planScenarios renders the lifecycle scenarios of t (every built-in one
// unless t.Scenarios names some), each twice with seeds from
// scenarioSeed(t.Seed) up whose
// events share no eventId with anything else the run sends. The string is
// the reason to skip the lifecycle specs, when there is nothing to run.
func planScenarios(t Target, pl *plan) ([]scenarioPlan, string, error) {
	names := t.Scenarios
	if names == nil {
		for _, info := range scenarios.Builtin() {
			names = append(names, info.Name)
		}
	}
	if len(names) == 0 {
		return nil, SkipNoScenarios, nil
	}
	var out []scenarioPlan
	seed := scenarioSeed(t.Seed)
	for _, name := range names {
		sc, err := scenarios.Load(name)
		if err != nil {
			return nil, "", fmt.Errorf("contract: lifecycle scenario %q: %w", name, err)
		}
		sp := scenarioPlan{name: sc.Name}
		for _, run := range []*scenarioRun{&sp.inOrder, &sp.shuffled} {
			if *run, err = renderFresh(sc, &seed, pl); err != nil {
				return nil, "", err
			}
		}
		sp.shuffled.shuffled = true
		out = append(out, sp)
	}
	return out, "", nil
}

// renderFresh renders sc with the first seed from *seed on whose eventIds are
// all unused, marks them used and moves *seed past it.
func renderFresh(sc *scenarios.Scenario, seed *uint64, pl *plan) (scenarioRun, error) {
	for range scenarioSeedSpan {
		s := *seed
		*seed++
		events, err := sc.Render(s)
		if err != nil {
			return scenarioRun{}, fmt.Errorf("contract: rendering scenario %s (seed %d): %w", sc.Name, s, err)
		}
		fresh := true
		for _, e := range events {
			if pl.used[e.EventID] {
				fresh = false
				break
			}
		}
		if !fresh {
			continue
		}
		run := scenarioRun{seed: s, events: events}
		for _, e := range events {
			pl.used[e.EventID] = true
			run.payloads = append(run.payloads, fromBody(e.Identity, e.Body, ""))
		}
		return run, nil
	}
	return scenarioRun{}, fmt.Errorf("contract: scenario %s: no seed from %d to %d renders eventIds unused by the rest of the run", sc.Name, *seed-scenarioSeedSpan, *seed)
}

func (r *run) describeScenarios() {
	Describe(GroupLifecycle, func() {
		if r.err != nil || r.scenarioErr != nil || len(r.scenarios) == 0 {
			It("replays every built-in lifecycle scenario, in order and shuffled, and applies each event exactly once", func() {
				switch {
				case r.err != nil:
					Fail(r.err.Error())
				case r.scenarioErr != nil:
					Fail(r.scenarioErr.Error())
				}
				Skip(r.scenarioSkipWhy)
			})
			return
		}
		BeforeEach(func() {
			if r.t.Inspect == nil {
				Skip(SkipNoInspect)
			}
		})
		for _, sp := range r.scenarios {
			Describe(sp.name, func() {
				It(SpecScenarioInOrder, func(ctx SpecContext) { r.specScenario(ctx, sp.name, sp.inOrder) })
				It(SpecScenarioShuffled, func(ctx SpecContext) { r.specScenario(ctx, sp.name, sp.shuffled) })
			})
		}
	})
}

// specScenario delivers a rendered scenario through the delivery engine, as
// `scenario run` does, one attempt per event, then asks the inspect hook
// that every event was applied exactly once.
func (r *run) specScenario(ctx context.Context, name string, sr scenarioRun) {
	cmd := sr.command(name)
	ps := make([]payload, len(sr.payloads))
	byID := map[int64]payload{}
	for i, p := range sr.payloads {
		p.Command = cmd
		ps[i] = p
		byID[p.Event.ID] = p
	}
	r.precheck(ctx, ps)
	var all []sent
	opts := []delivery.Option{
		delivery.WithPolicy(delivery.Policy{Attempts: 1, Timeout: r.t.Deadline}),
		delivery.WithSeed(sr.seed),
		delivery.WithConcurrency(scenarioConcurrency),
		delivery.WithRecordOrder(true),
		delivery.WithObserver(func(a delivery.Attempt) {
			res := delivery.Result{Status: a.Status, Latency: a.Latency, ErrKind: a.ErrKind, Body: []byte(a.Response)}
			if a.Err != "" {
				res.Err = errors.New(a.Err)
			}
			all = append(all, sent{p: byID[a.EventID], url: r.url, shown: r.shown, expect: ExpectAck, res: res, secrets: r.secrets})
		}),
	}
	if sr.shuffled {
		opts = append(opts, delivery.WithReorder(len(sr.events)))
	}
	target, err := delivery.NewTarget(r.url, nil)
	if err != nil {
		Fail(fmt.Sprintf("contract: delivery engine for scenario %s: %v", name, err))
	}
	eng, err := delivery.New(target, opts...)
	if err != nil {
		Fail(fmt.Sprintf("contract: delivery engine for scenario %s: %v", name, err))
	}
	_, runErr := eng.Run(ctx, scenarios.Messages(sr.events))
	// A scenario makes hundreds of deliveries: only those that went wrong
	// are recorded one by one, the others as answer times, so that a JUnit
	// report stays readable.
	var latencies []float64
	for _, s := range all {
		if s.acked() {
			latencies = append(latencies, float64(s.res.Latency.Microseconds())/1000)
		} else {
			record(s)
		}
	}
	AddReportEntry(EntryLatencies, latencies, ReportEntryVisibilityNever)
	if runErr != nil {
		Fail(fmt.Sprintf("delivering scenario %s was interrupted: %v", name, runErr))
	}
	how := "in order"
	if sr.shuffled {
		how = "shuffled"
	}
	var failed []sent
	for _, s := range all {
		if !s.acked() {
			failed = append(failed, s)
		}
	}
	hint := fmt.Sprintf("Scenario %s was delivered %s (%d events; each record's events one at a time).", name, how, len(sr.events))
	if sr.shuffled {
		hint += " Coperniq promises no order: an event may arrive before the one it follows, and must still be acknowledged."
	}
	if len(failed) > 0 {
		Fail(r.notAcked(failed, len(all), hint))
	}
	r.expectOnce(ctx, fmt.Sprintf("scenario %s was delivered %s", name, how), ps, cmd+" --to "+shellQuote(r.shown))
}
