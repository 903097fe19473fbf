package scenarios

import (
	"reflect"
	"slices"
	"sort"
	"time"

	"github.com/coperniq-mock/coperniq-mock/generator"
)

// Timeline is the world a scenario played, as it stood after each event:
// the records, their phases, work orders, appointments and calls, each in
// every version an event showed. It lets something other than the
// webhooks (the REST API mock) answer from the same world, as of any
// moment: a record not yet created does not exist yet, and a work order
// shows the status of the last event fired before that moment.
//
// A Timeline is filled by one Render given WithTimeline and is read-only
// after it; At may then be called from any goroutine.
type Timeline struct {
	records  map[int64][]RecordState
	wos      map[int64][]WorkOrderState
	appts    map[int64][]AppointmentState
	calls    map[int64][]CallState
	phases   map[int64][]PhaseState // the working copy, per record id
	accounts map[int64]int64        // record id -> account id
	callIDs  map[*callEnt]int64
	nextCall int64
	first    time.Time
	last     time.Time
}

// RecordState is a project, request (opportunity) or account as it stood:
// the webhook's record, with what the world knows around it.
type RecordState struct {
	generator.Record
	// AccountID is the account the record was created under, 0 if none.
	AccountID int64
	// Workflow names the workflow the record follows ("" for accounts).
	Workflow string
	// Phases are the workflow's phases in order, each with its instance
	// once started.
	Phases []PhaseState
	// Since is the firedAt of the event from which this version stands
	// (an account, which fires no event, from its creation).
	Since time.Time
}

// PhaseState is one phase of a record's workflow.
type PhaseState struct {
	// InstanceID is the phase instance, 0 until the phase first starts.
	InstanceID int64
	TemplateID int64
	StageID    int64
	Name       string
	Type       string
	Position   int
	// Status is NOT_STARTED, IN_PROGRESS or COMPLETED.
	Status      string
	StartedAt   time.Time
	CompletedAt time.Time
	// YellowSLA and RedSLA are the template's SLAs in days.
	YellowSLA, RedSLA int
}

// WorkOrderState is a work order as it stood.
type WorkOrderState struct {
	generator.WorkOrder
	// PhaseInstanceID is the phase instance it belongs to, 0 if none
	// (yet, or an account's).
	PhaseInstanceID int64
	Since           time.Time
}

// AppointmentState is an appointment as it stood.
type AppointmentState struct {
	ID       int64
	RecordID int64
	// WorkOrderID is the field work order booked at it, 0 if none.
	WorkOrderID int64
	Due         time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Since       time.Time
}

// CallState is a logged call. The webhook carries no call object, so the
// world numbers calls itself (ours: ids from 300000 up, in logging order).
type CallState struct {
	ID        int64
	RecordID  int64
	CreatedAt time.Time
	UpdatedAt time.Time
	Since     time.Time
}

// NewTimeline returns an empty timeline for WithTimeline.
func NewTimeline() *Timeline { return &Timeline{} }

// WithTimeline makes a Render fill t with the world's versions; anything t
// held before is dropped.
func WithTimeline(t *Timeline) RenderOption {
	return func(c *renderConfig) error {
		*t = Timeline{
			records:  map[int64][]RecordState{},
			wos:      map[int64][]WorkOrderState{},
			appts:    map[int64][]AppointmentState{},
			calls:    map[int64][]CallState{},
			phases:   map[int64][]PhaseState{},
			accounts: map[int64]int64{},
			callIDs:  map[*callEnt]int64{},
			nextCall: 300000,
		}
		c.timeline = t
		return nil
	}
}

// Start and End are the firedAt of the first and the last event: the
// timeline's world exists from Start, and at End it is complete.
func (t *Timeline) Start() time.Time { return t.first }

// End is the firedAt of the last event.
func (t *Timeline) End() time.Time { return t.last }

// observe takes the versions the event ev, fired by in on re (and wo),
// shows.
func (t *Timeline) observe(in *inst, re *recordEnt, ev Rendered) {
	at := ev.FiredAt
	if t.first.IsZero() {
		t.first = at
	}
	t.last = at
	// Accounts fire no event of their own: they appear once a step that
	// can see them fires one, as of when they were created.
	for sc := in.scope; sc != nil; sc = sc.parent {
		for _, e := range sc.ents {
			if acc, ok := e.(*recordEnt); ok && acc.kind == kAccount {
				if _, seen := t.records[acc.rec.ID]; !seen {
					t.putRecord(acc, acc.rec.CreatedAt)
				}
			}
		}
	}
	switch in.st.kind.name {
	case "createRequest", "createProject":
		if acc := in.recordNamed("account"); acc != nil {
			t.accounts[re.rec.ID] = acc.rec.ID
		} else if from := in.recordNamed("from"); from != nil {
			t.accounts[re.rec.ID] = t.accounts[from.rec.ID]
		}
	}
	t.updatePhases(re, at)
	t.putRecord(re, at)
	for _, wo := range re.wos {
		st := WorkOrderState{WorkOrder: *wo.wo, Since: at}
		st.Extra = slices.Clone(st.Extra)
		if wo.instance > 0 {
			st.PhaseInstanceID = wo.instance
		}
		put(t.wos, wo.wo.ID, st, func(s WorkOrderState) WorkOrderState { s.Since = time.Time{}; return s })
	}
	for _, a := range re.appts {
		st := AppointmentState{ID: a.id, RecordID: re.rec.ID, Due: a.due, CreatedAt: at, UpdatedAt: at, Since: at}
		if a.wo != nil {
			st.WorkOrderID = a.wo.wo.ID
		}
		if vs := t.appts[a.id]; len(vs) > 0 {
			prev := vs[len(vs)-1]
			st.CreatedAt = prev.CreatedAt
			if prev.Due.Equal(st.Due) && prev.WorkOrderID == st.WorkOrderID {
				st.UpdatedAt = prev.UpdatedAt
			}
		}
		put(t.appts, a.id, st, func(s AppointmentState) AppointmentState { s.Since = time.Time{}; return s })
	}
	if ev.TriggerKey == "CALL_UPSERTED" {
		t.observeCall(in, re, at)
	}
}

func (t *Timeline) observeCall(in *inst, re *recordEnt, at time.Time) {
	var c *callEnt
	switch {
	case in.st.kind.name == "updateCall":
		c, _ = in.scope.lookup(in.text("call")).(*callEnt)
	case in.has("name"):
		c, _ = in.scope.lookup(in.text("name")).(*callEnt)
	}
	id, ok := t.callIDs[c]
	if c == nil || !ok {
		t.nextCall += 7
		id = t.nextCall
		if c != nil {
			t.callIDs[c] = id
		}
		t.calls[id] = append(t.calls[id], CallState{ID: id, RecordID: re.rec.ID, CreatedAt: at, UpdatedAt: at, Since: at})
		return
	}
	vs := t.calls[id]
	st := vs[len(vs)-1]
	st.UpdatedAt, st.Since = at, at
	t.calls[id] = append(vs, st)
}

// updatePhases brings the record's phase list up to where the world has
// it: every phase start and completion fires an event, so seeing each
// event is seeing each change.
func (t *Timeline) updatePhases(re *recordEnt, at time.Time) {
	if re.wf == nil {
		return
	}
	ps, ok := t.phases[re.rec.ID]
	if !ok {
		for i, ph := range re.wf.phases {
			yellow, red := ph.slaDays()
			ps = append(ps, PhaseState{TemplateID: ph.templateID, StageID: ph.stageID, Name: ph.name, Type: ph.phaseType,
				Position: i + 1, Status: "NOT_STARTED", YellowSLA: yellow, RedSLA: red})
		}
		t.phases[re.rec.ID] = ps
	}
	p := &ps[re.stage]
	switch re.state {
	case running:
		if p.InstanceID != re.instance || p.Status != "IN_PROGRESS" {
			p.InstanceID, p.Status, p.StartedAt, p.CompletedAt = re.instance, "IN_PROGRESS", re.started, time.Time{}
		}
	case completed:
		if p.Status != "COMPLETED" {
			p.InstanceID, p.Status, p.CompletedAt = re.instance, "COMPLETED", at
			if p.StartedAt.IsZero() {
				p.StartedAt = re.started
			}
		}
	}
}

func (t *Timeline) putRecord(re *recordEnt, since time.Time) {
	st := RecordState{Record: *re.rec, AccountID: t.accounts[re.rec.ID], Since: since}
	if re.rec.Stage != nil {
		s := *re.rec.Stage
		st.Stage = &s
	}
	st.Trades = slices.Clone(st.Trades)
	st.Extra = slices.Clone(st.Extra)
	if re.wf != nil {
		st.Workflow = re.wf.name
		st.Phases = slices.Clone(t.phases[re.rec.ID])
	}
	put(t.records, re.rec.ID, st, func(s RecordState) RecordState { s.Since = time.Time{}; return s })
}

// put appends v to id's versions unless it is the same as the last but
// for its time.
func put[T any](m map[int64][]T, id int64, v T, timeless func(T) T) {
	vs := m[id]
	if n := len(vs); n > 0 && reflect.DeepEqual(timeless(vs[n-1]), timeless(v)) {
		return
	}
	m[id] = append(vs, v)
}

// Snapshot is the world as it stood at one moment, each list in id order.
type Snapshot struct {
	At           time.Time
	Records      []RecordState
	WorkOrders   []WorkOrderState
	Appointments []AppointmentState
	Calls        []CallState
}

// At is the world as it stood at at: each thing in its latest version
// from at or before, things created later left out.
func (t *Timeline) At(at time.Time) *Snapshot {
	return t.AtEach(at, nil)
}

// AtEach is At with a moment per record: the things of a record that
// recordAt gives a time for (the record, its work orders, appointments
// and calls) stand as of that time instead. A webhook receiver sees the
// world this way while events are delivered out of firing order: each
// record as of the last event about it that was sent.
func (t *Timeline) AtEach(at time.Time, recordAt map[int64]time.Time) *Snapshot {
	of := func(id int64) time.Time {
		if r, ok := recordAt[id]; ok && r.After(at) {
			return r
		}
		return at
	}
	return &Snapshot{
		At:           at,
		Records:      asOf(t.records, of, func(s RecordState) (time.Time, int64) { return s.Since, s.ID }),
		WorkOrders:   asOf(t.wos, of, func(s WorkOrderState) (time.Time, int64) { return s.Since, s.RecordID }),
		Appointments: asOf(t.appts, of, func(s AppointmentState) (time.Time, int64) { return s.Since, s.RecordID }),
		Calls:        asOf(t.calls, of, func(s CallState) (time.Time, int64) { return s.Since, s.RecordID }),
	}
}

func asOf[T any](m map[int64][]T, of func(int64) time.Time, key func(T) (time.Time, int64)) []T {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []T
	for _, id := range ids {
		vs := m[id]
		_, rec := key(vs[0])
		at := of(rec)
		// The first version after at; the one before it stands.
		i := sort.Search(len(vs), func(i int) bool { since, _ := key(vs[i]); return since.After(at) })
		if i > 0 {
			out = append(out, vs[i-1])
		}
	}
	return out
}
