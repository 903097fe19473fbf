package contract

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

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
	offsetMaxIDs     = 0     // the edge spec's payload with every id at 2^53-1
	edgeSearchSpan   = 64
	inspectedSpan    = 10000
	// seedStride spreads the seeds of the events that are counted (the
	// duplicate and retry specs' and the lifecycle scenarios') by the
	// run's seed: seed S counts events from seeds S×seedStride on, so
	// runs with different seeds count different events, and a receiver
	// holding the state of a run with another seed (even the next one)
	// starts clean.
	seedStride = 1000
)

// A run's eventIds start from a base derived from its seed: a receiver
// that keeps the events of earlier runs (a staging one, between CI runs)
// holds the eventIds of those runs, and without a base every run would
// draw its counted events from the generator's 20,000 ids around 50,000
// (and the scenarios' million above 40,000): after a few hundred runs every
// id a run could draw is taken, and a correct receiver fails as stale
// state. The bases are multiples of idBaseStride, which holds a run's
// payloads (40,000 to about 60,000 above the base) and its renderings (to
// about 1.05 million above it for the built-in scenarios), and stay below
// 2^31: an eventId is a
// number in Coperniq's documentation (48291), and a receiver keeping it in
// 32 bits should fail the edge specs, which send 2^53-1, for that reason,
// not every spec. Runs that share a base (1 in 1023 for two runs) draw ids
// apart as runs with different seeds always did; a job whose events the
// receiver already holds is rerolled to another base (see rerollApplied).
// A scenario file near scenarios.MaxEvents events reaches past the stride
// (some 2.3 million): into the next base's range, where a reroll catches
// any collision, and at the top base past 2^31. 511 bases of 2^22, which
// would hold such a file, made 11 rerolls in 120 runs (repeat_test.go)
// where 1023 of 2^21 made none: the common runs come first.
const (
	idBaseStride = 1 << 21
	idBases      = 1<<10 - 1
)

// idBase is the eventId base of seed's run (n 0) or of its nth reroll:
// derived, so that --seed repeats a run with the same eventIds, and each
// reproducer carries its payload's eventId.
func idBase(seed, n uint64) int64 {
	return int64(1+mix(seed, 0x1dba5e, n)%idBases) * idBaseStride
}

// countedSeed is the first seed of the duplicate and retry specs'
// payloads.
func countedSeed(s uint64) uint64 { return s*seedStride + offsetInspected }

// scenarioSeed is the first seed of the lifecycle scenarios' renderings.
func scenarioSeed(s uint64) uint64 { return s * seedStride }

// MaxSafeID is 2^53-1, the largest integer a JSON number carries exactly
// into a JavaScript receiver, and the value of every integer id of the edge
// spec's max-id payload.
const MaxSafeID = 1<<53 - 1

// highIDs are eventIds near MaxSafeID, which the edge profile produces for
// every seed alike; highStride keeps the ones the plan hands out apart per
// seed, so runs with different seeds count different events: 2^31 blocks
// of highStride ids, one per seed a run draws (RandomSeed), all above 2^52.
const (
	highIDs    = 1 << 40
	highStride = 512
)

// plan holds every payload the suite sends, built before any spec runs, so
// that the payloads (and the seeds in their reproducers) do not depend on
// which specs run or in what order.
type plan struct {
	realistic, minimal, maximal map[string]payload
	edge                        map[string][]payload
	unknown                     payload
	// deadline and redirect are the realistic payloads again, each with
	// an eventId of its own: re-sending a payload spec's eventId would
	// make an event the receiver lost look applied late, once a later
	// spec's copy was applied.
	deadline                 map[string]payload
	redirect                 payload
	burst                    []payload
	tokenMissing, tokenWrong payload
	tokenRight               payload
	dupAfter, dupConcurrent  payload
	gaveUp                   payload
	withoutRecord            []payload // norecord.go
	// used are the eventIds of every payload above except the counted
	// ones, which must not share an eventId with anything else: an
	// idempotent receiver would skip the counted event as already applied
	// and the count would mean nothing.
	used map[int64]bool
	// vocab is the target's vocabulary, nil for the built-in one.
	vocab *schemas.Vocabulary
	// idOffset is the run's eventId base (idBase): added to the eventId
	// of every payload a spec counts, and of every scenario rendering.
	idOffset int64
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
		vocab:     t.Vocabulary,
		idOffset:  idBase(s, 0),
	}
	add := func(p payload) payload { pl.used[p.Event.EventID] = true; return p }
	// The payload-shape specs' events are counted when there is an inspect
	// hook, so each gets an eventId of its own: profiles of one seed share
	// eventIds, and the edge profile's 2^53-1 is every seed's.
	high := MaxSafeID - int64((s-1)%(highIDs/highStride))*highStride
	for _, tr := range schemas.Triggers() {
		for _, prof := range []struct {
			m map[string]payload
			p generator.Profile
		}{{pl.realistic, generator.Realistic}, {pl.minimal, generator.Minimal}, {pl.maximal, generator.Maximal}} {
			p, err := pl.generate(tr.Key, prof.p, s, false)
			if err != nil {
				return nil, err
			}
			if p, err = pl.unique(p, &high); err != nil {
				return nil, err
			}
			prof.m[tr.Key] = p
		}
		// The edge profile drops the milliseconds of firedAt at random:
		// send the seed's payload and the next one of the other form.
		first, err := pl.generate(tr.Key, generator.Edge, s, false)
		if err != nil {
			return nil, err
		}
		if first, err = pl.unique(first, &high); err != nil {
			return nil, err
		}
		pl.edge[tr.Key] = []payload{first}
		for i := uint64(offsetEdgeSearch); i < offsetEdgeSearch+edgeSearchSpan; i++ {
			p, err := pl.generate(tr.Key, generator.Edge, s+i, false)
			if err != nil {
				return nil, err
			}
			if firedAtMillis.Match(p.Body) != firedAtMillis.Match(first.Body) {
				if p, err = pl.unique(p, &high); err != nil {
					return nil, err
				}
				pl.edge[tr.Key] = append(pl.edge[tr.Key], p)
				break
			}
		}
		// Then one with every integer id at 2^53-1, whatever the seed
		// drew: a receiver keeping any id in 32 bits fails at every seed.
		maxIDs, err := pl.maxIDs(tr.Key, s+offsetMaxIDs, &high)
		if err != nil {
			return nil, err
		}
		pl.edge[tr.Key] = append(pl.edge[tr.Key], maxIDs)
	}
	var err error
	if pl.unknown, err = pl.generate(unknownBase, generator.Realistic, s, true,
		"event.triggerKey="+UnknownTriggerKey, "event.triggerName="+UnknownTriggerName); err != nil {
		return nil, err
	}
	if pl.unknown, err = pl.unique(pl.unknown, &high); err != nil {
		return nil, err
	}
	if err := planWithoutRecord(pl, s, &high); err != nil {
		return nil, err
	}
	again := func(key string) (payload, error) {
		p, err := pl.generate(key, generator.Realistic, s, false)
		if err != nil {
			return p, err
		}
		return pl.unique(p, &high)
	}
	pl.deadline = map[string]payload{}
	for _, key := range schemas.TriggerKeys() {
		if pl.deadline[key], err = again(key); err != nil {
			return nil, err
		}
	}
	if pl.redirect, err = again(unknownBase); err != nil {
		return nil, err
	}
	keys := schemas.TriggerKeys()
	for i := range t.Burst {
		p, err := pl.generate(keys[i%len(keys)], generator.Realistic, s+offsetBurst+uint64(i), false)
		if err != nil {
			return nil, err
		}
		pl.burst = append(pl.burst, add(p))
	}
	for i, dst := range []*payload{&pl.tokenMissing, &pl.tokenWrong, &pl.tokenRight} {
		if *dst, err = pl.generate(unknownBase, generator.Realistic, s+offsetToken+uint64(i), false); err != nil {
			return nil, err
		}
		add(*dst)
	}
	counted, err := pl.fresh(countedSeed(s), 3, pl.idOffset)
	if err != nil {
		return nil, err
	}
	pl.dupAfter, pl.dupConcurrent, pl.gaveUp = counted[0], counted[1], counted[2]
	return pl, nil
}

// fresh returns n realistic payloads of inspectedTrigger, from seed up, with
// their eventIds moved by offset (as --set event.eventId=N, so that the
// reproducer sends the same bytes), ids that nothing else in the plan
// uses; it marks them used.
func (pl *plan) fresh(seed uint64, n int, offset int64) ([]payload, error) {
	var out []payload
	for i := uint64(0); i < inspectedSpan && len(out) < n; i++ {
		p, err := pl.generate(inspectedTrigger, generator.Realistic, seed+i, false)
		if err != nil {
			return nil, err
		}
		if id := p.Event.EventID + offset; !pl.used[id] {
			if p, err = pl.withEventID(p, id); err != nil {
				return nil, err
			}
			pl.used[id] = true
			out = append(out, p)
		}
	}
	if len(out) < n {
		return nil, fmt.Errorf("contract: no %d fresh eventIds among seeds %d to %d", n, seed, seed+inspectedSpan)
	}
	return out, nil
}

// unique returns p, marked used, with its eventId moved to the run's base
// (pl.idOffset) and made its own: generated again with --set
// event.eventId=N (in its reproducer too), N the first unused id from the
// moved one down, or below *high for the edge profile's ids near 2^53-1,
// which every seed draws.
func (pl *plan) unique(p payload, high *int64) (payload, error) {
	id := p.Event.EventID
	var n int64
	if id > MaxSafeID-highIDs {
		n = pl.nextHigh(high)
	} else {
		for n = id + pl.idOffset; pl.used[n] || n <= 0; n-- {
			if n <= 0 {
				n = id + pl.idOffset + highStride
			}
		}
	}
	q, err := pl.withEventID(p, n)
	if err != nil {
		return p, err
	}
	pl.used[n] = true
	return q, nil
}

// withEventID is p generated again with --set event.eventId=id, or p when
// that is its eventId already.
func (pl *plan) withEventID(p payload, id int64) (payload, error) {
	if p.Event.EventID == id {
		return p, nil
	}
	return pl.generate(p.Trigger, p.Profile, p.Seed, p.AllowInvalid, append(slices.Clone(p.Sets), "event.eventId="+strconv.FormatInt(id, 10))...)
}

// moved is p with its eventId moved to another eventId base (a reroll's):
// from the run's base to base, or, for an id near 2^53-1, down by base;
// the first unused id from there down, marked used.
func (pl *plan) moved(p payload, base int64) (payload, error) {
	id := p.Event.EventID
	n := id - pl.idOffset + base
	if id > MaxSafeID-highIDs {
		n = id - base
	}
	if n <= 0 {
		n = base + highStride
	}
	for pl.used[n] {
		n--
	}
	p.Sets = slices.DeleteFunc(slices.Clone(p.Sets), func(s string) bool { return strings.HasPrefix(s, "event.eventId=") })
	q, err := pl.withEventID(p, n)
	if err != nil {
		return q, err
	}
	pl.used[n] = true
	return q, nil
}

// nextHigh hands out the next unused eventId from *high down.
func (pl *plan) nextHigh(high *int64) int64 {
	for pl.used[*high] {
		*high--
	}
	n := *high
	*high--
	return n
}

// maxIDs is trigger's edge payload with every integer id the trigger
// documents (eventId, recordId, record.id and uid, workOrderId, workOrder.id,
// uid, recordId and assigneeId, ownerId, phase and appointment ids, ...) set
// to 2^53-1 by --set overrides that keep it contract-valid; its eventId is
// 2^53-1 too at seed 1 for the first trigger, and just below it otherwise,
// since every counted event needs an eventId of its own. Objects that are
// null in the edge payload (record.jurisdiction, say) are left null: setting
// their id would make them invalid. The realistic profile is the base when
// the edge one cannot carry them all.
func (pl *plan) maxIDs(trigger string, seed uint64, high *int64) (payload, error) {
	fields, err := schemas.Fields(trigger)
	if err != nil {
		return payload{}, err
	}
	var ids []string
	for _, f := range fields {
		key := f[strings.LastIndex(f, ".")+1:]
		if (key == "id" || key == "uid" || strings.HasSuffix(key, "Id")) && f != "event.eventId" {
			ids = append(ids, f)
		}
	}
	eventID := pl.nextHigh(high)
	var firstErr error
	for _, prof := range []generator.Profile{generator.Edge, generator.Maximal} {
		base, err := pl.generate(trigger, prof, seed, false)
		if err != nil {
			return payload{}, err
		}
		if prof == generator.Edge && !present(base.Body, "record.id") {
			continue // an edge call or appointment without record carries too few ids
		}
		sets := []string{"event.eventId=" + strconv.FormatInt(eventID, 10)}
		for _, f := range ids {
			if present(base.Body, f) {
				sets = append(sets, f+"="+strconv.FormatInt(MaxSafeID, 10))
			}
		}
		p, err := pl.generate(trigger, prof, seed, false, sets...)
		if err == nil {
			pl.used[p.Event.EventID] = true
			return p, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return payload{}, firstErr
}

// present reports whether the dotted path holds a non-null value in body.
func present(body []byte, path string) bool {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	for _, seg := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		if v, ok = m[seg]; !ok {
			return false
		}
	}
	return v != nil
}
