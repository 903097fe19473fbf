// Package sample is a Go team's webhook receiver verified by the contract
// specs in its own Ginkgo suite (sample_suite_test.go): the pattern the
// contract pushes toward, in a few lines. It checks the URL token, reads
// only the fields it needs, acknowledges at once and applies each event in
// the background, once per eventId, and keeps the newest version of each
// record and work order whatever order the events arrive in.
package sample

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"
)

// Event is what the receiver reads of a delivery: the ids it keys on and
// the versions it keeps. Ids are json.Number, not int: eventIds reach
// 2^53-1, which a float64 would round.
type Event struct {
	Event struct {
		EventID json.Number `json:"eventId"`
	} `json:"event"`
	Record *struct {
		ID     json.Number `json:"id"`
		Status *string     `json:"status"`
		Stage  *struct {
			ID json.Number `json:"id"`
		} `json:"stage"`
		UpdatedAt time.Time `json:"updatedAt"`
	} `json:"record"`
	WorkOrder *struct {
		ID         json.Number `json:"id"`
		Status     string      `json:"status"`
		ModifiedAt time.Time   `json:"modifiedAt"`
	} `json:"workOrder"`
}

// Record is the receiver's view of a record.
type Record struct {
	Status     *string
	StageID    string // "" when the record has no stage
	UpdatedAt  time.Time
	WorkOrders map[string]WorkOrder
}

// WorkOrder is the receiver's view of a work order.
type WorkOrder struct {
	Status     string
	ModifiedAt time.Time
}

// Store is where the receiver applies events; a real one is a database
// with a unique key on the eventId and an "UPDATE ... WHERE updated_at <
// $new" per record.
type Store struct {
	mu      sync.Mutex
	applied map[int64]int
	records map[string]*Record
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{applied: map[int64]int{}, records: map[string]*Record{}}
}

// Apply applies an event unless it was applied before, which is what makes
// Coperniq's duplicates and retries harmless. Coperniq promises no order,
// so a version older than the one kept (by record.updatedAt, by
// workOrder.modifiedAt) arrives late and is ignored: the last to arrive is
// not the newest.
func (s *Store) Apply(eventID int64, ev Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.applied[eventID] > 0 {
		return
	}
	s.applied[eventID] = 1
	if ev.Record == nil {
		return
	}
	rec := s.records[ev.Record.ID.String()]
	if rec == nil {
		rec = &Record{WorkOrders: map[string]WorkOrder{}}
		s.records[ev.Record.ID.String()] = rec
	}
	if rec.UpdatedAt.IsZero() || ev.Record.UpdatedAt.After(rec.UpdatedAt) {
		rec.Status, rec.StageID, rec.UpdatedAt = ev.Record.Status, "", ev.Record.UpdatedAt
		if ev.Record.Stage != nil {
			rec.StageID = ev.Record.Stage.ID.String()
		}
	}
	if wo := ev.WorkOrder; wo != nil {
		if kept, ok := rec.WorkOrders[wo.ID.String()]; !ok || wo.ModifiedAt.After(kept.ModifiedAt) {
			rec.WorkOrders[wo.ID.String()] = WorkOrder{Status: wo.Status, ModifiedAt: wo.ModifiedAt}
		}
	}
}

// Applied is how many times an event was applied: what the inspect hook of
// the contract specs asks.
func (s *Store) Applied(eventID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.applied[eventID]
}

// Record is a copy of the receiver's view of a record, false when it has
// none: what the state hook of the contract specs asks.
func (s *Store) Record(id string) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.records[id]
	if !ok {
		return Record{}, false
	}
	cp := *rec
	cp.WorkOrders = make(map[string]WorkOrder, len(rec.WorkOrders))
	for k, v := range rec.WorkOrders {
		cp.WorkOrders[k] = v
	}
	return cp, true
}

// Handler is the webhook endpoint. Work goes to a queue so that the answer
// never waits for it: Coperniq retries whatever it does not get a 2xx for in
// time.
func Handler(token string, store *Store) http.Handler {
	type job struct {
		id int64
		ev Event
	}
	queue := make(chan job, 1024)
	go func() {
		for j := range queue {
			store.Apply(j.id, j.ev)
		}
	}()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		if r.URL.Query().Get("token") != token {
			http.Error(w, "unknown sender", http.StatusUnauthorized)
			return
		}
		var ev Event
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err == nil {
			err = json.Unmarshal(body, &ev)
		}
		id, idErr := ev.Event.EventID.Int64()
		if err != nil || idErr != nil {
			// Not Coperniq's: it never sends a body without an eventId.
			http.Error(w, "not a Coperniq event", http.StatusBadRequest)
			return
		}
		// Any trigger, known or not, is acknowledged: a 4xx would make
		// Coperniq retry it forever.
		queue <- job{id, ev}
		w.WriteHeader(http.StatusNoContent)
	})
}
