package testreceivers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// StatePath is where a StateReceiver answers the state protocol; the
// recordId follows it.
const StatePath = "/_state/records/"

// Ordering is how a StateReceiver applies what an event says about its
// record and work order.
type Ordering string

// The orderings: one right way to converge, and the ways the final-state
// specs and chaos runs must catch.
const (
	// NewestWins keeps, per record and work order, the version with the
	// newest record.updatedAt / workOrder.modifiedAt: it converges whatever
	// the arrival order.
	NewestWins Ordering = "newest-wins"
	// Await409 is NewestWins, but answers 409 to an event whose record it
	// has not seen created yet, and relies on the sender's retries.
	Await409 Ordering = "409-until-record-exists"
	// LastArrivalRecord applies record.status and stage in arrival order.
	LastArrivalRecord Ordering = "last-arrival-record-status"
	// LastArrivalWorkOrder applies work-order statuses in arrival order.
	LastArrivalWorkOrder Ordering = "last-arrival-work-order-status"
	// DropUnseenRecord answers 2xx to an event whose record it has not
	// seen created yet, and drops it.
	DropUnseenRecord Ordering = "drops-event-of-unseen-record"
	// FirstVersion keeps the first version of a record it gets and never
	// updates its status or stage (a cache filled once).
	FirstVersion Ordering = "keeps-first-record-version"
)

// Orderings lists every ordering, for table tests.
func Orderings() []Ordering {
	return []Ordering{NewestWins, Await409, LastArrivalRecord, LastArrivalWorkOrder, DropUnseenRecord, FirstVersion}
}

// StateReceiver is a webhook receiver that keeps each record's status and
// stage and its work orders' statuses, applies each eventId once, and
// answers the inspect protocol at InspectPath and the state protocol at
// StatePath:
//
//	GET /_state/records/{recordId}  200 {"record": {"status": S, "stage": {"id": N}},
//	                                     "workOrders": {"ID": {"status": S}}}, or 404
type StateReceiver struct {
	ordering Ordering

	mu      sync.Mutex
	applied map[int64]int
	records map[int64]*keptRecord
	created map[int64]bool
	posts   int
	// queue, when set, holds the events acknowledged and not yet applied
	// (NewStateQueued); delay is what its worker spends on each.
	queue chan *statePayload
	delay time.Duration
	// int32IDs: every id is kept as its low 32 bits (NewStateInt32IDs).
	int32IDs bool
	// received, when set, is what the inspect hook counts: each eventId
	// once when acknowledged, not when applied (NewStateCountsOnReceipt).
	received map[int64]int
}

type keptRecord struct {
	status     json.RawMessage
	stage      json.RawMessage // {"id": N, ...} or null
	updatedAt  time.Time
	workOrders map[int64]*keptWorkOrder
}

type keptWorkOrder struct {
	status     string
	modifiedAt time.Time
}

// NewState returns a StateReceiver applying events by ordering.
func NewState(ordering Ordering) *StateReceiver {
	return &StateReceiver{ordering: ordering, applied: map[int64]int{}, records: map[int64]*keptRecord{}, created: map[int64]bool{}}
}

// NewStateInt32IDs returns a StateReceiver applying events by ordering that
// keeps every id (eventId, recordId, work order id) in 32 bits, as
// JavaScript's id | 0 or an int32 column does, and alike in its hooks:
// it acknowledges every delivery, and is right for every id below 2^31,
// but takes eventIds X and X + 2^32 for one event and records R and R +
// 2^32 for one record.
func NewStateInt32IDs(ordering Ordering) *StateReceiver {
	s := NewState(ordering)
	s.int32IDs = true
	return s
}

// id is how the receiver keeps an id.
func (s *StateReceiver) id(v int64) int64 {
	if s.int32IDs {
		return int64(int32(v)) //nolint:gosec // the truncation is this receiver's fault, on purpose
	}
	return v
}

// NewStateQueued returns a StateReceiver that acknowledges every delivery
// at once and applies it later, through one worker spending delay on each
// event, as a receiver with a queue does: correct, but behind after a
// burst. Its ordering is NewestWins or LastArrival*: the answer is always
// 200, so Await409 and DropUnseenRecord make no sense here.
func NewStateQueued(ordering Ordering, delay time.Duration) *StateReceiver {
	return NewStateBehind(ordering, 0, delay)
}

// NewStateBehind is NewStateQueued whose worker is first busy for backlog
// with older work (an earlier run's backlog): it applies nothing of what
// it acknowledges before then, as a receiver far behind does.
func NewStateBehind(ordering Ordering, backlog, delay time.Duration) *StateReceiver {
	s := NewState(ordering)
	s.queue, s.delay = make(chan *statePayload, 1<<16), delay
	go func() {
		time.Sleep(backlog)
		for p := range s.queue {
			time.Sleep(delay)
			s.apply(p)
		}
	}()
	return s
}

// NewStateCountsOnReceipt is NewStateQueued whose inspect hook counts an
// event once it is acknowledged (each eventId once), not once it is
// applied, as a receiver that records eventIds at receipt to drop
// duplicates and applies through a queue does: its counts are complete
// while its records are still behind.
func NewStateCountsOnReceipt(ordering Ordering, delay time.Duration) *StateReceiver {
	s := NewStateQueued(ordering, delay)
	s.received = map[int64]int{}
	return s
}

// Posts is how many deliveries the receiver got.
func (s *StateReceiver) Posts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.posts
}

type statePayload struct {
	Event struct {
		EventID    int64  `json:"eventId"`
		RecordID   int64  `json:"recordId"`
		TriggerKey string `json:"triggerKey"`
	} `json:"event"`
	Record *struct {
		ID        int64           `json:"id"`
		Type      string          `json:"type"`
		Status    json.RawMessage `json:"status"`
		Stage     json.RawMessage `json:"stage"`
		UpdatedAt time.Time       `json:"updatedAt"`
	} `json:"record"`
	WorkOrder *struct {
		ID         int64     `json:"id"`
		Status     string    `json:"status"`
		ModifiedAt time.Time `json:"modifiedAt"`
	} `json:"workOrder"`
}

// creates reports whether a trigger brings its record into existence.
// Accounts fire no event of their own: they exist from the start.
func creates(p *statePayload) bool {
	k := p.Event.TriggerKey
	return k == "PROJECT_CREATED" || k == "REQUEST_CREATED" || p.Record != nil && p.Record.Type == "ACCOUNT"
}

func (s *StateReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		if id, ok := strings.CutPrefix(r.URL.Path, InspectPath); ok {
			s.inspect(w, id)
			return
		}
		if id, ok := strings.CutPrefix(r.URL.Path, StatePath); ok {
			s.state(w, id)
			return
		}
	}
	body, ok := readPost(w, r)
	if !ok {
		return
	}
	var p statePayload
	if err := json.Unmarshal(body, &p); err != nil {
		http.Error(w, "not a Coperniq event", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.posts++
	if s.received != nil {
		s.received[s.id(p.Event.EventID)] = 1
	}
	s.mu.Unlock()
	if s.queue != nil {
		s.queue <- &p
		w.WriteHeader(http.StatusOK)
		return
	}
	w.WriteHeader(s.apply(&p))
}

// apply applies p once, as the ordering says, and returns the answer.
func (s *StateReceiver) apply(p *statePayload) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	eid, rid := s.id(p.Event.EventID), s.id(p.Event.RecordID)
	if s.applied[eid] > 0 {
		return http.StatusOK
	}
	if creates(p) {
		s.created[rid] = true
	}
	if !s.created[rid] {
		switch s.ordering {
		case Await409:
			return http.StatusConflict
		case DropUnseenRecord:
			return http.StatusOK
		}
	}
	s.applied[eid]++
	rec := s.records[rid]
	if rec == nil {
		rec = &keptRecord{workOrders: map[int64]*keptWorkOrder{}}
		s.records[rid] = rec
	}
	if p.Record != nil && (rec.status == nil || s.ordering == LastArrivalRecord || s.ordering != FirstVersion && p.Record.UpdatedAt.After(rec.updatedAt)) {
		rec.status, rec.stage, rec.updatedAt = p.Record.Status, p.Record.Stage, p.Record.UpdatedAt
	}
	if wo := p.WorkOrder; wo != nil {
		woID := s.id(wo.ID)
		kept := rec.workOrders[woID]
		if kept == nil || s.ordering == LastArrivalWorkOrder || wo.ModifiedAt.After(kept.modifiedAt) {
			rec.workOrders[woID] = &keptWorkOrder{status: wo.Status, modifiedAt: wo.ModifiedAt}
		}
	}
	return http.StatusOK
}

func (s *StateReceiver) inspect(w http.ResponseWriter, idText string) {
	id, ok := pathID(w, "eventId", idText)
	if !ok {
		return
	}
	s.mu.Lock()
	n := s.applied[s.id(id)]
	if s.received != nil {
		n = s.received[s.id(id)]
	}
	s.mu.Unlock()
	if n == 0 {
		http.Error(w, "never applied", http.StatusNotFound)
		return
	}
	fmt.Fprintf(w, `{"applied":%d}`, n)
}

func (s *StateReceiver) state(w http.ResponseWriter, idText string) {
	id, ok := pathID(w, "recordId", idText)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.records[s.id(id)]
	if rec == nil {
		http.Error(w, "no such record", http.StatusNotFound)
		return
	}
	type wo struct {
		Status string `json:"status"`
	}
	out := struct {
		Record *struct {
			Status json.RawMessage `json:"status"`
			Stage  json.RawMessage `json:"stage"`
		} `json:"record,omitempty"`
		WorkOrders map[string]wo `json:"workOrders"`
	}{WorkOrders: map[string]wo{}}
	if rec.status != nil {
		out.Record = &struct {
			Status json.RawMessage `json:"status"`
			Stage  json.RawMessage `json:"stage"`
		}{rec.status, rec.stage}
		if out.Record.Stage == nil {
			out.Record.Stage = json.RawMessage("null")
		}
	}
	for id, k := range rec.workOrders {
		out.WorkOrders[strconv.FormatInt(id, 10)] = wo{k.status}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// Ensure StateReceiver stays an http.Handler.
var _ http.Handler = (*StateReceiver)(nil)
