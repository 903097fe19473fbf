package schemas

// The Go tables below are the single source of both schema levels: the files
// under contract/ and strict/ are rendered from them (gen.go), Fields reads
// them, and the staleness test keeps the committed files in step.

// propKind is a property's JSON shape in the tables.
type propKind int

const (
	kindInteger propKind = iota
	kindNumber
	kindString
	kindBoolean
	kindDateTime  // string, format date-time
	kindEmail     // string, format email
	kindStringArr // array of strings
	kindObject    // an object described by a definition file
)

// prop is one property of an object in the payload.
type prop struct {
	name     string
	kind     propKind
	nullable bool
	desc     string
	// enum closes the value set (of the items, for arrays) at the strict
	// level only; the contract level leaves it open so receivers are tested
	// on values they have not seen.
	enum []string
	// def names the definition file of a kindObject property.
	def string
	// pattern and minLength constrain a string at the strict level only,
	// like enum: what this tool sends, not what Coperniq promises.
	pattern   string
	minLength int
	// alwaysNull narrows a nullable property to null at the strict level:
	// this tool never sends another value there.
	alwaysNull bool
	// documentedNumber marks a kindInteger property that Coperniq documents
	// as a number: the contract level says number, only the strict level
	// holds it to this tool's integers.
	documentedNumber bool
	// assumed is why the property (its presence, type or meaning) is this
	// project's assumption; "" when Coperniq documents it.
	assumed string
	// valuesAssumed is why the strict level's closed value list (enum) is
	// this project's assumption; "" when Coperniq documents the values.
	valuesAssumed string
	// fromVocabulary marks a value list a team's vocabulary set.
	fromVocabulary bool
	// typeAssumed is why the type of a property whose name Coperniq
	// documents is this project's assumption.
	typeAssumed string
	// behaviourAssumed is what the description says of a documented
	// property that Coperniq does not publish (a range, what a retry
	// carries, when it is null): kept out of desc, so that desc states
	// only what is documented, and said after "Assumed by coperniq-mock:".
	behaviourAssumed string
}

// definition is one shared definition file (defs/<name>.json). Each is used
// at exactly one place in the payload, path, which is what lets examples be
// keyed by dotted payload path.
type definition struct {
	name  string
	path  string
	title string
	desc  string
	// behaviourAssumed is what this project assumes of the object as a
	// whole, said after desc like a property's.
	behaviourAssumed string
	// typed is false for objects that are nullable where they are used: the
	// use site carries "type": ["object", "null"], and a type here would
	// reject the null.
	typed bool
	// extensible is true for the event base, which every trigger file
	// extends with its own fields; the strict trigger files close it with
	// unevaluatedProperties instead.
	extensible bool
	props      []prop
}

// What the descriptions assume of ids: Coperniq documents them as
// integers (or numbers) and publishes no range; the strict level holds
// them to 1..2^53-1, which JavaScript and float64 decoders hold exactly.
const (
	idRange   = "An integer from 1 to 2^53-1, which the strict level checks."
	idRange64 = "An integer from 1 to 2^53-1, which the strict level checks; it may exceed 2^31, so read it into a 64-bit integer."
	// neverEmpty is a string's minLength, which only the strict level
	// checks: what this tool sends, not what Coperniq promises.
	neverEmpty = "Never empty, which the strict level checks."
	// asFired: Coperniq does not say when it reads the record or work
	// order it sends; a retry re-sends the identical body.
	asFired = "It is as it was when the event fired, and a retry carries it unchanged."
)

var eventDef = definition{
	name: "event", path: "event", title: "event", typed: true, extensible: true,
	desc: "What happened: which trigger fired, when, and for which record. Every payload has it. Trigger files add the trigger's own fields (such as workOrderId) to these five.",
	props: []prop{
		{name: "eventId", kind: kindInteger, documentedNumber: true, desc: "Unique id of this event.",
			behaviourAssumed: "A retry or a duplicate delivery re-sends the identical body, so it carries the same eventId: receivers can use it to drop events they have already processed. " + idRange64},
		{name: "recordId", kind: kindInteger, documentedNumber: true, desc: "Id of the record (project, request or account) the event concerns; equals record.id when the payload has a record. Coperniq documents it as always present.",
			behaviourAssumed: "On a payload without record (a call or appointment not tied to a record) it holds the id of the call or appointment."},
		{name: "triggerKey", kind: kindString, desc: "Machine name of the automation trigger that fired, such as TASK_STATUS_MOVEMENT. It decides which other event fields are present and whether the payload has a workOrder. Receivers should ignore, not reject, keys they do not know."},
		{name: "triggerName", kind: kindString, desc: "Human-readable name of the trigger, such as \"Work Order Status Movement\". Coperniq publishes only that one name, so branch on triggerKey, never on this."},
		{name: "firedAt", kind: kindDateTime, desc: "When the trigger fired, ISO 8601 in UTC, normally with milliseconds (2026-03-31T17:04:22.000Z); accept it without fractional seconds too.",
			behaviourAssumed: firedAtOrder},
	},
}

var recordDef = definition{
	name: "record", path: "record", title: "record", typed: true,
	desc:             "The project, request (deal) or account the event concerns. For work-order triggers it is the work order's parent record. The webhook may not carry custom properties; fetch them from Coperniq's REST API by id.",
	behaviourAssumed: asFired,
	props: []prop{
		{name: "id", kind: kindInteger, desc: "Coperniq's id of the record, the key for its REST API (GET /projects/{id} for a project).", behaviourAssumed: idRange64},
		{name: "uid", kind: kindInteger, documentedNumber: true, desc: "The record number people see in Coperniq's UI, not accepted by the API.",
			behaviourAssumed: "An integer from 1 to 2^53-1, smaller than id (record numbers count the records of one type, ids every object), which the strict level checks; this tool numbers the records of each type in creation order."},
		{name: "type", kind: kindString, enum: RecordTypes, desc: "Kind of record: PROJECT, DEAL (a request, also called an opportunity), ACCOUNT or VENDOR. PROJECT_* triggers carry a PROJECT, REQUEST_* and DEAL_* triggers a DEAL."},
		{name: "title", kind: kindString, minLength: 1, desc: "The record's title; in Coperniq's documented example, the site address.", behaviourAssumed: neverEmpty},
		{name: "status", kind: kindString, nullable: true, enum: RecordStatuses, desc: "Status of a project or account: ACTIVE, ON_HOLD, CANCELLED or COMPLETED as far as published; accept others. Null when the record has no such status.",
			behaviourAssumed: "Most requests have none."},
		{name: "requestStatus", kind: kindString, nullable: true, enum: RequestStatuses, valuesAssumed: reasonRequestStatuses, desc: "Opportunity status of a request (deal); Coperniq does not publish the values, so accept any string. Null on projects.",
			behaviourAssumed: "Null on accounts and vendors too: only requests have one."},
		{name: "stage", kind: kindObject, nullable: true, def: "stage", desc: "The workflow stage the record is in now. Null when the record is not in a workflow stage."},
		{name: "address", kind: kindString, nullable: true, minLength: 1, desc: "Site address on one line, such as \"123 Main St Austin TX 78701\". Null when the record has no address.", behaviourAssumed: neverEmpty},
		{name: "city", kind: kindString, nullable: true, minLength: 1, desc: "City of the site address. Null when unknown.", behaviourAssumed: neverEmpty},
		{name: "state", kind: kindString, nullable: true, enum: USStates, valuesAssumed: "Coperniq documents a two-letter state code; closing the list to the 50 states and DC is this tool's choice.", desc: "State of the site address as a two-letter code such as TX. Null when unknown.",
			behaviourAssumed: "One of the 50 states or DC."},
		{name: "geoLocation", kind: kindObject, nullable: true, def: "geoLocation", desc: "Coordinates of the site; they agree with city and state. Null when the address has not been geocoded."},
		{name: "jurisdiction", kind: kindObject, nullable: true, def: "jurisdiction", desc: "The authority having jurisdiction over the site, which issues its permits (a city or county building department). Null when none is assigned."},
		{name: "trades", kind: kindStringArr, nullable: true, enum: Trades, valuesAssumed: "Coperniq names these trades as examples; the closed list is this tool's.", desc: "Trades the work involves, such as Solar and Storage; accept names you do not know. Null when none are set."},
		{name: "dealValue", kind: kindNumber, nullable: true, desc: "Contract value in US dollars; may have cents and may be 0. Null when no value is set.",
			behaviourAssumed: "Never negative, which the strict level checks."},
		{name: "ownerId", kind: kindInteger, nullable: true, desc: "User id of the record's owner. Null when the record has no owner.", behaviourAssumed: idRange},
		{name: "primaryEmail", kind: kindEmail, nullable: true, desc: "Email address of the record's primary contact. Null when none is on file."},
		{name: "primaryPhone", kind: kindString, nullable: true, pattern: USPhonePattern, desc: "Phone number of the record's primary contact in E.164 form, such as +15125550100: a plus sign, the country code and the number, digits only. Null when none is on file.",
			behaviourAssumed: "A US number, +1 and ten digits: this tool sends no other, which its strict level checks."},
		{name: "createdAt", kind: kindDateTime, desc: "When the record was created (ISO 8601, UTC); never after updatedAt."},
		{name: "updatedAt", kind: kindDateTime, desc: "When the record last changed (ISO 8601, UTC); between createdAt and event.firedAt."},
	},
}

// recordPart defines an object record.name holds, or null; typed false,
// its use site allows the null (see definition.typed). what describes the
// object.
func recordPart(name, what string, props []prop) definition {
	return definition{
		name: name, path: "record." + name, title: name,
		desc:  what + " Record." + name + " may also be null; the null is allowed where the definition is used.",
		props: props,
	}
}

var stageDef = recordPart("stage", "A stage of the record's workflow.", []prop{
	{name: "id", kind: kindInteger, desc: "Id of the stage in the workflow definition; the same for every record in that stage.", behaviourAssumed: idRange},
	{name: "name", kind: kindString, minLength: 1, desc: "Display name of the stage, such as Installation.", behaviourAssumed: neverEmpty},
})

var geoLocationDef = recordPart("geoLocation", "A point on the map.", []prop{
	{name: "lat", kind: kindNumber, desc: "Latitude in decimal degrees (WGS 84), from -90 to 90, positive north of the equator."},
	{name: "lng", kind: kindNumber, desc: "Longitude in decimal degrees (WGS 84), from -180 to 180, negative west of Greenwich, so negative for every US site."},
})

var jurisdictionDef = recordPart("jurisdiction", "A permitting authority.", []prop{
	{name: "id", kind: kindInteger, desc: "Id of the jurisdiction in Coperniq.", behaviourAssumed: idRange},
	{name: "name", kind: kindString, minLength: 1, desc: "Name of the jurisdiction, such as \"City of Austin Development Services\".", behaviourAssumed: neverEmpty},
})

var workOrderDef = definition{
	name: "workOrder", path: "workOrder", title: "workOrder", typed: true,
	desc:             "The work order (task) the event concerns. Only work-order triggers (TASK_*) carry it.",
	behaviourAssumed: asFired,
	props: []prop{
		{name: "id", kind: kindInteger, desc: "Coperniq's id of the work order; equals event.workOrderId.", behaviourAssumed: idRange64},
		{name: "uid", kind: kindInteger, desc: "The work order number people see in Coperniq's UI.", behaviourAssumed: idRange},
		{name: "title", kind: kindString, minLength: 1, desc: "Title of the work order, such as Site Survey or Panel Installation.", behaviourAssumed: neverEmpty},
		{name: "description", kind: kindString, nullable: true, minLength: 1, desc: "Free-text instructions for whoever does the work, or null.",
			behaviourAssumed: "Null rather than an empty string when there are none, so never empty, which the strict level checks."},
		{name: "status", kind: kindString, enum: WorkOrderStatuses, desc: "Status of the work order: QUEUED, ASSIGNED, SCHEDULED, WORKING, IN_PROGRESS, WAITING, REVIEW, COMPLETED or CANCELLED as far as known; accept others."},
		{name: "priority", kind: kindInteger, nullable: true, documentedNumber: true, desc: "Priority, a number as Coperniq documents it (the UI shows Low, Medium and High; the mapping is unpublished, so accept any number, fractions included). Null when not set.",
			behaviourAssumed: "1 for high, 2 for medium, 3 for low: this tool sends nothing else, which its strict level holds it to."},
		{name: "recordId", kind: kindInteger, desc: "Id of the parent record; equals record.id and event.recordId.", behaviourAssumed: idRange},
		{name: "assigneeId", kind: kindInteger, nullable: true, desc: "User id of the person assigned. Null while nobody is.", behaviourAssumed: idRange},
		{name: "isField", kind: kindBoolean, desc: "True for field work done at the site (survey, installation, inspection), false for office work (design, permits)."},
		{name: "startDate", kind: kindDateTime, nullable: true, desc: "Scheduled start (ISO 8601, UTC); not after endDate. Null when not scheduled."},
		{name: "endDate", kind: kindDateTime, nullable: true, desc: "Scheduled end (ISO 8601, UTC); not before startDate. Null when not scheduled."},
		{name: "startDateAllDay", kind: kindBoolean, desc: "True when the work is scheduled for the whole day of startDate; only its date part matters then."},
		{name: "endDateAllDay", kind: kindBoolean, desc: "True when the work is scheduled until the end of the day of endDate; only its date part matters then."},
		{name: "completionDate", kind: kindDateTime, nullable: true, desc: "When the work order was completed (ISO 8601, UTC). Set exactly when status is COMPLETED, null otherwise."},
		{name: "createdAt", kind: kindDateTime, desc: "When the work order was created (ISO 8601, UTC); never after modifiedAt."},
		{name: "modifiedAt", kind: kindDateTime, desc: "When the work order last changed (ISO 8601, UTC). Named modifiedAt, unlike record.updatedAt."},
	},
}

// definitions in file-listing order.
var definitions = []*definition{&eventDef, &recordDef, &stageDef, &geoLocationDef, &jurisdictionDef, &workOrderDef}

func definitionNamed(name string) *definition {
	for _, d := range definitions {
		if d.name == name {
			return d
		}
	}
	panic("schemas: no definition " + name) // a typo in the tables, caught by every test
}

// extraProps turns a trigger's catalog fields into table properties.
func extraProps(t Trigger) []prop {
	out := make([]prop, 0, len(t.Fields))
	for _, f := range t.Fields {
		p := prop{name: f.Name, nullable: f.Nullable, alwaysNull: f.AlwaysNull, desc: f.Description, enum: f.Enum,
			assumed: f.Assumed, valuesAssumed: f.ValuesAssumed, typeAssumed: f.TypeAssumed, behaviourAssumed: f.BehaviourAssumed,
			fromVocabulary: f.fromVocabulary}
		switch f.Type {
		case TypeInteger:
			p.kind = kindInteger
		case TypeDateTime:
			p.kind = kindDateTime
		default:
			p.kind = kindString
		}
		out = append(out, p)
	}
	return out
}

// Top-level properties of a payload, described once for trigger files and
// the envelope alike.
const (
	eventPropDesc     = "What happened and when. Always present."
	recordPropDesc    = "The project, request, account or vendor the event concerns; for work-order triggers, the work order's parent record. Coperniq sends it \"when the trigger is associated with a Project, Request, or Account\" and does not say which events are, so a receiver must accept a payload without it."
	workOrderPropDesc = "The work order the event concerns. Present on work-order triggers (TASK_*) only. " + assumedBy + "Other payloads omit the key rather than send null."
)

// firedAtOrder is what firedAt's description advises on ordering, the
// same advice as verify's final-state specs, which judge a receiver by the
// version it keeps: the snapshot's own time first (its meaning is
// documented), firedAt only between snapshots of the same time.
const firedAtOrder = "Deliveries may arrive out of order (Coperniq publishes no ordering). To tell which of two payloads about a record is newer, compare record.updatedAt (workOrder.modifiedAt for its work order), then firedAt when those are equal; never arrival time."
