package schemas

import (
	"strings"

	"github.com/coperniq-mock/coperniq-mock/suggest"
)

// Family groups triggers by what they concern. It decides which record type a
// trigger carries and whether a workOrder key is present.
type Family string

// The trigger families, in the order help text and reports list them.
const (
	FamilyWorkOrder   Family = "work order"
	FamilyProject     Family = "project"
	FamilyRequest     Family = "request"
	FamilyAppointment Family = "appointment"
	FamilyCall        Family = "call"
)

// Families lists every family in display order.
func Families() []Family {
	return []Family{FamilyWorkOrder, FamilyProject, FamilyRequest, FamilyAppointment, FamilyCall}
}

// FieldType is the JSON type of an extra event field, in JSON Schema words.
type FieldType string

// JSON Schema types and formats used by extra event fields.
const (
	TypeInteger  FieldType = "integer"
	TypeString   FieldType = "string"
	TypeDateTime FieldType = "date-time" // a string with format date-time
)

// Field is one trigger-specific field of the event object.
type Field struct {
	Name        string
	Type        FieldType
	Nullable    bool
	Description string
	// Enum closes the value set at the strict level; the contract level leaves
	// status-like strings open so receivers are tested on unseen values.
	Enum []string
	// AlwaysNull is true for a nullable field this tool always sends as
	// null: the strict level allows only null (exactly what coperniq-mock
	// emits), the contract level the type or null as Coperniq documents it.
	AlwaysNull bool
	// Assumed says why the field's type or content is this project's
	// assumption; "" when Coperniq documents it. ValuesAssumed does the same
	// for Enum.
	Assumed, ValuesAssumed string
	// TypeAssumed says why the type of a field Coperniq lists without one
	// (its trigger table names the fields, its example shows only
	// TASK_STATUS_MOVEMENT's) is this project's assumption.
	TypeAssumed string
	// BehaviourAssumed is what this project assumes of a field Coperniq
	// documents (a range, a relation to other fields); its description
	// says it after "Assumed by coperniq-mock:", not as Coperniq's.
	BehaviourAssumed string
	// fromVocabulary marks Enum as a team's vocabulary's own list
	// (Vocabulary.Trigger), which ValuesAssumed then names.
	fromVocabulary bool
}

// Why the types of the trigger-specific fields Coperniq lists without an
// example are what they are.
const (
	idTypeAssumed   = "Coperniq lists this field without a type; an integer, as the ids of its documented example are."
	timeTypeAssumed = "Coperniq lists this field without a type; an ISO 8601 string, as firedAt is."
	wordTypeAssumed = "Coperniq lists this field without a type; a string, as the statuses of its documented example are."
)

// Trigger describes one Coperniq automation trigger.
type Trigger struct {
	Key       string // triggerKey, e.g. TASK_STATUS_MOVEMENT
	Name      string // triggerName, e.g. Work Order Status Movement
	Family    Family
	FiresWhen string // one line, lower case: "a work order changes status"
	// RecordTypes are the record.type values the trigger may carry; the first
	// is what the generator uses by default.
	RecordTypes []string
	// WorkOrder is true when the payload carries a workOrder key.
	WorkOrder bool
	// RecordOptional is true for triggers whose payload may lack a record:
	// Coperniq sends one only "when the trigger is associated with a
	// Project, Request, or Account". Which triggers may lack it is this
	// project's assumption (calls and appointments not tied to a record);
	// the contract level makes record optional for every trigger.
	RecordOptional bool
	// Fields are the extra event fields beyond the common five.
	Fields []Field
	// NameDocumented is true when Coperniq publishes the trigger's exact
	// triggerName; the other names are this project's, in title case from
	// the trigger's description.
	NameDocumented bool
}

// RecordTypes every record may have.
var RecordTypes = []string{"PROJECT", "DEAL", "ACCOUNT", "VENDOR"}

// WorkOrderStatuses is the generator's closed set; the strict schema uses it,
// the contract schema accepts any string.
var WorkOrderStatuses = []string{"QUEUED", "ASSIGNED", "SCHEDULED", "WORKING", "IN_PROGRESS", "WAITING", "REVIEW", "COMPLETED", "CANCELLED"}

// RecordStatuses are project and account statuses.
var RecordStatuses = []string{"ACTIVE", "ON_HOLD", "CANCELLED", "COMPLETED"}

// RequestStatuses are opportunity (request, deal) statuses; Coperniq does not
// publish them, these follow its request stages.
var RequestStatuses = []string{"NEW", "PROPOSAL", "WON", "LOST", "NURTURE"}

const reasonRequestStatuses = "Coperniq does not publish request statuses; these follow its request stages (New Request, Proposal, Closed Won, Closed Lost, Nurture)."

// PhaseTypes are the kinds of workflow phase.
var PhaseTypes = []string{"SALES", "DESIGN", "PERMITTING", "INSTALLATION", "INSPECTION", "INTERCONNECTION", "SERVICE"}

// SLATypes are the two SLA thresholds.
var SLATypes = []string{"YELLOW", "RED"}

// Trades a record may list.
var Trades = []string{"Solar", "Storage", "Roofing", "HVAC", "Electrical", "EV Charger", "Generator", "Plumbing"}

// USStates are the two-letter codes of the 50 states and the District of
// Columbia, the values record.state takes at the strict level.
var USStates = []string{
	"AK", "AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "HI", "IA", "ID", "IL", "IN", "KS",
	"KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV",
	"NY", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VT", "WA", "WI", "WV", "WY",
}

// USPhonePattern is the form of the phone numbers this tool sends, checked at
// the strict level: E.164 with country code 1 and a ten-digit North American
// number whose area code does not start with 0 or 1. Coperniq documents
// E.164 (^\+[1-9][0-9]{7,14}$), which the contract level leaves unchecked.
const USPhonePattern = `^\+1[2-9][0-9]{9}$`

var (
	workOrderFields = []Field{
		{Name: "workOrderId", Type: TypeInteger, Description: "Id of the work order the event concerns; equals workOrder.id.", BehaviourAssumed: idRange},
		{Name: "currentStatus", Type: TypeString, Description: "The work order's status after the change; equals workOrder.status.", Enum: WorkOrderStatuses},
		{Name: "previousStatus", Type: TypeString, Description: "The work order's status before the change.", Enum: WorkOrderStatuses,
			BehaviourAssumed: "Never equal to currentStatus: a movement is a change of status."},
	}
	// A work order that was just created has no previous status.
	createdFields = []Field{workOrderFields[0], workOrderFields[1],
		{Name: "previousStatus", Type: TypeString, Nullable: true, AlwaysNull: true, Description: "Null: a work order that was just created has no previous status.", Enum: WorkOrderStatuses,
			Assumed: "Coperniq lists previousStatus on TASK_CREATED without saying what it holds; a new work order has no previous status, so this tool sends null."}}
	phaseFields = func(status string) []Field {
		return []Field{
			{Name: "phaseInstanceId", Type: TypeInteger, TypeAssumed: idTypeAssumed, Description: "Id of this record's instance of the phase.", BehaviourAssumed: idRange},
			{Name: "phaseTemplateId", Type: TypeInteger, TypeAssumed: idTypeAssumed, Description: "Id of the workflow's phase definition, shared by every record that uses the workflow.", BehaviourAssumed: idRange},
			{Name: "phaseType", Type: TypeString, TypeAssumed: wordTypeAssumed, Description: "The kind of phase, such as PERMITTING or INSTALLATION.", Enum: PhaseTypes, ValuesAssumed: "Coperniq does not publish phase types; these short upper-case words for the kinds of phase are this tool's."},
			{Name: "status", Type: TypeString, TypeAssumed: wordTypeAssumed, Description: "The phase instance's status after the event.", Enum: []string{status}, ValuesAssumed: "Coperniq does not publish this value; this tool sends the phase instance status of its REST API (IN_PROGRESS when started, COMPLETED when completed)."},
		}
	}
	slaFields = []Field{
		{Name: "overdueAt", Type: TypeDateTime, TypeAssumed: timeTypeAssumed, Description: "When the phase crossed its SLA threshold."},
		{Name: "slaType", Type: TypeString, TypeAssumed: wordTypeAssumed, Description: "Which threshold was crossed: YELLOW (warning) or RED (violation).", Enum: SLATypes, ValuesAssumed: "Coperniq does not publish SLA types; YELLOW and RED follow the yellowSla and redSla settings of its REST API."},
		{Name: "phaseTemplateId", Type: TypeInteger, TypeAssumed: idTypeAssumed, Description: "Id of the workflow's phase definition that overran.", BehaviourAssumed: idRange},
	}
	appointmentID = Field{Name: "appointmentId", Type: TypeInteger, TypeAssumed: idTypeAssumed, Description: "Id of the appointment.", BehaviourAssumed: idRange}
	dueDate       = Field{Name: "dueDate", Type: TypeDateTime, TypeAssumed: timeTypeAssumed, Description: "When the appointment is scheduled."}
)

var triggers = []Trigger{
	{Key: "TASK_CREATED", Name: "Work Order Created", Family: FamilyWorkOrder, FiresWhen: "a work order is created",
		RecordTypes: []string{"PROJECT", "DEAL", "ACCOUNT"}, WorkOrder: true, Fields: createdFields},
	{Key: "TASK_COMPLETED", Name: "Work Order Completed", Family: FamilyWorkOrder, FiresWhen: "a work order is completed",
		RecordTypes: []string{"PROJECT", "DEAL", "ACCOUNT"}, WorkOrder: true, Fields: workOrderFields[:1]},
	{Key: "TASK_STATUS_MOVEMENT", Name: "Work Order Status Movement", Family: FamilyWorkOrder, FiresWhen: "a work order changes status",
		RecordTypes: []string{"PROJECT", "DEAL", "ACCOUNT"}, WorkOrder: true, Fields: workOrderFields, NameDocumented: true},
	{Key: "PROJECT_CREATED", Name: "Project Created", Family: FamilyProject, FiresWhen: "a project is created",
		RecordTypes: []string{"PROJECT"}},
	{Key: "PROJECT_STATUS_MOVEMENT", Name: "Project Status Movement", Family: FamilyProject, FiresWhen: "a project changes status",
		RecordTypes: []string{"PROJECT"}},
	{Key: "PROJECT_PROPERTY_UPDATED", Name: "Project Property Updated", Family: FamilyProject, FiresWhen: "a project custom property changes",
		RecordTypes: []string{"PROJECT"}},
	{Key: "PROJECT_PHASE_STARTED", Name: "Project Phase Started", Family: FamilyProject, FiresWhen: "a project enters a phase",
		RecordTypes: []string{"PROJECT"}, Fields: phaseFields("IN_PROGRESS")},
	{Key: "PROJECT_PHASE_COMPLETED", Name: "Project Phase Completed", Family: FamilyProject, FiresWhen: "a project phase completes",
		RecordTypes: []string{"PROJECT"}, Fields: phaseFields("COMPLETED")},
	{Key: "PROJECT_PHASE_SLA_VIOLATION", Name: "Project Phase SLA Violation", Family: FamilyProject, FiresWhen: "a project phase overruns its SLA",
		RecordTypes: []string{"PROJECT"}, Fields: slaFields},
	{Key: "REQUEST_CREATED", Name: "Request Created", Family: FamilyRequest, FiresWhen: "a request is created",
		RecordTypes: []string{"DEAL"}},
	{Key: "DEAL_STATUS_MOVEMENT", Name: "Request Status Movement", Family: FamilyRequest, FiresWhen: "a request changes status",
		RecordTypes: []string{"DEAL"}},
	{Key: "DEAL_PROPERTY_UPDATED", Name: "Request Property Updated", Family: FamilyRequest, FiresWhen: "a request custom property changes",
		RecordTypes: []string{"DEAL"}},
	{Key: "REQUEST_PHASE_STARTED", Name: "Request Phase Started", Family: FamilyRequest, FiresWhen: "a request enters a phase",
		RecordTypes: []string{"DEAL"}, Fields: phaseFields("IN_PROGRESS")},
	{Key: "REQUEST_PHASE_COMPLETED", Name: "Request Phase Completed", Family: FamilyRequest, FiresWhen: "a request phase completes",
		RecordTypes: []string{"DEAL"}, Fields: phaseFields("COMPLETED")},
	{Key: "DEAL_PHASE_SLA_VIOLATION", Name: "Request Phase SLA Violation", Family: FamilyRequest, FiresWhen: "a request phase overruns its SLA",
		RecordTypes: []string{"DEAL"}, Fields: slaFields},
	{Key: "APPOINTMENT_CREATED", Name: "Appointment Created", Family: FamilyAppointment, FiresWhen: "an appointment is scheduled",
		RecordTypes: []string{"PROJECT", "DEAL"}, RecordOptional: true, Fields: []Field{appointmentID, dueDate}},
	{Key: "APPOINTMENT_RESCHEDULED", Name: "Appointment Rescheduled", Family: FamilyAppointment, FiresWhen: "an appointment is moved",
		RecordTypes: []string{"PROJECT", "DEAL"}, RecordOptional: true, Fields: []Field{appointmentID, dueDate,
			{Name: "previousDueDate", Type: TypeDateTime, TypeAssumed: timeTypeAssumed, Description: "When the appointment was scheduled before it moved."}}},
	{Key: "CALL_UPSERTED", Name: "Call Logged or Updated", Family: FamilyCall, FiresWhen: "a call is logged or updated",
		RecordTypes: []string{"PROJECT", "DEAL", "ACCOUNT", "VENDOR"}, RecordOptional: true},
}

// Triggers returns every trigger, grouped by family in Families order. The
// slice is a copy; callers may keep or sort it.
func Triggers() []Trigger {
	out := make([]Trigger, len(triggers))
	copy(out, triggers)
	return out
}

// TriggerKeys returns every triggerKey in Triggers order.
func TriggerKeys() []string {
	keys := make([]string, len(triggers))
	for i, t := range triggers {
		keys[i] = t.Key
	}
	return keys
}

// Lookup returns the trigger with the given key. The key is matched exactly
// (Coperniq sends upper case); an unknown key gets an error that lists the
// valid keys and suggests the nearest one.
func Lookup(key string) (Trigger, error) {
	for _, t := range triggers {
		if t.Key == key {
			return t, nil
		}
	}
	return Trigger{}, &UnknownTriggerError{Key: key}
}

// UnknownTriggerError reports a triggerKey that is not one of the 18.
type UnknownTriggerError struct {
	Key string
}

func (e *UnknownTriggerError) Error() string {
	return suggest.NotOneOf("trigger", e.Key, TriggerKeys(), e.Suggestion())
}

// Suggestion is the trigger key the user most likely meant, or "".
func (e *UnknownTriggerError) Suggestion() string {
	return suggest.Nearest(normalizeTriggerWords(e.Key), TriggerKeys())
}

// triggerSynonyms maps words people type for a trigger to Coperniq's words,
// so TASK_DONE suggests TASK_COMPLETED and WORK_ORDER_CREATED TASK_CREATED.
var triggerSynonyms = strings.NewReplacer(
	"WORK_ORDER", "TASK", "WORKORDER", "TASK",
	"DONE", "COMPLETED", "FINISHED", "COMPLETED", "CLOSED", "COMPLETED",
	"NEW", "CREATED", "ADDED", "CREATED",
	"STATUS_CHANGED", "STATUS_MOVEMENT", "STATUS_CHANGE", "STATUS_MOVEMENT", "MOVED", "STATUS_MOVEMENT",
	"OPPORTUNITY", "DEAL",
	"CALL_LOGGED", "CALL_UPSERTED", "CALL_UPDATED", "CALL_UPSERTED",
	"APPOINTMENT_MOVED", "APPOINTMENT_RESCHEDULED",
	"SLA_VIOLATED", "SLA_VIOLATION", "SLA_BREACH", "SLA_VIOLATION",
	"-", "_", " ", "_",
)

func normalizeTriggerWords(key string) string {
	return triggerSynonyms.Replace(strings.ToUpper(key))
}
