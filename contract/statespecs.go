package contract

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the Ginkgo DSL reads as prose only dot-imported

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// The final-state specs, below GroupLifecycle's scenarios in a group of
// their own.
const (
	GroupState            = "final state"
	SpecStateInOrder      = "ends with every record's newest status and stage and work-order statuses, delivered in order"
	SpecStateReversed     = "ends with every record's newest status and stage and work-order statuses, delivered newest first within windows"
	SpecStateDuplicates   = "ends with every record's newest status and stage and work-order statuses, delivered shuffled with duplicates"
	SpecRecordIDs32       = "keeps two records whose recordIds agree in their low 32 bits apart"
	SkipNoState           = "needs a state hook to read the receiver's records: verify --state URL or --state-cmd CMD (Target.State in Go)"
	ProblemStateHook      = "state hook"
	stateScenarioSeedBase = 500 // state specs' renderings start this far into the run's scenario seeds
)

// The faults of the state specs' deliveries: Coperniq promises no order,
// sends duplicates, and retries whatever is not acknowledged, so a receiver
// may answer non-2xx to an event it cannot apply yet.
const (
	// StateReorder is the reordering window: the events are taken in
	// consecutive windows of this many, and each window is delivered newest
	// first (or shuffled), across records. It is kept shorter than what the
	// ci retries cover, so that a receiver answering 409 until the record
	// exists gets its record in time.
	StateReorder = 8
	// StateDuplicate is the fraction of events delivered twice.
	StateDuplicate = 0.5
)

// stateRetry is the retry preset of the state specs and chaos runs.
const stateRetry = "ci"

// hintState is why the final state matters.
const hintState = "Coperniq promises no order: an event may arrive after a newer one about the same record or work order. A receiver that applies events in arrival order ends with a stale status though it applied every event exactly once. Keep, per record and work order, the version with the newest record.updatedAt / workOrder.modifiedAt (the later event.firedAt when those are equal), and ignore an older one that arrives late."

// Hints for differences that are not an older version kept, or an older
// version kept though it did not arrive late.
const (
	hintOwnOrder = "The events about it arrived in the order they fired (below), yet the receiver kept an older value: it applied them in another order itself (parallel workers, a queue, a process per event). Keep, per record and work order, the version with the newest record.updatedAt / workOrder.modifiedAt (the later event.firedAt when those are equal), whatever order they are applied in."
	hintNothing  = "The receiver has nothing on a record (or a work order) it acknowledged events about: it dropped them (an event about a record it did not know yet, answered 2xx and thrown away?), or had not applied them yet (an inspect hook, --inspect, tells which). Answer non-2xx to an event you cannot apply yet: Coperniq sends it again."
	hintForeign  = "The receiver holds a value that no event about the record carried: check how it maps record.status, record.stage.id and workOrder.status into its store, and what its state hook reads."
)

// stateHints are the hints that fit ms: hintState when a value is one an
// older event carried (a stale version kept), hintNothing for records or
// work orders the receiver has nothing on, hintForeign for a value no
// event carried; hintState when none can be told.
func stateHints(ms []mismatch, events []message) []string {
	carried := map[string]bool{} // record id, what, value
	key := func(rec int64, what, value string) string { return fmt.Sprintf("%d\x00%s\x00%s", rec, what, value) }
	for _, m := range events {
		v, err := viewOf(m.body)
		if err != nil {
			continue
		}
		// Keyed as wantFromBodies keys them.
		if v.record != nil {
			carried[key(v.record.ID, "record.status", recordStatus(v))] = true
			carried[key(v.record.ID, "record.stage.id", recordStage(v))] = true
		}
		if wo := v.workOrder; wo != nil {
			rec := wo.RecordID
			if rec == 0 {
				rec = v.recordID
			}
			carried[key(rec, fmt.Sprintf("work order %d status", wo.ID), wo.Status)] = true
		}
	}
	var stale, nothing, foreign bool
	for _, m := range ms {
		switch {
		case m.what == "state" || m.got == "(missing)":
			nothing = true
		case carried[key(m.recordID, m.what, m.got)]:
			stale = true
		default:
			foreign = true
		}
	}
	var hints []string
	if stale || !nothing && !foreign {
		hints = append(hints, hintState)
	}
	if nothing {
		hints = append(hints, hintNothing)
	}
	if foreign {
		hints = append(hints, hintForeign)
	}
	return hints
}

// stateRun is one rendering of a scenario for a final-state spec.
type stateRun struct {
	name      string
	spec      string
	seed      uint64
	events    []scenarios.Rendered
	want      wantState
	reorder   int // 0: in order; else the window
	duplicate float64
	offset    int64 // added to the rendering's ids
}

// stateOffsetRun numbers the state specs' id offsets apart from chaos runs'.
const stateOffsetRun = 1 << 20

// tolerate leaves uncompared the values the events cannot tell: where
// the newest versions of a record or work order carry the same updatedAt
// (modifiedAt) and disagree, a receiver keeping either is right, whatever
// the world says.
func (w wantState) tolerate(fold wantState) {
	for id, rec := range w {
		f := fold[id]
		rec.anyStatus, rec.anyStage = f.anyStatus, f.anyStage
		rec.anyWorkOrder = f.anyWorkOrder
		w[id] = rec
	}
}

// offset is w with every record and work order id moved by off.
func (w wantState) offset(off int64) wantState {
	out := wantState{}
	for id, rec := range w {
		wos := map[int64]string{}
		for wo, st := range rec.workOrders {
			wos[wo+off] = st
		}
		rec.workOrders = wos
		if rec.anyWorkOrder != nil {
			any := map[int64]bool{}
			for wo := range rec.anyWorkOrder {
				any[wo+off] = true
			}
			rec.anyWorkOrder = any
		}
		out[id+off] = rec
	}
	return out
}

// schedule is how a state spec delivers s's events, one at a time: as
// fired, each window of s.reorder newest first, or, with duplicates, each
// window shuffled by the seed and a fraction s.duplicate of the events
// delivered again right after. A shuffle that leaves every value as a
// receiver applying events in arrival order would have it (the last
// window's newest events happen to arrive last) cannot fail such a
// receiver, so it is drawn again, up to shuffleDraws times, from the same
// seed: the spec stays repeatable and keeps its power.
func (s stateRun) schedule() Schedule {
	rnd := rand.New(rand.NewPCG(s.seed, 0x57a7e))
	sch := s.draw(rnd)
	for i := 1; i < shuffleDraws && s.duplicate > 0 && !s.tellsArrivalOrder(sch); i++ {
		sch = s.draw(rnd)
	}
	return sch
}

// shuffleDraws bounds the shuffles schedule tries.
const shuffleDraws = 64

func (s stateRun) draw(rnd *rand.Rand) Schedule {
	sch := Schedule{Scenarios: []ScheduledScenario{{Name: s.name, Seed: s.seed}}}
	idx := make([]int, len(s.events))
	for i := range idx {
		idx[i] = i
	}
	if s.reorder > 1 {
		for lo := 0; lo < len(idx); lo += s.reorder {
			win := idx[lo:min(lo+s.reorder, len(idx))]
			if s.duplicate > 0 {
				rnd.Shuffle(len(win), func(i, j int) { win[i], win[j] = win[j], win[i] })
			} else {
				slices.Reverse(win)
			}
		}
	}
	for _, i := range idx {
		d := Delivery{Event: i, Trigger: s.events[i].TriggerKey}
		sch.Deliveries = append(sch.Deliveries, d)
		if s.duplicate > 0 && rnd.Float64() < s.duplicate {
			sch.Deliveries = append(sch.Deliveries, d)
		}
	}
	return sch
}

// tellsArrivalOrder reports whether a receiver that applies record or
// work-order values in arrival order would end, after sch, with a value
// the spec compares that differs from s.want.
func (s stateRun) tellsArrivalOrder(sch Schedule) bool {
	var order []eventView
	for _, d := range sch.Deliveries {
		v, err := viewOf(s.events[d.Event].Body)
		if err != nil {
			return true // not this function's to judge: the spec reports it
		}
		order = append(order, v)
	}
	rec, wo := arrivalOrderTells(order, s.want, s.offset)
	return rec || wo
}

// arrivalOrderTells reports, for events applied in the order given by a
// receiver that keeps the last to arrive, whether it would end with a
// record value (rec) or a work-order status (wo) that differs from want,
// whose ids are the events' moved by offset.
func arrivalOrderTells(order []eventView, want wantState, offset int64) (rec, wo bool) {
	status, stage, wos := map[int64]string{}, map[int64]string{}, map[int64]string{}
	woRecord := map[int64]int64{}
	for _, v := range order {
		if v.record != nil {
			status[v.record.ID], stage[v.record.ID] = recordStatus(v), recordStage(v)
		}
		if w := v.workOrder; w != nil {
			wos[w.ID] = w.Status
			woRecord[w.ID] = cmp.Or(w.RecordID, v.recordID)
		}
	}
	for id, w := range want {
		id -= offset
		if st, ok := status[id]; ok && !w.anyStatus && st != w.status {
			rec = true
		}
		if sg, ok := stage[id]; ok && !w.anyStage && sg != w.stageID {
			rec = true
		}
	}
	for id, st := range wos {
		w, ok := want[woRecord[id]+offset]
		if ok && !w.anyWorkOrder[id+offset] && w.workOrders[id+offset] != st {
			wo = true
		}
	}
	return rec, wo
}

// planStates renders each lifecycle scenario of names (run.replayed)
// three times more, with ids
// offset apart from every other spec's, with the world's state after its
// last event.
func planStates(t Target, names []string) ([]stateRun, error) {
	seed := scenarioSeed(t.Seed) + stateScenarioSeedBase
	var out []stateRun
	for _, name := range names {
		sc, err := scenarios.LoadWithVocabulary(name, t.Vocabulary)
		if err != nil {
			return nil, fmt.Errorf("contract: lifecycle scenario %q: %w", name, err)
		}
		for _, v := range []struct {
			spec      string
			reorder   int
			duplicate float64
		}{{SpecStateInOrder, 0, 0}, {SpecStateReversed, StateReorder, 0}, {SpecStateDuplicates, StateReorder, StateDuplicate}} {
			seed++
			tl := scenarios.NewTimeline()
			events, err := sc.Render(seed, scenarios.WithTimeline(tl))
			if err != nil {
				return nil, fmt.Errorf("contract: rendering scenario %s (seed %d): %w", sc.Name, seed, err)
			}
			// The ids are offset far from every other spec's (and from
			// another seed's runs): record ids of two renderings may
			// meet, and a record the receiver knows is stale state.
			off := idOffset(t.Seed, stateOffsetRun+len(out), 0)
			want := wantFromTimeline(tl, events)
			var bodies [][]byte
			for _, e := range events {
				bodies = append(bodies, e.Body)
			}
			fold, err := wantFromBodies(bodies)
			if err != nil {
				return nil, fmt.Errorf("contract: reading scenario %s (seed %d): %w", sc.Name, seed, err)
			}
			want.tolerate(fold)
			out = append(out, stateRun{name: sc.Name, spec: v.spec, seed: seed, events: events, offset: off,
				want: want.offset(off), reorder: v.reorder, duplicate: v.duplicate})
		}
	}
	return out, nil
}

// wantFromTimeline is the world's state after the last event, for the
// records and work orders the events are about.
func wantFromTimeline(tl *scenarios.Timeline, events []scenarios.Rendered) wantState {
	records := map[int64]bool{}
	for _, e := range events {
		records[e.RecordID] = true
	}
	snap := tl.At(tl.End())
	want := wantState{}
	for _, r := range snap.Records {
		if !records[r.ID] {
			continue
		}
		w := wantRecord{status: "null", stageID: "null", workOrders: map[int64]string{}}
		if r.Status.Valid {
			w.status = r.Status.V
		}
		if r.Stage != nil {
			w.stageID = strconv.FormatInt(r.Stage.ID, 10)
		}
		want[r.ID] = w
	}
	for _, wo := range snap.WorkOrders {
		if w, ok := want[wo.RecordID]; ok {
			w.workOrders[wo.ID] = wo.Status
		}
	}
	return want
}

// eventView is what a payload says about its record and work order, with
// the times that order the versions.
type eventView struct {
	eventID, recordID int64
	firedAt           string
	record            *struct {
		ID        int64                     `json:"id"`
		Status    json.RawMessage           `json:"status"`
		Stage     *struct{ ID json.Number } `json:"stage"`
		UpdatedAt string                    `json:"updatedAt"`
	}
	workOrder *struct {
		ID         int64  `json:"id"`
		Status     string `json:"status"`
		RecordID   int64  `json:"recordId"`
		ModifiedAt string `json:"modifiedAt"`
	}
}

func viewOf(body []byte) (eventView, error) {
	var p struct {
		Event struct {
			FiredAt string `json:"firedAt"`
		} `json:"event"`
		Record    json.RawMessage `json:"record"`
		WorkOrder json.RawMessage `json:"workOrder"`
	}
	var v eventView
	if err := json.Unmarshal(body, &p); err != nil {
		return v, err
	}
	id, err := schemas.DecodeIdentity(body)
	if err != nil {
		return v, err
	}
	v.eventID, v.recordID, v.firedAt = id.EventID, id.RecordID, p.Event.FiredAt
	if len(p.Record) > 0 && !bytes.Equal(p.Record, []byte("null")) {
		if err := json.Unmarshal(p.Record, &v.record); err != nil {
			return v, err
		}
	}
	if len(p.WorkOrder) > 0 && !bytes.Equal(p.WorkOrder, []byte("null")) {
		if err := json.Unmarshal(p.WorkOrder, &v.workOrder); err != nil {
			return v, err
		}
	}
	return v, nil
}

// newer orders two versions: by their own time (updatedAt, modifiedAt),
// then by firedAt, then eventId. Times are RFC 3339 in UTC with the same
// precision throughout a payload family, so they compare as text once
// parsed.
func newer(at, fired string, id int64, bAt, bFired string, bID int64) bool {
	ta, ea := time.Parse(time.RFC3339Nano, at)
	tb, eb := time.Parse(time.RFC3339Nano, bAt)
	if ea == nil && eb == nil && !ta.Equal(tb) {
		return ta.After(tb)
	}
	fa, _ := time.Parse(time.RFC3339Nano, fired)
	fb, _ := time.Parse(time.RFC3339Nano, bFired)
	if !fa.Equal(fb) {
		return fa.After(fb)
	}
	return id > bID
}

func recordStatus(v eventView) string {
	if s, err := scalarText(v.record.Status); err == nil && len(v.record.Status) > 0 {
		return s
	}
	return "null"
}

func recordStage(v eventView) string {
	if v.record.Stage != nil {
		return v.record.Stage.ID.String()
	}
	return "null"
}

func sameTime(a, b string) bool {
	ta, ea := time.Parse(time.RFC3339Nano, a)
	tb, eb := time.Parse(time.RFC3339Nano, b)
	return ea == nil && eb == nil && ta.Equal(tb)
}

func setTrue(m map[int64]bool, k int64) map[int64]bool {
	if m == nil {
		m = map[int64]bool{}
	}
	m[k] = true
	return m
}

// wantFromBodies is the state a receiver that keeps the newest version
// ends in after applying bodies, in any order: what the events delivered
// show, whichever of a scenario's events they are. A value two newest
// versions of the same time disagree on is not compared: a receiver
// keeping either is right.
func wantFromBodies(bodies [][]byte) (wantState, error) {
	type ver struct {
		at, fired string
		id        int64
	}
	want := wantState{}
	recVer := map[int64]ver{}
	woVer := map[int64]ver{}
	for _, b := range bodies {
		v, err := viewOf(b)
		if err != nil {
			return nil, err
		}
		if v.record != nil {
			w, ok := want[v.record.ID]
			if !ok {
				w = wantRecord{workOrders: map[int64]string{}}
			}
			pv := recVer[v.record.ID]
			if ok && sameTime(v.record.UpdatedAt, pv.at) && (recordStatus(v) != w.status || recordStage(v) != w.stageID) {
				// Two versions of one updatedAt that disagree: a receiver
				// keeping either is right.
				w.anyStatus = w.anyStatus || recordStatus(v) != w.status
				w.anyStage = w.anyStage || recordStage(v) != w.stageID
			}
			if !ok || newer(v.record.UpdatedAt, v.firedAt, v.eventID, pv.at, pv.fired, pv.id) {
				if ok && !sameTime(v.record.UpdatedAt, pv.at) {
					w.anyStatus, w.anyStage = false, false
				}
				w.status, w.stageID = recordStatus(v), recordStage(v)
				recVer[v.record.ID] = ver{v.record.UpdatedAt, v.firedAt, v.eventID}
			}
			want[v.record.ID] = w
		}
		if wo := v.workOrder; wo != nil {
			pv, seen := woVer[wo.ID]
			rec := wo.RecordID
			if rec == 0 {
				rec = v.recordID
			}
			if w, ok := want[rec]; ok && seen && sameTime(wo.ModifiedAt, pv.at) && w.workOrders[wo.ID] != wo.Status {
				w.anyWorkOrder = setTrue(w.anyWorkOrder, wo.ID)
				want[rec] = w
			}
			if !seen || newer(wo.ModifiedAt, v.firedAt, v.eventID, pv.at, pv.fired, pv.id) {
				if w, ok := want[rec]; ok && seen && !sameTime(wo.ModifiedAt, pv.at) {
					delete(w.anyWorkOrder, wo.ID)
				}
				woVer[wo.ID] = ver{wo.ModifiedAt, v.firedAt, v.eventID}
				if w, ok := want[rec]; ok {
					w.workOrders[wo.ID] = wo.Status
				}
			}
		}
	}
	return want, nil
}

func (r *run) describeStates() {
	if r.err != nil || r.scenarioErr != nil || len(r.scenarios) == 0 {
		return
	}
	states, err := planStates(r.t, r.replayed)
	Describe(GroupState, func() {
		BeforeEach(func() {
			r.skipUnfit()
			if err != nil {
				Fail(err.Error())
			}
			if r.t.State == nil {
				Skip(SkipNoState)
			}
		})
		var names []string
		byName := map[string][]stateRun{}
		for _, s := range states {
			if byName[s.name] == nil {
				names = append(names, s.name)
			}
			byName[s.name] = append(byName[s.name], s)
		}
		for _, name := range names {
			Describe(name, func() {
				for _, s := range byName[name] {
					It(s.spec, func(ctx SpecContext) { r.specState(ctx, s) })
				}
			})
		}
		for _, u := range r.unfit {
			Describe(u.name, func() {
				for _, spec := range []string{SpecStateInOrder, SpecStateReversed, SpecStateDuplicates} {
					It(spec, func() {})
				}
			})
		}
		It(SpecRecordIDs32, r.specRecordIDs32)
	})
}

// specState delivers a rendering with the ci retries and the run's faults,
// then asks the state hook until every record matches the world's state
// after the last event.
func (r *run) specState(ctx context.Context, s stateRun) {
	reproduce := fmt.Sprintf("coperniq-mock verify %s %s --seed %d --scenario %s --focus %s",
		r.to.targetArgs(), hookArgs(r.t), r.t.Seed, s.name, shellQuote(GroupState+" "+s.name+" "+s.spec))
	AddReportEntry(EntryReproduce, reproduce, ReportEntryVisibilityNever)
	// Stale state: a record the receiver already knows makes the
	// comparison mean nothing.
	for _, id := range s.want.recordIDs() {
		st, err := stateNow(ctx, r.t.State, id, r.t.InspectTimeout)
		if err != nil {
			r.failState(&stateAsk{recordID: id, err: err})
		}
		if st != nil {
			failSetup(ProblemStale, fmt.Sprintf("record %d already has state in the receiver before any event about it was sent: %s\nThe receiver was not judged.\nreproduce:\n  %s", id, staleAdvice, reproduce))
		}
	}
	x, err := newExecutor(r.t)
	if err != nil {
		Fail(err.Error())
	}
	// Its deliveries count in the run's progress and answer times, as
	// every other spec's: without them verify's delivery count was a
	// fraction of the receiver's. As a lifecycle spec's, the acknowledged
	// ones are kept as answer times, every other attempt (a retry's
	// cause) as a delivery of its own. Deferred, since a failure unwinds.
	var latencies []float64
	var others []DeliveryRecord
	var latMu sync.Mutex
	x.observe = func(m message, res delivery.Result) {
		r.prog.deliveries.Add(1)
		latMu.Lock()
		defer latMu.Unlock()
		if res.Err == nil && res.Status >= 200 && res.Status <= 299 {
			latencies = append(latencies, float64(res.Latency.Microseconds())/1000)
			return
		}
		sum := sha256.Sum256(m.body)
		others = append(others, DeliveryRecord{TriggerKey: m.id.TriggerKey, EventID: m.id.EventID, Expect: ExpectAck,
			Status: res.Status, Error: string(res.ErrKind), LatencyMS: float64(res.Latency.Microseconds()) / 1000,
			Bytes: len(m.body), SHA256: hex.EncodeToString(sum[:]), Reproduce: reproduce})
	}
	defer func() {
		latMu.Lock()
		defer latMu.Unlock()
		AddReportEntry(EntryLatencies, latencies, ReportEntryVisibilityNever)
		for _, d := range others {
			AddReportEntry(EntryDelivery, d, ReportEntryVisibilityNever)
		}
	}()
	sch := s.schedule()
	rd := &rendered{events: [][]scenarios.Rendered{s.events}}
	d, err := x.deliver(ctx, sch, rd, s.offset)
	if err != nil {
		Fail(fmt.Sprintf("delivering scenario %s was interrupted: %v", s.name, err))
	}
	if dead := x.notAcked(d); len(dead) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "%d of %d events of scenario %s were never acknowledged, after %d attempts each (retry preset %s):\n%s", len(dead), len(s.events), s.name, x.policy.Attempts, stateRetry, problemLines(dead))
		fmt.Fprintf(&b, "A receiver may answer non-2xx to an event it cannot apply yet and rely on Coperniq's retries, but every event must end acknowledged.\n\nreproduce:\n  %s\n", reproduce)
		Fail(b.String())
	}
	ackedAt := time.Now()
	res, waited := r.stateOf(ctx, s.want)
	if len(res.mismatches) == 0 {
		return
	}
	msg := stateFailure(s.name, describeHow(s), res, d, waited) + "\nreproduce:\n  " + reproduce + "\n"
	// What the inspect hook says of the events decides whose the
	// differences are: events not applied yet make them the receiver's
	// lateness, whatever the state hook answered.
	pending, applied, askErr := r.pendingEvents(ctx, d)
	// Only an inspect hook seen counting some event of the run tells
	// "not applied yet": one that never counted anything may be at a
	// wrong URL itself.
	counts := len(pending) > 0 && r.seekCount(ctx, nil, 0)
	if counts {
		r.overdueState(pending, ackedAt, false)
		// The hints (arrival order, dropped events, mapping) would
		// mislead: nothing says the values it applied were wrong.
		for _, h := range []string{hintState, hintOwnOrder, hintNothing, hintForeign} {
			msg = strings.Replace(msg, h+"\n", "", 1)
		}
		Fail(notAppliedYet(s.name, pending, applied, time.Since(ackedAt), r.t.InspectTimeout) + "\n" + msg)
	}
	if !res.answered && !r.stateAnswered() && !r.stateAnswersElsewhere(ctx, s.want) {
		why := "is the hook's URL right?"
		switch {
		case r.t.Inspect != nil && askErr == nil && len(pending) == 0:
			// An inspect hook may count at receipt while a queue applies
			// later: the end of the run asks the state hook again, and
			// one found answering makes this the receiver's lateness.
			r.blame(blamedSpec{spec: CurrentSpecName(), kind: ProblemStateHook, events: applied, records: s.want.recordIDs(), late: fmt.Sprintf(
				"records not there within --inspect-timeout (%s): the state hook had nothing on any of scenario %s's %s %s after its last event was acknowledged, though the inspect hook counted every one of its %s applied",
				roundLatency(r.t.InspectTimeout), s.name, plural(len(s.want), "record"), roundLatency(time.Since(ackedAt)), nEvents(applied))})
			why = fmt.Sprintf("yet the inspect hook counts every one of the scenario's %s applied: is the state hook's URL right? (Or the receiver counts events when it acknowledges them and applies them later, beyond %s, --inspect-timeout: the end of the run asks the state hook again.)", nEvents(applied), roundLatency(r.t.InspectTimeout))
		case r.t.Inspect != nil && askErr == nil:
			// Both hooks found nothing: a receiver that applied nothing
			// of the run yet looks the same as two wrong URLs. The end
			// of the run asks both again (relabel.go).
			r.overdueState(pending, ackedAt, true)
			r.blame(blamedSpec{spec: CurrentSpecName(), kind: ProblemStateHook, events: len(pending) + applied, records: s.want.recordIDs(), late: notAppliedYet(s.name, pending, applied, time.Since(ackedAt), r.t.InspectTimeout)})
			why = fmt.Sprintf("and the inspect hook has counted none of the run's events applied either: are the hooks' URLs right? (Or the receiver has applied nothing of this run yet, its queue still busy with an earlier backlog: wait until it is idle, or raise --inspect-timeout, %s.)", roundLatency(r.t.InspectTimeout))
		case r.t.Inspect == nil:
			why = fmt.Sprintf("is the hook's URL right? (Or the receiver applies in the background and had applied none of them within %s, --inspect-timeout: an inspect hook, --inspect, would tell.)", roundLatency(r.t.InspectTimeout))
		}
		failSetup(ProblemStateHook, fmt.Sprintf("[%s] the state hook answered 404 (nothing on the record) for every record, though the receiver acknowledged every event, %s fix the hook (%s)\n\n%s", ProblemStateHook, why, stateProtocolURL, msg))
	}
	r.noteNothingOn(s.want)
	Fail(msg)
}

// stateOf asks the state hook until the records are as wanted or the
// inspect timeout is over, notes a hook seen answering, and returns how
// long it waited. Once both hooks look like they never find anything (the
// inspect hook suspect, as checkTimeout says, and hookSuspectAfter state
// checks found nothing on any record, the state hook never anything at
// all) it waits checkTimeout only: a typo in both URLs, or a receiver that
// applies nothing, must not cost the whole timeout per spec. A state hook
// that answers is waited on the whole timeout again: a difference found in
// a shortened wait may be a queue still applying, not a wrong state.
func (r *run) stateOf(ctx context.Context, want wantState) (stateCheck, time.Duration) {
	wait := r.t.InspectTimeout
	r.mu.Lock()
	missing := r.stateMissing
	r.mu.Unlock()
	if short := r.checkTimeout(); short < wait && missing >= hookSuspectAfter && !r.stateAnswered() {
		wait = short
	}
	res, err := checkState(ctx, r.t.State, want, wait)
	if err == nil && res.answered && len(res.mismatches) > 0 && wait < r.t.InspectTimeout {
		wait = r.t.InspectTimeout
		res, err = checkState(ctx, r.t.State, want, wait)
	}
	if err != nil {
		r.failState(err)
	}
	if res.answered {
		r.markStateAnswered()
	} else {
		r.mu.Lock()
		r.stateMissing++
		r.mu.Unlock()
	}
	return res, wait
}

var stateAnswered sync.Map // *run -> true once a state check got a 200

func (r *run) stateAnswered() bool { _, ok := stateAnswered.Load(r); return ok }
func (r *run) markStateAnswered()  { stateAnswered.Store(r, true) }

// nothingOn holds, per run, the records of the final-state checks the
// state hook answered 404 for throughout (*[]int64, guarded by
// nothingOnMu): asked again by a later check that gets only 404s too.
var (
	nothingOn   sync.Map
	nothingOnMu sync.Mutex
)

func (r *run) noteNothingOn(want wantState) {
	nothingOnMu.Lock()
	defer nothingOnMu.Unlock()
	v, _ := nothingOn.LoadOrStore(r, &[]int64{})
	ids := v.(*[]int64)
	*ids = append(*ids, want.recordIDs()...)
}

// stateAnswersElsewhere asks the state hook once more about the records of
// earlier final-state checks it answered 404 for throughout (up to
// roundSize, the oldest first: a receiver behind applies them first): a
// 200 for one of them says the hook's URL is right, and the receiver had
// not applied this check's events yet. The records of this check (want)
// are asked about too.
func (r *run) stateAnswersElsewhere(ctx context.Context, want wantState) bool {
	nothingOnMu.Lock()
	var ids []int64
	if v, ok := nothingOn.Load(r); ok {
		ids = slices.Clone(*v.(*[]int64))
	}
	nothingOnMu.Unlock()
	ids = append(ids[:min(len(ids), roundSize)], want.recordIDs()...)
	for _, id := range ids {
		if st, err := r.t.State.State(ctx, id); err == nil && st != nil {
			r.markStateAnswered()
			return true
		}
	}
	return false
}

// pendingEvents asks the inspect hook, when there is one, about every event
// d delivered: pending are those it says were never applied, applied how
// many it counts. err is the hook's failure to answer, which leaves the
// question open (and is judged by the counting specs).
func (r *run) pendingEvents(ctx context.Context, d *delivered) (pending []schemas.Identity, applied int, err error) {
	if r.t.Inspect == nil {
		return nil, 0, errNoInspect
	}
	evs := make([]schemas.Identity, len(d.events))
	for i, m := range d.events {
		evs[i] = m.id
	}
	got, err := r.askEach(ctx, evs, r.checkTimeout())
	if err != nil {
		return nil, 0, err
	}
	for _, ev := range evs {
		if got[ev.EventID] == 0 {
			pending = append(pending, ev)
		} else {
			applied++
		}
	}
	if applied > 0 {
		r.mu.Lock()
		r.anyApplied = true
		r.mu.Unlock()
	}
	return pending, applied, nil
}

// overdueState hands the final-state check's events not applied yet to the
// drains and the end of the run, as a counting spec's: each is asked about
// again and said applied late, far behind or lost. Its acknowledgement is
// taken as the end of the scenario's delivery (the spec delivers one at a
// time and keeps no time per event): how late it is found is a lower
// bound.
func (r *run) overdueState(pending []schemas.Identity, deliveredAt time.Time, suspect bool) {
	spec := CurrentSpecName()
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ev := range pending {
		it := r.newTracked(ev, spec, deliveredAt, deliveredAt, r.t.InspectTimeout)
		it.firstAsked, it.zeroAt, it.done, it.suspect = now, now, true, suspect
		r.overdue = append(r.overdue, it)
	}
}

var errNoInspect = errors.New("no inspect hook")

// notAppliedYet is the headline of a final-state check whose events were
// not all applied when the records were compared: the receiver's lateness
// (a queue behind), not a wrong value nor a wrong hook.
func notAppliedYet(name string, pending []schemas.Identity, applied int, after, timeout time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "records not applied within --inspect-timeout (%s): %d of scenario %s's %s were still not applied %s after its last event was acknowledged (the inspect hook says 0 for them), so its records could not show the newest values:\n",
		roundLatency(timeout), len(pending), name, nEvents(len(pending)+applied), roundLatency(after))
	for i, ev := range pending {
		if i == 5 {
			fmt.Fprintf(&b, "  … and %d more\n", len(pending)-i)
			break
		}
		fmt.Fprintf(&b, "  %s\n", eventName(ev))
	}
	b.WriteString("The receiver acknowledged them and had not applied them: not a wrong value, nor a wrong hook. The end of the run asks about them again and says whether each was applied late (a queue behind: a failure by the documented rule; if that lag is acceptable, raise --inspect-timeout to judge the final state by outcome) or never (lost: Coperniq got its 2xx and will not send it again).\n")
	return b.String()
}

func describeHow(s stateRun) string {
	switch {
	case s.duplicate > 0:
		return fmt.Sprintf("shuffled within windows of %d, %.0f%% delivered twice, retries per the %s preset", s.reorder, 100*s.duplicate, stateRetry)
	case s.reorder > 0:
		return fmt.Sprintf("newest first within windows of %d, retries per the %s preset", s.reorder, stateRetry)
	}
	return fmt.Sprintf("in order, each record's events one at a time, retries per the %s preset", stateRetry)
}

// stateFailure explains the differences: which values, then for the first
// record the events about it in firing order and in arrival order, which
// is what tells a last-arrival-wins receiver.
func stateFailure(name, how string, res stateCheck, d *delivered, timeout time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "after scenario %s was delivered %s, the receiver's state differs from the world's after the last event in %s of %s (still after %s):\n",
		name, how, plural(len(res.mismatches), "value"), plural(res.records, "record"), roundLatency(timeout))
	for i, m := range res.mismatches {
		if i == 10 {
			fmt.Fprintf(&b, "  … and %d more\n", len(res.mismatches)-i)
			break
		}
		fmt.Fprintf(&b, "  %s\n", m)
	}
	rec := res.mismatches[0].recordID
	for _, h := range stateHints(res.mismatches, d.events) {
		if h == hintState && arrivedInOrder(d, rec) {
			h = hintOwnOrder
		}
		b.WriteString(h + "\n")
	}
	fmt.Fprintf(&b, "\nrecord %d's events, as fired:\n", rec)
	events := slices.Clone(d.events)
	slices.SortFunc(events, func(a, b message) int { return int(a.id.EventID - b.id.EventID) })
	for _, m := range events {
		if m.id.RecordID == rec {
			fmt.Fprintf(&b, "  - eventId %d %s%s\n", m.id.EventID, m.id.TriggerKey, versionOf(m.body))
		}
	}
	fmt.Fprintf(&b, "as acknowledged (arrival order):\n")
	seen := map[int64]bool{}
	for _, a := range d.arrivals {
		if a.RecordID == rec {
			again := ""
			if seen[a.EventID] {
				again = " (again)"
			}
			seen[a.EventID] = true
			fmt.Fprintf(&b, "  - eventId %d %s%s\n", a.EventID, a.TriggerKey, again)
		}
	}
	return b.String()
}

// arrivedInOrder reports whether rec's events were first acknowledged in
// the order they fired (eventId order), as the failure lists them.
func arrivedInOrder(d *delivered, rec int64) bool {
	var last int64
	seen := map[int64]bool{}
	for _, a := range d.arrivals {
		if a.RecordID != rec || seen[a.EventID] {
			continue
		}
		seen[a.EventID] = true
		if a.EventID < last {
			return false
		}
		last = a.EventID
	}
	return true
}

// versionOf says in a few words what an event shows: record status and
// updatedAt, work order status and modifiedAt.
func versionOf(body []byte) string {
	v, err := viewOf(body)
	if err != nil {
		return ""
	}
	var parts []string
	if v.record != nil {
		st, _ := scalarText(v.record.Status)
		stage := "null"
		if v.record.Stage != nil {
			stage = v.record.Stage.ID.String()
		}
		parts = append(parts, fmt.Sprintf("record status %s stage %s updatedAt %s", st, stage, v.record.UpdatedAt))
	}
	if v.workOrder != nil {
		parts = append(parts, fmt.Sprintf("work order %d %s modifiedAt %s", v.workOrder.ID, v.workOrder.Status, v.workOrder.ModifiedAt))
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, ", ")
}

// plural counts in words: "1 value", "3 values".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// failState fails the spec because the state hook gave no usable answer.
func (r *run) failState(err error) {
	GinkgoHelper()
	var sa *stateAsk
	if !errors.As(err, &sa) {
		Fail(fmt.Sprintf("asking the state hook: %v", err))
	}
	msg := sa.err.Error()
	var he *hookError
	if !errors.As(sa.err, &he) {
		msg = fmt.Sprintf("the state hook (Target.State) failed for record %d: %v: fix the hook (see the state protocol in the contract package doc)", sa.recordID, sa.err)
	}
	failSetup(ProblemStateHook, msg+"\n\nThe receiver was not judged: this spec compares the receiver's records, and only the hook can tell them.")
}

// specRecordIDs32 delivers the creation of records R and R + 2^32, with
// statuses apart, and wants each record's state its own: a receiver that
// keeps recordIds in 32 bits writes both into one, and its state hook
// shows one record's values for the other (or nothing on one of them).
func (r *run) specRecordIDs32(ctx SpecContext) {
	if r.ids32Err != nil {
		Fail(r.ids32Err.Error())
	}
	stale := func() int64 {
		GinkgoHelper()
		for _, p := range r.records32 {
			st, err := stateNow(ctx, r.t.State, p.Event.RecordID, r.t.InspectTimeout)
			if err != nil {
				r.failState(&stateAsk{recordID: p.Event.RecordID, err: err})
			}
			if st != nil {
				return p.Event.RecordID
			}
		}
		return 0
	}
	known := stale()
	for tries := 0; known != 0 && r.seedRandom && tries < maxRerolls; tries++ {
		if err := r.rerollIDs32(); err != nil {
			break
		}
		known = stale()
	}
	a, b := r.records32[0], r.records32[1]
	reproduce := fmt.Sprintf("%s\n  %s", a.reproducer(r.to), b.reproducer(r.to))
	if known != 0 {
		failSetup(ProblemStale, fmt.Sprintf("record %d already has state in the receiver before any event about it was sent: %s\nThe receiver was not judged.\nreproduce:\n  %s", known, staleAdvice, reproduce))
	}
	want := wantState{}
	for _, p := range r.records32 {
		v, err := viewOf(p.Body)
		if err != nil {
			Fail(err.Error())
		}
		want[p.Event.RecordID] = wantRecord{status: recordStatus(v), stageID: recordStage(v), workOrders: map[int64]string{}}
	}
	r.ackAll(ctx, hintIDs32, a, b)
	ackedAt := time.Now()
	res, _ := r.stateOf(ctx, want)
	if len(res.mismatches) == 0 {
		return
	}
	// As in specState: events the inspect hook says are not applied yet
	// make the differences the receiver's lateness, and a state hook that
	// never found anything is blamed only when nothing says the receiver
	// is behind.
	var pending []schemas.Identity
	counted := false
	if r.t.Inspect != nil {
		if got, err := r.askEach(ctx, eventsOf(r.records32), r.t.InspectTimeout); err == nil {
			for _, p := range r.records32 {
				if got[p.Event.EventID] == 0 {
					pending = append(pending, p.Event)
				}
			}
			counted = len(pending) < len(r.records32) || r.seekCount(ctx, nil, 0)
		}
	}
	late := fmt.Sprintf("records not applied within --inspect-timeout (%s): %d of the 2 events that create records %d and %d were still not applied %s after they were acknowledged (the inspect hook says 0 for them), so the records could not be compared\nThe end of the run asks about them again.\n",
		roundLatency(r.t.InspectTimeout), len(pending), a.Event.RecordID, b.Event.RecordID, roundLatency(time.Since(ackedAt)))
	if len(pending) > 0 && counted {
		r.overdueState(pending, ackedAt, false)
		Fail(late + "reproduce:\n  " + reproduce + "\n")
	}
	if !res.answered && !r.stateAnswered() && !r.stateAnswersElsewhere(ctx, want) {
		why := "is the hook's URL right?"
		switch {
		case r.t.Inspect != nil && len(pending) == 0 && counted:
			why = "yet the inspect hook counts both events applied: is the state hook's URL right?"
		case len(pending) > 0:
			// Both hooks found nothing, as in specState: the end of the
			// run asks both again (relabel.go).
			r.overdueState(pending, ackedAt, true)
			r.blame(blamedSpec{spec: CurrentSpecName(), kind: ProblemStateHook, events: len(r.records32), records: want.recordIDs(), late: late})
			why = fmt.Sprintf("and the inspect hook has counted none of the run's events applied either: are the hooks' URLs right? (Or the receiver has applied nothing of this run yet, its queue still busy with an earlier backlog: wait until it is idle, or raise --inspect-timeout, %s.)", roundLatency(r.t.InspectTimeout))
		}
		failSetup(ProblemStateHook, fmt.Sprintf("[%s] the state hook answered 404 (nothing on the record) for records %d and %d, though the receiver acknowledged the events that created them, %s fix the hook (%s)\nThe receiver was not judged.\nreproduce:\n  %s", ProblemStateHook, a.Event.RecordID, b.Event.RecordID, why, stateProtocolURL, reproduce))
	}
	r.noteNothingOn(want)
	var m strings.Builder
	fmt.Fprintf(&m, "records %d and %d, whose recordIds agree in their low 32 bits (%d), were each created by one event (%s, then %s), and the receiver's state differs from theirs in %s (still after %s, --inspect-timeout):\n",
		a.Event.RecordID, b.Event.RecordID, uint32(a.Event.RecordID), a.label(), b.label(), plural(len(res.mismatches), "value"), roundLatency(r.t.InspectTimeout))
	for _, mm := range res.mismatches {
		fmt.Fprintf(&m, "  %s\n", mm)
	}
	fmt.Fprintf(&m, "A receiver that keeps recordIds in 32 bits writes both records into one.\n%s\n\nreproduce (then ask the state hook about records %d and %d):\n  %s\n", hintIDs32, a.Event.RecordID, b.Event.RecordID, reproduce)
	Fail(m.String())
}
