package delivery_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// documentedMessage reads the documented example payload (pretty-printed,
// as Coperniq's docs show it) and makes it a message; body is the file.
func documentedMessage(t *testing.T) (m delivery.Message, body []byte) {
	t.Helper()
	body, err := os.ReadFile("testdata/documented-example.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err = delivery.MessageFromPayload(body)
	if err != nil {
		t.Fatal(err)
	}
	return m, body
}

// hit is one request as the receiver saw it.
type hit struct {
	EventID  int64
	RecordID int64
	Body     []byte
	Header   http.Header
	Path     string
	Query    string
	At       time.Time
	N        int // how many requests of this event the receiver had seen, this one included
}

// action is what a receiver does with a request.
type action func(w http.ResponseWriter, r *http.Request)

func status(code int) action {
	return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

var ok = status(http.StatusOK)

// redirect answers 302 to /target, which no sender may ever request.
func redirect(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/target", http.StatusFound)
}

// reset aborts the connection with an RST: SO_LINGER 0 makes close send it.
func reset(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// hangUp closes the connection cleanly without answering.
func hangUp(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	_ = conn.Close()
}

// stall never answers; it returns when the sender gives up.
func stall(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

// receiver is a webhook receiver whose behaviour is chosen per request.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	decide func(h hit) action

	mu         sync.Mutex
	hits       []hit
	byEvent    map[int64][]hit
	targetHits int
	inflight   map[int64]int // per record
	overlap    int           // requests that arrived while another of the same record was in flight
	evInflight map[int64]int
	evOverlap  int // requests that arrived while another of the same event was in flight
}

func newReceiver(t *testing.T, decide func(h hit) action) *receiver {
	t.Helper()
	rc := &receiver{t: t, decide: decide, byEvent: map[int64][]hit{}, inflight: map[int64]int{}, evInflight: map[int64]int{}}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/target" {
		rc.mu.Lock()
		rc.targetHits++
		rc.mu.Unlock()
		w.WriteHeader(http.StatusOK)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	ev, err := delivery.MessageFromPayload(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	h := hit{EventID: ev.EventID, RecordID: ev.RecordID, Body: body, Header: r.Header.Clone(), Path: r.URL.Path,
		Query: r.URL.RawQuery, At: time.Now(), N: len(rc.byEvent[ev.EventID]) + 1}
	rc.hits = append(rc.hits, h)
	rc.byEvent[ev.EventID] = append(rc.byEvent[ev.EventID], h)
	if rc.inflight[ev.RecordID] > 0 {
		rc.overlap++
	}
	if rc.evInflight[ev.EventID] > 0 {
		rc.evOverlap++
	}
	rc.inflight[ev.RecordID]++
	rc.evInflight[ev.EventID]++
	rc.mu.Unlock()
	defer func() {
		rc.mu.Lock()
		rc.inflight[ev.RecordID]--
		rc.evInflight[ev.EventID]--
		rc.mu.Unlock()
	}()
	rc.decide(h)(w, r)
}

// overlaps returns how many requests arrived while another of the same
// record, and of the same event, was in flight.
func (rc *receiver) overlaps() (record, event int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.overlap, rc.evOverlap
}

func (rc *receiver) targets() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.targetHits
}

func (rc *receiver) url() string { return rc.srv.URL + "/hook" }

func (rc *receiver) snapshot() ([]hit, map[int64][]hit) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	by := make(map[int64][]hit, len(rc.byEvent))
	for k, v := range rc.byEvent {
		by[k] = append([]hit(nil), v...)
	}
	return append([]hit(nil), rc.hits...), by
}

// failFirst fails the first n requests of every event with a, then acks.
func failFirst(n int, a action) func(hit) action {
	return func(h hit) action {
		if h.N <= n {
			return a
		}
		return ok
	}
}

func always(a action) func(hit) action { return func(hit) action { return a } }

// payload is a small Coperniq-shaped payload.
func payload(id, record int64, trigger string) []byte {
	return fmt.Appendf(nil, `{"event":{"eventId":%d,"recordId":%d,"triggerKey":%q,"triggerName":"Test","firedAt":"2026-03-31T17:04:22.000Z"},"record":{"id":%d,"uid":1,"type":"PROJECT","title":"123 Main St"}}`,
		id, record, trigger, record)
}

var triggers = []string{"PROJECT_CREATED", "TASK_STATUS_MOVEMENT", "DEAL_STATUS_MOVEMENT"}

// makeEvents returns n events spread round-robin over records, ids from 1,
// so that each record's events are interleaved with others' in the input.
func makeEvents(t testing.TB, n, records int) []delivery.Message {
	t.Helper()
	evs := make([]delivery.Message, n)
	for i := range n {
		ev, err := delivery.MessageFromPayload(payload(int64(i+1), int64(1000+i%records), triggers[i%len(triggers)]))
		if err != nil {
			t.Fatal(err)
		}
		evs[i] = ev
	}
	return evs
}

// fast is a policy for tests: quick retries, a timeout short enough to test
// stalls.
func fast(attempts int) delivery.Policy {
	return delivery.Policy{Attempts: attempts, Backoff: delivery.Exponential{Base: time.Millisecond, Cap: 5 * time.Millisecond}, Timeout: 2 * time.Second}
}

func mustTarget(t testing.TB, url string) *delivery.Target {
	t.Helper()
	tg, err := delivery.NewTarget(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func mustNew(t testing.TB, target string, opts ...delivery.Option) *delivery.Engine {
	t.Helper()
	e, err := delivery.New(mustTarget(t, target), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// mustRun runs e over evs to the end and checks the outcome's accounting.
func mustRun(t testing.TB, e *delivery.Engine, evs []delivery.Message) *delivery.Outcome {
	t.Helper()
	s, err := e.Run(context.Background(), evs)
	if err != nil {
		t.Fatal(err)
	}
	mustCheck(t, s)
	return s
}

func mustCheck(t testing.TB, s *delivery.Outcome) {
	t.Helper()
	if s == nil {
		t.Fatal("nil summary")
	}
	if err := s.Check(); err != nil {
		t.Fatalf("accounting: %v\n%s", err, s)
	}
}

// attemptsOf collects observed attempts per event, safely.
type observed struct {
	mu  sync.Mutex
	all []delivery.Attempt
}

func (o *observed) add(a delivery.Attempt) {
	o.mu.Lock()
	o.all = append(o.all, a)
	o.mu.Unlock()
}

func (o *observed) byEvent() map[int64][]delivery.Attempt {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := map[int64][]delivery.Attempt{}
	for _, a := range o.all {
		m[a.EventID] = append(m[a.EventID], a)
	}
	return m
}

// closedURL is an http URL on a port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	return u + "/hook"
}

func sameBodies(t *testing.T, want []byte, hits []hit) {
	t.Helper()
	for i, h := range hits {
		if !bytes.Equal(h.Body, want) {
			t.Errorf("request %d of event %d: body differs from the event's\n got %s\nwant %s", i+1, h.EventID, h.Body, want)
		}
	}
}

// arrivedTimes checks that each event reached rc n times, its own body
// each time.
func arrivedTimes(t *testing.T, rc *receiver, evs []delivery.Message, n int) {
	t.Helper()
	_, by := rc.snapshot()
	for _, ev := range evs {
		if hs := by[ev.EventID]; len(hs) != n {
			t.Errorf("event %d reached the receiver %d times, want %d", ev.EventID, len(hs), n)
		}
		sameBodies(t, ev.Body, by[ev.EventID])
	}
}
