package scenarios

import (
	"slices"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// entityKind is what a name in a scenario stands for. The reference
// parameters are named after the kind they refer to (project: p1,
// workOrder: survey), so the file reads as what it means.
type entityKind string

const (
	kAccount     entityKind = "account"
	kRequest     entityKind = "request"
	kProject     entityKind = "project"
	kWorkOrder   entityKind = "workOrder"
	kAppointment entityKind = "appointment"
	kCall        entityKind = "call"
)

// words is the kind in prose: "work order", not "workOrder".
func (k entityKind) words() string {
	if k == kWorkOrder {
		return "work order"
	}
	return string(k)
}

type paramType int

const (
	pDecl     paramType = iota // the name a step gives the entity it creates
	pRef                       // the name of an entity created earlier
	pText                      // free text
	pEnum                      // one of enum
	pTrades                    // a list of trades (or one)
	pBool                      // true or false
	pSpan                      // a duration or range, not negative
	pSigned                    // a duration that may be negative
	pNumber                    // a number, not negative
	pPhase                     // a phase name of the record's workflow
	pWorkflow                  // a project workflow's name
)

type paramSpec struct {
	name string
	typ  paramType
	kind entityKind // pDecl, pRef: the entity kind
	// mutates marks references whose entity the step changes. Parallel
	// repeat iterations may only change entities of their own: when two
	// iterations could change the same one, the outcome would depend on
	// how their timelines interleave, that is on the seed.
	mutates  bool
	required bool
	enum     []string
}

// stepKind is one kind of step: its parameters and what it does.
type stepKind struct {
	name string
	// recordRefs, when set, lists the record parameters of which the
	// step takes exactly one (project, request, account).
	recordRefs []string
	params     []paramSpec
	// emits lists the triggers the step may fire, in the order it fires
	// them, for overrides to be checked against and for documentation.
	emits func(refKind entityKind) []string
	apply func(w *world, in *inst) error
	delay func(w *world, in *inst) span
	// auto marks what automations do (SLA checks), which happens at any
	// hour; the other steps are people at work (or follow what they did
	// within the hour, as phases do work orders), and their default times
	// fall in working hours, Monday to Friday, in the site's time zone.
	auto bool
	// due, when set, is the earliest the step may happen (an SLA
	// violation once the phase is overdue), whatever its delay.
	due func(w *world, in *inst) time.Time
}

var (
	nameParam = func(k entityKind) paramSpec { return paramSpec{name: "name", typ: pDecl, kind: k} }
	ref       = func(k entityKind, mutates bool) paramSpec {
		return paramSpec{name: string(k), typ: pRef, kind: k, mutates: mutates}
	}
	projectStatuses = schemas.RecordStatuses
	woStatuses      = schemas.WorkOrderStatuses
)

func byRecord(project, request, account string) func(entityKind) []string {
	return func(k entityKind) []string {
		switch k {
		case kProject:
			return []string{project}
		case kRequest:
			return []string{request}
		}
		return []string{account}
	}
}

func always(keys ...string) func(entityKind) []string {
	return func(entityKind) []string { return keys }
}

// stepKinds is the vocabulary of steps. repeat is handled by the parser
// and the renderer themselves.
var stepKinds = []*stepKind{
	{name: "createAccount", params: []paramSpec{nameParam(kAccount)},
		emits: always(), apply: (*world).createAccount, delay: constDelay(0, 0)},
	{name: "createRequest", params: []paramSpec{nameParam(kRequest), ref(kAccount, false), {name: "trades", typ: pTrades}},
		emits: always("REQUEST_CREATED"), apply: (*world).createRequest, delay: constDelay(30*minute, 4*hour)},
	{name: "createProject", params: []paramSpec{nameParam(kProject),
		{name: "from", typ: pRef, kind: kRequest, mutates: true}, ref(kAccount, false),
		{name: "trades", typ: pTrades}, {name: "workflow", typ: pWorkflow}},
		emits: always("PROJECT_CREATED"), apply: (*world).createProject, delay: (*world).createProjectDelay},
	{name: "startPhase", recordRefs: []string{"project", "request"},
		params: []paramSpec{ref(kProject, true), ref(kRequest, true), {name: "phase", typ: pPhase}},
		emits:  byRecord("PROJECT_PHASE_STARTED", "REQUEST_PHASE_STARTED", ""), apply: (*world).startPhase, delay: (*world).startPhaseDelay},
	{name: "completePhase", recordRefs: []string{"project", "request"},
		params: []paramSpec{ref(kProject, true), ref(kRequest, true)},
		emits:  byRecord("PROJECT_PHASE_COMPLETED", "REQUEST_PHASE_COMPLETED", ""), apply: (*world).completePhase, delay: constDelay(minute, 20*minute)},
	{name: "slaViolation", recordRefs: []string{"project", "request"},
		params: []paramSpec{ref(kProject, true), ref(kRequest, true), {name: "level", typ: pEnum, enum: schemas.SLATypes}},
		emits:  byRecord("PROJECT_PHASE_SLA_VIOLATION", "DEAL_PHASE_SLA_VIOLATION", ""), apply: (*world).slaViolation, delay: constDelay(5*minute, 3*hour), due: (*world).slaDue, auto: true},
	{name: "moveRequest", params: []paramSpec{{name: "request", typ: pRef, kind: kRequest, mutates: true, required: true},
		{name: "to", typ: pText, required: true}},
		emits: always("REQUEST_PHASE_COMPLETED", "REQUEST_PHASE_STARTED", "DEAL_STATUS_MOVEMENT"), apply: (*world).moveRequest, delay: constDelay(day, 5*day)},
	{name: "moveProject", params: []paramSpec{{name: "project", typ: pRef, kind: kProject, mutates: true, required: true},
		{name: "to", typ: pEnum, enum: projectStatuses, required: true}},
		emits: always("PROJECT_STATUS_MOVEMENT"), apply: (*world).moveProject, delay: constDelay(10*minute, 2*hour)},
	{name: "updateProperty", recordRefs: []string{"project", "request"},
		params: []paramSpec{ref(kProject, true), ref(kRequest, true), {name: "dealValue", typ: pNumber}},
		emits:  byRecord("PROJECT_PROPERTY_UPDATED", "DEAL_PROPERTY_UPDATED", ""), apply: (*world).updateProperty, delay: constDelay(hour, day)},
	{name: "createWorkOrder", recordRefs: []string{"project", "request", "account"},
		params: []paramSpec{ref(kProject, true), ref(kRequest, true), ref(kAccount, false), nameParam(kWorkOrder),
			{name: "title", typ: pText}, {name: "field", typ: pBool}, {name: "description", typ: pText},
			{name: "status", typ: pEnum, enum: []string{"QUEUED", "ASSIGNED"}}},
		emits: always("TASK_CREATED"), apply: (*world).createWorkOrder, delay: constDelay(5*minute, 2*hour)},
	{name: "moveWorkOrder", params: []paramSpec{{name: "workOrder", typ: pRef, kind: kWorkOrder, mutates: true, required: true},
		{name: "to", typ: pEnum, enum: woStatuses, required: true}},
		emits: always("TASK_STATUS_MOVEMENT"), apply: (*world).moveWorkOrder, delay: (*world).moveWorkOrderDelay},
	{name: "completeWorkOrder", params: []paramSpec{{name: "workOrder", typ: pRef, kind: kWorkOrder, mutates: true, required: true}},
		emits: always("TASK_STATUS_MOVEMENT", "TASK_COMPLETED"), apply: (*world).completeWorkOrder, delay: (*world).completeWorkOrderDelay},
	{name: "createAppointment", recordRefs: []string{"project", "request"},
		params: []paramSpec{ref(kProject, false), ref(kRequest, false), nameParam(kAppointment), {name: "in", typ: pSpan}},
		emits:  always("APPOINTMENT_CREATED"), apply: (*world).createAppointment, delay: constDelay(hour, day)},
	{name: "rescheduleAppointment", params: []paramSpec{{name: "appointment", typ: pRef, kind: kAppointment, mutates: true, required: true},
		{name: "by", typ: pSigned}},
		emits: always("APPOINTMENT_RESCHEDULED"), apply: (*world).rescheduleAppointment, delay: constDelay(day, 4*day)},
	{name: "logCall", recordRefs: []string{"project", "request", "account"},
		params: []paramSpec{ref(kProject, false), ref(kRequest, false), ref(kAccount, false), nameParam(kCall)},
		emits:  always("CALL_UPSERTED"), apply: (*world).logCall, delay: constDelay(hour, day)},
	{name: "updateCall", params: []paramSpec{{name: "call", typ: pRef, kind: kCall, required: true}},
		emits: always("CALL_UPSERTED"), apply: (*world).updateCall, delay: constDelay(5*minute, 45*minute)},
}

// repeatKind is the name of the step that repeats others; its parameters
// are parsed apart.
const repeatKind = "repeat"

// commonParams may appear on every step, inside its parameters or beside
// its kind.
var commonParams = []string{"after", "set", "merge"}

var repeatParams = []string{"count", "parallel", "stagger", "steps"}

func stepKindNamed(name string) *stepKind {
	for _, k := range stepKinds {
		if k.name == name {
			return k
		}
	}
	return nil
}

// StepKinds lists the step names a scenario file may use, repeat last.
func StepKinds() []string {
	names := make([]string, 0, len(stepKinds)+1)
	for _, k := range stepKinds {
		names = append(names, k.name)
	}
	return append(names, repeatKind)
}

func (k *stepKind) param(name string) *paramSpec {
	for i := range k.params {
		if k.params[i].name == name {
			return &k.params[i]
		}
	}
	return nil
}

func (k *stepKind) paramNames() []string {
	names := make([]string, 0, len(k.params)+len(commonParams))
	for _, p := range k.params {
		names = append(names, p.name)
	}
	return append(names, commonParams...)
}

// emitted is the set of triggers k can fire for any record kind, for
// checking overrides.
func (k *stepKind) emitted() []string {
	var out []string
	for _, rk := range []entityKind{kProject, kRequest, kAccount} {
		for _, t := range k.emits(rk) {
			if t != "" && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}
