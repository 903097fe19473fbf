package scenarios_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// deliveryOptions turns a scenario's delivery block into engine options,
// with the ci preset unless the block gives a schedule; the command line
// does the same with its flags on top.
func deliveryOptions(t *testing.T, d delivery.Settings, seed uint64) []delivery.Option {
	t.Helper()
	if d.Schedule == "" {
		d.Retry = "ci"
	}
	opts, err := d.Options()
	if err != nil {
		t.Fatal(err)
	}
	return append(opts, delivery.WithSeed(seed))
}

// Every built-in scenario, delivered over loopback to the capture receiver
// failing each first attempt: everything acked after one retry, zero
// schema violations at the strict level, and the world invariants hold on
// what arrived, in whatever order it arrived.
func TestBuiltinsDeliverEndToEnd(t *testing.T) {
	for _, info := range scenarios.Builtin() {
		t.Run(info.Name, func(t *testing.T) {
			s, err := scenarios.Load(info.Name)
			if err != nil {
				t.Fatal(err)
			}
			events, err := s.Render(3)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := receiver.Start("127.0.0.1:0", receiver.WithFailFirst(1), receiver.WithLevel(schemas.Strict))
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			// A bad URL leaves target nil, which New reports.
			target, _ := delivery.NewTarget(srv.URL+"/hook", nil)
			engine, err := delivery.New(target, deliveryOptions(t, s.Delivery, 3)...)
			if err != nil {
				t.Fatal(err)
			}
			sum, err := engine.Run(context.Background(), scenarios.Messages(events))
			if err != nil {
				t.Fatal(err)
			}
			if err := sum.Check(); err != nil {
				t.Fatal(err)
			}
			if sum.Acked != len(events) || sum.Retried != len(events) {
				t.Fatalf("%s; retried %d", sum.Accounting(), sum.Retried)
			}
			srv.Close()
			rs := srv.Summary()
			if rs.UniqueEvents != len(events) || rs.Invalid != 0 || rs.Unreadable != 0 {
				t.Fatalf("receiver: %+v", rs)
			}
			wantDeliveries := 2*len(events) + sum.Duplicates
			if rs.Deliveries != wantDeliveries {
				t.Errorf("receiver got %d deliveries, want %d (2 per event + %d duplicates)", rs.Deliveries, wantDeliveries, sum.Duplicates)
			}
			if s.Delivery.Duplicate == 1 && sum.Duplicates != len(events) {
				t.Errorf("duplicate: 1 sent %d duplicates for %d events", sum.Duplicates, len(events))
			}
			var payloads [][]byte
			for _, d := range srv.Deliveries() {
				payloads = append(payloads, d.Payload)
			}
			if errs := scenarios.CheckSequence(payloads); errs != nil {
				t.Fatalf("world invariants on what arrived: %v", errs)
			}
			if s.Delivery.Reorder > 0 && arrivedInOrder(srv.Deliveries()) {
				t.Error("reorder: the events arrived in firing order")
			}
		})
	}
}

func arrivedInOrder(ds []receiver.Delivery) bool {
	var last int64
	for _, d := range ds {
		if d.Attempt != 1 {
			continue
		}
		if *d.EventID < last {
			return false
		}
		last = *d.EventID
	}
	return true
}

// retry-after-5xx runs on a 1s,5s,30s,5m schedule at 1000x: against a
// receiver failing two attempts, each event's retries are due 1 s and
// 5 s after the attempt before on the virtual timeline, while the run
// takes a fraction of that.
func TestRetryScheduleOnTheVirtualClock(t *testing.T) {
	s, err := scenarios.Load("retry-after-5xx")
	if err != nil {
		t.Fatal(err)
	}
	events, err := s.Render(1)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := receiver.Start("127.0.0.1:0", receiver.WithFailFirst(2))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var log bytes.Buffer
	target, _ := delivery.NewTarget(srv.URL, nil)
	engine, err := delivery.New(target, append(deliveryOptions(t, s.Delivery, 1), delivery.WithLog(&log))...)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := engine.Run(context.Background(), scenarios.Messages(events))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Acked != len(events) || sum.Attempts != 3*len(events) {
		t.Fatalf("%s, %d attempts", sum.Accounting(), sum.Attempts)
	}
	if sum.Elapsed > 5*time.Second || sum.Span < 6*time.Second {
		t.Errorf("took %s real, %s virtual: the clock isn't virtual", sum.Elapsed, sum.Span)
	}
	l, err := delivery.ReadLog(&log)
	if err != nil {
		t.Fatal(err)
	}
	prev := map[int64]delivery.Attempt{}
	for _, a := range l.Attempts {
		if p, ok := prev[a.EventID]; ok {
			wait := a.Scheduled.Sub(p.Started.Add(p.Latency))
			want := map[int]time.Duration{2: time.Second, 3: 5 * time.Second}[a.N]
			if d := wait - want; d < -2*time.Millisecond || d > 2*time.Millisecond {
				t.Errorf("event %d attempt %d was due %s after attempt %d ended, want %s", a.EventID, a.N, wait, p.N, want)
			}
		}
		prev[a.EventID] = a
	}
}

// chaos wraps a receiver so that some requests stall past the sender's
// timeout, on top of the receiver's own random failures and resets.
type chaos struct {
	h     http.Handler
	mu    sync.Mutex
	rnd   *rand.Rand
	stall time.Duration
}

func (c *chaos) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	stall := c.rnd.IntN(10) == 0
	c.mu.Unlock()
	if stall {
		select {
		case <-time.After(c.stall):
		case <-r.Context().Done():
			return
		}
	}
	c.h.ServeHTTP(w, r)
}

// The accounting invariant, events = acked + dead, over many seeds against
// a receiver that fails, resets and stalls at random: every event ends
// acked or dead, every acked event really arrived, and when none died the
// world invariants hold on what arrived.
func TestAccountingUnderChaos(t *testing.T) {
	scs := []struct {
		name   string
		params []scenarios.RenderOption
	}{
		{"request-won", nil},
		{"concurrent-projects", []scenarios.RenderOption{scenarios.WithParam("projects", 4)}},
	}
	for _, sc := range scs {
		s, err := scenarios.Load(sc.name)
		if err != nil {
			t.Fatal(err)
		}
		for seed := uint64(1); seed <= 6; seed++ {
			events, err := s.Render(seed, sc.params...)
			if err != nil {
				t.Fatal(err)
			}
			rc, err := receiver.New(receiver.WithFailRate(0.25), receiver.WithResetRate(0.1), receiver.WithSeed(seed), receiver.WithLevel(schemas.Strict))
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(&chaos{h: rc, rnd: rand.New(rand.NewPCG(seed, 9)), stall: 150 * time.Millisecond})
			policy := delivery.Policy{Attempts: 3, Backoff: delivery.Fixed{Wait: time.Millisecond}, Timeout: 100 * time.Millisecond}
			target, _ := delivery.NewTarget(srv.URL, nil)
			engine, err := delivery.New(target, delivery.WithPolicy(policy), delivery.WithSeed(seed), delivery.WithConcurrency(6))
			if err != nil {
				t.Fatal(err)
			}
			sum, err := engine.Run(context.Background(), scenarios.Messages(events))
			srv.Close()
			if err != nil {
				t.Fatal(err)
			}
			if err := sum.Check(); err != nil || sum.Events != len(events) || sum.Acked+sum.Dead != sum.Events {
				t.Fatalf("%s seed %d: %s: %v", sc.name, seed, sum.Accounting(), err)
			}
			answered := map[int64]bool{}
			var payloads [][]byte
			for _, d := range rc.Deliveries() {
				if !d.Valid {
					t.Fatalf("%s seed %d: invalid delivery %+v", sc.name, seed, d.Violations)
				}
				if d.Status == http.StatusOK {
					answered[*d.EventID] = true
				}
				payloads = append(payloads, d.Payload)
			}
			for _, r := range sum.Results {
				if r.State == delivery.StateAcked && !answered[r.EventID] {
					t.Errorf("%s seed %d: event %d acked but the receiver never answered it 200", sc.name, seed, r.EventID)
				}
			}
			if sum.Dead == 0 {
				if errs := scenarios.CheckSequence(payloads); errs != nil {
					t.Errorf("%s seed %d: %v", sc.name, seed, errs)
				}
			}
		}
	}
}
