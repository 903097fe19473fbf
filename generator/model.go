package generator

import (
	"encoding/json"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Null is a value that may be JSON null; the zero value is null. It has the
// shape of database/sql's Null[T], without the import.
type Null[T any] struct {
	V     T
	Valid bool
}

// Some returns a non-null value.
func Some[T any](v T) Null[T] { return Null[T]{V: v, Valid: true} }

// MarshalJSON writes null or V.
func (n Null[T]) MarshalJSON() ([]byte, error) {
	if !n.Valid {
		return []byte("null"), nil
	}
	return json.Marshal(n.V)
}

// RawField is a property the payload carries beyond the documented ones, as
// a key and its JSON text. The maximal and edge profiles add them to test
// that receivers ignore what they do not know. Value must be valid JSON; it is
// written verbatim, which is what makes unknown fields cost nothing to encode.
type RawField struct {
	Key   string
	Value json.RawMessage
}

// Payload is one webhook body. Record is nil when the trigger's record is
// optional (calls and appointments, schemas.Trigger.RecordOptional) and the
// profile left it out: always in the minimal profile, sometimes in the edge
// one. WorkOrder is non-nil exactly on TASK_* triggers.
type Payload struct {
	Event     Event
	Record    *Record
	WorkOrder *WorkOrder
	Extra     []RawField

	trig *trigInfo // cached catalog entry for Event.TriggerKey
}

// Event is the event object. The trigger-specific fields below the common
// five are written only when the catalog lists them for Event.TriggerKey;
// the others are ignored, so one struct serves every trigger.
type Event struct {
	schemas.Identity
	TriggerName string
	FiredAt     time.Time
	// FiredAtNoMillis writes firedAt without fractional seconds
	// (2026-03-31T17:04:22Z), which ISO 8601 allows and some receivers reject;
	// the edge profile sets it.
	FiredAtNoMillis bool

	WorkOrderID    int64        // TASK_*
	CurrentStatus  string       // TASK_CREATED, TASK_STATUS_MOVEMENT
	PreviousStatus Null[string] // TASK_CREATED (null), TASK_STATUS_MOVEMENT

	PhaseInstanceID int64  // *_PHASE_STARTED, *_PHASE_COMPLETED
	PhaseTemplateID int64  // phase and SLA triggers
	PhaseType       string // phase triggers
	Status          string // phase triggers: the phase instance's status

	OverdueAt time.Time // SLA triggers
	SLAType   string    // SLA triggers

	AppointmentID   int64     // APPOINTMENT_*
	DueDate         time.Time // APPOINTMENT_*
	PreviousDueDate time.Time // APPOINTMENT_RESCHEDULED

	Extra []RawField
}

// Record is a project, request (deal), account or vendor. Nil pointers and
// invalid Nulls encode as null; a nil Trades encodes as null, an empty one as
// [].
type Record struct {
	ID            int64
	UID           int64
	Type          string
	Title         string
	Status        Null[string]
	RequestStatus Null[string]
	Stage         *Stage
	Address       Null[string]
	City          Null[string]
	State         Null[string]
	GeoLocation   *GeoLocation
	Jurisdiction  *Jurisdiction
	Trades        []string
	DealValue     Null[float64]
	OwnerID       Null[int64]
	PrimaryEmail  Null[string]
	PrimaryPhone  Null[string]
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Extra         []RawField

	// Workflow state the generator keeps so later events for the record stay
	// plausible; not part of the payload.
	wf       *workflow
	stageIdx int
	place    *Place
	mask     uint16 // trade bits, for picking work orders
	first    string // the primary contact's name
	last     string
}

// Stage is a workflow stage.
type Stage struct {
	ID    int64
	Name  string
	Extra []RawField
}

// GeoLocation is a point in decimal degrees.
type GeoLocation struct {
	Lat, Lng float64
	Extra    []RawField
}

// Jurisdiction is a permitting authority.
type Jurisdiction struct {
	ID    int64
	Name  string
	Extra []RawField
}

// WorkOrder is a work order (task) of a record.
type WorkOrder struct {
	ID              int64
	UID             int64
	Title           string
	Description     Null[string]
	Status          string
	Priority        Null[int64]
	RecordID        int64
	AssigneeID      Null[int64]
	IsField         bool
	StartDate       Null[time.Time]
	EndDate         Null[time.Time]
	StartDateAllDay bool
	EndDateAllDay   bool
	CompletionDate  Null[time.Time]
	CreatedAt       time.Time
	ModifiedAt      time.Time
	Extra           []RawField
}

// AppendJSON appends the payload as compact JSON to dst. Keys come in the
// documented order, unknown (Extra) fields after the known ones of their
// object. Non-finite numbers, which JSON cannot express, are written as
// null.
func (p *Payload) AppendJSON(dst []byte) []byte {
	t := p.trig
	if t == nil || t.key != p.Event.TriggerKey {
		t = triggerByKey[p.Event.TriggerKey]
	}
	return appendPayload(dst, false, p, t)
}

// MarshalJSON is AppendJSON for encoding/json.
func (p *Payload) MarshalJSON() ([]byte, error) { return p.AppendJSON(nil), nil }

// MarshalJSON encodes the record as it appears in a payload.
func (r *Record) MarshalJSON() ([]byte, error) { return new(encoder).record(nil, r), nil }

// MarshalJSON encodes the work order as it appears in a payload.
func (w *WorkOrder) MarshalJSON() ([]byte, error) { return new(encoder).workOrder(nil, w), nil }
