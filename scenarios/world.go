package scenarios

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

const (
	minute = time.Minute
	hour   = time.Hour
)

// world is the state a scenario plays in: records with their workflow
// position, work orders, appointments and calls. Every event is rendered
// from it, after the step has changed it, so ids agree across a sequence
// and each payload's record is the record as it stands at that moment.
type world struct {
	sc    *Scenario
	g     *generator.Generator
	rng   *rand.Rand
	check bool // count and check only; don't encode payloads

	cur      *inst
	last     time.Time // the latest firedAt
	nextID   int64
	eventIDs map[int64]bool
	used     map[int64]bool // record, work-order, appointment and phase-instance ids
	// seq is the last id given, per kind of thing (seqID).
	seq      map[string]int64
	events   []Rendered
	count    int
	triggers map[string]int
	// working is the name this world gives the working state of a work
	// order, IN_PROGRESS or WORKING: whichever the scenario uses first.
	// Coperniq's API names it WORKING, its one webhook example IN_PROGRESS;
	// one account uses one of them.
	working string
	tl      *Timeline // nil unless rendered WithTimeline
}

// wfs are the workflows of the scenario's vocabulary.
func (w *world) wfs() *workflowSet { return workflowsOf(w.sc.vocab) }

// workingStatuses are the two names of a work order's working state.
var workingStatuses = []string{"IN_PROGRESS", "WORKING"}

// useStatus records the working-state name the world uses, and fails when
// a scenario names it both ways.
func (w *world) useStatus(status string) error {
	if !slices.Contains(workingStatuses, status) || w.sc.vocab != nil {
		return nil // a vocabulary names the working state itself
	}
	if w.working == "" {
		w.working = status
	}
	if status != w.working {
		return fmt.Errorf("this scenario already names the working state %s; one account uses one name, so use %s here too", w.working, w.working)
	}
	return nil
}

type phaseState int

const (
	notStarted phaseState = iota
	running
	completed
)

type recordEnt struct {
	kind entityKind
	name string
	rec  *generator.Record
	wf   *workflow // nil for accounts
	// stage is the index of the phase the record shows as its stage:
	// the latest started, or the first before any started.
	stage    int
	state    phaseState // of that phase
	instance int64      // phase instance id while started
	started  time.Time
	slas     int
	// converted is set on a won request once it became a project, its
	// project: the request's story ends there (no event concerns it
	// after), the project's carries on.
	converted *recordEnt
	wos       []*woEnt
	appts     []*apptEnt
	// loc is the time zone of the record's site, where its people work.
	loc *time.Location
}

type woEnt struct {
	name string
	wo   *generator.WorkOrder
	re   *recordEnt
	// instance is the phase instance the work order belongs to: the one
	// running when it was created, or (0 until then) the next to start.
	// Accounts have no phases: -1.
	instance int64
	slow     bool
	// appt is the appointment the work order's visit is booked as.
	appt *apptEnt
}

type apptEnt struct {
	id  int64
	re  *recordEnt
	due time.Time
	// wo is the field work order the appointment books, once one is
	// scheduled at it.
	wo *woEnt
}

type callEnt struct{ re *recordEnt }

func (r *recordEnt) phase() *phase { return &r.wf.phases[r.stage] }

func (r *recordEnt) label() string {
	return fmt.Sprintf("%s %s", r.kind.words(), r.name)
}

func (r *recordEnt) openWorkOrders(v *schemas.Vocabulary, instance int64) []string {
	var open []string
	for _, wo := range r.wos {
		if wo.instance == instance && !terminal(v, wo.wo.Status) {
			open = append(open, fmt.Sprintf("%s (%s)", wo.name, wo.wo.Status))
		}
	}
	return open
}

// terminal reports whether status ends a work order in vocabulary v (nil:
// the built-in one): its completed or cancelled status. A team without a
// cancelled status has "" for it, which no status is.
func terminal(v *schemas.Vocabulary, status string) bool {
	return status != "" && (status == v.WorkOrderStatusName("COMPLETED") || status == v.WorkOrderStatusName("CANCELLED"))
}

// woStatus is the scenario's name of a work-order status the engine gives
// a meaning (QUEUED, COMPLETED, CANCELLED), the vocabulary's: the world
// holds statuses as its payloads carry them.
func (w *world) woStatus(builtin string) string { return w.sc.vocab.WorkOrderStatusName(builtin) }

// Arguments of the current instance.

func (in *inst) has(name string) bool    { _, ok := in.st.args[name]; return ok }
func (in *inst) text(name string) string { return in.st.args[name].text }

func (in *inst) record() *recordEnt {
	if in.st.recordParam == "" {
		return nil
	}
	return in.scope.lookup(in.text(in.st.recordParam)).(*recordEnt)
}

func (in *inst) recordNamed(param string) *recordEnt {
	if !in.has(param) {
		return nil
	}
	re, _ := in.scope.lookup(in.text(param)).(*recordEnt)
	return re
}

func (in *inst) bind(e any) {
	if in.has("name") {
		in.scope.ents[in.text("name")] = e
	}
}

func (in *inst) name(fallback string) string {
	if in.has("name") {
		return in.text("name")
	}
	return fallback
}

// Time.

// fire returns the firedAt of the step's next event: the step's time for
// the first, a moment later for the others (automations reacting to one
// change fire together), and always after every event before it.
func (w *world) fire(in *inst) time.Time {
	t := in.at
	if in.emitted > 0 {
		t = w.last.Add(time.Duration(150+w.rng.IntN(1050)) * time.Millisecond)
	}
	if !t.After(w.last) {
		t = w.last.Add(time.Millisecond)
	}
	t = t.Truncate(time.Millisecond)
	w.last = t
	in.emitted++
	return t
}

// latency is how long before firedAt the change that fired it was saved.
func (w *world) latency() time.Duration {
	if w.rng.IntN(10) < 4 {
		return 0
	}
	return time.Duration(1+w.rng.IntN(1500)) * time.Millisecond
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// touch records that the record changed at at. Each change moves
// updatedAt strictly forward (by a millisecond, the payloads' precision, at
// least): two versions of a record with one updatedAt and different values
// would leave a receiver no way to tell which is newer.
func (w *world) touch(r *recordEnt, at time.Time) {
	r.rec.UpdatedAt = after(r.rec.UpdatedAt, laterOf(at.Add(-w.latency()), r.rec.CreatedAt))
}

func (w *world) touchWO(wo *woEnt, at time.Time) {
	wo.wo.ModifiedAt = after(wo.wo.ModifiedAt, laterOf(at.Add(-w.latency()), wo.wo.CreatedAt))
}

// after is t, or prev plus a millisecond when t is not after prev.
func after(prev, t time.Time) time.Time {
	if t.After(prev) {
		return t
	}
	return prev.Add(time.Millisecond)
}

// seqUID gives the next record number people see (uid) of a kind of thing:
// numbers count one record type (or work orders) in creation order, from a
// seeded start in [lo, lo+span), by a few at a time. They stay far below
// the ids, as the uid rule of the strict schema wants.
func (w *world) seqUID(kind string, lo, span int64) int64 {
	if w.seq == nil {
		w.seq = map[string]int64{}
	}
	key := "uid " + kind
	n, ok := w.seq[key]
	if !ok {
		n = lo + w.rng.Int64N(span)
	}
	n += 1 + w.rng.Int64N(4)
	w.seq[key] = n
	return n
}

// seqID gives the next id of a kind of thing (records, work orders,
// phase instances, appointments): ids increase in the order things are
// created, as the database's sequences do, from a seeded start in
// [lo, lo+span) and by a few at a time (the account creates other things
// in between), skipping any id in use.
func (w *world) seqID(kind string, lo, span int64) int64 {
	if w.seq == nil {
		w.seq = map[string]int64{}
	}
	id, ok := w.seq[kind]
	if !ok {
		id = lo + w.rng.Int64N(span)
	}
	for {
		id += 1 + w.rng.Int64N(20)
		if !w.used[id] {
			break
		}
	}
	w.used[id] = true
	w.seq[kind] = id
	return id
}

// Events.

func (w *world) emit(in *inst, trigger string, at time.Time, re *recordEnt, wo *woEnt, fill func(*generator.Event)) error {
	if re != nil && re.converted != nil {
		return fmt.Errorf("%s became %s, and a request's story ends when it becomes a project (assumed): give this step the project", re.label(), re.converted.label())
	}
	w.count++
	w.triggers[trigger]++
	if w.count > MaxEvents {
		return fmt.Errorf("the scenario fires more than %d events", MaxEvents)
	}
	w.nextID += 1 + w.rng.Int64N(12)
	id := w.nextID
	if w.check && in.st.overrides == nil {
		return nil
	}
	var gwo *generator.WorkOrder
	if wo != nil {
		gwo = wo.wo
	}
	p, err := generator.NewPayload(trigger, id, at, re.rec, gwo)
	if err != nil {
		return err
	}
	if fill != nil {
		fill(&p.Event)
	}
	w.g.ApplyVocabulary(p)
	body := p.AppendJSON(make([]byte, 0, 1536))
	ident := p.Event.Identity
	if o := in.st.overrides; o != nil {
		if body, err = o.Apply(trigger, body); err != nil {
			return fmt.Errorf("set/merge on %s: %w", trigger, err)
		}
		// Overrides may change the ids the engine orders and counts by.
		if ident, err = schemas.DecodeIdentity(body); err != nil {
			return fmt.Errorf("set/merge on %s: %w", trigger, err)
		}
	}
	ev := Rendered{Message: delivery.Message{Identity: ident, Body: body}, FiredAt: at, Step: in.st.name, Line: in.st.pos.line}
	if w.eventIDs[ev.EventID] {
		return fmt.Errorf("event id %d is used twice (by set/merge); event ids must be unique", ev.EventID)
	}
	w.eventIDs[ev.EventID] = true
	if !w.check {
		w.events = append(w.events, ev)
	}
	if w.tl != nil {
		w.tl.observe(in, re, ev)
	}
	return nil
}

// Records.

// newRecord draws a record of type rt from the generator, whose details
// (place, contact, value) are realistic and agree with each other. For a
// project of a given workflow it draws until the record's trades fit, so
// that its value and work fit too. Its id is given when it is created
// (startRecord).
func (w *world) newRecord(rt string, wf *workflow) *generator.Record {
	var r *generator.Record
	for try := 0; try < 100; try++ {
		r = w.g.Record(rt)
		if rt != "PROJECT" || (r.Trades != nil && (wf == nil || w.wfs().forTrades(r.Trades) == wf)) {
			break
		}
	}
	if rt == "PROJECT" && (r.Trades == nil || (wf != nil && w.wfs().forTrades(r.Trades) != wf)) {
		if wf == nil {
			wf = w.wfs().forTrades(nil)
		}
		if len(wf.trades) > 0 { // a vocabulary's trades may leave a workflow none
			r.Trades = slices.Clone(wf.trades[:1])
		}
	}
	return r
}

func (w *world) startRecord(re *recordEnt, at time.Time) {
	r := re.rec
	// The record was drawn ahead (prepare); its id is given now, so ids
	// follow creation order, and so do record numbers (uids), per type.
	r.ID = w.seqID("record", 10000, 40000)
	r.UID = w.seqUID(r.Type, 100, 3000)
	r.CreatedAt = at.Add(-w.latency())
	r.UpdatedAt = r.CreatedAt
	re.loc = recordLocation(r)
	if re.wf != nil {
		ph := &re.wf.phases[0]
		r.Stage = &generator.Stage{ID: ph.stageID, Name: ph.name}
	}
}

// inherit copies the customer's details from an account or the request a
// project came from: the same person, at the same site.
func inherit(dst, src *generator.Record, site bool) {
	dst.PrimaryEmail, dst.PrimaryPhone = src.PrimaryEmail, src.PrimaryPhone
	if src.OwnerID.Valid {
		dst.OwnerID = src.OwnerID
	}
	if site && src.Address.Valid {
		dst.Address, dst.City, dst.State = src.Address, src.City, src.State
		dst.Title = src.Address.V
		dst.GeoLocation, dst.Jurisdiction = src.GeoLocation, src.Jurisdiction
		if dst.GeoLocation != nil {
			g := *dst.GeoLocation
			dst.GeoLocation = &g
		}
		if dst.Jurisdiction != nil {
			j := *dst.Jurisdiction
			dst.Jurisdiction = &j
		}
	}
}

// applyOrigin gives a new record the customer and site of the account and
// the request (from) it comes from, either of which may be nil.
func applyOrigin(r *generator.Record, acc, from *recordEnt) {
	if acc != nil {
		inherit(r, acc.rec, true)
	}
	if from != nil {
		// The same site: the project's title is the request's, even when
		// the request has no address on file.
		inherit(r, from.rec, true)
		r.Title = from.rec.Title
		r.Address, r.City, r.State = from.rec.Address, from.rec.City, from.rec.State
		if from.rec.DealValue.Valid {
			r.DealValue = from.rec.DealValue
		}
	}
}

// prepare draws, before a step creating a record is timed, the record it
// will create, so that the step's time can be the working hours of the
// record's site.
func (w *world) prepare(in *inst) {
	switch in.st.kind.name {
	case "createAccount":
		in.pre = w.newRecord("ACCOUNT", nil)
	case "createRequest":
		in.pre = w.newRecord("DEAL", nil)
	case "createProject":
		if wf, _, err := in.projectWorkflow(w.wfs()); err == nil {
			in.pre = w.newRecord("PROJECT", wf)
		}
	}
}

// drawn is the record prepare drew for the step, else a new one.
func (w *world) drawn(in *inst, rt string, wf *workflow) *generator.Record {
	if in.pre != nil {
		return in.pre
	}
	return w.newRecord(rt, wf)
}

func (w *world) createAccount(in *inst) error {
	re := &recordEnt{kind: kAccount, name: in.name("account"), rec: w.drawn(in, "ACCOUNT", nil)}
	w.startRecord(re, in.at)
	in.bind(re)
	return nil
}

func (w *world) createRequest(in *inst) error {
	re := &recordEnt{kind: kRequest, name: in.name("request"), rec: w.drawn(in, "DEAL", nil), wf: w.wfs().request}
	r := re.rec
	if in.has("trades") {
		r.Trades = slices.Clone(in.st.args["trades"].trades)
	}
	applyOrigin(r, in.recordNamed("account"), nil)
	r.Status = generator.Null[string]{}
	r.RequestStatus = generator.Some(re.wf.phases[0].status)
	at := w.fire(in)
	w.startRecord(re, at)
	in.bind(re)
	return w.emit(in, "REQUEST_CREATED", at, re, nil, nil)
}

func (w *world) createProjectDelay(in *inst) span {
	if in.has("from") {
		return between(hour, 2*day)
	}
	return between(30*minute, 4*hour)
}

// projectWorkflow is the workflow and trades a createProject step gives
// its project, nil when the generator's record is to pick them.
func (in *inst) projectWorkflow(ws *workflowSet) (*workflow, []string, error) {
	var wf *workflow
	if in.has("workflow") {
		wf = ws.named(in.text("workflow"))
	}
	var trades []string
	if in.has("trades") {
		trades = in.st.args["trades"].trades
		tw := ws.forTrades(trades)
		if wf != nil && tw != wf {
			return nil, nil, fmt.Errorf("trades [%s] follow the %s workflow, not %s (a project's first trade picks its workflow)", strings.Join(trades, ", "), tw.name, wf.name)
		}
		wf = tw
	}
	if from := in.recordNamed("from"); from != nil && wf == nil && from.rec.Trades != nil {
		wf = ws.forTrades(from.rec.Trades)
		trades = from.rec.Trades
	}
	return wf, trades, nil
}

func (w *world) createProject(in *inst) error {
	wf, trades, err := in.projectWorkflow(w.wfs())
	if err != nil {
		return err
	}
	from := in.recordNamed("from")
	if from != nil {
		if st := from.rec.RequestStatus.V; st != "WON" {
			return fmt.Errorf("%s is %s; a request becomes a project once it is won (moveRequest to: WON first)", from.label(), st)
		}
		if from.converted != nil {
			return fmt.Errorf("%s already became a project", from.label())
		}
	}
	r := w.drawn(in, "PROJECT", wf)
	if wf == nil {
		wf = w.wfs().forTrades(r.Trades)
	}
	if trades != nil {
		r.Trades = slices.Clone(trades)
	}
	applyOrigin(r, in.recordNamed("account"), from)
	r.Status = generator.Some("ACTIVE")
	r.RequestStatus = generator.Null[string]{}
	re := &recordEnt{kind: kProject, name: in.name("project"), rec: r, wf: wf}
	if from != nil {
		from.converted = re
	}
	at := w.fire(in)
	w.startRecord(re, at)
	in.bind(re)
	return w.emit(in, "PROJECT_CREATED", at, re, nil, nil)
}

// Phases.

func (w *world) startPhaseDelay(in *inst) span {
	if re := in.record(); re != nil && re.state == notStarted && re.kind == kProject {
		return between(5*minute, hour)
	}
	return between(2*minute, 30*minute)
}

func phaseTrigger(re *recordEnt, project, request string) string {
	if re.kind == kProject {
		return project
	}
	return request
}

func (w *world) startPhase(in *inst) error {
	re := in.record()
	if re.state == running {
		return fmt.Errorf("%s is still in phase %s; completePhase first", re.label(), re.phase().name)
	}
	target := re.stage
	if re.kind == kProject {
		if err := projectOpen(re); err != nil {
			return err
		}
		if re.state == completed {
			target++
		}
		if target >= len(re.wf.phases) {
			return fmt.Errorf("%s has completed its last phase, %s: there is no phase after it to start (moveProject to: COMPLETED closes the project)", re.label(), re.phase().name)
		}
		if in.has("phase") {
			idx := re.wf.phaseNamed(in.text("phase"))
			if idx < 0 {
				return fmt.Errorf("%s follows the %s workflow: %s", re.label(), re.wf.name, oneOf("phase", in.text("phase"), re.wf.phaseNames()))
			}
			if idx < target {
				return fmt.Errorf("phase %s comes before %s, where %s stands; projects move forward", re.wf.phases[idx].name, re.wf.phases[target].name, re.label())
			}
			if idx > target {
				return fmt.Errorf("phase %s comes after %s, where %s stands; a project goes through every phase in order: startPhase and completePhase %s first", re.wf.phases[idx].name, re.wf.phases[target].name, re.label(), re.wf.phases[target].name)
			}
		}
	} else {
		if re.state == completed {
			return fmt.Errorf("%s's phase %s is completed; moveRequest moves it to another stage", re.label(), re.phase().name)
		}
		if in.has("phase") && re.wf.phaseNamed(in.text("phase")) != target {
			return fmt.Errorf("%s is in stage %s; startPhase starts that one, moveRequest moves a request to another stage", re.label(), re.phase().name)
		}
	}
	return w.enterPhase(in, re, target)
}

func projectOpen(re *recordEnt) error {
	if st := re.rec.Status.V; st == "CANCELLED" || st == "COMPLETED" {
		return fmt.Errorf("%s is %s; its phases and work orders move only once moveProject moves it to ACTIVE again", re.label(), st)
	}
	return nil
}

func (w *world) enterPhase(in *inst, re *recordEnt, idx int) error {
	at := w.fire(in)
	re.stage, re.state, re.slas = idx, running, 0
	re.instance = w.seqID("phase", 100000, 400000)
	re.started = at
	ph := re.phase()
	re.rec.Stage = &generator.Stage{ID: ph.stageID, Name: ph.name}
	for _, wo := range re.wos {
		if wo.instance == 0 {
			wo.instance = re.instance
			wo.slow = ph.slow && !wo.wo.IsField
		}
	}
	w.touch(re, at)
	return w.emit(in, phaseTrigger(re, "PROJECT_PHASE_STARTED", "REQUEST_PHASE_STARTED"), at, re, nil, re.phaseFields("IN_PROGRESS"))
}

func (re *recordEnt) phaseFields(status string) func(*generator.Event) {
	ph, instance := *re.phase(), re.instance
	return func(e *generator.Event) {
		e.PhaseInstanceID, e.PhaseTemplateID, e.PhaseType, e.Status = instance, ph.templateID, ph.phaseType, status
	}
}

func (w *world) completePhase(in *inst) error {
	re := in.record()
	if re.state != running {
		return fmt.Errorf("%s has no phase in progress (its stage %s is %s)", re.label(), re.phase().name, stateWord(re.state))
	}
	return w.leavePhase(in, re)
}

func stateWord(s phaseState) string {
	switch s {
	case running:
		return "in progress"
	case completed:
		return "completed"
	}
	return "not started"
}

func (w *world) leavePhase(in *inst, re *recordEnt) error {
	if open := re.openWorkOrders(w.sc.vocab, re.instance); len(open) > 0 {
		return fmt.Errorf("%s's phase %s has open work orders: %s; complete or cancel them first (a phase completes only after its work orders)", re.label(), re.phase().name, strings.Join(open, ", "))
	}
	at := w.fire(in)
	re.state = completed
	w.touch(re, at)
	return w.emit(in, phaseTrigger(re, "PROJECT_PHASE_COMPLETED", "REQUEST_PHASE_COMPLETED"), at, re, nil, re.phaseFields("COMPLETED"))
}

func (w *world) slaViolation(in *inst) error {
	re := in.record()
	if re.state != running {
		return fmt.Errorf("%s has no phase in progress to overrun (stage %s is %s)", re.label(), re.phase().name, stateWord(re.state))
	}
	level := slaLevel(in, re)
	re.slas++
	at := w.fire(in)
	// The phase is overdue a whole number of days after it started: the
	// phase template's yellow or red SLA. The step's time is never before
	// (slaDue), so at is after it.
	overdue := slaOverdue(re, level)
	tmpl := re.phase().templateID
	return w.emit(in, phaseTrigger(re, "PROJECT_PHASE_SLA_VIOLATION", "DEAL_PHASE_SLA_VIOLATION"), at, re, nil, func(e *generator.Event) {
		e.OverdueAt, e.SLAType, e.PhaseTemplateID = overdue, level, tmpl
	})
}

// slaLevel is the level of the SLA violation the step fires: the one
// named, else YELLOW first and RED after.
func slaLevel(in *inst, re *recordEnt) string {
	switch {
	case in.has("level"):
		return in.text("level")
	case re.slas > 0:
		return "RED"
	}
	return "YELLOW"
}

// slaDays are a phase template's SLAs, whole days after the phase starts:
// phases waiting on a permit office or a utility get longer, sales
// shorter.
func (p *phase) slaDays() (yellow, red int) {
	switch {
	case p.slow:
		return 5, 10
	case p.phaseType == "SALES":
		return 2, 4
	}
	return 3, 5
}

func slaOverdue(re *recordEnt, level string) time.Time {
	yellow, red := re.phase().slaDays()
	n := yellow
	if level == "RED" {
		n = red
	}
	return re.started.Add(time.Duration(n) * day)
}

// slaDue is the earliest an SLA violation step fires: the SLA check runs
// every few minutes to hours after the phase became overdue.
func (w *world) slaDue(in *inst) time.Time {
	re := in.record()
	if re == nil || re.state != running || re.wf == nil {
		return time.Time{}
	}
	if lag := w.sc.slaLag; lag.set {
		return slaOverdue(re, slaLevel(in, re)).Add(lag.draw(w.rng))
	}
	return slaOverdue(re, slaLevel(in, re)).Add(time.Duration(5+w.rng.IntN(175)) * minute)
}

// requestTarget is the stage a moveRequest to: names: a stage by name, or
// a status (built in or the vocabulary's name of it), meaning the first
// stage after the current one with that status (else the first with it
// anywhere).
func (ws *workflowSet) requestTarget(re *recordEnt, to string) (int, error) {
	if idx := re.wf.phaseNamed(to); idx >= 0 {
		return idx, nil
	}
	b := ws.vocab.BuiltinRequestStatus(to)
	if b == "" {
		return -1, errors.New(oneOf("request stage or status", to, ws.requestTargets()))
	}
	to = b
	first := -1
	for i, ph := range re.wf.phases {
		if ph.status != to {
			continue
		}
		if i > re.stage {
			return i, nil
		}
		if first < 0 && i != re.stage {
			first = i
		}
	}
	if first < 0 {
		return -1, fmt.Errorf("%s is in stage %s already, the only one with status %s", re.label(), re.phase().name, to)
	}
	return first, nil
}

func (ws *workflowSet) requestTargets() []string {
	statuses := slices.Clone(schemas.RequestStatuses)
	for _, s := range ws.vocab.RequestStatuses {
		if !slices.Contains(statuses, s) && ws.vocab.BuiltinRequestStatus(s) != "" {
			statuses = append(statuses, s)
		}
	}
	return append(statuses, ws.request.phaseNames()...)
}

func (w *world) moveRequest(in *inst) error {
	re := in.record()
	if re == nil {
		re = in.recordNamed("request")
	}
	if re.rec.RequestStatus.V == "WON" {
		return fmt.Errorf("%s was won; a won request becomes a project and moves no further", re.label())
	}
	target, err := w.wfs().requestTarget(re, in.text("to"))
	if err != nil {
		return err
	}
	if target == re.stage {
		return fmt.Errorf("%s is in stage %s already", re.label(), re.phase().name)
	}
	if re.state == running {
		if err := w.leavePhase(in, re); err != nil {
			return err
		}
	}
	oldStatus := re.rec.RequestStatus.V
	if err := w.enterPhase(in, re, target); err != nil {
		return err
	}
	if status := re.phase().status; status != oldStatus {
		at := w.fire(in)
		re.rec.RequestStatus = generator.Some(status)
		w.touch(re, at)
		return w.emit(in, "DEAL_STATUS_MOVEMENT", at, re, nil, nil)
	}
	return nil
}

func (w *world) moveProject(in *inst) error {
	re := in.recordNamed("project")
	to, from := in.text("to"), re.rec.Status.V
	if to == from {
		return fmt.Errorf("%s is %s already", re.label(), to)
	}
	if last := len(re.wf.phases) - 1; to == "COMPLETED" && !(re.stage == last && re.state == completed) {
		todo := "startPhase and completePhase each phase up to it"
		switch {
		case re.stage == last && re.state == running:
			todo = "completePhase it"
		case re.stage == last:
			todo = "startPhase and completePhase it"
		}
		return fmt.Errorf("%s is in phase %s (%s); moveProject to: COMPLETED needs its last phase, %s, completed first (%s)",
			re.label(), re.phase().name, stateWord(re.state), re.wf.phases[last].name, todo)
	}
	at := w.fire(in)
	re.rec.Status = generator.Some(to)
	w.touch(re, at)
	return w.emit(in, "PROJECT_STATUS_MOVEMENT", at, re, nil, nil)
}

func (w *world) updateProperty(in *inst) error {
	re := in.record()
	at := w.fire(in)
	if in.has("dealValue") {
		re.rec.DealValue = generator.Some(in.st.args["dealValue"].num)
	}
	w.touch(re, at)
	return w.emit(in, phaseTrigger(re, "PROJECT_PROPERTY_UPDATED", "DEAL_PROPERTY_UPDATED"), at, re, nil, nil)
}

// Work orders.

func (w *world) createWorkOrder(in *inst) error {
	re := in.record()
	if re.kind == kProject {
		if err := projectOpen(re); err != nil {
			return err
		}
	}
	wo := &woEnt{name: in.name("work order"), re: re, instance: -1}
	var ph *phase
	if re.wf != nil {
		switch {
		case re.state == running:
			wo.instance = re.instance
			ph = re.phase()
		case re.state == notStarted:
			wo.instance = 0
			ph = re.phase()
		case re.stage+1 < len(re.wf.phases):
			wo.instance = 0
			ph = &re.wf.phases[re.stage+1]
		default:
			return fmt.Errorf("%s has completed its last phase; there is no phase left for a work order to belong to", re.label())
		}
	}
	var kind *woKind
	if in.has("title") {
		kind = woKindTitled(in.text("title"))
	} else if re.kind == kAccount {
		kind = woKindTitled("Warranty Claim")
	} else {
		kind = re.wf.defaultWorkOrder(ph)
	}
	// The generator draws the work order's identity and priority; what it
	// is and where it stands comes from the scenario.
	gwo := w.g.WorkOrder(re.rec)
	// Ids and work-order numbers follow creation order.
	gwo.ID = w.seqID("workOrder", 2000, 40000)
	gwo.UID = w.seqUID("workOrder", 1, 300)
	if in.has("title") {
		gwo.Title = in.text("title")
	} else {
		gwo.Title = kind.title
	}
	gwo.IsField = false
	gwo.Description = generator.Null[string]{}
	if kind != nil {
		gwo.IsField = kind.isField
		gwo.Description = generator.Some(kind.desc)
	}
	if in.has("field") {
		gwo.IsField = in.st.args["field"].b
	}
	if in.has("description") {
		gwo.Description = generator.Some(in.text("description"))
	}
	gwo.Status = w.woStatus("QUEUED")
	if in.has("status") {
		gwo.Status = in.text("status")
	}
	gwo.AssigneeID = generator.Null[int64]{}
	if gwo.Status != w.woStatus("QUEUED") {
		gwo.AssigneeID = generator.Some(w.userID(re))
	}
	gwo.StartDate, gwo.EndDate = generator.Null[time.Time]{}, generator.Null[time.Time]{}
	gwo.StartDateAllDay, gwo.EndDateAllDay = false, false
	gwo.CompletionDate = generator.Null[time.Time]{}
	wo.wo = gwo
	if wo.instance > 0 {
		wo.slow = re.phase().slow && !gwo.IsField
	}
	at := w.fire(in)
	gwo.CreatedAt = laterOf(at.Add(-w.latency()), re.rec.CreatedAt)
	gwo.ModifiedAt = gwo.CreatedAt
	re.wos = append(re.wos, wo)
	in.bind(wo)
	return w.emit(in, "TASK_CREATED", at, re, wo, nil)
}

// userID is who gets assigned: mostly the record's owner, sometimes a
// crew member.
func (w *world) userID(re *recordEnt) int64 {
	if re.rec.OwnerID.Valid && w.rng.IntN(3) == 0 {
		return re.rec.OwnerID.V
	}
	return 13000 + w.rng.Int64N(1000)
}

func (w *world) moveWorkOrderDelay(in *inst) span {
	wo := in.scope.lookup(in.text("workOrder")).(*woEnt)
	switch in.text("to") {
	case "ASSIGNED":
		return between(15*minute, 4*hour)
	case "SCHEDULED":
		return between(hour, day)
	case "IN_PROGRESS", "WORKING":
		if s := wo.wo.StartDate; s.Valid && s.V.After(in.clock) {
			lead := s.V.Sub(in.clock)
			return between(lead, lead+45*minute)
		}
		return between(2*hour, 2*day)
	case "WAITING":
		if wo.slow {
			return between(day, 3*day)
		}
		return between(2*hour, 2*day)
	case "REVIEW":
		return between(hour, day)
	case w.woStatus("CANCELLED"):
		return between(hour, 3*day)
	}
	return between(hour, day)
}

func (w *world) moveWorkOrder(in *inst) error {
	wo := in.scope.lookup(in.text("workOrder")).(*woEnt)
	to := in.text("to")
	if err := w.movable(wo, to); err != nil {
		return err
	}
	if err := w.useStatus(to); err != nil {
		return err
	}
	at := w.fire(in)
	prev := w.setStatus(wo, to, at)
	return w.emit(in, "TASK_STATUS_MOVEMENT", at, wo.re, wo, func(e *generator.Event) { e.PreviousStatus = generator.Some(prev) })
}

func (w *world) movable(wo *woEnt, to string) error {
	switch {
	case terminal(w.sc.vocab, wo.wo.Status):
		return fmt.Errorf("work order %s is %s; nothing moves it after that", wo.name, wo.wo.Status)
	case wo.wo.Status == to:
		return fmt.Errorf("work order %s is %s already", wo.name, to)
	}
	if wo.re.kind == kProject {
		return projectOpen(wo.re)
	}
	return nil
}

// setStatus moves wo to status at at, keeping the fields that go with a
// status in step, and returns the status it had.
func (w *world) setStatus(wo *woEnt, status string, at time.Time) string {
	g := wo.wo
	prev := g.Status
	g.Status = status
	w.touchWO(wo, at)
	switch status {
	case w.woStatus("QUEUED"):
		g.AssigneeID = generator.Null[int64]{}
	case w.woStatus("CANCELLED"):
	default:
		if !g.AssigneeID.Valid {
			g.AssigneeID = generator.Some(w.userID(wo.re))
		}
	}
	if status == "SCHEDULED" {
		w.schedule(wo, at)
	}
	if status == w.woStatus("COMPLETED") {
		g.CompletionDate = generator.Some(g.ModifiedAt)
	}
	return prev
}

// schedule puts a work order on the calendar, in its site's time zone:
// field work at the appointment booked for it, else on a weekday morning
// a few working days out, for a few hours (installs take the day); office
// work as all-day dates on working days.
func (w *world) schedule(wo *woEnt, at time.Time) {
	g := wo.wo
	loc := wo.re.loc
	if !g.IsField {
		// All-day dates are calendar days, written as UTC midnight.
		start := addWorkdays(at, loc, 1+w.rng.IntN(3))
		end := addWorkdays(start, loc, w.rng.IntN(4))
		g.StartDate = generator.Some(dateOf(start))
		g.EndDate = generator.Some(dateOf(end))
		g.StartDateAllDay, g.EndDateAllDay = true, true
		return
	}
	var start time.Time
	if a := wo.re.openAppointment(at); a != nil {
		a.wo, wo.appt = wo, a
		start = a.due
	} else {
		start = localAt(addWorkdays(at, loc, 1+w.rng.IntN(4)), loc, 0, fieldFirst+time.Duration(w.rng.IntN(fieldSlots))*30*minute)
	}
	dur := time.Duration(2+w.rng.IntN(3)) * hour
	if strings.Contains(g.Title, "Installation") || strings.Contains(g.Title, "Replacement") {
		dur = time.Duration(6+w.rng.IntN(3)) * hour
	}
	g.StartDate, g.EndDate = generator.Some(start), generator.Some(fieldEndOf(start, dur, loc))
	g.StartDateAllDay, g.EndDateAllDay = false, false
}

// fieldEndOf is when a visit starting at start for dur ends: by the end
// of the working day.
func fieldEndOf(start time.Time, dur time.Duration, loc *time.Location) time.Time {
	end := start.Add(dur)
	if last := localAt(start, loc, 0, fieldEnd); end.After(last) {
		end = laterOf(last, start.Add(hour))
	}
	return end
}

// dateOf is t's local calendar day as UTC midnight, the way all-day dates
// are written.
func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// openAppointment is the record's appointment due after at that no work
// order is booked at yet, the earliest, or nil.
func (r *recordEnt) openAppointment(at time.Time) *apptEnt {
	var best *apptEnt
	for _, a := range r.appts {
		if a.wo == nil && a.due.After(at) && (best == nil || a.due.Before(best.due)) {
			best = a
		}
	}
	return best
}

func (w *world) completeWorkOrderDelay(in *inst) span {
	wo := in.scope.lookup(in.text("workOrder")).(*woEnt)
	switch {
	case wo.wo.IsField && wo.wo.EndDate.Valid && wo.wo.EndDate.V.After(in.clock):
		lead := wo.wo.EndDate.V.Sub(in.clock)
		return between(lead, lead+time.Hour)
	case wo.wo.IsField:
		return between(2*hour, 8*hour)
	case wo.slow:
		// Permit offices and utilities answer in weeks.
		return between(week, 3*week)
	}
	return between(2*hour, 3*day)
}

func (w *world) completeWorkOrder(in *inst) error {
	wo := in.scope.lookup(in.text("workOrder")).(*woEnt)
	done := w.woStatus("COMPLETED")
	if err := w.movable(wo, done); err != nil {
		return err
	}
	at := w.fire(in)
	prev := w.setStatus(wo, done, at)
	if err := w.emit(in, "TASK_STATUS_MOVEMENT", at, wo.re, wo, func(e *generator.Event) { e.PreviousStatus = generator.Some(prev) }); err != nil {
		return err
	}
	return w.emit(in, "TASK_COMPLETED", w.fire(in), wo.re, wo, nil)
}

// Appointments and calls.

// dueAt places an appointment d after at, in loc: to the half hour when d
// is under a day, else on that day's slots; either way on a slot of a
// working day, after at.
func (w *world) dueAt(at time.Time, d time.Duration, loc *time.Location) time.Time {
	t := at.Add(d)
	if d < day {
		t = t.Truncate(30 * minute)
	} else {
		t = localAt(t, loc, 0, apptFirst+time.Duration(w.rng.IntN(apptSlots))*30*minute)
	}
	for !t.After(at) {
		t = t.Add(30 * minute)
	}
	return w.apptSlot(t, loc)
}

func (w *world) createAppointment(in *inst) error {
	re := in.record()
	sp := between(day, 10*day)
	if in.has("in") {
		sp = in.st.args["in"].span
	}
	at := w.fire(in)
	a := &apptEnt{id: w.seqID("appointment", 20000, 80000), re: re, due: w.dueAt(at, sp.draw(w.rng), re.loc)}
	// A field visit already on the calendar is what the appointment
	// books: it is due when the visit starts.
	for _, wo := range re.wos {
		if wo.appt == nil && wo.wo.IsField && wo.wo.Status == "SCHEDULED" && wo.wo.StartDate.Valid && wo.wo.StartDate.V.After(at) {
			a.due, a.wo, wo.appt = wo.wo.StartDate.V, wo, a
			break
		}
	}
	re.appts = append(re.appts, a)
	in.bind(a)
	return w.emit(in, "APPOINTMENT_CREATED", at, re, nil, func(e *generator.Event) {
		e.AppointmentID, e.DueDate = a.id, a.due
	})
}

func (w *world) rescheduleAppointment(in *inst) error {
	a := in.scope.lookup(in.text("appointment")).(*apptEnt)
	at := w.fire(in)
	prev := a.due
	loc := a.re.loc
	var due time.Time
	if in.has("by") {
		due = a.due.Add(in.st.args["by"].span.lo)
		// An appointment is never moved into the past.
		if !due.After(at) {
			due = w.dueAt(at, hour, loc)
		}
		due = w.apptSlot(due, loc)
	} else {
		due = w.dueAt(laterOf(a.due, at), between(day, 5*day).draw(w.rng), loc)
	}
	a.due = due
	// The visit it books moves with it, until it has begun.
	if wo := a.wo; wo != nil && wo.wo.Status == "SCHEDULED" && wo.wo.StartDate.Valid && wo.wo.EndDate.Valid {
		dur := wo.wo.EndDate.V.Sub(wo.wo.StartDate.V)
		wo.wo.StartDate = generator.Some(due)
		wo.wo.EndDate = generator.Some(fieldEndOf(due, dur, loc))
	}
	return w.emit(in, "APPOINTMENT_RESCHEDULED", at, a.re, nil, func(e *generator.Event) {
		e.AppointmentID, e.DueDate, e.PreviousDueDate = a.id, due, prev
	})
}

func (w *world) logCall(in *inst) error {
	re := in.record()
	c := &callEnt{re: re}
	in.bind(c)
	return w.emit(in, "CALL_UPSERTED", w.fire(in), re, nil, nil)
}

func (w *world) updateCall(in *inst) error {
	c := in.scope.lookup(in.text("call")).(*callEnt)
	return w.emit(in, "CALL_UPSERTED", w.fire(in), c.re, nil, nil)
}

func constDelay(lo, hi time.Duration) func(*world, *inst) span {
	return func(*world, *inst) span { return between(lo, hi) }
}
