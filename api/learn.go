package api

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// learnedKey names a learned record: payloads from outside a world (the
// contract's edge payloads) give records of different types one id.
type learnedKey struct {
	id  int64
	typ string
}

// learned are the records, work orders and appointments Learn took from
// payloads that are not of the world, newest version of each.
type learned struct {
	records map[learnedKey]scenarios.RecordState
	wos     map[int64]scenarios.WorkOrderState
	appts   map[int64]scenarios.AppointmentState
	world   map[learnedKey]bool // the world's records, which Learn leaves alone
	// worldAppts are the world's appointments, which Learn leaves alone.
	worldAppts map[int64]bool
}

// Learn makes the API know the record (and work order, and appointment)
// of a webhook payload that is not of its world, as Coperniq's API knows
// the record of every webhook it sends: a receiver that fetches each
// webhook's record finds it, whatever sent the payload (the contract
// specs' generated payloads, a `send`). A learned record stands from then
// on, as the newest payload about it shows it (by updatedAt), without
// phases or account (the payload does not carry them). An appointment
// webhook's event.appointmentId is learned with or without a record (calls
// and appointments may come without one), due at the payload's dueDate.
// The world's own records and appointments are left as the world has
// them; a body that is not a payload with a record or an appointment is
// ignored.
func (h *Handler) Learn(body []byte) {
	var p payloadView
	// A field of an unexpected type (an edge payload) is left out, the
	// rest read: Unmarshal goes on past it.
	_ = json.Unmarshal(body, &p)
	hasRecord := p.Record != nil && p.Record.ID != 0
	if !hasRecord && p.Event.AppointmentID == 0 {
		return
	}
	fired := timeOr(p.Event.FiredAt, time.Time{})
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.learned.world == nil {
		h.learned = learned{records: map[learnedKey]scenarios.RecordState{}, wos: map[int64]scenarios.WorkOrderState{},
			appts: map[int64]scenarios.AppointmentState{}, world: map[learnedKey]bool{}, worldAppts: map[int64]bool{}}
		end := h.tl.At(h.tl.End())
		for _, r := range end.Records {
			h.learned.world[learnedKey{r.ID, r.Type}] = true
		}
		for _, a := range end.Appointments {
			h.learned.worldAppts[a.ID] = true
		}
	}
	h.snap = nil
	if id := p.Event.AppointmentID; id != 0 && !h.learned.worldAppts[id] {
		// An identity that does not decode leaves the appointment
		// without record, as the view allows.
		ident, _ := schemas.DecodeIdentity(body)
		recordID := ident.RecordID
		if hasRecord {
			recordID = p.Record.ID
		}
		st := scenarios.AppointmentState{ID: id, RecordID: recordID, Due: timeOr(p.Event.DueDate, fired),
			CreatedAt: fired, UpdatedAt: fired, Since: fired}
		old, ok := h.learned.appts[id]
		if ok {
			st.CreatedAt = old.CreatedAt
		}
		if !ok || !fired.Before(old.UpdatedAt) {
			h.learned.appts[id] = st
		}
	}
	if !hasRecord {
		return
	}
	rec := p.Record.state(fired)
	k := learnedKey{rec.ID, rec.Type}
	if h.learned.world[k] {
		return
	}
	if old, ok := h.learned.records[k]; !ok || !rec.UpdatedAt.Before(old.UpdatedAt) {
		h.learned.records[k] = rec
	}
	if wo := p.WorkOrder; wo != nil && wo.ID != 0 {
		st := wo.state(rec.ID, fired)
		if old, ok := h.learned.wos[st.ID]; !ok || !st.ModifiedAt.Before(old.ModifiedAt) {
			h.learned.wos[st.ID] = st
		}
	}
}

// withLearned adds the learned records, work orders and appointments to
// snap, in id order. Called with h.mu held.
func (h *Handler) withLearned(snap *scenarios.Snapshot) *scenarios.Snapshot {
	if len(h.learned.records)+len(h.learned.appts) == 0 {
		return snap
	}
	for _, r := range h.learned.records {
		snap.Records = append(snap.Records, r)
	}
	for _, wo := range h.learned.wos {
		snap.WorkOrders = append(snap.WorkOrders, wo)
	}
	for _, a := range h.learned.appts {
		snap.Appointments = append(snap.Appointments, a)
	}
	slices.SortFunc(snap.Records, func(a, b scenarios.RecordState) int {
		if c := cmpInt(a.ID, b.ID); c != 0 {
			return c
		}
		return strings.Compare(a.Type, b.Type)
	})
	slices.SortFunc(snap.WorkOrders, func(a, b scenarios.WorkOrderState) int { return cmpInt(a.ID, b.ID) })
	slices.SortFunc(snap.Appointments, func(a, b scenarios.AppointmentState) int { return cmpInt(a.ID, b.ID) })
	return snap
}

// payloadView is what Learn reads of a payload. Every field is optional:
// a payload the mock cannot read whole is learned as far as it can be.
type payloadView struct {
	Event struct {
		FiredAt       string `json:"firedAt"`
		AppointmentID int64  `json:"appointmentId"`
		DueDate       string `json:"dueDate"`
	} `json:"event"`
	Record    *payloadRecord    `json:"record"`
	WorkOrder *payloadWorkOrder `json:"workOrder"`
}

type payloadRecord struct {
	ID            int64    `json:"id"`
	UID           int64    `json:"uid"`
	Type          string   `json:"type"`
	Title         string   `json:"title"`
	Status        *string  `json:"status"`
	RequestStatus *string  `json:"requestStatus"`
	Address       *string  `json:"address"`
	City          *string  `json:"city"`
	State         *string  `json:"state"`
	Trades        []string `json:"trades"`
	DealValue     *float64 `json:"dealValue"`
	OwnerID       *int64   `json:"ownerId"`
	PrimaryEmail  *string  `json:"primaryEmail"`
	PrimaryPhone  *string  `json:"primaryPhone"`
	CreatedAt     string   `json:"createdAt"`
	UpdatedAt     string   `json:"updatedAt"`
	Stage         *struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"stage"`
}

func (v *payloadRecord) state(fired time.Time) scenarios.RecordState {
	r := generator.Record{ID: v.ID, UID: v.UID, Type: v.Type, Title: v.Title,
		Status: null(v.Status), RequestStatus: null(v.RequestStatus), Address: null(v.Address),
		City: null(v.City), State: null(v.State), Trades: v.Trades, DealValue: null(v.DealValue),
		OwnerID: null(v.OwnerID), PrimaryEmail: null(v.PrimaryEmail), PrimaryPhone: null(v.PrimaryPhone)}
	r.UpdatedAt = timeOr(v.UpdatedAt, fired)
	r.CreatedAt = timeOr(v.CreatedAt, r.UpdatedAt)
	if v.Stage != nil {
		r.Stage = &generator.Stage{ID: v.Stage.ID, Name: v.Stage.Name}
	}
	return scenarios.RecordState{Record: r, Since: fired}
}

type payloadWorkOrder struct {
	ID              int64   `json:"id"`
	UID             int64   `json:"uid"`
	Title           string  `json:"title"`
	Description     *string `json:"description"`
	Status          string  `json:"status"`
	Priority        *int64  `json:"priority"`
	RecordID        int64   `json:"recordId"`
	AssigneeID      *int64  `json:"assigneeId"`
	IsField         bool    `json:"isField"`
	StartDate       *string `json:"startDate"`
	EndDate         *string `json:"endDate"`
	StartDateAllDay bool    `json:"startDateAllDay"`
	EndDateAllDay   bool    `json:"endDateAllDay"`
	CompletionDate  *string `json:"completionDate"`
	CreatedAt       string  `json:"createdAt"`
	ModifiedAt      string  `json:"modifiedAt"`
}

func (v *payloadWorkOrder) state(recordID int64, fired time.Time) scenarios.WorkOrderState {
	wo := generator.WorkOrder{ID: v.ID, UID: v.UID, Title: v.Title, Description: null(v.Description),
		Status: v.Status, Priority: null(v.Priority), RecordID: v.RecordID, AssigneeID: null(v.AssigneeID),
		IsField: v.IsField, StartDate: nullTimeOf(v.StartDate), EndDate: nullTimeOf(v.EndDate),
		StartDateAllDay: v.StartDateAllDay, EndDateAllDay: v.EndDateAllDay, CompletionDate: nullTimeOf(v.CompletionDate)}
	if wo.RecordID == 0 {
		wo.RecordID = recordID
	}
	wo.ModifiedAt = timeOr(v.ModifiedAt, fired)
	wo.CreatedAt = timeOr(v.CreatedAt, wo.ModifiedAt)
	return scenarios.WorkOrderState{WorkOrder: wo, Since: fired}
}

func null[T any](p *T) generator.Null[T] {
	if p == nil {
		return generator.Null[T]{}
	}
	return generator.Some(*p)
}

func nullTimeOf(s *string) generator.Null[time.Time] {
	if s == nil {
		return generator.Null[time.Time]{}
	}
	t := timeOr(*s, time.Time{})
	if t.IsZero() {
		return generator.Null[time.Time]{}
	}
	return generator.Some(t)
}

// timeOr reads an RFC 3339 time, or gives or.
func timeOr(s string, or time.Time) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	return or
}
