// Package sample is a Go team's webhook receiver verified by the contract
// specs in its own Ginkgo suite (sample_suite_test.go): the pattern the
// contract pushes toward, in a few lines. It checks the URL token, reads
// only the fields it needs, acknowledges at once and applies each event in
// the background, once per eventId.
package sample

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
)

// Store is where the receiver applies events; a real one is a database
// table with a unique key on the eventId.
type Store struct {
	mu      sync.Mutex
	applied map[int64]int
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{applied: map[int64]int{}} }

// Apply applies an event unless it was applied before, which is what makes
// Coperniq's duplicates and retries harmless.
func (s *Store) Apply(eventID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.applied[eventID] == 0 {
		s.applied[eventID] = 1
	}
}

// Applied is how many times an event was applied: what the inspect hook of
// the contract specs asks.
func (s *Store) Applied(eventID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.applied[eventID]
}

// Handler is the webhook endpoint. Work goes to a queue so that the answer
// never waits for it: Coperniq retries whatever it does not get a 2xx for in
// time.
func Handler(token string, store *Store) http.Handler {
	queue := make(chan int64, 1024)
	go func() {
		for id := range queue {
			store.Apply(id)
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
		var p struct {
			Event struct {
				// Not int: eventIds reach 2^53-1. A float64 would
				// round them.
				EventID json.Number `json:"eventId"`
			} `json:"event"`
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err == nil {
			err = json.Unmarshal(body, &p)
		}
		id, idErr := p.Event.EventID.Int64()
		if err != nil || idErr != nil {
			// Not Coperniq's: it never sends a body without an eventId.
			http.Error(w, "not a Coperniq event", http.StatusBadRequest)
			return
		}
		// Any trigger, known or not, is acknowledged: a 4xx would make
		// Coperniq retry it forever.
		queue <- id
		w.WriteHeader(http.StatusNoContent)
	})
}
