package receiver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"maps"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Injected names the option that chose a delivery's answer, in
// Delivery.Injected; they are spelled like the CLI flags.
const (
	InjectedFailFirst = "fail-first"
	InjectedFailRate  = "fail-rate"
	InjectedResetRate = "reset-rate"
)

// What became of an answer that did not reach the sender, in Delivery.Wire.
const (
	// WireClientLeft: the sender closed the connection before the answer
	// (it gave up waiting, e.g. during a WithLatency wait).
	WireClientLeft = "client-left"
	// WireWriteFailed: writing the answer failed (the connection broke).
	WireWriteFailed = "write-failed"
)

// bodyTimeout bounds the reading of a body, so that a sender trickling one
// can't hold a connection forever; a MiB at 200 kbit/s still fits.
const bodyTimeout = time.Minute

// bodyExcerpt bounds the start of an unreadable body kept in Delivery.Body:
// enough to recognise a form post or an HTML page, not a memory hazard.
const bodyExcerpt = 512

// Bounds on the metadata a delivery keeps once its payload is dropped: a
// sender chooses these strings, and a path or header may take a MiB. Real
// ones are far shorter.
const (
	maxPathLen       = 512
	maxShortLen      = 128 // Content-Type, triggerKey
	maxUnreadableLen = 512
	maxViolationLen  = 128 // a dropped delivery's violation's location and message
	// keptViolations are the violations a delivery keeps when its payload
	// is dropped: as many as an answer echoes.
	keptViolations = maxAckViolations
	// violationSize is what a Violation costs besides its strings.
	violationSize = 64
)

// Delivery is one POST received on a delivery path, with the answer it got.
// The inspection API and the Output show it as JSON with these field names.
// Deliveries handed out share their Payload, Violations and id pointers with
// the Receiver's copy: don't modify them.
type Delivery struct {
	// Seq numbers deliveries from 1 in arrival order, for the Receiver's
	// whole life: Clear does not restart it, so that it stays unique in
	// the Output.
	Seq  int       `json:"seq"`
	Time time.Time `json:"time"` // when the request arrived
	// Path is the request's path. The query string is left out: it is
	// where customers put their webhook token. Path, ContentType,
	// TriggerKey and Unreadable are cut (ending in "…") when absurdly long.
	Path        string `json:"path"`
	ContentType string `json:"contentType,omitempty"`
	// Size is the body's length in bytes; for a body over the limit, its
	// Content-Length, or -1 if it was sent chunked.
	Size int64 `json:"size"`

	EventID    *int64 `json:"eventId,omitempty"`    // event.eventId; nil when absent or not an integer
	RecordID   *int64 `json:"recordId,omitempty"`   // event.recordId, likewise
	TriggerKey string `json:"triggerKey,omitempty"` // event.triggerKey when it is a string
	// Attempt counts the deliveries of EventID so far, this one included
	// (1 for the first). 0 without an EventID.
	Attempt int `json:"attempt,omitempty"`

	Status   int    `json:"status"`             // the answer; 0 when the connection was reset
	Reset    bool   `json:"reset,omitempty"`    // dropped without an answer (WithResetRate)
	Injected string `json:"injected,omitempty"` // the option that failed it: InjectedFailFirst, ...
	// Wire says what became of the answer when it did not reach the
	// sender: WireClientLeft or WireWriteFailed; "" when it was written
	// (or, with Reset, deliberately not). WireError is the write's error.
	Wire      string `json:"wire,omitempty"`
	WireError string `json:"wireError,omitempty"`

	// Valid reports that the payload passed validation (warnings allowed).
	Valid bool `json:"valid"`
	// Unreadable says why the body could not be validated at all: not
	// JSON (with line and column), or over the body limit. Such a
	// delivery is answered 400 or 413 and has no Payload.
	Unreadable string              `json:"unreadable,omitempty"`
	Violations []schemas.Violation `json:"violations"`
	Payload    json.RawMessage     `json:"payload,omitempty"` // the body as received
	// Body is the start of an unreadable body, to show what came instead
	// of JSON.
	Body string `json:"body,omitempty"`
	// PayloadDropped reports that the Payload (or Body) and all but the
	// first violations were dropped from memory to stay within MaxBytes.
	// The Output and the Observer had them in full.
	PayloadDropped bool `json:"payloadDropped,omitempty"`
}

// Totals counts deliveries, including those MaxDeliveries dropped from
// memory: since the Receiver started (RunSummary) or since it was last
// cleared (Summary, the inspection API's).
type Totals struct {
	Deliveries int `json:"deliveries"`
	// UniqueEvents counts the distinct eventIds; one that MaxEventIDs
	// forgot counts again if it comes back.
	UniqueEvents int `json:"uniqueEvents"`
	// Valid + Invalid + Unreadable = Deliveries.
	Valid      int `json:"valid"`
	Invalid    int `json:"invalid"`
	Unreadable int `json:"unreadable"`
	Resets     int `json:"resets"` // connections dropped, not in ByStatus
	// ClientLeft and WriteFailed count the deliveries whose answer never
	// reached the sender (Delivery.Wire); they are in ByStatus all the same,
	// under the status that was meant.
	ClientLeft  int `json:"clientLeft"`
	WriteFailed int `json:"writeFailed"`
	// Refused counts the requests answered 503 unread because the
	// receiver was at its WithMaxConnections or WithMaxInFlight cap: they
	// are not deliveries, and a sender retries them.
	Refused int `json:"refused"`
	// ByTrigger counts the payloads carrying a string event.triggerKey,
	// known to the catalog or not; beyond MaxUnknownTriggers distinct
	// unknown keys, the others are counted under OtherTriggers.
	ByTrigger map[string]int `json:"byTrigger"`
	ByStatus  map[int]int    `json:"byStatus"` // answered status → deliveries
	// Clears is how many times the Receiver was cleared (DELETE
	// /_mock/deliveries), the last at LastClear; absent when never.
	Clears    int       `json:"clears,omitempty"`
	LastClear time.Time `json:"lastClear,omitzero"`
}

// Receiver is the capture receiver, an http.Handler (see the package doc for
// what it answers). It is safe for concurrent use. Create it with New.
type Receiver struct {
	cfg config

	mu         sync.Mutex
	seq        int
	deliveries ring
	// deliveries.at(0..shed-1) have had their payload dropped (or had none);
	// kept is the cost of the others.
	shed     int
	kept     int64
	attempts *attemptCounts
	// sum counts since the last Clear, run since New: a clear empties what
	// the inspection API shows, while the Output and the summary at exit
	// have the whole run.
	sum       tally
	run       tally
	ticket    uint64 // never reset: orders publishing across Clear
	cleared   uint64 // how many times Clear ran: a delivery in flight across it is not settled in sum
	lastClear time.Time
	hashSeed  maphash.Seed

	inFlight atomic.Int64 // body bytes read beyond bodyAllowance, all requests together
	stopping atomic.Bool  // the Server is shutting down: waits end, not because clients left

	// Publishing (Output, Observer) happens in ticket order, one delivery
	// at a time, without holding mu, so that an observer may call the
	// Receiver's methods. A delivery settled before its turn waits in
	// early, and whoever publishes the one before it publishes it too;
	// beyond maxEarly of them, handlers wait for their turn (pubCond).
	pubMu      sync.Mutex
	pubCond    *sync.Cond
	pubNext    uint64
	early      map[uint64]published
	publishing bool // a goroutine is publishing pubNext
	pubWaiting int  // handlers waiting on pubCond

	errMu  sync.Mutex
	outErr error
}

// New returns a Receiver configured by opts, or the first option's error.
// It opens nothing: serve it with Start or any http.Server.
func New(opts ...Option) (*Receiver, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	rc := &Receiver{cfg: cfg, attempts: newAttemptCounts(cfg.maxEvents), pubNext: 1, early: map[uint64]published{}, hashSeed: maphash.MakeSeed()}
	rc.sum, rc.run = newTally(), newTally()
	rc.pubCond = sync.NewCond(&rc.pubMu)
	return rc, nil
}

// tally is Totals being counted, with the distinct unknown triggerKeys
// its ByTrigger counts one by one.
type tally struct {
	Totals
	unknown int
}

func newTally() tally {
	return tally{Totals: Totals{ByTrigger: map[string]int{}, ByStatus: map[int]int{}}}
}

// add counts d; first says it is the first delivery of its eventId that t
// counts, a new unique event.
func (t *tally) add(d *Delivery, knownTrigger, first bool) {
	if first {
		t.UniqueEvents++
	}
	t.Deliveries++
	switch {
	case d.Unreadable != "":
		t.Unreadable++
	case d.Valid:
		t.Valid++
	default:
		t.Invalid++
	}
	if key := d.TriggerKey; key != "" {
		if _, counted := t.ByTrigger[key]; !counted && !knownTrigger {
			if t.unknown < MaxUnknownTriggers {
				t.unknown++
			} else {
				key = OtherTriggers
			}
		}
		t.ByTrigger[key]++
	}
	if d.Reset {
		t.Resets++
	} else {
		t.ByStatus[d.Status]++
	}
}

// wire counts an answer that did not reach the sender (Delivery.Wire).
func (t *tally) wire(d Delivery) {
	switch d.Wire {
	case WireClientLeft:
		t.ClientLeft++
	case WireWriteFailed:
		t.WriteFailed++
	}
}

// ServeHTTP records and answers a delivery. Under /_mock/ it answers the
// health check, and the inspection API only with WithInspectToken or
// WithPublicInspect (see the package doc: InspectHandler serves it).
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL == nil {
		writeError(w, http.StatusBadRequest, "request without a URL")
		return
	}
	if isMockPath(r.URL.Path) {
		rc.serveMockOnDelivery(w, r)
		return
	}
	if r.Method != http.MethodPost {
		rc.answerWithin(w)
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %q not allowed: Coperniq POSTs deliveries", r.Method))
		return
	}
	d, known, busy := rc.read(w, r)
	if busy {
		rc.answerWithin(w)
		rc.refuse(w)
		return
	}
	ticket, gen := rc.record(&d, known)
	// Published once the answer is settled, whatever happens to it (a
	// reset panics out of the handler): later tickets wait for this one.
	defer func() { rc.publish(ticket, d) }()
	left := rc.wait(r)
	switch {
	case left:
		d.Wire = WireClientLeft
	case d.Reset:
		reset(w)
	default:
		rc.answerWithin(w)
		if err := rc.answer(w, d); err != nil {
			d.Wire, d.WireError = WireWriteFailed, clip(err.Error(), maxUnreadableLen)
		}
	}
	if d.Wire != "" {
		rc.settle(d, gen)
	}
}

// answerWithin gives the answer about to be written WithWriteTimeout to
// be taken, from now: the body's reading and the Latency came before. net/http
// lifts the deadline once the request is done, so it holds for this answer
// alone, its final flush included.
func (rc *Receiver) answerWithin(w http.ResponseWriter) {
	if rc.cfg.writeTime <= 0 {
		return
	}
	at := time.Now().Add(rc.cfg.writeTime)
	// net/http's own writer has the method; asking it directly spares the
	// delivery path the ResponseController's allocation, which a wrapped
	// writer still gets.
	if d, ok := w.(interface{ SetWriteDeadline(time.Time) error }); ok {
		_ = d.SetWriteDeadline(at)
		return
	}
	_ = http.NewResponseController(w).SetWriteDeadline(at)
}

func isMockPath(p string) bool {
	return p == "/_mock" || strings.HasPrefix(p, "/_mock/")
}

// read reads and validates the body. The delivery it returns has its
// Status set when the body is unreadable; record decides the others. known
// reports a triggerKey from the catalog; busy, that the body could not be
// read within WithMaxInFlight (nothing is recorded then).
func (rc *Receiver) read(w http.ResponseWriter, r *http.Request) (d Delivery, known, busy bool) {
	d = Delivery{
		Time:        time.Now(),
		Path:        clip(r.URL.Path, maxPathLen),
		ContentType: clip(r.Header.Get("Content-Type"), maxShortLen),
	}
	body := r.Body
	if body == nil {
		body = http.NoBody
	}
	// A deadline on the body alone: one on the whole request (ReadTimeout)
	// would also cancel the request's context during a long Latency.
	ctl := http.NewResponseController(w)
	_ = ctl.SetReadDeadline(time.Now().Add(bodyTimeout))
	data, charged, err := rc.readBody(body, r.ContentLength)
	defer rc.inFlight.Add(-charged)
	_ = ctl.SetReadDeadline(time.Time{})
	d.Size = int64(len(data))
	switch {
	case errors.Is(err, errBusy):
		return d, false, true
	case errors.Is(err, errTooBig):
		// The rest of the body is not read: the connection is closed
		// after the answer instead.
		w.Header().Set("Connection", "close")
		d.Status, d.Size = http.StatusRequestEntityTooLarge, r.ContentLength
		d.Unreadable = fmt.Sprintf("body over the %d-byte limit", rc.cfg.bodyLimit)
		return d, false, false
	case err != nil:
		d.Status = http.StatusBadRequest
		d.Unreadable = clip("reading the body: "+err.Error(), maxUnreadableLen)
		d.Body = excerpt(data)
		return d, false, false
	}
	res, err := rc.cfg.validate(data)
	if err != nil {
		d.Status = http.StatusBadRequest
		why := err.Error()
		if bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
			// validate takes a file's byte order mark (editors write one);
			// a request body must not carry one (RFC 8259 §8.1), and
			// "invalid character 'ï'" does not say what it is.
			why = "the body starts with a UTF-8 byte order mark (EF BB BF), which JSON sent over HTTP must not carry"
		} else if w := schemas.DetectWideEncoding(data); w != nil {
			// "invalid character 'ÿ'" neither.
			why = "the body is " + w.What() + ", and JSON sent over HTTP must be UTF-8 (RFC 8259 §8.1)"
		}
		d.Unreadable = clip("not JSON: "+why, maxUnreadableLen)
		d.Body = excerpt(data)
		return d, false, false
	}
	// The read buffer may be larger than the body: keep only the body, as
	// deliveries stay in memory. With a Content-Length it is the body and
	// one byte (see readBody): no copy needed.
	if cap(data)-len(data) > 1 {
		data = bytes.Clone(data)
	}
	d.Payload = data[:len(data):len(data)]
	d.TriggerKey = clip(res.TriggerKey, maxShortLen)
	d.Valid = res.Valid()
	d.Violations = res.Violations
	d.EventID, d.RecordID = eventIDs(data)
	return d, res.Known, false
}

func excerpt(b []byte) string {
	if len(b) <= bodyExcerpt {
		return string(b)
	}
	return clip(string(b[:bodyExcerpt+1]), bodyExcerpt)
}

// clip cuts s to at most n bytes on a rune boundary, marking the cut with
// "…". A short s is returned as is, a long one as a copy, so that it does
// not keep a larger string alive.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > n-utf8.UTFMax && cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// eventIDs reads event.eventId and event.recordId (schemas.DecodeIdentity),
// nil for either the payload lacks or gives with another type.
func eventIDs(payload []byte) (eventID, recordID *int64) {
	id, err := schemas.DecodeIdentity(payload)
	var ie *schemas.IdentityError
	errors.As(err, &ie)
	if !ie.Lacks(schemas.FieldEventID) {
		eventID = &id.EventID
	}
	if !ie.Lacks(schemas.FieldRecordID) {
		recordID = &id.RecordID
	}
	return eventID, recordID
}

// record numbers the delivery, counts its attempt, decides its answer and
// keeps it. It returns the delivery's publishing ticket, and the Clear
// generation it belongs to.
func (rc *Receiver) record(d *Delivery, knownTrigger bool) (ticket, gen uint64) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.seq++
	d.Seq = rc.seq
	newInRun := false
	if d.EventID != nil {
		d.Attempt, newInRun = rc.attempts.add(*d.EventID, rc.cleared)
	}
	if d.Violations == nil {
		d.Violations = []schemas.Violation{}
	}
	if d.Unreadable == "" {
		rc.decide(d)
	}
	rc.sum.add(d, knownTrigger, d.Attempt == 1)
	rc.run.add(d, knownTrigger, newInRun)
	rc.keep(*d)
	rc.ticket++
	return rc.ticket, rc.cleared
}

// settle records what became of a delivery's answer on the wire, in the
// run's totals, and in its kept copy and the totals since the last Clear
// unless one came in between.
func (rc *Receiver) settle(d Delivery, gen uint64) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.run.wire(d)
	if gen != rc.cleared {
		return
	}
	rc.sum.wire(d)
	// In flight are the newest: look from the end.
	for i := rc.deliveries.n - 1; i >= 0; i-- {
		if e := rc.deliveries.at(i); e.Seq == d.Seq {
			e.Wire, e.WireError = d.Wire, d.WireError
			return
		}
	}
}

// refuse answers 503 to a request the receiver is too busy to read, and
// counts it.
func (rc *Receiver) refuse(w http.ResponseWriter) {
	rc.countRefused()
	w.Header().Set("Retry-After", "1")
	w.Header().Set("Connection", "close")
	writeJSON(w, http.StatusServiceUnavailable, errorBody{
		Error: fmt.Sprintf("receiver busy: request bodies in flight are at the %d-byte cap (listen --max-in-flight, receiver.WithMaxInFlight); retry", rc.cfg.maxInFlight),
		Limit: rc.cfg.maxInFlight,
	})
}

func (rc *Receiver) countRefused() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.sum.Refused++
	rc.run.Refused++
}

// entry is a kept delivery.
type entry struct {
	Delivery
	cost   int64  // of its payload, body and violations; 0 once shed
	digest uint64 // of its payload, so that retries compare once it is shed
}

// keep appends d to the kept deliveries, dropping the oldest beyond
// MaxDeliveries and shedding the oldest payloads beyond MaxBytes.
func (rc *Receiver) keep(d Delivery) {
	e := entry{Delivery: d, cost: int64(len(d.Payload) + len(d.Body))}
	if d.Payload != nil {
		e.digest = maphash.Bytes(rc.hashSeed, d.Payload)
	}
	for _, v := range d.Violations {
		e.cost += int64(len(v.Location) + len(v.Message) + len(v.Rule) + violationSize)
	}
	if rc.cfg.max > 0 && rc.deliveries.n >= rc.cfg.max {
		rc.kept -= rc.deliveries.at(0).cost
		rc.shed = max(rc.shed-1, 0)
		rc.deliveries.dropOldest()
	}
	rc.deliveries.push(e)
	rc.kept += e.cost
	for rc.cfg.maxBytes > 0 && rc.kept > rc.cfg.maxBytes && rc.shed < rc.deliveries.n {
		old := rc.deliveries.at(rc.shed)
		rc.kept -= old.cost
		old.cost = 0
		old.shedPayload()
		rc.shed++
	}
}

// ring holds the kept entries, oldest first, in chunks allocated as it
// grows to MaxDeliveries and then reused. A slice re-sliced forward was
// copied whole (some 3 MB at the default MaxDeliveries, under mu) every few
// thousand deliveries, and one array grown by doubling still was once, at
// 8,192 (3 ms under load, every delivery waiting for mu): chunks are
// never copied.
type ring struct {
	chunks [][]entry // ringChunk entries each
	first  int       // position of the oldest
	n      int
}

// ringChunk entries of some 300 bytes: a chunk is not a large allocation.
const ringChunk = 256

func (r *ring) size() int { return len(r.chunks) * ringChunk }

// at is the i-th oldest entry, 0 <= i < n.
func (r *ring) at(i int) *entry {
	i += r.first
	if size := r.size(); i >= size {
		i -= size
	}
	return &r.chunks[i/ringChunk][i%ringChunk]
}

// push appends e as the newest, adding a chunk when full.
func (r *ring) push(e entry) {
	if r.n == r.size() {
		if r.first != 0 {
			// A ring drops its oldest only once full to MaxDeliveries,
			// after which it never grows: not reached, but kept correct.
			old := *r
			*r = ring{chunks: make([][]entry, len(old.chunks))}
			for i := range r.chunks {
				r.chunks[i] = make([]entry, ringChunk)
			}
			for i := range old.n {
				*r.at(i) = *old.at(i)
				r.n++
			}
		}
		r.chunks = append(r.chunks, make([]entry, ringChunk))
	}
	r.n++
	*r.at(r.n - 1) = e
}

// dropOldest forgets the oldest entry, freeing what it held.
func (r *ring) dropOldest() {
	*r.at(0) = entry{}
	r.first++
	if r.first == r.size() {
		r.first = 0
	}
	r.n--
}

// shedPayload drops the payload, the body and all but the first violations,
// cut short. The slices are replaced, not modified: copies handed out share
// them.
func (e *entry) shedPayload() {
	d := &e.Delivery
	if d.Payload == nil && d.Body == "" && len(d.Violations) <= keptViolations {
		return
	}
	d.Payload, d.Body, d.PayloadDropped = nil, "", true
	vs := make([]schemas.Violation, min(len(d.Violations), keptViolations))
	for i := range vs {
		v := d.Violations[i]
		v.Location, v.Message = clip(v.Location, maxViolationLen), clip(v.Message, maxViolationLen)
		vs[i] = v
	}
	d.Violations = vs
}

// attemptCounts counts the deliveries of each eventId, forgetting the least
// recently delivered beyond max (0: never). A count is of one clear
// generation: the first delivery after a Clear is attempt 1 again, while
// the eventId is still known to have come in the run.
type attemptCounts struct {
	max   int
	byID  map[int64]*attemptNode
	first attemptNode // sentinel: first.next is the least recently delivered
}

type attemptNode struct {
	id         int64
	n          int
	gen        uint64 // the clear generation n counts in
	prev, next *attemptNode
}

func newAttemptCounts(limit int) *attemptCounts {
	a := &attemptCounts{max: limit, byID: map[int64]*attemptNode{}}
	a.first.prev, a.first.next = &a.first, &a.first
	return a
}

// add counts a delivery of id in clear generation gen and returns its
// attempt number; fresh reports an id not known before (or forgotten).
func (a *attemptCounts) add(id int64, gen uint64) (attempt int, fresh bool) {
	node, ok := a.byID[id]
	if ok {
		node.prev.next, node.next.prev = node.next, node.prev // unlink
	} else {
		if a.max > 0 && len(a.byID) >= a.max {
			old := a.first.next
			old.prev.next, old.next.prev = old.next, old.prev
			delete(a.byID, old.id)
		}
		node = &attemptNode{id: id, gen: gen}
		a.byID[id] = node
	}
	if node.gen != gen {
		node.n, node.gen = 0, gen
	}
	node.n++
	// Link as the most recent, just before the sentinel.
	node.prev, node.next = a.first.prev, &a.first
	node.prev.next, a.first.prev = node, node
	return node.n, !ok
}

// published is a delivery to publish, with its Output line.
type published struct {
	d    Delivery
	line []byte
}

// publish writes the delivery to the Output and hands it to the Observer,
// after every earlier ticket. It does not wait for them: a handler that
// did (its answer already sent) held up the next request on its
// connection behind any slower one, all connections at once under load.
// The delivery is left for the goroutine publishing the one before it.
func (rc *Receiver) publish(ticket uint64, d Delivery) {
	if rc.cfg.out == nil && rc.cfg.observer == nil {
		return // nothing to order: tickets are never waited on
	}
	p := published{d: d}
	if rc.cfg.out != nil {
		// Encoded before taking the turn: only the Write is serialised.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(d); err != nil {
			rc.setErr(fmt.Errorf("encoding delivery %d: %w", d.Seq, err))
		}
		p.line = buf.Bytes()
	}
	rc.pubMu.Lock()
	for ticket != rc.pubNext && len(rc.early) >= rc.maxEarly() {
		// An earlier delivery is stuck (its answer's write blocked by a
		// sender that stopped reading): memory stays bounded.
		rc.pubWaiting++
		rc.pubCond.Wait()
		rc.pubWaiting--
	}
	if ticket != rc.pubNext || rc.publishing {
		rc.early[ticket] = p
		rc.pubMu.Unlock()
		return
	}
	rc.publishing = true
	rc.pubMu.Unlock()
	rc.publishFrom(p)
}

// publishFrom publishes p, whose turn it is (rc.publishing is set), then
// the early ones that follow it, until one is missing.
func (rc *Receiver) publishFrom(p published) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		// The observer panicked (net/http recovers handler panics): the
		// turn passes on all the same, or every later delivery would
		// wait forever. This handler's panic goes on.
		rc.pubMu.Lock()
		rc.pubNext++
		next, ok := rc.early[rc.pubNext]
		delete(rc.early, rc.pubNext)
		rc.publishing = ok
		rc.wakeWaiting()
		rc.pubMu.Unlock()
		if ok {
			go rc.publishDetached(next)
		}
		panic(r)
	}()
	for {
		if len(p.line) > 0 && rc.Err() == nil {
			if _, err := rc.cfg.out.Write(p.line); err != nil {
				rc.setErr(fmt.Errorf("writing delivery %d: %w", p.d.Seq, err))
			}
		}
		if rc.cfg.observer != nil {
			rc.cfg.observer(p.d)
		}
		rc.pubMu.Lock()
		rc.pubNext++
		rc.wakeWaiting()
		next, ok := rc.early[rc.pubNext]
		if !ok {
			rc.publishing = false
			rc.pubMu.Unlock()
			return
		}
		delete(rc.early, rc.pubNext)
		rc.pubMu.Unlock()
		p = next
	}
}

// publishDetached publishes p, and the early ones that follow it, from a
// goroutine of its own once an observer panicked: no handler's goroutine
// is there for net/http to recover a further panic, so it is dropped here
// (as net/http drops a handler's) rather than ending the process.
func (rc *Receiver) publishDetached(p published) {
	defer func() { _ = recover() }()
	rc.publishFrom(p)
}

// drainPublishing waits until every delivery recorded so far is
// published, none waits early for its turn and none is being published,
// or ctx ends. A handler leaves its delivery to
// the one publishing before it, and http.Server.Shutdown does not wait
// for that one's handler once its connection was hijacked (WithResetRate).
func (rc *Receiver) drainPublishing(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() {
		rc.pubMu.Lock()
		defer rc.pubMu.Unlock()
		rc.pubCond.Broadcast()
	})
	defer stop()
	if rc.cfg.out == nil && rc.cfg.observer == nil {
		return // nothing is published: pubNext never moves
	}
	// Up to the last ticket handed out, not only those left early: a
	// hijacked handler (a reset) may not have reached publish yet.
	rc.mu.Lock()
	last := rc.ticket
	rc.mu.Unlock()
	rc.pubMu.Lock()
	defer rc.pubMu.Unlock()
	for (rc.publishing || len(rc.early) > 0 || rc.pubNext <= last) && ctx.Err() == nil {
		rc.pubWaiting++
		rc.pubCond.Wait()
		rc.pubWaiting--
	}
}

// maxEarly bounds the deliveries waiting for an earlier one to be
// published: as many as connections may be open, the handlers that waited
// before there was early.
func (rc *Receiver) maxEarly() int {
	if rc.cfg.maxConns > 0 {
		return rc.cfg.maxConns
	}
	return DefaultMaxConnections
}

// wakeWaiting wakes the handlers waiting for their turn, if any, when the
// turn moves on; pubMu is held.
func (rc *Receiver) wakeWaiting() {
	if rc.pubWaiting > 0 {
		rc.pubCond.Broadcast()
	}
}

func (rc *Receiver) setErr(err error) {
	rc.errMu.Lock()
	defer rc.errMu.Unlock()
	if rc.outErr == nil {
		rc.outErr = err
	}
}

// Err returns the first error writing to the Output, after which the
// Output is no longer written; nil if none.
func (rc *Receiver) Err() error {
	rc.errMu.Lock()
	defer rc.errMu.Unlock()
	return rc.outErr
}

// wait holds the answer for the Latency, and reports that the sender left
// meanwhile (or before): its answer would reach no one.
func (rc *Receiver) wait(r *http.Request) (left bool) {
	ctx := r.Context()
	if rc.cfg.latency > 0 {
		t := time.NewTimer(rc.cfg.latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
	// Err rather than Done: Done makes the context a channel, for every
	// delivery, that nothing waits on without a latency.
	if ctx.Err() != nil {
		// Shutdown cancels the contexts too: then the answer is still
		// written, within the grace period.
		return !rc.stopping.Load()
	}
	return false
}

// ack is the body of an answer to a readable delivery: what was recorded,
// so that a sender's log (or `coperniq-mock send`) shows the verdict.
type ack struct {
	Received   bool     `json:"received"`
	Seq        int      `json:"seq"`
	EventID    *int64   `json:"eventId,omitempty"`
	Attempt    int      `json:"attempt,omitempty"`
	Valid      bool     `json:"valid"`
	Violations []string `json:"violations,omitempty"`
	Injected   string   `json:"injected,omitempty"`
}

// appendAck appends a's JSON as writeJSON writes it (two-space indent, a
// final newline) when it has neither violations nor an injected fault, the
// answer to nearly every delivery under load; ok is false otherwise. It
// saves encoding/json's reflection on the hot path: a fifth of the capture
// receiver's CPU per delivery outside validation and the system calls.
func appendAck(b []byte, a *ack) ([]byte, bool) {
	if len(a.Violations) > 0 || a.Injected != "" {
		return b, false
	}
	b = append(b, "{\n  \"received\": "...)
	b = strconv.AppendBool(b, a.Received)
	b = append(b, ",\n  \"seq\": "...)
	b = strconv.AppendInt(b, int64(a.Seq), 10)
	if a.EventID != nil {
		b = append(b, ",\n  \"eventId\": "...)
		b = strconv.AppendInt(b, *a.EventID, 10)
	}
	if a.Attempt != 0 {
		b = append(b, ",\n  \"attempt\": "...)
		b = strconv.AppendInt(b, int64(a.Attempt), 10)
	}
	b = append(b, ",\n  \"valid\": "...)
	b = strconv.AppendBool(b, a.Valid)
	return append(b, "\n}\n"...), true
}

// The answer's Content-Type, shared: net/http only reads header values.
var jsonContentType = []string{"application/json"}

// writeBody answers status with body, a JSON document.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// maxAckViolations bounds the violations echoed in an answer; the
// inspection API has them all.
const maxAckViolations = 10

// answer writes the answer and flushes it, so that a broken connection
// shows as an error rather than passing unseen in a buffer.
func (rc *Receiver) answer(w http.ResponseWriter, d Delivery) error {
	switch {
	case d.Status == http.StatusRequestEntityTooLarge:
		writeJSON(w, d.Status, errorBody{
			Error: fmt.Sprintf("request body over the limit of %d bytes", rc.cfg.bodyLimit),
			Limit: rc.cfg.bodyLimit,
		})
	case d.Unreadable != "":
		writeError(w, d.Status, d.Unreadable)
	default:
		a := ack{Received: true, Seq: d.Seq, EventID: d.EventID, Attempt: d.Attempt, Valid: d.Valid, Injected: d.Injected}
		for i, v := range d.Violations {
			if i == maxAckViolations {
				a.Violations = append(a.Violations, fmt.Sprintf("…and %d more at /_mock/deliveries", len(d.Violations)-i))
				break
			}
			a.Violations = append(a.Violations, v.String())
		}
		if body, ok := appendAck(make([]byte, 0, 128), &a); ok && d.Status != http.StatusNoContent && d.Status != http.StatusNotModified {
			writeBody(w, d.Status, body)
		} else {
			writeJSON(w, d.Status, a)
		}
	}
	if err := http.NewResponseController(w).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}

// reset drops the connection without an answer. Linger 0 makes the close
// a TCP reset, as from a crashed process, rather than a clean EOF.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	nc := conn
	if u, ok := conn.(interface{ NetConn() net.Conn }); ok {
		nc = u.NetConn()
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

type errorBody struct {
	Error string `json:"error"`
	Limit int64  `json:"limit,omitempty"`
	Hint  string `json:"hint,omitempty"` // what to do about it
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	if status == http.StatusNoContent || status == http.StatusNotModified {
		w.WriteHeader(status)
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		fmt.Fprintf(&buf, "{\"error\": %q}\n", err.Error())
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// Deliveries returns the deliveries kept in memory, oldest first.
func (rc *Receiver) Deliveries() []Delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make([]Delivery, rc.deliveries.n)
	for i := range out {
		out[i] = rc.deliveries.at(i).Delivery
	}
	return out
}

// DeliveriesOf returns the kept deliveries of one eventId, oldest first;
// none if it was never received (or was cleared or dropped).
func (rc *Receiver) DeliveriesOf(eventID int64) []Delivery {
	var out []Delivery
	for _, e := range rc.entriesOf(eventID) {
		out = append(out, e.Delivery)
	}
	return out
}

func (rc *Receiver) entriesOf(eventID int64) []entry {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []entry
	for i := range rc.deliveries.n {
		if e := rc.deliveries.at(i); e.EventID != nil && *e.EventID == eventID {
			out = append(out, *e)
		}
	}
	return out
}

// Summary returns the totals since the last Clear, what the inspection
// API shows; its maps are the caller's.
func (rc *Receiver) Summary() Totals {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.totals(&rc.sum)
}

// RunSummary returns the totals of every delivery since New, clears or
// not, as the Output has them; its maps are the caller's. An eventId
// delivered both before and after a Clear is one unique event.
func (rc *Receiver) RunSummary() Totals {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.totals(&rc.run)
}

// totals copies t for a caller; mu is held.
func (rc *Receiver) totals(t *tally) Totals {
	s := t.Totals
	s.ByTrigger = maps.Clone(t.ByTrigger)
	s.ByStatus = maps.Clone(t.ByStatus)
	s.Clears, s.LastClear = int(rc.cleared), rc.lastClear
	return s
}

// Clear forgets every delivery, attempt count and total since the last
// one, so that the next scenario starts fresh (FailFirst fails first
// attempts again), and returns how many deliveries were kept. Deliveries
// in flight are recorded after it. Seq goes on, and RunSummary and the
// Output still count what came before.
func (rc *Receiver) Clear() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := rc.deliveries.n
	rc.deliveries = ring{}
	rc.shed, rc.kept = 0, 0
	rc.cleared++
	rc.lastClear = time.Now()
	rc.sum = newTally()
	return n
}
