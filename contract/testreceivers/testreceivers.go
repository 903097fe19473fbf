// Package testreceivers holds webhook receivers for testing the contract
// suite itself: a reference receiver that meets the contract, and the same
// receiver made wrong on purpose in one way at a time (a Fault), so that a
// test can check that each fault fails the spec meant to catch it and no spec
// passes vacuously.
//
// The reference receiver is also the smallest complete example of what the
// contract asks: acknowledge every POST with a 2xx unless the token is wrong,
// read only the fields it needs, apply each eventId once, and answer the
// inspect protocol:
//
//	GET /_state/events/{eventId}  200 {"applied": N}, or 404 when never applied
package testreceivers

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// InspectPath is where the receiver answers the inspect protocol; the
// eventId follows it.
const InspectPath = "/_state/events/"

// Fault is one way a receiver is wrong on purpose.
type Fault string

// The faults. Each names the mistake, as the contract's failure would.
const (
	None                     Fault = ""
	Fail500ForTrigger        Fault = "500-for-one-trigger"          // answers 500 to Config.Trigger
	RejectUnknownFields      Fault = "rejects-unknown-fields"       // decodes strictly: 400 on any undocumented property
	FailNullStage            Fault = "fails-on-null-stage"          // reads record.stage.name without a nil check: 500
	Int32IDs                 Fault = "int32-ids"                    // keeps ids in int32: 400 past 2^31-1
	ApplyDuplicates          Fault = "applies-duplicates"           // applies every copy of an event
	SlowForTrigger           Fault = "slow-for-one-trigger"         // works Config.Delay before answering Config.Trigger
	RejectUnknownTrigger     Fault = "rejects-unknown-trigger"      // 400 to a triggerKey outside the catalog
	Redirect                 Fault = "redirects"                    // 308 to the https URL, as a force-TLS proxy does
	IgnoreToken              Fault = "ignores-token"                // never checks the token
	LateDuplicate            Fault = "late-duplicate"               // applies a duplicate again, Config.Delay later (a queue without dedupe)
	AckThenDropNullStage     Fault = "ack-then-drop-null-stage"     // answers 200, then its worker drops events whose record.stage is null
	AckThenDropUnknownFields Fault = "ack-then-drop-unknown-fields" // answers 200, then its worker drops events with undocumented properties
	WorkOrderInt32           Fault = "work-order-int32"             // keeps workOrderId and workOrder ids in int32: 400 past 2^31-1
	Hang                     Fault = "hangs"                        // never answers a POST (a deadlock, a stuck pool)
	FailNoRecord             Fault = "fails-without-record"         // reads record.id without a check: 500 when record is absent
	AnswerAfter              Fault = "answers-after-delay"          // applies, then answers every POST Config.Delay later (late when past the deadline)
	TruncatedAck             Fault = "truncated-ack"                // answers 200 with Content-Length 100, sends 6 bytes and hangs up
	ApplyLate                Fault = "applies-late"                 // answers 200 at once, applies Config.Trigger's events Config.Delay later
	HookHangs                Fault = "hook-hangs"                   // the inspect hook never answers
	// StallEvery applies every event and answers at once, except every
	// Config.Every-th delivery, which it answers Config.Delay later: a
	// worker pool with one stuck worker, a queue that blocks one request
	// in Every. It is late some of the time, never many times in a row.
	StallEvery Fault = "stalls-every-nth"
	// QueueWorker is no fault: it acknowledges at once and applies every
	// event through one queue worker that spends Config.Delay on each, so
	// that a burst leaves it seconds behind. It applies each eventId once.
	QueueWorker Fault = "queue-worker"
	// ApplyAfter is no fault either: it acknowledges at once and applies
	// each event Config.Delay after its delivery, once (a job scheduled
	// for later), so that its apply time is known: Config.Delay.
	ApplyAfter Fault = "applies-after-delay"
	// The inspect hook's faults: the receiver is right, its hook is not.
	HookAlwaysOne      Fault = "hook-always-one"       // answers {"applied":1} for every eventId
	HookFails          Fault = "hook-fails"            // answers 500
	HookAnswersHTML    Fault = "hook-answers-html"     // answers 200 with an HTML page, as a login proxy does
	HookAnswersNoCount Fault = "hook-answers-no-count" // answers 200 {}
	HookWrongPath      Fault = "hook-wrong-path"       // 404 for every eventId, as a typo in the hook's URL does
)

// Faults lists every fault (None excluded), for table tests.
func Faults() []Fault {
	return []Fault{Fail500ForTrigger, RejectUnknownFields, FailNullStage, Int32IDs, ApplyDuplicates,
		SlowForTrigger, RejectUnknownTrigger, Redirect, IgnoreToken, LateDuplicate,
		AckThenDropNullStage, AckThenDropUnknownFields, WorkOrderInt32, Hang,
		AnswerAfter, TruncatedAck, ApplyLate, HookHangs, FailNoRecord, StallEvery,
		HookAlwaysOne, HookFails, HookAnswersHTML, HookAnswersNoCount, HookWrongPath}
}

// Config configures a Receiver.
type Config struct {
	Fault Fault
	// Token is NAME=VALUE: deliveries must carry query parameter NAME with
	// VALUE, else 401. Empty accepts any delivery.
	Token string
	// Trigger is the trigger Fail500ForTrigger, SlowForTrigger and
	// ApplyLate act on.
	Trigger string
	// Delay is how long SlowForTrigger, AnswerAfter and StallEvery work before
	// answering, how long after a duplicate's delivery LateDuplicate
	// applies it, how long after the answer ApplyLate applies an event,
	// what QueueWorker spends on each event, and how long after its
	// delivery ApplyAfter applies one.
	Delay time.Duration
	// Every is which deliveries StallEvery stalls: the Every-th, the
	// 2*Every-th, ... in arrival order (0 is 2).
	Every int
	// Backlog is how long QueueWorker's worker is busy with older work
	// (an earlier run's events) before it starts on the first event
	// delivered: the receiver is behind from the start.
	Backlog time.Duration
	// StateDir, when set, gets a file per applied event named by its
	// eventId and holding the count, for an inspect command to read.
	StateDir string
}

// Received is one delivery as the receiver saw it.
type Received struct {
	Query  string
	Body   []byte
	Status int
	// Deviated is true when the fault made the answer (or the timing, or
	// the application) differ from the reference receiver's.
	Deviated bool
}

// SHA256 is the hex digest of the body, as contract.DeliveryRecord has it.
func (r Received) SHA256() string {
	sum := sha256.Sum256(r.Body)
	return hex.EncodeToString(sum[:])
}

// Receiver is an http.Handler; see the package doc.
type Receiver struct {
	cfg      Config
	tokName  string
	tokValue string

	mu       sync.Mutex
	applied  map[int64]int
	received []Received
	queue    chan int64 // QueueWorker's
	arrived  int        // the deliveries StallEvery has seen
}

// New returns a receiver with cfg. A QueueWorker runs its worker until the
// process ends.
func New(cfg Config) *Receiver {
	rc := &Receiver{cfg: cfg, applied: map[int64]int{}}
	if cfg.Token != "" {
		rc.tokName, rc.tokValue, _ = strings.Cut(cfg.Token, "=")
	}
	if cfg.Fault == QueueWorker {
		rc.queue = make(chan int64, 1<<16)
		go rc.work()
	}
	return rc
}

// work applies queued events one at a time, each costing Config.Delay.
func (rc *Receiver) work() {
	first := true
	for id := range rc.queue {
		if first {
			time.Sleep(rc.cfg.Backlog)
			first = false
		}
		time.Sleep(rc.cfg.Delay)
		rc.mu.Lock()
		if rc.applied[id] == 0 {
			rc.count(id)
		}
		rc.mu.Unlock()
	}
}

// nthArrival counts a delivery and tells whether StallEvery stalls it.
func (rc *Receiver) nthArrival() bool {
	every := rc.cfg.Every
	if every == 0 {
		every = 2
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.arrived++
	return rc.arrived%every == 0
}

// Applied is how many times the receiver applied eventID.
func (rc *Receiver) Applied(eventID int64) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.applied[eventID]
}

// Received returns every delivery so far, in arrival order.
func (rc *Receiver) Received() []Received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]Received(nil), rc.received...)
}

// Deviated returns the sha256 (hex) of every body whose delivery the fault
// changed, to match with contract.DeliveryRecord.SHA256.
func (rc *Receiver) Deviated() map[string]bool {
	out := map[string]bool{}
	for _, r := range rc.Received() {
		if r.Deviated {
			out[r.SHA256()] = true
		}
	}
	return out
}

// payload is what the reference receiver reads: the ids it keys on and the
// trigger it dispatches on; everything else is left alone (a tolerant
// reader). Ids are json.Number because eventIds reach 2^53-1.
type payload struct {
	Event struct {
		EventID    json.Number `json:"eventId"`
		TriggerKey string      `json:"triggerKey"`
	} `json:"event"`
	Record *struct {
		Stage *struct {
			Name string `json:"name"`
		} `json:"stage"`
	} `json:"record"`
}

func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if id, ok := strings.CutPrefix(r.URL.Path, InspectPath); ok && r.Method == http.MethodGet {
		rc.inspect(w, r, id)
		return
	}
	body, ok := readPost(w, r)
	if !ok {
		return
	}
	status, deviated := rc.handle(r, body)
	rc.mu.Lock()
	rc.received = append(rc.received, Received{Query: r.URL.RawQuery, Body: body, Status: status, Deviated: deviated})
	rc.mu.Unlock()
	if rc.cfg.Fault == TruncatedAck && status == http.StatusOK {
		if conn, buf, err := http.NewResponseController(w).Hijack(); err == nil {
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"ok\":")
			_ = buf.Flush()
			conn.Close()
			return
		}
	}
	if status == http.StatusPermanentRedirect {
		w.Header().Set("Location", "https://"+r.Host+r.URL.RequestURI())
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"status":%d}`, status)
}

// handle decides the answer; deviated reports that the fault changed it.
func (rc *Receiver) handle(r *http.Request, body []byte) (status int, deviated bool) {
	f := rc.cfg.Fault
	if rc.tokName != "" && r.URL.Query().Get(rc.tokName) != rc.tokValue {
		if f != IgnoreToken {
			return http.StatusUnauthorized, false
		}
		deviated = true
	}
	if f == Redirect {
		return http.StatusPermanentRedirect, true
	}
	if f == RejectUnknownFields {
		if err := decodeStrict(body); err != nil {
			return http.StatusBadRequest, true
		}
	}
	if f == Int32IDs && idOver32(body) {
		return http.StatusBadRequest, true
	}
	if f == WorkOrderInt32 && workOrderIDOver32(body) {
		return http.StatusBadRequest, true
	}
	if f == Hang {
		<-r.Context().Done()
		return http.StatusOK, true
	}
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return http.StatusBadRequest, deviated
	}
	id, err := p.Event.EventID.Int64()
	if err != nil {
		return http.StatusBadRequest, deviated
	}
	key := p.Event.TriggerKey
	if f == FailNoRecord && p.Record == nil {
		return http.StatusInternalServerError, true
	}
	if f == FailNullStage && p.Record != nil && p.Record.Stage == nil {
		return http.StatusInternalServerError, true
	}
	if f == AckThenDropNullStage && p.Record != nil && p.Record.Stage == nil {
		return http.StatusOK, true
	}
	if f == AckThenDropUnknownFields && decodeStrict(body) != nil {
		return http.StatusOK, true
	}
	if f == Fail500ForTrigger && key == rc.cfg.Trigger {
		return http.StatusInternalServerError, true
	}
	if f == RejectUnknownTrigger {
		if _, err := schemas.Lookup(key); err != nil {
			return http.StatusBadRequest, true
		}
	}
	if f == SlowForTrigger && key == rc.cfg.Trigger {
		deviated = true
		select {
		case <-time.After(rc.cfg.Delay):
		case <-r.Context().Done():
		}
	}
	switch f {
	case QueueWorker:
		rc.queue <- id
		return http.StatusOK, deviated
	case ApplyAfter:
		time.AfterFunc(rc.cfg.Delay, func() { rc.apply(id) })
		return http.StatusOK, deviated
	case ApplyLate:
		if key == rc.cfg.Trigger {
			time.AfterFunc(rc.cfg.Delay, func() { rc.apply(id) })
			return http.StatusOK, true
		}
	case TruncatedAck:
		deviated = true
	}
	if rc.apply(id) {
		deviated = true
	}
	if f == StallEvery && rc.nthArrival() {
		deviated = true
		select {
		case <-time.After(rc.cfg.Delay):
		case <-r.Context().Done():
		}
	}
	if f == AnswerAfter {
		deviated = true
		select {
		case <-time.After(rc.cfg.Delay):
		case <-r.Context().Done():
		}
	}
	return http.StatusOK, deviated
}

// apply records the event once (every time with ApplyDuplicates, and
// Config.Delay later with LateDuplicate) and reports whether it applied a
// duplicate.
func (rc *Receiver) apply(id int64) (duplicate bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := rc.applied[id]
	switch {
	case n > 0 && rc.cfg.Fault == LateDuplicate:
		time.AfterFunc(rc.cfg.Delay, func() {
			rc.mu.Lock()
			defer rc.mu.Unlock()
			rc.count(id)
		})
		return true
	case n > 0 && rc.cfg.Fault != ApplyDuplicates:
		return false
	}
	rc.count(id)
	return n > 0
}

// count adds one application of id; rc.mu is held.
func (rc *Receiver) count(id int64) {
	n := rc.applied[id] + 1
	rc.applied[id] = n
	if rc.cfg.StateDir != "" {
		name := filepath.Join(rc.cfg.StateDir, strconv.FormatInt(id, 10))
		_ = os.WriteFile(name, []byte(strconv.Itoa(n)+"\n"), 0o644)
	}
}

func (rc *Receiver) inspect(w http.ResponseWriter, r *http.Request, idText string) {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		http.Error(w, fmt.Sprintf("eventId %q is not an integer", idText), http.StatusBadRequest)
		return
	}
	switch rc.cfg.Fault {
	case HookHangs:
		<-r.Context().Done()
		return
	case HookAlwaysOne:
		fmt.Fprint(w, `{"applied":1}`)
		return
	case HookFails:
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	case HookAnswersHTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><html><head><title>Sign in</title></head><body>Sign in to continue</body></html>")
		return
	case HookWrongPath:
		http.NotFound(w, nil)
		return
	case HookAnswersNoCount:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{}`)
		return
	}
	n := rc.Applied(id)
	if n == 0 {
		http.Error(w, "never applied", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"applied":%d}`, n)
}

// readPost reads a delivery's body, up to 1 MiB. It is false when there is
// none to handle: it answered 405 to a method other than POST, or the sender
// hung up before the body was complete.
func readPost(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	return body, err == nil
}

// pathID reads the id a hook's path ends in; false when it is not an
// integer and pathID answered 400 naming what it wanted.
func pathID(w http.ResponseWriter, name, text string) (int64, bool) {
	id, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		http.Error(w, name+" is not an integer", http.StatusBadRequest)
		return 0, false
	}
	return id, true
}

// documented mirrors every property Coperniq documents, for the strict
// decoder of RejectUnknownFields: what a receiver generated from the docs
// with DisallowUnknownFields would do.
type documented struct {
	Event struct {
		EventID         json.Number `json:"eventId"`
		RecordID        json.Number `json:"recordId"`
		TriggerKey      string      `json:"triggerKey"`
		TriggerName     string      `json:"triggerName"`
		FiredAt         string      `json:"firedAt"`
		WorkOrderID     json.Number `json:"workOrderId"`
		CurrentStatus   string      `json:"currentStatus"`
		PreviousStatus  *string     `json:"previousStatus"`
		PhaseInstanceID json.Number `json:"phaseInstanceId"`
		PhaseTemplateID json.Number `json:"phaseTemplateId"`
		PhaseType       string      `json:"phaseType"`
		Status          string      `json:"status"`
		OverdueAt       string      `json:"overdueAt"`
		SLAType         string      `json:"slaType"`
		AppointmentID   json.Number `json:"appointmentId"`
		DueDate         string      `json:"dueDate"`
		PreviousDueDate string      `json:"previousDueDate"`
	} `json:"event"`
	Record *struct {
		ID            json.Number `json:"id"`
		UID           json.Number `json:"uid"`
		Type          string      `json:"type"`
		Title         string      `json:"title"`
		Status        *string     `json:"status"`
		RequestStatus *string     `json:"requestStatus"`
		Stage         *struct {
			ID   json.Number `json:"id"`
			Name string      `json:"name"`
		} `json:"stage"`
		Address     *string `json:"address"`
		City        *string `json:"city"`
		State       *string `json:"state"`
		GeoLocation *struct {
			Lat float64 `json:"lat"`
			Lng float64 `json:"lng"`
		} `json:"geoLocation"`
		Jurisdiction *struct {
			ID   json.Number `json:"id"`
			Name string      `json:"name"`
		} `json:"jurisdiction"`
		Trades       []string    `json:"trades"`
		DealValue    *float64    `json:"dealValue"`
		OwnerID      json.Number `json:"ownerId"`
		PrimaryEmail *string     `json:"primaryEmail"`
		PrimaryPhone *string     `json:"primaryPhone"`
		CreatedAt    string      `json:"createdAt"`
		UpdatedAt    string      `json:"updatedAt"`
	} `json:"record"`
	WorkOrder *struct {
		ID              json.Number `json:"id"`
		UID             json.Number `json:"uid"`
		Title           string      `json:"title"`
		Description     *string     `json:"description"`
		Status          string      `json:"status"`
		Priority        json.Number `json:"priority"`
		RecordID        json.Number `json:"recordId"`
		AssigneeID      json.Number `json:"assigneeId"`
		IsField         bool        `json:"isField"`
		StartDate       *string     `json:"startDate"`
		EndDate         *string     `json:"endDate"`
		StartDateAllDay bool        `json:"startDateAllDay"`
		EndDateAllDay   bool        `json:"endDateAllDay"`
		CompletionDate  *string     `json:"completionDate"`
		CreatedAt       string      `json:"createdAt"`
		ModifiedAt      string      `json:"modifiedAt"`
	} `json:"workOrder"`
}

func decodeStrict(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var d documented
	return dec.Decode(&d)
}

// idOver32 reports whether any id (a key "id" or ending in "Id") is past
// 2^31-1, where an int32 field overflows.
func idOver32(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return false
	}
	var walk func(key string, v any) bool
	walk = func(key string, v any) bool {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if walk(k, c) {
					return true
				}
			}
		case json.Number:
			if key == "id" || key == "uid" || strings.HasSuffix(key, "Id") {
				n, err := x.Int64()
				return err != nil || n > 1<<31-1
			}
		}
		return false
	}
	return walk("", v)
}

// workOrderIDOver32 reports whether a work order's own id (event.workOrderId,
// workOrder.id or uid) is past 2^31-1: a receiver whose work-order table has
// a 32-bit key, while it keeps the other ids in 64 bits.
func workOrderIDOver32(body []byte) bool {
	var v struct {
		Event struct {
			WorkOrderID *json.Number `json:"workOrderId"`
		} `json:"event"`
		WorkOrder map[string]any `json:"workOrder"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return false
	}
	over := func(n json.Number) bool {
		i, err := n.Int64()
		return err != nil || i > 1<<31-1
	}
	if v.Event.WorkOrderID != nil && over(*v.Event.WorkOrderID) {
		return true
	}
	for _, k := range []string{"id", "uid"} {
		if n, ok := v.WorkOrder[k].(json.Number); ok && over(n) {
			return true
		}
	}
	return false
}

// Ensure the receiver stays an http.Handler.
var _ http.Handler = (*Receiver)(nil)
