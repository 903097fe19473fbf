package scenarios

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// CheckSequence verifies, on the payloads a receiver got, the invariants
// every scenario keeps. The payloads may come in any order and with
// repeats, as delivery with retries, duplicates and reordering leaves
// them: the same eventId twice is one event (and must carry the same
// bytes), and events are put back in order by eventId, which a scenario
// assigns in firing order.
//
// The invariants, each reported with the eventId that breaks it:
//   - every payload passes the strict schema;
//   - a record id always comes with the same uid, type, title, address and
//     createdAt, its firedAt and updatedAt never go back, and updatedAt
//     moves forward whenever its stage or status changes;
//   - a work order keeps its record, title and createdAt, starts with
//     TASK_CREATED (previousStatus null), each TASK_STATUS_MOVEMENT's
//     previousStatus is its last currentStatus, nothing moves it after
//     COMPLETED or CANCELLED (the vocabulary's completed and cancelled
//     statuses), and its modifiedAt never goes back;
//   - a phase starts only when none is in progress, completes only after
//     it started and after every work order created in it (or, created
//     between phases, in the next one) is COMPLETED or CANCELLED; a
//     project's phases start in workflow order, none skipped; an SLA violation concerns
//     the phase in progress;
//   - a record's stage changes only when a phase starts, to that phase's
//     stage; its status only at PROJECT_STATUS_MOVEMENT, its requestStatus
//     only at DEAL_STATUS_MOVEMENT, to the stage's status;
//   - a won request becomes a project: a project with the request's title
//     is created after the request was won, and only then; its numbers tell
//     one story (assumed, docs/coperniq.md): the project is a new record, so
//     a larger id than the request's and the next project number (uid), a
//     createdAt at or after the win, the request's site (city, state),
//     contact (email, phone), trades and dealValue, and no event concerns
//     the request once the project exists;
//   - an appointment stays on its record, and each reschedule's
//     previousDueDate is its last dueDate.
//
// The result is nil when everything holds; it holds at most 50 errors.
func CheckSequence(payloads [][]byte) []error {
	return CheckSequenceWith(nil, payloads)
}

// CheckSequenceWith is CheckSequence for payloads in vocabulary v (nil:
// the built-in one): the strict schema is v's, and phases go in the order
// of v's workflows.
func CheckSequenceWith(v *schemas.Vocabulary, payloads [][]byte) []error {
	c := &seqChecker{
		records: map[int64]*seqRecord{}, wos: map[int64]*seqWO{}, appts: map[int64]*seqAppt{},
		won: map[string]int64{}, projects: map[string]int64{}, wonReq: map[string]*seqRecord{},
		wfs: workflowsOf(v),
	}
	c.wonStatus = c.requestStatus("WON")
	val, err := schemas.NewValidator(v)
	if err != nil {
		return []error{err}
	}
	byID := map[int64]int{}
	var events []*seqEvent
	for i, body := range payloads {
		res, err := val.Validate(body, schemas.Strict)
		if err != nil {
			c.fail("payload %d isn't JSON: %v", i+1, err)
			continue
		}
		if !res.Valid() {
			var vs []string
			for _, v := range res.Violations {
				if !v.Warning && len(vs) < 3 {
					vs = append(vs, v.String())
				}
			}
			c.fail("payload %d (%s) fails the strict schema: %s", i+1, res.TriggerKey, strings.Join(vs, "; "))
			continue
		}
		e := &seqEvent{index: i, body: body}
		if err := json.Unmarshal(body, &e.p); err != nil || e.p.Record == nil {
			c.fail("payload %d: can't read it: %v", i+1, err)
			continue
		}
		if e.p.Event.Identity, err = schemas.DecodeIdentity(body); err != nil {
			c.fail("payload %d: %v", i+1, err)
			continue
		}
		if j, dup := byID[e.p.Event.EventID]; dup {
			if !bytes.Equal(payloads[j], body) {
				c.fail("eventId %d: payloads %d and %d carry different bodies; a retry or duplicate must resend the same bytes", e.p.Event.EventID, j+1, i+1)
			}
			continue
		}
		byID[e.p.Event.EventID] = i
		events = append(events, e)
	}
	slices.SortFunc(events, func(a, b *seqEvent) int { return cmp.Compare(a.p.Event.EventID, b.p.Event.EventID) })
	for _, e := range events {
		c.event(e)
	}
	c.finish()
	return c.errs
}

type seqEvent struct {
	index int
	body  []byte
	p     seqPayload
}

type seqPayload struct {
	Event struct {
		FiredAt         time.Time       `json:"firedAt"`
		WorkOrderID     int64           `json:"workOrderId"`
		CurrentStatus   string          `json:"currentStatus"`
		PreviousStatus  json.RawMessage `json:"previousStatus"`
		PhaseInstanceID int64           `json:"phaseInstanceId"`
		PhaseTemplateID int64           `json:"phaseTemplateId"`
		PhaseType       string          `json:"phaseType"`
		OverdueAt       time.Time       `json:"overdueAt"`
		AppointmentID   int64           `json:"appointmentId"`
		DueDate         time.Time       `json:"dueDate"`
		PreviousDueDate time.Time       `json:"previousDueDate"`

		// Read by schemas.DecodeIdentity, the one reader of a payload's
		// identity; the rest above by encoding/json.
		schemas.Identity `json:"-"`
	} `json:"event"`
	Record *struct {
		ID            int64   `json:"id"`
		UID           int64   `json:"uid"`
		Type          string  `json:"type"`
		Title         string  `json:"title"`
		Status        *string `json:"status"`
		RequestStatus *string `json:"requestStatus"`
		Stage         *struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"stage"`
		Address   *string          `json:"address"`
		City      *string          `json:"city"`
		State     *string          `json:"state"`
		Email     *string          `json:"primaryEmail"`
		Phone     *string          `json:"primaryPhone"`
		DealValue json.RawMessage  `json:"dealValue"`
		Trades    *json.RawMessage `json:"trades"`
		CreatedAt time.Time        `json:"createdAt"`
		UpdatedAt time.Time        `json:"updatedAt"`
	} `json:"record"`
	WorkOrder *struct {
		ID         int64     `json:"id"`
		UID        int64     `json:"uid"`
		AssigneeID *int64    `json:"assigneeId"`
		Title      string    `json:"title"`
		Status     string    `json:"status"`
		RecordID   int64     `json:"recordId"`
		CreatedAt  time.Time `json:"createdAt"`
		ModifiedAt time.Time `json:"modifiedAt"`
	} `json:"workOrder"`
}

type seqRecord struct {
	id                       int64
	uid                      int64
	typ, title, address      string
	createdAt                time.Time
	lastFired, lastUpdated   time.Time
	stage                    int64 // 0: none
	status, requestStatus    string
	running                  bool
	instance, template       int64
	lastStarted              int // workflow index of the latest started phase, -1 none
	pending                  []*seqWO
	firstEvent, createdEvent int64
	// The latest site, contact, trades and value (JSON as sent; "" for
	// null), which a won request hands on to its project.
	city, state, email, phone, trades, dealValue string
	// wonAt is when a request was won; project the project it became
	// and converted the eventId that created it.
	wonAt              time.Time
	project, converted int64
}

type seqWO struct {
	id        int64
	recordID  int64
	title     string
	createdAt time.Time
	modified  time.Time
	status    string
	instance  int64 // 0: created between phases, belongs to the next
}

type seqAppt struct {
	recordID int64
	due      time.Time
}

type seqChecker struct {
	errs    []error
	records map[int64]*seqRecord
	wos     map[int64]*seqWO
	appts   map[int64]*seqAppt
	won     map[string]int64      // request title -> eventId it was won at
	wonReq  map[string]*seqRecord // request title -> the request, once won
	// wonStatus is the vocabulary's name of the WON request status.
	wonStatus string
	projects  map[string]int64 // project title -> eventId it was created at
	wfs       *workflowSet     // the vocabulary's workflows
	working   string           // the working state's name, once seen
	// lastUID is the uid of the latest record created, by record type, and
	// of the latest work order ("workOrder"): numbers grow in creation order.
	lastUID map[string]int64
}

// createdInOrder checks that a record or work order created now has a
// higher number (uid) than the last one of its kind.
func (c *seqChecker) createdInOrder(kind string, uid int64, at func(string, ...any)) {
	if c.lastUID == nil {
		c.lastUID = map[string]int64{}
	}
	if last, ok := c.lastUID[kind]; ok && uid <= last {
		at("%s uid %d is created after uid %d; numbers grow in creation order", kind, uid, last)
	}
	c.lastUID[kind] = uid
}

const maxSeqErrors = 50

func (c *seqChecker) fail(format string, args ...any) {
	if len(c.errs) < maxSeqErrors {
		c.errs = append(c.errs, fmt.Errorf(format, args...))
	}
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (c *seqChecker) event(e *seqEvent) {
	ev, rec := &e.p.Event, e.p.Record
	at := func(format string, args ...any) {
		c.fail("eventId %d (%s): %s", ev.EventID, ev.TriggerKey, fmt.Sprintf(format, args...))
	}
	r, seen := c.records[rec.ID]
	if !seen {
		r = &seqRecord{id: rec.ID, uid: rec.UID, typ: rec.Type, title: rec.Title, address: str(rec.Address),
			createdAt: rec.CreatedAt, status: str(rec.Status), requestStatus: str(rec.RequestStatus),
			lastStarted: -1, firstEvent: ev.EventID}
		if rec.Stage != nil {
			r.stage = rec.Stage.ID
		}
		c.records[rec.ID] = r
	}
	if rec.UID != r.uid || rec.Type != r.typ || rec.Title != r.title || str(rec.Address) != r.address || !rec.CreatedAt.Equal(r.createdAt) {
		at("record %d changed identity since eventId %d: uid %d/%d, type %s/%s, title %q/%q, address %q/%q, createdAt %s/%s",
			rec.ID, r.firstEvent, r.uid, rec.UID, r.typ, rec.Type, r.title, rec.Title, r.address, str(rec.Address), r.createdAt.Format(time.RFC3339Nano), rec.CreatedAt.Format(time.RFC3339Nano))
	}
	if ev.FiredAt.Before(r.lastFired) {
		at("firedAt %s is before the record's previous event's, %s: eventIds and firedAt disagree", ev.FiredAt.Format(time.RFC3339Nano), r.lastFired.Format(time.RFC3339Nano))
	}
	if rec.UpdatedAt.Before(r.lastUpdated) {
		at("record %d's updatedAt went back from %s to %s", rec.ID, r.lastUpdated.Format(time.RFC3339Nano), rec.UpdatedAt.Format(time.RFC3339Nano))
	}
	if seen && !rec.UpdatedAt.After(r.lastUpdated) && (stageOf(rec.Stage) != r.stage || str(rec.Status) != r.status || str(rec.RequestStatus) != r.requestStatus) {
		at("record %d's stage or status changed but its updatedAt stayed %s: a receiver keeping the newest version cannot tell which is newer", rec.ID, rec.UpdatedAt.Format(time.RFC3339Nano))
	}
	r.lastFired, r.lastUpdated = ev.FiredAt, rec.UpdatedAt

	stage := stageOf(rec.Stage)
	trigger := ev.TriggerKey
	if trigger == "PROJECT_CREATED" || trigger == "REQUEST_CREATED" {
		c.createdInOrder(rec.Type, rec.UID, at)
	}
	if trigger == "TASK_CREATED" && e.p.WorkOrder != nil {
		c.createdInOrder("workOrder", e.p.WorkOrder.UID, at)
	}
	// The rule is said in the queued status alone: a team's vocabulary
	// may have no ASSIGNED (a vocabulary cannot rename it, only leave it
	// out), and a work order gets its assignee with any move out of queued.
	if w := e.p.WorkOrder; w != nil && w.Status == c.wfs.vocab.WorkOrderStatusName("QUEUED") && w.AssigneeID != nil {
		at("work order %d is %s with assignee %d; nobody is assigned while a work order is %s, only once it moves on", w.ID, w.Status, *w.AssigneeID, w.Status)
	}
	phaseStart := strings.HasSuffix(trigger, "_PHASE_STARTED")
	switch {
	case phaseStart:
		c.phaseStarted(r, e, stage, at)
	case stage != r.stage:
		at("record %d's stage changed from %d to %d without a phase starting", rec.ID, r.stage, stage)
	}
	r.stage = stage
	switch {
	case strings.HasSuffix(trigger, "_PHASE_COMPLETED"):
		switch {
		case !r.running:
			at("phase %d completes, but no phase of record %d is in progress", ev.PhaseInstanceID, rec.ID)
		case ev.PhaseInstanceID != r.instance || ev.PhaseTemplateID != r.template:
			at("phase %d (template %d) completes, but the phase in progress is %d (template %d)", ev.PhaseInstanceID, ev.PhaseTemplateID, r.instance, r.template)
		}
		var open []string
		for _, wo := range c.wos {
			if wo.recordID == rec.ID && wo.instance == ev.PhaseInstanceID && !terminal(c.wfs.vocab, wo.status) {
				open = append(open, fmt.Sprintf("%d (%s)", wo.id, wo.status))
			}
		}
		if len(open) > 0 {
			slices.Sort(open)
			at("phase %d completes with work orders still open: %s", ev.PhaseInstanceID, strings.Join(open, ", "))
		}
		r.running = false
	case strings.HasSuffix(trigger, "_PHASE_SLA_VIOLATION"):
		if !r.running || ev.PhaseTemplateID != r.template {
			at("SLA violation of phase template %d, but the phase in progress is %d (running: %v)", ev.PhaseTemplateID, r.template, r.running)
		}
		if ev.OverdueAt.After(ev.FiredAt) {
			at("overdueAt %s is after firedAt", ev.OverdueAt.Format(time.RFC3339Nano))
		}
	}

	status, reqStatus := str(rec.Status), str(rec.RequestStatus)
	if status != r.status && trigger != "PROJECT_STATUS_MOVEMENT" {
		at("record %d's status changed from %q to %q without a PROJECT_STATUS_MOVEMENT", rec.ID, r.status, status)
	}
	switch {
	case trigger == "DEAL_STATUS_MOVEMENT":
		if reqStatus == r.requestStatus {
			at("request %d's status moved from %s to itself", rec.ID, reqStatus)
		}
		if ref, ok := c.wfs.index[stage]; ok && c.requestStatus(ref.wf.phases[ref.idx].status) != reqStatus {
			at("request %d is %s in stage %s, whose status is %s", rec.ID, reqStatus, ref.wf.phases[ref.idx].name, c.requestStatus(ref.wf.phases[ref.idx].status))
		}
	case reqStatus != r.requestStatus:
		at("record %d's requestStatus changed from %q to %q without a DEAL_STATUS_MOVEMENT", rec.ID, r.requestStatus, reqStatus)
	}
	r.status, r.requestStatus = status, reqStatus
	if r.converted != 0 {
		at("request %d became project %d at eventId %d; a request's story ends there, no event concerns it after", rec.ID, r.project, r.converted)
	}
	r.city, r.state, r.email, r.phone = str(rec.City), str(rec.State), str(rec.Email), str(rec.Phone)
	r.trades, r.dealValue = "", ""
	if rec.Trades != nil && string(*rec.Trades) != "null" {
		r.trades = string(*rec.Trades)
	}
	if len(rec.DealValue) > 0 && string(rec.DealValue) != "null" {
		r.dealValue = string(rec.DealValue)
	}
	if rec.Type == "DEAL" && reqStatus == c.wonStatus {
		if _, ok := c.won[rec.Title]; !ok {
			c.won[rec.Title] = ev.EventID
			c.wonReq[rec.Title] = r
			r.wonAt = ev.FiredAt
		}
	}
	if trigger == "PROJECT_CREATED" {
		if r.createdEvent != 0 || ev.EventID != r.firstEvent {
			at("project %d is created after events about it", rec.ID)
		}
		r.createdEvent = ev.EventID
		if _, ok := c.projects[rec.Title]; !ok {
			c.projects[rec.Title] = ev.EventID
		}
		if req := c.wonReq[rec.Title]; req != nil && req.converted == 0 {
			c.fromRequest(req, r, ev.EventID, at)
		}
	}

	if e.p.WorkOrder != nil {
		c.workOrder(r, e, at)
	}
	if strings.HasPrefix(trigger, "APPOINTMENT_") {
		c.appointment(e, at)
	}
}

func (c *seqChecker) phaseStarted(r *seqRecord, e *seqEvent, stage int64, at func(string, ...any)) {
	ev := &e.p.Event
	if r.running {
		at("a phase starts while phase %d (template %d) of record %d is in progress", r.instance, r.template, r.id)
	}
	if ref, ok := c.wfs.index[stage]; ok {
		ph := ref.wf.phases[ref.idx]
		if ph.templateID != ev.PhaseTemplateID || ph.phaseType != ev.PhaseType {
			at("phase template %d (%s) starts, but the record's stage %d is %s's (template %d, %s)", ev.PhaseTemplateID, ev.PhaseType, stage, ph.name, ph.templateID, ph.phaseType)
		}
		if r.typ == "PROJECT" && ref.idx <= r.lastStarted {
			at("phase %s starts after a later phase of the workflow did; a project's phases go forward", ph.name)
		}
		// Nor does a project skip one: the first phase it starts is the
		// stage it was in, each later one the next.
		want := r.lastStarted + 1
		if prev, ok := c.wfs.index[r.stage]; r.lastStarted < 0 && ok && prev.wf == ref.wf {
			want = prev.idx
		}
		if r.typ == "PROJECT" && ref.idx > want && (r.lastStarted >= 0 || r.stage != 0) {
			at("phase %s starts, but %s never did; a project goes through its phases in order", ph.name, ref.wf.phases[want].name)
		}
		r.lastStarted = ref.idx
	}
	r.running, r.instance, r.template = true, ev.PhaseInstanceID, ev.PhaseTemplateID
	for _, wo := range r.pending {
		wo.instance = ev.PhaseInstanceID
	}
	r.pending = nil
}

func (c *seqChecker) workOrder(r *seqRecord, e *seqEvent, at func(string, ...any)) {
	ev, w := &e.p.Event, e.p.WorkOrder
	// One account names the working state one way (IN_PROGRESS or WORKING).
	if w.Status == "IN_PROGRESS" || w.Status == "WORKING" {
		if c.working == "" {
			c.working = w.Status
		} else if c.working != w.Status {
			at("work order %d is %s, but this sequence named the working state %s before; one account uses one name", w.ID, w.Status, c.working)
		}
	}
	wo, seen := c.wos[w.ID]
	if ev.TriggerKey == "TASK_CREATED" {
		if seen {
			at("work order %d is created a second time", w.ID)
			return
		}
		if len(ev.PreviousStatus) > 0 && string(ev.PreviousStatus) != "null" {
			at("a new work order's previousStatus is %s, not null", ev.PreviousStatus)
		}
		wo = &seqWO{id: w.ID, recordID: w.RecordID, title: w.Title, createdAt: w.CreatedAt, modified: w.ModifiedAt, status: w.Status}
		if r.running {
			wo.instance = r.instance
		} else {
			r.pending = append(r.pending, wo)
		}
		c.wos[w.ID] = wo
		return
	}
	if !seen {
		at("work order %d changes before its TASK_CREATED", w.ID)
		c.wos[w.ID] = &seqWO{id: w.ID, recordID: w.RecordID, title: w.Title, createdAt: w.CreatedAt, modified: w.ModifiedAt, status: w.Status, instance: -1}
		return
	}
	if w.RecordID != wo.recordID || w.Title != wo.title || !w.CreatedAt.Equal(wo.createdAt) {
		at("work order %d changed record, title or createdAt (%d %q %s, was %d %q %s)", w.ID, w.RecordID, w.Title, w.CreatedAt.Format(time.RFC3339Nano), wo.recordID, wo.title, wo.createdAt.Format(time.RFC3339Nano))
	}
	if w.ModifiedAt.Before(wo.modified) {
		at("work order %d's modifiedAt went back from %s to %s", w.ID, wo.modified.Format(time.RFC3339Nano), w.ModifiedAt.Format(time.RFC3339Nano))
	}
	wo.modified = w.ModifiedAt
	switch ev.TriggerKey {
	case "TASK_STATUS_MOVEMENT":
		var prev string
		_ = json.Unmarshal(ev.PreviousStatus, &prev)
		switch {
		case terminal(c.wfs.vocab, wo.status):
			at("work order %d moves to %s after it was %s", w.ID, w.Status, wo.status)
		case prev != wo.status:
			at("work order %d's previousStatus is %s, but its last status was %s", w.ID, prev, wo.status)
		}
		wo.status = w.Status
	case "TASK_COMPLETED":
		done := c.wfs.vocab.WorkOrderStatusName("COMPLETED")
		if w.Status != done || wo.status != "" && wo.status == c.wfs.vocab.WorkOrderStatusName("CANCELLED") {
			at("work order %d completes as %s, after %s", w.ID, w.Status, wo.status)
		}
		wo.status = done
	}
}

func (c *seqChecker) appointment(e *seqEvent, at func(string, ...any)) {
	ev := &e.p.Event
	a, seen := c.appts[ev.AppointmentID]
	if ev.TriggerKey == "APPOINTMENT_CREATED" {
		if seen {
			at("appointment %d is created a second time", ev.AppointmentID)
		}
		c.appts[ev.AppointmentID] = &seqAppt{recordID: ev.RecordID, due: ev.DueDate}
		return
	}
	if !seen {
		at("appointment %d is rescheduled before it was created", ev.AppointmentID)
		c.appts[ev.AppointmentID] = &seqAppt{recordID: ev.RecordID, due: ev.DueDate}
		return
	}
	if a.recordID != ev.RecordID {
		at("appointment %d moved from record %d to %d", ev.AppointmentID, a.recordID, ev.RecordID)
	}
	if !ev.PreviousDueDate.Equal(a.due) {
		at("appointment %d's previousDueDate %s isn't its last dueDate %s", ev.AppointmentID, ev.PreviousDueDate.Format(time.RFC3339Nano), a.due.Format(time.RFC3339Nano))
	}
	a.due = ev.DueDate
}

// fromRequest checks that project p, created from the won request req,
// tells the request's story on.
func (c *seqChecker) fromRequest(req, p *seqRecord, eventID int64, at func(string, ...any)) {
	req.project, req.converted = p.id, eventID
	if p.id <= req.id {
		at("project %d comes from request %d, created before it, yet has an id no larger; ids grow in creation order", p.id, req.id)
	}
	if p.createdAt.Before(req.wonAt) {
		at("project %d was created at %s, before its request %d was won at %s", p.id, p.createdAt.Format(time.RFC3339Nano), req.id, req.wonAt.Format(time.RFC3339Nano))
	}
	for _, f := range []struct{ what, req, p string }{
		{"city", req.city, p.city}, {"state", req.state, p.state},
		{"primaryEmail", req.email, p.email}, {"primaryPhone", req.phone, p.phone},
		{"trades", req.trades, p.trades}, {"dealValue", req.dealValue, p.dealValue},
	} {
		// What the request lacked, the project may learn; what it had,
		// the project keeps.
		if f.req != "" && f.req != f.p {
			at("project %d's %s is %s, its request %d's %s: a won request hands its %s on", p.id, f.what, orNull(f.p), req.id, f.req, f.what)
		}
	}
}

func orNull(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

// requestStatus is the vocabulary's name of a built-in request status.
func (c *seqChecker) requestStatus(builtin string) string {
	return c.wfs.vocab.RequestStatusName(builtin)
}

// finish checks what only the whole sequence shows: won requests became
// projects, and projects at a request's site came after it was won.
func (c *seqChecker) finish() {
	titles := make([]string, 0, len(c.won))
	for t := range c.won {
		titles = append(titles, t)
	}
	slices.Sort(titles)
	for _, title := range titles {
		wonAt := c.won[title]
		created, ok := c.projects[title]
		switch {
		case !ok:
			c.fail("the request at %q was won (eventId %d) but never became a project", title, wonAt)
		case created < wonAt:
			c.fail("the project at %q (eventId %d) was created before its request was won (eventId %d)", title, created, wonAt)
		}
	}
	for _, r := range c.records {
		if r.typ != "DEAL" {
			continue
		}
		if created, ok := c.projects[r.title]; ok {
			if _, won := c.won[r.title]; !won {
				c.fail("the project at %q (eventId %d) shares a site with request %d, which was never won", r.title, created, r.id)
			}
		}
	}
}

func stageOf(s *struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}) int64 {
	if s == nil {
		return 0
	}
	return s.ID
}
