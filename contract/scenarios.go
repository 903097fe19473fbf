package contract

import (
	"fmt"
	"slices"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the Ginkgo DSL reads as prose only dot-imported

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

// scenarioConcurrency is how many records' events are delivered at once.
// Each record's events still go one at a time, in order (or in the shuffled
// order): what "in order" means to a receiver is per record, and a
// 900-event scenario one request at a time would take minutes against a
// remote receiver. 24, not the engine's default of 8: concurrent-projects
// (100 records, 900 events) at 8 at a time took 135 s against a receiver
// that answers in 1.2 s; at 24, 45 s, below the longest one-record
// scenario's 52 s (residential-solar's 43 events in turn).
const scenarioConcurrency = 24

// steps is how many deliveries in a row a rendering makes at least: its
// longest record's, or all of them over scenarioConcurrency, duplicates
// included.
func (sr scenarioRun) steps() int {
	per := map[int64]int{}
	longest := 0
	for _, e := range sr.events {
		per[e.RecordID]++
		longest = max(longest, per[e.RecordID])
	}
	copies := 1 + min(max(sr.dup, 0), 1)
	return int(copies * float64(max(longest, (len(sr.events)+scenarioConcurrency-1)/scenarioConcurrency)))
}

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
	// dup and dupMode are the scenario file's own duplicates (its
	// delivery: block): a scenario named for duplicates sends them, and
	// its events are still to be applied once each.
	dup     float64
	dupMode delivery.DupMode
	// vocabulary is the --vocabulary file it was rendered in, "" for none.
	vocabulary string
	// idOffset is added to every eventId it draws (--event-id-offset):
	// the run's eventId base, or a reroll's.
	idOffset int64
}

// duplicates says what dup and dupMode send, for the verdict; empty for
// none.
func (sr scenarioRun) duplicates() string {
	switch {
	case sr.dup <= 0:
		return ""
	case sr.dup >= 1:
		return fmt.Sprintf("each event delivered twice (duplicate: 1, %s)", sr.dupMode)
	}
	return fmt.Sprintf("%.0f%% of the events delivered twice (duplicate: %v, %s)", 100*sr.dup, sr.dup, sr.dupMode)
}

// scenarioPlan is one lifecycle scenario rendered twice, with other eventIds:
// once delivered in order, once shuffled.
type scenarioPlan struct {
	name              string
	inOrder, shuffled scenarioRun
}

// command is the reproducer of a run: `scenario run` with every delivery
// choice pinned to what the spec sent: one attempt, the file's own
// duplicates, in order or shuffled whole.
func (sr scenarioRun) command(name string) string {
	reorder := 0
	if sr.shuffled {
		reorder = len(sr.events)
	}
	dup := "--duplicate 0"
	if sr.dup > 0 {
		dup = fmt.Sprintf("--duplicate %v --duplicate-mode %s", sr.dup, sr.dupMode)
	}
	more := ""
	if sr.idOffset != 0 {
		more = fmt.Sprintf(" --event-id-offset %d", sr.idOffset)
	}
	if sr.vocabulary != "" {
		more += " --vocabulary " + shellQuote(sr.vocabulary)
	}
	return fmt.Sprintf("coperniq-mock scenario run %s --seed %d --retry none %s --jitter 0 --reorder %d --concurrency %d%s",
		name, sr.seed, dup, reorder, scenarioConcurrency, more)
}

// planScenarios renders the lifecycle scenarios names of t (every built-in
// one that fits its vocabulary unless t.Scenarios names some: runScenarios),
// each twice with seeds from
// scenarioSeed(t.Seed) up whose
// events share no eventId with anything else the run sends, their eventIds
// moved to the run's base. The string is
// the reason to skip the lifecycle specs, when there is nothing to run.
func planScenarios(t Target, pl *plan, names []string) ([]scenarioPlan, string, error) {
	if len(names) == 0 {
		return nil, SkipNoScenarios, nil
	}
	var out []scenarioPlan
	seed := scenarioSeed(t.Seed)
	for _, name := range names {
		sc, err := scenarios.LoadWithVocabulary(name, t.Vocabulary)
		if err != nil {
			return nil, "", fmt.Errorf("contract: lifecycle scenario %q: %w", name, err)
		}
		sp := scenarioPlan{name: sc.Name}
		for _, run := range []*scenarioRun{&sp.inOrder, &sp.shuffled} {
			if *run, err = renderFresh(sc, &seed, pl, pl.idOffset); err != nil {
				return nil, "", err
			}
		}
		sp.shuffled.shuffled = true
		out = append(out, sp)
	}
	return out, "", nil
}

// renderFresh renders sc with its eventIds moved by offset, with the first
// seed from *seed on whose eventIds are all unused, marks them used and
// moves *seed past it.
func renderFresh(sc *scenarios.Scenario, seed *uint64, pl *plan, offset int64) (scenarioRun, error) {
	for range scenarioSeedSpan {
		s := *seed
		*seed++
		events, err := sc.Render(s, scenarios.WithEventIDOffset(offset))
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
		run := scenarioRun{seed: s, events: events, dup: sc.Delivery.Duplicate, dupMode: sc.Delivery.DuplicateMode, vocabulary: pl.vocab.File(), idOffset: offset}
		if run.dup > 0 && run.dupMode == "" {
			run.dupMode = delivery.DupAfter
		}
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
		if r.err != nil || r.scenarioErr != nil || len(r.scenarios) == 0 && len(r.unfit) == 0 {
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
			r.skipUnfit()
			if r.t.Inspect == nil {
				Skip(SkipNoInspect)
			}
		})
		for _, sp := range r.scenarios {
			Describe(sp.name, func() {
				inOrder, shuffled := r.scenarioJob(sp.name, sp.inOrder), r.scenarioJob(sp.name, sp.shuffled)
				It(SpecScenarioInOrder, func(ctx SpecContext) { r.counted(ctx, inOrder) })
				It(SpecScenarioShuffled, func(ctx SpecContext) { r.counted(ctx, shuffled) })
			})
		}
		for _, u := range r.unfit {
			Describe(u.name, func() {
				It(SpecScenarioInOrder, func() {})
				It(SpecScenarioShuffled, func() {})
			})
		}
	})
}

// skipUnfit skips the running spec, with the reason, when it is one of a
// built-in scenario the vocabulary cannot replay: before any other reason
// to skip it (a missing hook), since no hook would make it run.
func (r *run) skipUnfit() {
	in := CurrentSpecReport().ContainerHierarchyTexts
	for _, u := range r.unfit {
		if slices.Contains(in, u.name) {
			Skip(u.skipReason(r.t.Vocabulary))
		}
	}
}

// deliveryEvents are the events of a rendering, as the engine takes them.
func deliveryEvents(sr scenarioRun) []delivery.Message { return scenarios.Messages(sr.events) }
