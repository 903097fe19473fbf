package contract

import (
	"fmt"
	"regexp"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// UnknownTriggerKey is the future trigger the suite sends: Coperniq adds
// triggers without notice, and this one is plausible enough to be next.
const (
	UnknownTriggerKey  = "PROJECT_ARCHIVED"
	UnknownTriggerName = "Project Archived"
	// unknownBase is the trigger whose payload carries the unknown key.
	unknownBase = "PROJECT_CREATED"
	// inspectedTrigger is the trigger of the payloads whose applications
	// are counted: the one Coperniq documents.
	inspectedTrigger = "TASK_STATUS_MOVEMENT"
)

// Seed offsets keep the payloads of different specs apart, so that each
// reproducer names one seed and specs do not share bodies by accident.
const (
	offsetEdgeSearch = 1     // edge: the next seeds, for the other firedAt form
	offsetToken      = 100   // token specs
	offsetBurst      = 1000  // burst: one seed per delivery
	offsetInspected  = 50000 // specs that count applications
	edgeSearchSpan   = 64
	inspectedSpan    = 10000
	// seedStride spreads the seeds of the events that are counted (the
	// counting specs' and the lifecycle scenarios') by the run's seed:
	// seed S counts events from seeds S×seedStride on, so runs with
	// different seeds count different events, and a receiver holding the
	// state of a run with another seed (even the next one) starts clean.
	seedStride = 1000
)

// countedSeed is the first seed of the counting specs' payloads.
func countedSeed(s uint64) uint64 { return s*seedStride + offsetInspected }

// scenarioSeed is the first seed of the lifecycle scenarios' renderings.
func scenarioSeed(s uint64) uint64 { return s * seedStride }

// plan holds every payload the suite sends, built before any spec runs, so
// that the payloads (and the seeds in their reproducers) do not depend on
// which specs run or in what order.
type plan struct {
	realistic, minimal, maximal map[string]payload
	edge                        map[string][]payload
	unknown                     payload
	burst                       []payload
	tokenMissing, tokenWrong    payload
	tokenRight                  payload
	dupAfter, dupConcurrent     payload
	gaveUp                      payload
	// used are the eventIds of every payload above except the counted
	// ones, which must not share an eventId with anything else: an
	// idempotent receiver would skip the counted event as already applied
	// and the count would mean nothing.
	used map[int64]bool
}

var firedAtMillis = regexp.MustCompile(`"firedAt":"[^"]*\.\d+Z"`)

func newPlan(t Target) (*plan, error) {
	s := t.Seed
	pl := &plan{
		realistic: map[string]payload{},
		minimal:   map[string]payload{},
		maximal:   map[string]payload{},
		edge:      map[string][]payload{},
		used:      map[int64]bool{},
	}
	add := func(p payload) payload { pl.used[p.Event.ID] = true; return p }
	for _, tr := range schemas.Triggers() {
		for _, prof := range []struct {
			m map[string]payload
			p generator.Profile
		}{{pl.realistic, generator.Realistic}, {pl.minimal, generator.Minimal}, {pl.maximal, generator.Maximal}} {
			p, err := generate(tr.Key, prof.p, s, false)
			if err != nil {
				return nil, err
			}
			prof.m[tr.Key] = add(p)
		}
		// The edge profile drops the milliseconds of firedAt at random:
		// send the seed's payload and the next one of the other form.
		first, err := generate(tr.Key, generator.Edge, s, false)
		if err != nil {
			return nil, err
		}
		pl.edge[tr.Key] = []payload{add(first)}
		for i := uint64(offsetEdgeSearch); i < offsetEdgeSearch+edgeSearchSpan; i++ {
			p, err := generate(tr.Key, generator.Edge, s+i, false)
			if err != nil {
				return nil, err
			}
			if firedAtMillis.Match(p.Body) != firedAtMillis.Match(first.Body) {
				pl.edge[tr.Key] = append(pl.edge[tr.Key], add(p))
				break
			}
		}
	}
	var err error
	if pl.unknown, err = generate(unknownBase, generator.Realistic, s, true,
		"event.triggerKey="+UnknownTriggerKey, "event.triggerName="+UnknownTriggerName); err != nil {
		return nil, err
	}
	add(pl.unknown)
	keys := schemas.TriggerKeys()
	for i := range t.Burst {
		p, err := generate(keys[i%len(keys)], generator.Realistic, s+offsetBurst+uint64(i), false)
		if err != nil {
			return nil, err
		}
		pl.burst = append(pl.burst, add(p))
	}
	for i, dst := range []*payload{&pl.tokenMissing, &pl.tokenWrong, &pl.tokenRight} {
		if *dst, err = generate(unknownBase, generator.Realistic, s+offsetToken+uint64(i), false); err != nil {
			return nil, err
		}
		add(*dst)
	}
	counted, err := pl.fresh(countedSeed(s), 3)
	if err != nil {
		return nil, err
	}
	pl.dupAfter, pl.dupConcurrent, pl.gaveUp = counted[0], counted[1], counted[2]
	return pl, nil
}

// fresh returns n realistic payloads of inspectedTrigger, from seed up, whose
// eventIds nothing else in the plan uses, and marks them used.
func (pl *plan) fresh(seed uint64, n int) ([]payload, error) {
	var out []payload
	for i := uint64(0); i < inspectedSpan && len(out) < n; i++ {
		p, err := generate(inspectedTrigger, generator.Realistic, seed+i, false)
		if err != nil {
			return nil, err
		}
		if !pl.used[p.Event.ID] {
			pl.used[p.Event.ID] = true
			out = append(out, p)
		}
	}
	if len(out) < n {
		return nil, fmt.Errorf("contract: no %d fresh eventIds among seeds %d to %d", n, seed, seed+inspectedSpan)
	}
	return out, nil
}
