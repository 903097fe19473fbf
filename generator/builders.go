package generator

import (
	"fmt"
	"slices"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Entity builders, for code that keeps its own world of records and work
// orders (a scenario moving a project through its phases) and renders
// events from it. They draw from the same stream as Payload.

// Record returns a new record of recordType (PROJECT, DEAL, ACCOUNT or
// VENDOR), filled per the generator's profile, as it stands at the epoch:
// createdAt and updatedAt are at or before it. The record's workflow stage
// fits its trades.
func (g *Generator) Record(recordType string) *Record {
	g.started = true // a scenario drives the stream; its seed already names it
	rb := new(recordBox)
	place := g.place()
	r := g.buildRecord(rb, recordType, nil, place, g.epoch)
	if g.profile == Maximal && r.Stage != nil {
		rb.stageExt[0] = RawField{"position", rawSmallInts[r.stageIdx%len(rawSmallInts)]}
		r.Stage.Extra = rb.stageExt[:1]
	}
	return r
}

// WorkOrder returns a new QUEUED work order of rec, of a kind that fits the
// record's type, trades and stage, created when the record was last
// updated. Set its Status, times and assignee as the work order moves on;
// PayloadFor keeps the event in step.
func (g *Generator) WorkOrder(rec *Record) *WorkOrder {
	g.started = true // a scenario drives the stream; its seed already names it
	mask := rec.mask
	if mask == 0 {
		mask = tradeMask(rec.Trades)
	}
	tp := g.template(rec, mask, false)
	w := &WorkOrder{Title: tp.title, IsField: tp.isField, RecordID: rec.ID, Status: "QUEUED"}
	w.ID = int64(g.between(2000, 99999))
	w.UID = int64(g.between(1, min(999, int(w.ID)-1)))
	g.workOrderDetails(w, tp, rec, rec.UpdatedAt, true)
	return w
}

// PayloadFor renders a payload for triggerKey at firedAt from the given
// record and work order (nil unless the trigger is TASK_*), with a new event
// id from the stream and trigger-specific event fields that fit them: the
// phase of the record's stage, an SLA crossing before firedAt, an
// appointment date, a plausible previous status. The payload holds copies
// of rec and wo, so changing them afterwards does not change it; change
// p.Event fields to state exactly what happened (p.Event.PreviousStatus,
// for instance).
func (g *Generator) PayloadFor(triggerKey string, firedAt time.Time, rec *Record, wo *WorkOrder) (*Payload, error) {
	if g.err != nil {
		return nil, g.err
	}
	g.started = true // a scenario drives the stream; its seed already names it
	t, err := checkEntities(triggerKey, rec, wo)
	if err != nil {
		return nil, err
	}
	p := &Payload{Record: rec.Clone(), WorkOrder: wo.Clone(), trig: t}
	prev := ""
	if wo != nil && t.kind == kindTaskMove {
		prev = g.previousStatus(wo)
	}
	g.fillEvent(&p.Event, t, firedAt.UTC(), p.Record, p.WorkOrder, prev)
	return p, nil
}

// NewPayload assembles a payload without drawing anything: the event has the
// given id and time, record and work-order ids in step, the trigger's name,
// and currentStatus from the work order; other trigger-specific event fields
// are zero for the caller to set. The payload holds copies of rec and wo.
func NewPayload(triggerKey string, eventID int64, firedAt time.Time, rec *Record, wo *WorkOrder) (*Payload, error) {
	t, err := checkEntities(triggerKey, rec, wo)
	if err != nil {
		return nil, err
	}
	p := &Payload{Record: rec.Clone(), WorkOrder: wo.Clone(), trig: t}
	p.Event = Event{Identity: schemas.Identity{EventID: eventID, RecordID: rec.ID, TriggerKey: t.key}, TriggerName: t.name, FiredAt: firedAt.UTC()}
	if wo != nil {
		p.WorkOrder.RecordID = rec.ID
		p.Event.WorkOrderID = wo.ID
		p.Event.CurrentStatus = wo.Status
	}
	return p, nil
}

func checkEntities(triggerKey string, rec *Record, wo *WorkOrder) (*trigInfo, error) {
	t, err := lookupTrigger(triggerKey)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, fmt.Errorf("%s payloads need a record", t.key)
	}
	if t.workOrder != (wo != nil) {
		if t.workOrder {
			return nil, fmt.Errorf("%s payloads need a work order", t.key)
		}
		return nil, fmt.Errorf("%s payloads carry no work order", t.key)
	}
	return t, nil
}

// previousStatus picks a status a work order plausibly had before its
// current one.
func (g *Generator) previousStatus(w *WorkOrder) string {
	list := officeTransitions
	if w.IsField {
		list = fieldTransitions
	}
	var froms [8]string
	n := 0
	status := g.builtinStatus(w.Status)
	for _, tr := range list {
		if tr.to == status && n < len(froms) {
			froms[n] = tr.from
			n++
		}
	}
	if n == 0 {
		if status == "QUEUED" {
			return "ASSIGNED"
		}
		return "QUEUED"
	}
	return froms[g.intn(n)]
}

// AdvanceStage moves a record made by this package to the next stage of its
// workflow, as when a phase completes, and reports whether there was one. A
// request's requestStatus follows its stage. Records built by hand, or
// without a workflow (accounts, vendors), have no next stage.
func (r *Record) AdvanceStage() bool {
	if r.wf == nil || r.stageIdx+1 >= len(r.wf.stages) {
		return false
	}
	r.stageIdx++
	s := &r.wf.stages[r.stageIdx]
	var extra []RawField
	if r.Stage != nil {
		extra = r.Stage.Extra
	}
	r.Stage = &Stage{ID: s.id, Name: s.name, Extra: extra}
	if r.wf.request && r.RequestStatus.Valid {
		r.RequestStatus = Some(r.wf.requestStageStatus(r.stageIdx))
	}
	return true
}

// Clone returns a deep copy of r (nil for nil). Extra values are shared:
// they are read-only.
func (r *Record) Clone() *Record {
	if r == nil {
		return nil
	}
	c := *r
	if r.Stage != nil {
		s := *r.Stage
		s.Extra = slices.Clone(s.Extra)
		c.Stage = &s
	}
	if r.GeoLocation != nil {
		gl := *r.GeoLocation
		gl.Extra = slices.Clone(gl.Extra)
		c.GeoLocation = &gl
	}
	if r.Jurisdiction != nil {
		j := *r.Jurisdiction
		j.Extra = slices.Clone(j.Extra)
		c.Jurisdiction = &j
	}
	if r.Trades != nil {
		c.Trades = slices.Clone(r.Trades)
		if c.Trades == nil {
			c.Trades = []string{}
		}
	}
	c.Extra = slices.Clone(r.Extra)
	return &c
}

// Clone returns a deep copy of w (nil for nil). Extra values are shared:
// they are read-only.
func (w *WorkOrder) Clone() *WorkOrder {
	if w == nil {
		return nil
	}
	c := *w
	c.Extra = slices.Clone(w.Extra)
	return &c
}
