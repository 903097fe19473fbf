package generator

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"time"
	"unsafe"

	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/coperniq-mock/coperniq-mock/suggest"
)

// DefaultSeed is the seed the command line uses unless told otherwise.
const DefaultSeed = 1

// DefaultEpoch anchors generated times: firedAt values fall on the epoch's
// UTC day or the two days before it, in US business hours where the site
// is. A fixed epoch, never time.Now, keeps output reproducible.
var DefaultEpoch = time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)

// maxSafeInt is 2^53-1, the largest integer a JavaScript number (and any
// float64 decoder) holds exactly; the edge profile sends ids this large.
const maxSafeInt = 1<<53 - 1

// pcgStream is the PCG's second seed word, fixed so one uint64 seed names a
// whole stream.
const pcgStream = 0x9E3779B97F4A7C15

// Generator produces payloads from one seeded random stream. It is not safe
// for concurrent use: give each goroutine its own, seeded differently (for
// example base seed + worker number).
type Generator struct {
	pcg          rand.PCG
	seed         uint64
	started      bool // a payload or entity has been drawn from the stream
	profile      Profile
	epoch        time.Time
	overrides    *Overrides
	allowInvalid bool
	// verbatim: every string this generator puts in a payload needs no
	// escaping (tablesVerbatim, and neither the edge profile nor a
	// vocabulary), so AppendJSON writes them without a look.
	verbatim bool
	working  string // the working state's name (WithWorkingStatus)
	// vocab is the vocabulary (WithVocabulary), nil for the built-in one;
	// extraStatuses are its work-order statuses the built-in one lacks.
	vocab         *schemas.Vocabulary
	extraStatuses []string
	wfs           *workflows // the vocabulary's workflows
	// err is an option's refusal (an unknown profile, a vocabulary that
	// breaks the rules), which every payload returns: an Option has no
	// error of its own.
	err error

	eventID int64
	idStep  int64 // non-zero: ids come from idNext, idNext+idStep, ...
	idNext  int64
	arena   []byte     // backing store for generated strings; see strStart
	scratch payloadBox // reused by AppendJSON, which keeps no values
	// scratchArena is the arena of the scratch box's strings, emptied by
	// every AppendJSON.
	scratchArena []byte
	tmp          []byte // encoding buffer for the override path
}

// Option configures a Generator.
type Option func(*Generator)

// DefaultWorkingStatus is the name a Generator gives a work order's working
// state: IN_PROGRESS, as in Coperniq's one documented webhook, where its
// REST API and help pages say WORKING. Coperniq does not say whether one
// account can send both; this tool assumes not.
const DefaultWorkingStatus = "IN_PROGRESS"

// WorkingStatuses are the names WithWorkingStatus accepts.
func WorkingStatuses() []string { return []string{"IN_PROGRESS", "WORKING"} }

// WithWorkingStatus names the working state of work orders IN_PROGRESS or
// WORKING in everything the generator sends; "" is DefaultWorkingStatus.
// Another name leaves the default, and every payload (JSON, AppendJSON,
// Payload, PayloadFor) is then its *UnknownWorkingStatusError: an Option
// has no error of its own, and a misspelt name must not pass for the
// default unnoticed.
func WithWorkingStatus(name string) Option {
	return func(g *Generator) {
		switch name {
		case "":
		case "IN_PROGRESS", "WORKING":
			g.working = name
		default:
			g.err = &UnknownWorkingStatusError{Name: name}
		}
	}
}

// UnknownWorkingStatusError reports a working-state name that is not one of
// WorkingStatuses.
type UnknownWorkingStatusError struct {
	Name string
}

func (e *UnknownWorkingStatusError) Error() string {
	return suggest.NotOneOf("working status", e.Name, WorkingStatuses(), suggest.Nearest(e.Name, WorkingStatuses()))
}

// workingName maps either name of the working state to the generator's.
func (g *Generator) workingName(status string) string {
	if status == "IN_PROGRESS" || status == "WORKING" {
		return g.working
	}
	return status
}

// WithProfile selects the profile, by any name ParseProfile reads
// ("Minimal" is Minimal); "" is DefaultProfile. An unknown one leaves the
// default, and every payload (JSON, AppendJSON, Payload, PayloadFor) is
// then its *UnknownProfileError: an Option has no error of its own.
func WithProfile(p Profile) Option {
	return func(g *Generator) {
		if p == "" {
			return
		}
		parsed, err := ParseProfile(string(p))
		if err != nil {
			g.err = err
			return
		}
		g.profile = parsed
	}
}

// WithEpoch moves the time generated payloads fall around.
func WithEpoch(t time.Time) Option { return func(g *Generator) { g.epoch = t.UTC() } }

// WithOverrides applies o to every payload JSON and AppendJSON produce. Payload
// returns the generated values before overrides: overrides act on JSON, and
// may produce JSON that no Go value here represents.
func WithOverrides(o *Overrides) Option { return func(g *Generator) { g.overrides = o } }

// WithAllowInvalid lets overrides produce payloads that fail the contract
// schema, for testing how a receiver rejects them.
func WithAllowInvalid(allow bool) Option { return func(g *Generator) { g.allowInvalid = allow } }

// WithEventIDs makes event ids the arithmetic sequence start, start+step,
// start+2·step, ... instead of a random walk from a seeded start. Generators
// given disjoint sequences (start i, step n for i in 0..n-1) never repeat
// each other's ids, which a load test spreading one id space over many
// generators and machines needs; the random walk gives no such promise. Every
// other field is drawn exactly as without the option. The edge profile then
// leaves event ids alone and puts its 2^53-1 on the record id instead. A step
// of 0 leaves the random walk.
func WithEventIDs(start, step int64) Option {
	return func(g *Generator) { g.idStep = step; g.idNext = start }
}

// New returns a Generator whose output is determined by seed and opts alone.
func New(seed uint64, opts ...Option) *Generator {
	g := &Generator{profile: DefaultProfile, epoch: DefaultEpoch, working: DefaultWorkingStatus, wfs: defaultWorkflows}
	for _, o := range opts {
		o(g)
	}
	g.seed = seed
	g.verbatim = g.vocab == nil && g.profile != Edge && tablesVerbatim()
	g.reseed(seed)
	return g
}

func (g *Generator) reseed(seed uint64) {
	g.pcg.Seed(seed, pcgStream)
	// Event ids increase through a stream, as a real account's do.
	g.eventID = int64(g.between(40000, 59999))
}

// begin makes a fresh generator's first payload depend on its trigger as
// well as its seed. New(seed).JSON(trigger) is the unit a reproducer names
// (`send TRIGGER --seed S`), and without this every trigger's first payload
// would share an eventId and a record: a user sending each trigger once with
// the default seed would see an idempotent receiver drop all but the first.
func (g *Generator) begin(t *trigInfo) {
	if g.started {
		return
	}
	g.started = true
	h := uint64(14695981039346656037) // FNV-1a: stable across Go versions
	for i := 0; i < len(t.key); i++ {
		h = (h ^ uint64(t.key[i])) * 1099511628211
	}
	g.reseed(g.seed ^ h)
}

// next is what every payload starts with: the generator's own error (a bad
// option), else triggerKey's catalog entry, the generator begun on it.
func (g *Generator) next(triggerKey string) (*trigInfo, error) {
	if g.err != nil {
		return nil, g.err
	}
	t, err := lookupTrigger(triggerKey)
	if err != nil {
		return nil, err
	}
	g.begin(t)
	return t, nil
}

// Profile reports the generator's profile.
func (g *Generator) Profile() Profile { return g.profile }

// Epoch reports the time generated payloads fall around.
func (g *Generator) Epoch() time.Time { return g.epoch }

// Payload generates the next payload for triggerKey as Go values. An unknown
// key gets the *schemas.UnknownTriggerError of schemas.Lookup. Overrides are
// not applied (see WithOverrides).
func (g *Generator) Payload(triggerKey string) (*Payload, error) {
	t, err := g.next(triggerKey)
	if err != nil {
		return nil, err
	}
	box := new(payloadBox)
	g.build(box, t)
	return &box.p, nil
}

// AppendJSON generates the next payload for triggerKey and appends it to dst
// as compact JSON, with overrides applied. Without overrides it allocates
// nothing beyond growing dst (and, once, its arena); this is the fast path.
func (g *Generator) AppendJSON(dst []byte, triggerKey string) ([]byte, error) {
	t, err := g.next(triggerKey)
	if err != nil {
		return dst, err
	}
	// Nothing of the payload outlives this call (it is encoded, and the
	// scratch box is refilled next time), so its strings go into an arena
	// of its own that each call empties: no garbage per payload.
	kept := g.arena
	g.arena = g.scratchArena[:0]
	g.build(&g.scratch, t)
	g.scratchArena, g.arena = g.arena, kept
	if g.overrides.empty() {
		return appendPayload(dst, g.verbatim, &g.scratch.p, t), nil
	}
	g.tmp = appendPayload(g.tmp[:0], g.verbatim, &g.scratch.p, t)
	out, err := g.overrides.apply(t.key, g.tmp, g.allowInvalid || g.overrides.AllowInvalid)
	if err != nil {
		return dst, err
	}
	return append(dst, out...), nil
}

// JSON generates the next payload for triggerKey as compact JSON in a new
// slice, with overrides applied.
func (g *Generator) JSON(triggerKey string) ([]byte, error) {
	return g.AppendJSON(make([]byte, 0, 1536), triggerKey)
}

// payloadBox holds a payload and everything its pointers and slices refer
// to, so building one costs a single allocation (or none, when reused).
type payloadBox struct {
	p     Payload
	rec   recordBox
	wo    WorkOrder
	woExt [3]RawField
	evExt [3]RawField
	top   [1]RawField
}

type recordBox struct {
	rec      Record
	stage    Stage
	geo      GeoLocation
	jur      Jurisdiction
	trades   [4]string
	recExt   [4]RawField
	stageExt [1]RawField
	geoExt   [1]RawField
	jurExt   [1]RawField
}

// Random draws. The PCG is used directly, not through rand.Rand, so each
// draw is an inlined call with no interface dispatch.

func (g *Generator) intn(n int) int {
	hi, _ := bits.Mul64(g.pcg.Uint64(), uint64(n))
	return int(hi)
}

// between returns an int in [lo, hi].
func (g *Generator) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + g.intn(hi-lo+1)
}

func (g *Generator) between64(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	h, _ := bits.Mul64(g.pcg.Uint64(), uint64(hi-lo+1))
	return lo + int64(h)
}

// chance is true with probability permille/1000.
func (g *Generator) chance(permille int) bool { return g.intn(1000) < permille }

func (g *Generator) float() float64 { return float64(g.pcg.Uint64()>>11) / (1 << 53) }

func (g *Generator) pick(s []string) string { return s[g.intn(len(s))] }

// present decides whether an optional (nullable) field is set: never in the
// minimal profile, always in the maximal one, with the given probability
// otherwise.
func (g *Generator) present(permille int) bool {
	switch g.profile {
	case Minimal:
		return false
	case Maximal:
		return true
	}
	return g.chance(permille)
}

// Strings built at run time (addresses, emails, phones) go into an arena:
// bytes are appended and never changed afterwards, so a string can point into
// them without a copy, and a full chunk is simply left to the garbage
// collector once no string refers to it.

const arenaChunk = 16 << 10

func (g *Generator) strStart() int {
	if cap(g.arena)-len(g.arena) < 512 {
		g.arena = make([]byte, 0, arenaChunk)
	}
	return len(g.arena)
}

func (g *Generator) strEnd(start int) string {
	n := len(g.arena) - start
	if n == 0 {
		return ""
	}
	return unsafe.String(&g.arena[start], n)
}

func (g *Generator) rawEnd(start int) []byte { return g.arena[start:len(g.arena):len(g.arena)] }

// Times.

const (
	day    = 24 * time.Hour
	second = time.Second
	milli  = time.Millisecond
)

// dayStart is t.Truncate(day) (the start of t's UTC day: the zero time is
// a UTC midnight) without Truncate's general division.
func dayStart(t time.Time) time.Time {
	sec := t.Unix()
	return t.Add(-time.Duration(sec-floorDiv(sec, 86400)*86400)*time.Second - time.Duration(t.Nanosecond()))
}

// localTime returns the instant of the given local time of day on the
// calendar day of d (UTC midnight), at place p.
func localTime(d time.Time, p *Place, hour, minute int) time.Time {
	off := p.state.offsetOn(floorDiv(d.Unix(), 86400))
	return d.Add(time.Duration(hour-off)*time.Hour + time.Duration(minute)*time.Minute)
}

// businessTime is a random instant in local business hours (8:00-18:00) on
// the day that is later days after base's (before, when negative), with
// seconds and milliseconds. It is localTime(dayStart(base.Add(later·day)),
// p, 8, 0) plus the draws, in one Add.
func (g *Generator) businessTime(base time.Time, later int, p *Place) time.Time {
	sec := base.Unix()
	days := floorDiv(sec, 86400)
	intoDay := time.Duration(sec-days*86400)*second + time.Duration(base.Nanosecond())
	eight := time.Duration(8-p.state.offsetOn(days+int64(later))) * time.Hour
	return base.Add(time.Duration(later)*day + eight - intoDay + time.Duration(g.intn(10*3600))*second + time.Duration(g.intn(1000))*milli)
}

func (g *Generator) firedAt(p *Place) time.Time {
	back := g.intn(3)
	if g.chance(100) { // automations also fire at night: SLA checks, imports
		return dayStart(g.epoch).Add(-time.Duration(back)*day + time.Duration(g.intn(86400))*second + time.Duration(g.intn(1000))*milli)
	}
	return g.businessTime(g.epoch, -back, p)
}

// latency is how long before firedAt the change that fired it was saved.
func (g *Generator) latency() time.Duration {
	if g.chance(400) {
		return 0
	}
	return time.Duration(g.between(1, 1500)) * milli
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// between two instants, inclusive, at millisecond resolution.
func (g *Generator) timeBetween(a, b time.Time) time.Time {
	if !b.After(a) {
		return a
	}
	return a.Add(time.Duration(g.between64(0, int64(b.Sub(a)/milli))) * milli)
}

// businessBetween is a random instant in [a, b], in local business hours
// when the interval spans enough days to have some.
func (g *Generator) businessBetween(a, b time.Time, p *Place) time.Time {
	if b.Sub(a) < 2*day || p == nil {
		return g.timeBetween(a, b)
	}
	days := int(b.Sub(a) / day)
	t := g.businessTime(a, g.intn(days+1), p)
	if t.Before(a) || t.After(b) {
		return g.timeBetween(a, b)
	}
	return t
}

func (g *Generator) nextEventID() int64 {
	// The walk is drawn even for a sequence, so that the option changes the
	// id and nothing else.
	g.eventID += int64(g.between(1, 40))
	if g.idStep != 0 {
		id := g.idNext
		g.idNext += g.idStep
		return id
	}
	return g.eventID
}

// build fills box with a payload for t.
func (g *Generator) build(box *payloadBox, t *trigInfo) {
	p := &box.p
	place := g.place()
	fired := g.firedAt(place)
	rec := g.buildRecord(&box.rec, g.recordTypeFor(t), t, place, fired)
	var wo *WorkOrder
	var prev string
	if t.workOrder {
		wo, prev = g.buildWorkOrder(box, rec, t, fired)
	}
	*p = Payload{Record: rec, WorkOrder: wo, trig: t}
	g.fillEvent(&p.Event, t, fired, rec, wo, prev)
	switch g.profile {
	case Maximal:
		g.maximize(box)
	case Edge:
		g.edgeify(box)
	}
	if t.recordOptional && (g.profile == Minimal || g.profile == Edge && g.chance(withoutRecordPermille)) {
		g.dropRecord(p)
	}
	g.ApplyVocabulary(p)
}

// withoutRecordPermille is how often an edge payload of a trigger whose
// record is optional comes without one; minimal payloads always do.
const withoutRecordPermille = 300

// dropRecord leaves the record out, as Coperniq does when the trigger is not
// "associated with a Project, Request, or Account". event.recordId is
// documented as always present; what it holds then is unpublished, and this
// tool sends the id of the appointment or call itself.
func (g *Generator) dropRecord(p *Payload) {
	p.Record = nil
	e := &p.Event
	id := e.AppointmentID
	if id == 0 {
		id = int64(g.between(300000, 999999)) // a call's id
	}
	if g.profile == Edge && e.EventID != maxSafeInt {
		// Every edge payload carries 2^53-1 somewhere; the record that
		// may have carried it is gone.
		id = maxSafeInt
		if e.AppointmentID != 0 {
			e.AppointmentID = id
		}
	}
	e.RecordID = id
}

func (g *Generator) recordTypeFor(t *trigInfo) string {
	rt := t.recordTypes
	if len(rt) > 1 && g.chance(200) {
		return rt[1+g.intn(len(rt)-1)]
	}
	return rt[0]
}

func (g *Generator) place() *Place { return &places[placeTable[g.intn(len(placeTable))]] }

// buildRecord fills rb with a record of type rt as of firedAt. t may be nil
// (the Record builder), in which case nothing trigger-specific is assumed.
func (g *Generator) buildRecord(rb *recordBox, rt string, t *trigInfo, place *Place, fired time.Time) *Record {
	kind := kindPropertyUpdated
	if t != nil {
		kind = t.kind
	}
	r := &rb.rec
	*r = Record{Type: rt, place: place}
	r.ID = int64(g.between(10000, 99999))
	r.UID = int64(g.between(100, min(9999, int(r.ID)-1)))
	first, last := &firstNameForms[g.intn(len(firstNameForms))], &lastNameForms[g.intn(len(lastNameForms))]
	r.first, r.last = first.name, last.name

	ci := -1 // combos' index, for the workflow of its trades
	var combo *combo
	if own := g.wfs.combos; own != nil {
		combo = &own.list[own.table[g.intn(len(own.table))]]
	} else {
		ci = int(comboTable[g.intn(len(comboTable))])
		combo = &combos[ci]
	}
	n := copy(rb.trades[:], combo.trades)
	trades := rb.trades[:n:n]
	r.mask = combo.mask

	switch rt {
	case "PROJECT":
		if ci >= 0 && ci < len(g.wfs.byCombo) {
			r.wf = g.wfs.byCombo[ci]
		} else {
			r.wf = g.wfs.forTrades(trades)
		}
	case "DEAL":
		r.wf = g.wfs.request
	}
	r.stageIdx = g.stageFor(r, kind)

	address := g.address(place)
	switch rt {
	case "ACCOUNT":
		r.Title = g.fullName(r.first, r.last)
	case "VENDOR":
		r.Title = g.pick(vendorNames)
	default:
		r.Title = address
	}
	g.recordStatus(r, kind)

	if r.wf != nil && g.present(960) {
		s := &r.wf.stages[r.stageIdx]
		rb.stage = Stage{ID: s.id, Name: s.name}
		r.Stage = &rb.stage
	}
	if g.present(975) {
		r.Address, r.City, r.State = Some(address), Some(place.City), Some(place.State)
		if g.present(930) {
			rb.geo = GeoLocation{Lat: g.jitter(place.Lat), Lng: g.jitter(place.Lng)}
			r.GeoLocation = &rb.geo
		}
	}
	if jurP := jurisdictionPermille(rt); jurP > 0 && g.present(jurP) {
		rb.jur = g.jurisdiction(place)
		r.Jurisdiction = &rb.jur
	}
	if g.present(970) {
		r.Trades = trades
	}
	if valueP := dealValuePermille(rt); valueP > 0 && g.present(valueP) {
		r.DealValue = Some(g.dealValue(combo))
	}
	if g.present(920) {
		r.OwnerID = Some(int64(g.between(13000, 13999)))
	}
	if g.present(900) {
		r.PrimaryEmail = Some(g.email(first, last, rt))
	}
	if g.present(880) {
		r.PrimaryPhone = Some(g.phone(place))
	}
	g.recordTimes(r, kind, place, fired)
	return r
}

// stageFor picks the record's workflow stage for an event of this kind.
func (g *Generator) stageFor(r *Record, kind trigKind) int {
	if r.wf == nil {
		return 0
	}
	n := len(r.wf.stages)
	switch {
	case kind == kindCreated && r.wf.request:
		return 0
	case kind == kindCreated:
		return g.intn(2) // a project starts in Sales, or at the survey when sales closed elsewhere
	case r.wf.request && kind == kindStatusMove:
		return (1 + g.intn(max(n-1, 1))) % n
	case r.wf.request && (kind == kindPhaseCompleted || kind == kindSLA):
		// Open stages before the closing ones: a closed request has no
		// running phase.
		return g.wfs.beforeClose[g.intn(len(g.wfs.beforeClose))]
	case r.wf.request && kind.needsLiveRecord():
		// A request that is won or lost has no phase to start, no work
		// left and no appointments to keep: the project carries them on.
		return g.wfs.openRequest[g.intn(len(g.wfs.openRequest))]
	}
	return g.intn(n)
}

// needsLiveRecord is true for events that happen only while work on the
// record goes on: phases starting, SLAs running out, work orders and
// appointments. Projects then are ACTIVE or ON_HOLD, requests open.
func (k trigKind) needsLiveRecord() bool {
	switch k {
	case kindPhaseStarted, kindPhaseCompleted, kindSLA, kindTaskCreated, kindTaskCompleted, kindTaskMove, kindApptCreated, kindApptRescheduled:
		return true
	}
	return false
}

func (g *Generator) recordStatus(r *Record, kind trigKind) {
	switch r.Type {
	case "PROJECT":
		last := r.stageIdx == len(r.wf.stages)-1
		var s string
		switch {
		case kind == kindCreated:
			s = "ACTIVE"
		case kind == kindStatusMove:
			s = pickWeighted(g, []string{"ACTIVE", "ON_HOLD", "CANCELLED", "COMPLETED"}, []int{40, 25, 10, 25})
			if s == "COMPLETED" {
				r.stageIdx = len(r.wf.stages) - 1
			}
		case kind == kindPhaseStarted || kind == kindPhaseCompleted:
			s = "ACTIVE"
		case kind.needsLiveRecord():
			s = "ACTIVE"
			if g.chance(80) {
				s = "ON_HOLD"
			}
		case last && g.chance(400):
			s = "COMPLETED"
		default:
			s = pickWeighted(g, []string{"ACTIVE", "ON_HOLD", "CANCELLED"}, []int{90, 7, 3})
		}
		if g.profile != Minimal {
			r.Status = Some(s)
		}
	case "DEAL":
		if g.profile != Minimal {
			r.RequestStatus = Some(r.wf.requestStageStatus(r.stageIdx))
		}
		// A few open requests carry a status too; a won or lost one is
		// closed, and "ACTIVE" beside LOST would read as a contradiction.
		if rs := r.wf.requestStageStatus(r.stageIdx); g.present(60) && rs != "WON" && rs != "LOST" {
			r.Status = Some("ACTIVE")
		}
	default:
		if g.profile != Minimal {
			r.Status = Some(pickWeighted(g, []string{"ACTIVE", "ON_HOLD"}, []int{92, 8}))
		}
	}
}

func pickWeighted(g *Generator, vals []string, weights []int) string {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := g.intn(total)
	for i, w := range weights {
		if n < w {
			return vals[i]
		}
		n -= w
	}
	return vals[len(vals)-1]
}

// recordTimes sets createdAt and updatedAt, both at or before fired.
func (g *Generator) recordTimes(r *Record, kind trigKind, place *Place, fired time.Time) {
	if kind == kindCreated {
		r.CreatedAt = fired.Add(-g.latency())
		r.UpdatedAt = r.CreatedAt
		return
	}
	minAge, maxAge := 30, 720
	if r.wf != nil {
		s := &r.wf.stages[r.stageIdx]
		minAge, maxAge = s.minAge, s.maxAge
	}
	switch kind {
	case kindSLA:
		minAge = max(minAge, 14) // a phase overruns its SLA only after days
		maxAge = max(maxAge, minAge+10)
	case kindTaskCreated, kindTaskCompleted, kindTaskMove, kindApptCreated, kindApptRescheduled:
		minAge = max(minAge, 1)
		maxAge = max(maxAge, minAge+3)
	}
	age := g.between(minAge, maxAge)
	r.CreatedAt = g.businessTime(fired, -age, place)
	if !r.CreatedAt.Before(fired) {
		r.CreatedAt = fired.Add(-time.Duration(g.between(60, 3*3600)) * second)
	}
	switch kind {
	case kindStatusMove, kindPropertyUpdated, kindPhaseStarted, kindPhaseCompleted:
		r.UpdatedAt = fired.Add(-g.latency())
	default:
		if g.chance(500) {
			r.UpdatedAt = fired.Add(-g.latency())
		} else {
			r.UpdatedAt = g.businessBetween(r.CreatedAt, fired, place)
		}
	}
	r.UpdatedAt = maxTime(r.UpdatedAt, r.CreatedAt)
}

// How often records of each type carry a jurisdiction and a deal value, in
// permille: requests rarely know their permitting authority yet, accounts
// rarely carry a contract value.
func jurisdictionPermille(rt string) int {
	switch rt {
	case "PROJECT":
		return 800
	case "DEAL":
		return 300
	case "ACCOUNT":
		return 250
	}
	return 0
}

func dealValuePermille(rt string) int {
	switch rt {
	case "PROJECT":
		return 950
	case "DEAL":
		return 800
	case "ACCOUNT":
		return 150
	}
	return 0
}

// jitter moves a coordinate by up to 0.015° (about a mile), so sites spread
// around the city centre. It works in whole microdegrees: floating-point
// arithmetic that a compiler may fuse differently per CPU would break
// byte-identical output across machines.
func (g *Generator) jitter(v float64) float64 {
	micro := int64(math.Round(v*1e6)) + int64(g.between(-15000, 15000))
	return float64(micro) / 1e6
}

func (g *Generator) jurisdiction(p *Place) Jurisdiction {
	switch {
	case p.cityJur.Name == "":
		return p.countyJur
	case p.countyJur.Name == "":
		return p.cityJur
	case g.chance(300):
		return p.countyJur
	}
	return p.cityJur
}

func (g *Generator) dealValue(c *combo) float64 {
	v := 0
	for _, r := range c.ranges {
		v += g.between(r[0], r[1])
	}
	switch n := g.intn(100); {
	case n < 60:
		return float64((v + 50) / 100 * 100)
	case n < 85:
		return float64((v + 25) / 50 * 50)
	case n < 95:
		return float64(v)
	default:
		return float64(v) + float64(g.between(1, 99))/100
	}
}

func (g *Generator) address(p *Place) string {
	var num int
	switch n := g.intn(100); {
	case n < 8:
		num = g.between(10, 99)
	case n < 70:
		num = g.between(100, 9999)
	default:
		num = g.between(10000, 29999)
	}
	start := g.strStart()
	b := appendInt(g.arena, num)
	b = append(b, ' ')
	street := g.street(p)
	b = append(b, street...)
	b = append(b, ' ')
	b = append(b, g.pick(streetSuffixes)...)
	b = append(b, ' ')
	b = append(b, p.City...)
	b = append(b, ' ')
	b = append(b, p.State...)
	b = append(b, ' ')
	b = append(b, p.zipOf(street)...)
	g.arena = b
	return g.strEnd(start)
}

// street picks a street name that fits the place: most are found anywhere,
// some only in its region.
func (g *Generator) street(p *Place) string {
	if regional := p.state.streets; len(regional) > 0 && g.chance(350) {
		return g.pick(regional)
	}
	return g.pick(streetNames)
}

func (g *Generator) fullName(first, last string) string {
	start := g.strStart()
	b := append(g.arena, first...)
	b = append(b, ' ')
	g.arena = append(b, last...)
	return g.strEnd(start)
}

// phone returns an E.164 number in the fictional 555-0100..0199 range with
// the place's own area code. People keep their numbers when they move, but a
// reader takes a Birmingham address with a Huntsville number for a mistake.
func (g *Generator) phone(p *Place) string {
	ac := p.AreaCode
	start := g.strStart()
	b := append(g.arena, "+1"...)
	b = append(b, ac...)
	b = append(b, "55501"...)
	n := g.intn(100)
	g.arena = append(b, byte('0'+n/10), byte('0'+n%10))
	return g.strEnd(start)
}

// email is a contact's address.
func (g *Generator) email(first, last *nameForm, recordType string) string {
	firstMail, lastMail := first.mail, last.mail
	start := g.strStart()
	b := g.arena
	if recordType == "VENDOR" {
		b = append(b, "orders"...)
	} else {
		switch n := g.intn(100); {
		case n < 45:
			b = append(b, firstMail...)
			b = append(b, '.')
			b = append(b, lastMail...)
		case n < 60:
			b = append(b, firstMail...)
			b = append(b, lastMail...)
		case n < 75:
			b = appendLowerAlnum(b, first.name[:1])
			b = append(b, lastMail...)
		case n < 85:
			b = append(b, firstMail...)
			b = append(b, '.')
			b = append(b, lastMail...)
			b = appendInt(b, g.between(1, 99))
		case n < 90:
			b = append(b, firstMail...)
			b = append(b, '_')
			b = append(b, lastMail...)
		default:
			b = append(b, firstMail...)
			b = appendInt(b, g.between(55, 99))
		}
	}
	b = append(b, '@')
	g.arena = append(b, g.pick(emailDomains)...)
	return g.strEnd(start)
}

// appendLowerAlnum appends the ASCII letters and digits of s in lower case,
// dropping apostrophes, hyphens and spaces as mail providers do.
func appendLowerAlnum(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		}
	}
	return b
}

func appendInt(b []byte, n int) []byte { return appendInt64(b, int64(n)) }

// Work orders.

func recordLetter(rt string) byte {
	switch rt {
	case "DEAL":
		return 'D'
	case "ACCOUNT", "VENDOR":
		return 'A'
	}
	return 'P'
}

func tradeMask(trades []string) uint16 {
	var m uint16
	for _, t := range trades {
		m |= tradeBits[t]
	}
	if m == 0 {
		m = tSolar
	}
	return m
}

// leftoverPermille is how often a work order that moves or completes belongs
// to the stage before the record's: a permit correction finished during
// installation, say. New work orders always belong to the current stage.
const leftoverPermille = 20

// template picks a work-order kind that fits the record: its type, its
// trades and its current stage (or, with leftover, rarely the stage before).
func (g *Generator) template(r *Record, mask uint16, leftover bool) *woTemplate {
	list := templatesFor[recordLetter(r.Type)]
	var cand [48]int
	n := 0
	if idx := r.currentStage(); idx >= 0 {
		if leftover && idx > 0 && !r.wf.request && g.chance(leftoverPermille) {
			idx--
		}
		name := r.wf.stages[idx].name
		for _, i := range list {
			if tp := &woTemplates[i]; tp.trades&mask != 0 && tp.onStage(name) && n < len(cand) {
				cand[n] = i
				n++
			}
		}
	}
	if n == 0 { // no workflow, or a stage without work of these trades
		for _, i := range list {
			if woTemplates[i].trades&mask != 0 && n < len(cand) {
				cand[n] = i
				n++
			}
		}
	}
	if n == 0 {
		return &woTemplates[list[0]]
	}
	return &woTemplates[cand[g.intn(n)]]
}

// currentStage is the index of the record's stage in its workflow, going by
// record.stage when a caller has set it, or -1 without a workflow.
func (r *Record) currentStage() int {
	if r.wf == nil {
		return -1
	}
	if r.Stage != nil {
		for i := range r.wf.stages {
			if r.wf.stages[i].id == r.Stage.ID {
				return i
			}
		}
	}
	return r.stageIdx
}

// buildWorkOrder fills box's work order for an event of t at fired, and
// returns the status it had before (for TASK_STATUS_MOVEMENT).
func (g *Generator) buildWorkOrder(box *payloadBox, r *Record, t *trigInfo, fired time.Time) (*WorkOrder, string) {
	tp := g.template(r, r.mask, t.kind != kindTaskCreated)
	w := &box.wo
	*w = WorkOrder{Title: tp.title, IsField: tp.isField, RecordID: r.ID}
	w.ID = int64(g.between(2000, 99999))
	w.UID = int64(g.between(1, min(999, int(w.ID)-1)))
	prev := ""
	switch t.kind {
	case kindTaskCreated:
		w.Status = "QUEUED"
		if g.profile != Minimal && g.chance(400) && g.woStatus("ASSIGNED") == "ASSIGNED" {
			w.Status = "ASSIGNED"
		}
	case kindTaskCompleted:
		w.Status = "COMPLETED"
	default:
		prev, w.Status = g.movement(tp.isField)
	}
	g.workOrderDetails(w, tp, r, fired, t.kind == kindTaskCreated)
	return w, prev
}

// movement draws a status change in the generator's vocabulary: a
// built-in transition whose statuses the vocabulary has (or maps to its
// working state) and that still changes the status, or, now and then, one
// into or out of a status only the vocabulary has.
func (g *Generator) movement(isField bool) (from, to string) {
	if len(g.extraStatuses) > 0 && g.chance(150) {
		x := g.pick(g.extraStatuses)
		if g.chance(500) {
			return g.working, x
		}
		return x, g.working
	}
	for range 20 {
		tr := g.transition(isField)
		if from, to = g.woStatus(tr.from), g.woStatus(tr.to); from != to {
			return from, to
		}
	}
	return "QUEUED", g.working
}

func (g *Generator) transition(isField bool) transition {
	list, total := officeTransitions, officeTotal
	if isField {
		list, total = fieldTransitions, fieldTotal
	}
	n := g.intn(total)
	for _, tr := range list {
		if n < tr.weight {
			return tr
		}
		n -= tr.weight
	}
	return list[0]
}

// workOrderDetails fills everything but identity, title and status: who,
// priority, description, schedule and timestamps, consistent with status.
func (g *Generator) workOrderDetails(w *WorkOrder, tp *woTemplate, r *Record, fired time.Time, justCreated bool) {
	// movement's statuses are the vocabulary's already.
	status := g.builtinStatus(w.Status)
	// Someone is assigned with the move to ASSIGNED, never while QUEUED.
	if status != "QUEUED" && g.present(960) {
		w.AssigneeID = Some(int64(g.between(13000, 13999)))
	}
	if g.present(550) {
		w.Priority = Some(int64(pickWeighted(g, []string{"1", "2", "3"}, []int{25, 50, 25})[0] - '0'))
	}
	if g.present(600) {
		w.Description = Some(g.pick(tp.descs))
	}
	w.ModifiedAt = maxTime(fired.Add(-g.latency()), r.CreatedAt)
	if justCreated {
		w.CreatedAt = w.ModifiedAt
	}

	place := r.place
	if place == nil {
		place = &places[0]
	}
	schedP := 500
	switch status {
	case "QUEUED":
		schedP = 150
	case "ASSIGNED":
		schedP = 400
	case "SCHEDULED":
		schedP = 1000
	case "IN_PROGRESS", "WORKING", "WAITING", "REVIEW", "COMPLETED":
		if tp.isField {
			schedP = 950
		}
	}
	if g.present(schedP) {
		future := false
		switch status {
		case "QUEUED", "ASSIGNED", "SCHEDULED", "CANCELLED":
			future = true
		}
		d := dayStart(fired)
		if future {
			d = d.Add(time.Duration(g.between(1, 14)) * day)
		}
		if !tp.isField && g.chance(700) {
			w.StartDateAllDay, w.EndDateAllDay = true, true
			start := d
			if !future {
				start = start.Add(-time.Duration(g.intn(3)) * day)
			}
			w.StartDate = Some(start)
			w.EndDate = Some(start.Add(time.Duration(g.intn(4)) * day))
		} else {
			start := localTime(d, place, g.between(7, 10), 30*g.intn(2))
			if !future && start.After(fired) {
				start = start.Add(-day)
			}
			if start.Before(r.CreatedAt) {
				start = r.CreatedAt.Add(time.Hour).Truncate(30 * time.Minute)
			}
			// Installs take the day, sometimes several; visits a few hours.
			dur := time.Duration(g.between(2, 8)) * 30 * time.Minute
			if tp.onStage("Installation") {
				dur = time.Duration(g.between(6, 9)) * time.Hour
				if g.chance(300) {
					dur += time.Duration(g.between(1, 2)) * day
				}
			}
			w.StartDate, w.EndDate = Some(start), Some(start.Add(dur))
		}
	}
	if !justCreated {
		latest := w.ModifiedAt
		if w.StartDate.Valid && w.StartDate.V.Before(latest) {
			latest = w.StartDate.V
		}
		lo := maxTime(r.CreatedAt, latest.Add(-30*day))
		w.CreatedAt = g.businessBetween(lo, latest, r.place)
	}
	if status == "COMPLETED" {
		w.CompletionDate = Some(w.ModifiedAt)
	}
}

// Events.

func (g *Generator) fillEvent(e *Event, t *trigInfo, fired time.Time, r *Record, w *WorkOrder, prev string) {
	*e = Event{Identity: schemas.Identity{EventID: g.nextEventID(), RecordID: r.ID, TriggerKey: t.key}, TriggerName: t.name, FiredAt: fired}
	if w != nil {
		e.WorkOrderID = w.ID
		e.CurrentStatus = w.Status
		if prev != "" {
			e.PreviousStatus = Some(prev)
		}
	}
	var st *stageInfo
	if r.Stage != nil {
		// The stage as the caller may have changed it; a record still in
		// the stage it was built in needs no lookup.
		if r.wf != nil && r.stageIdx < len(r.wf.stages) && r.wf.stages[r.stageIdx].byID && r.wf.stages[r.stageIdx].id == r.Stage.ID {
			st = &r.wf.stages[r.stageIdx]
		} else {
			st = g.wfs.byID[r.Stage.ID]
		}
	}
	if st == nil && r.wf != nil {
		st = &r.wf.stages[r.stageIdx]
	}
	switch t.kind {
	case kindPhaseStarted, kindPhaseCompleted:
		e.PhaseInstanceID = int64(g.between(100000, 999999))
		e.Status = "IN_PROGRESS"
		if t.kind == kindPhaseCompleted {
			e.Status = "COMPLETED"
		}
		if st != nil {
			e.PhaseTemplateID, e.PhaseType = st.templateID, st.phaseType
		} else {
			e.PhaseTemplateID, e.PhaseType = 2401, "SALES"
		}
	case kindSLA:
		if st != nil {
			e.PhaseTemplateID = st.templateID
		} else {
			e.PhaseTemplateID = 2401
		}
		e.SLAType = "YELLOW"
		if g.chance(450) {
			e.SLAType = "RED"
		}
		if g.vocab != nil {
			e.SLAType = g.pick(g.vocab.SLATypes)
		}
		// SLA checks run every few minutes to hours: the violation fires
		// that long after the phase became overdue.
		back := time.Duration(g.between(5*60, 3*3600)) * second
		e.OverdueAt = maxTime(fired.Add(-back).Truncate(time.Minute), r.CreatedAt)
	case kindApptCreated, kindApptRescheduled:
		e.AppointmentID = int64(g.between(20000, 199999))
		place := r.place
		if place == nil {
			place = &places[0]
		}
		// Always a later day: an appointment is made, or moved, ahead of
		// the visit.
		off := g.between(1, 21)
		due := localTime(dayStart(fired).Add(time.Duration(off)*day), place, g.between(8, 16), 30*g.intn(2))
		e.DueDate = due
		if t.kind == kindApptRescheduled {
			shift := time.Duration(g.between(1, 10)) * day
			if g.chance(500) {
				shift = -shift
			}
			if g.chance(300) {
				shift = time.Duration(g.between(1, 6)) * time.Hour
			}
			e.PreviousDueDate = due.Add(shift)
		}
	}
}

// Profiles beyond realistic.

// UnknownFieldPrefix starts the name of every property the maximal profile
// adds beyond Coperniq's documented ones. Coperniq may add properties at any
// time and receivers must ignore them; the prefix keeps a reader from taking
// these for fields Coperniq sends today.
const UnknownFieldPrefix = "x-coperniq-mock-"

// maximize fills every field this project's rules allow on the record and
// adds unknown fields (UnknownFieldPrefix) to every object.
func (g *Generator) maximize(box *payloadBox) {
	rb := &box.rec
	r := &rb.rec
	// requestStatus belongs to requests: projects, accounts and vendors keep
	// it null, as their schema descriptions say.
	if !r.Status.Valid && r.Type == "DEAL" {
		switch r.RequestStatus.V {
		case "WON", "LOST": // a closed request has no status
		default:
			r.Status = Some("ACTIVE")
		}
	}
	if r.Stage == nil && r.wf != nil {
		s := &r.wf.stages[r.stageIdx]
		rb.stage = Stage{ID: s.id, Name: s.name}
		r.Stage = &rb.stage
	}
	if r.Jurisdiction == nil && jurisdictionPermille(r.Type) > 0 {
		rb.jur = r.place.countyJur
		if rb.jur.Name == "" {
			rb.jur = r.place.cityJur
		}
		r.Jurisdiction = &rb.jur
	}
	if !r.DealValue.Valid && dealValuePermille(r.Type) > 0 {
		r.DealValue = Some(float64(g.between(150, 600) * 100))
	}
	rb.recExt[0] = RawField{UnknownFieldPrefix + "customFields", g.customFields(r)}
	rb.recExt[1] = RawField{UnknownFieldPrefix + "tags", rawTags[g.intn(len(rawTags))]}
	rb.recExt[2] = RawField{UnknownFieldPrefix + "futureField", rawNull}
	r.Extra = rb.recExt[:3]
	if r.Stage != nil {
		rb.stageExt[0] = RawField{UnknownFieldPrefix + "position", rawSmallInts[r.stageIdx%len(rawSmallInts)]}
		r.Stage.Extra = rb.stageExt[:1]
	}
	if r.GeoLocation != nil {
		rb.geoExt[0] = RawField{UnknownFieldPrefix + "accuracy", rawAccuracy}
		r.GeoLocation.Extra = rb.geoExt[:1]
	}
	if r.Jurisdiction != nil {
		rb.jurExt[0] = RawField{UnknownFieldPrefix + "portalUrl", rawPortal}
		r.Jurisdiction.Extra = rb.jurExt[:1]
	}

	e := &box.p.Event
	box.evExt[0] = RawField{UnknownFieldPrefix + "webhookVersion", rawVersion}
	box.evExt[1] = RawField{UnknownFieldPrefix + "futureField", rawNull}
	e.Extra = box.evExt[:2]
	box.top[0] = RawField{UnknownFieldPrefix + "futureField", rawFutureTop}
	box.p.Extra = box.top[:1]
	if w := box.p.WorkOrder; w != nil {
		box.woExt[0] = RawField{UnknownFieldPrefix + "checklist", rawChecklists[g.intn(len(rawChecklists))]}
		box.woExt[1] = RawField{UnknownFieldPrefix + "labels", rawLabels[g.intn(len(rawLabels))]}
		box.woExt[2] = RawField{UnknownFieldPrefix + "futureField", rawNull}
		w.Extra = box.woExt[:3]
		if !w.CompletionDate.Valid && g.builtinStatus(w.Status) == "COMPLETED" {
			w.CompletionDate = Some(w.ModifiedAt)
		}
	}
}

// customFields renders the custom properties a contractor typically keeps on
// a record, which Coperniq's API (not its webhook) returns today; which ones
// depends on the record's trades.
func (g *Generator) customFields(r *Record) []byte {
	start := g.strStart()
	b := append(g.arena, `{"financing":`...)
	b = appendString(b, g.pick(financing))
	if r.mask&(tSolar|tStorage) != 0 {
		panels := g.between(12, 40)
		b = append(b, `,"systemSizeKw":`...)
		b = appendFloat(b, math.Round(float64(panels)*0.41*100)/100)
		b = append(b, `,"panelCount":`...)
		b = appendInt(b, panels)
		b = append(b, `,"moduleModel":`...)
		b = appendString(b, g.pick(moduleModels))
	}
	if r.mask&tStorage != 0 {
		b = append(b, `,"batteryKwh":`...)
		b = appendFloat(b, float64(g.between(1, 3))*13.5)
	}
	if r.mask&(tSolar|tRoofing) != 0 {
		b = append(b, `,"roofType":`...)
		b = appendString(b, g.pick(roofTypes))
	}
	if r.mask&tHVAC != 0 {
		b = append(b, `,"tonnage":`...)
		b = appendFloat(b, float64(g.between(4, 10))/2)
	}
	b = append(b, `,"hoa":`...)
	b = appendBool(b, g.chance(300))
	b = append(b, `,"utilityAccountNumber":"`...)
	for range 10 {
		b = append(b, byte('0'+g.intn(10)))
	}
	g.arena = append(b, `"}`...)
	return g.rawEnd(start)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}
