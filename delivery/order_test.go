package delivery_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// interleaved returns n events, ids 1 to n, whose records come in no
// pattern (a record's next event may follow it at once or much later), the
// way a capture's first arrivals do. Round-robin records (makeEvents) would
// hide a scheduler that serves every record's first event before any second
// one.
func interleaved(t testing.TB, n, records int, seed uint64) []delivery.Message {
	t.Helper()
	rnd := rand.New(rand.NewPCG(seed, 7))
	evs := make([]delivery.Message, n)
	for i := range n {
		ev, err := delivery.MessageFromPayload(payload(int64(i+1), int64(1000+rnd.IntN(records)), triggers[i%len(triggers)]))
		if err != nil {
			t.Fatal(err)
		}
		evs[i] = ev
	}
	return evs
}

func ids(evs []delivery.Message) []int64 {
	out := make([]int64, len(evs))
	for i, ev := range evs {
		out[i] = ev.EventID
	}
	return out
}

func arrivals(hits []hit) []int64 {
	out := make([]int64, len(hits))
	for i, h := range hits {
		out[i] = h.EventID
	}
	return out
}

func firstArrivals(hits []hit) []int64 {
	var out []int64
	for _, h := range hits {
		if h.N == 1 {
			out = append(out, h.EventID)
		}
	}
	return out
}

// instant is a virtual clock on which every backoff and jitter wait is
// shorter than a nanosecond: a retry is ready the moment its attempt
// fails, so that the order of the attempts does not depend on timing.
func instant(t *testing.T) delivery.Clock {
	t.Helper()
	clk, err := delivery.VirtualClock(1e12)
	if err != nil {
		t.Fatal(err)
	}
	return clk
}

// With one attempt at a time, the events go in the order given, whatever
// their records: a record's next event is released when the previous one is
// acked, and served before every later event that was ready already.
func TestRunConcurrencyOneKeepsGivenOrder(t *testing.T) {
	evs := interleaved(t, 60, 7, 1)
	given := ids(evs)
	failOnce := map[int64]bool{5: true, 6: true, 17: true, 40: true}
	// With failOnce and an instant clock each of those events is sent twice
	// in a row: its retry is the earliest ready attempt.
	var retried []int64
	for _, id := range given {
		retried = append(retried, id)
		if failOnce[id] {
			retried = append(retried, id)
		}
	}
	twice := func(order []int64) []int64 {
		var out []int64
		for _, id := range order {
			out = append(out, id, id)
		}
		return out
	}
	cases := []struct {
		name     string
		decide   func(hit) action
		opts     []delivery.Option
		want     []int64 // every arrival, in order
		wantHits int
	}{
		{"all acked", always(ok), nil, given, 60},
		{"duplicates after the ack", always(ok), []delivery.Option{delivery.WithDuplicate(1, delivery.DupAfter)}, twice(given), 120},
		{"duplicates alongside", always(ok), []delivery.Option{delivery.WithDuplicate(1, delivery.DupConcurrent)}, twice(given), 120},
		{"some failed once, retried at once", func(h hit) action {
			if failOnce[h.EventID] && h.N == 1 {
				return status(http.StatusServiceUnavailable)
			}
			return ok
		}, []delivery.Option{delivery.WithPolicy(fast(3)), delivery.WithClock(instant(t))}, retried, 64},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Several runs: with two channels ready, a select picks either,
			// so one lucky run proves little.
			for run := range 5 {
				rc := newReceiver(t, tc.decide)
				opts := append([]delivery.Option{delivery.WithConcurrency(1), delivery.WithSeed(uint64(run))}, tc.opts...)
				mustRun(t, mustNew(t, rc.url(), opts...), evs)
				hits, _ := rc.snapshot()
				if got := arrivals(hits); !slices.Equal(got, tc.want) {
					t.Fatalf("run %d: arrivals\n got %v\nwant %v", run, got, tc.want)
				}
				if got := firstArrivals(hits); !slices.Equal(got, given) {
					t.Fatalf("run %d: first arrivals\n got %v\nwant %v", run, got, given)
				}
			}
		})
	}
}

// When an event fails and waits for its retry, later events go ahead, but
// never a later event of its record. So with one attempt at a time, an
// event's first attempt comes after an event given after it only while its
// record's previous event was still unacknowledged (waiting for a retry).
func TestRunConcurrencyOneOvertakesOnlyWhenHeld(t *testing.T) {
	evs := interleaved(t, 80, 9, 2)
	failOnce := func(id int64) bool { return id%7 == 3 }
	rc := newReceiver(t, func(h hit) action {
		if failOnce(h.EventID) && h.N == 1 {
			return status(http.StatusInternalServerError)
		}
		return ok
	})
	policy := delivery.Policy{Attempts: 3, Backoff: delivery.Schedule{3 * time.Millisecond, 3 * time.Millisecond}, Timeout: 2 * time.Second}
	s := mustRun(t, mustNew(t, rc.url(), delivery.WithConcurrency(1), delivery.WithPolicy(policy)), evs)
	if s.Acked != 80 || s.Retried == 0 {
		t.Fatalf("%s", s)
	}
	hits, _ := rc.snapshot()
	assertRecordOrder(t, hits, true)
	pos := map[int64]int{} // position in the input
	prev := map[int64]int64{}
	last := map[int64]int64{}
	for i, ev := range evs {
		pos[ev.EventID] = i
		prev[ev.EventID] = last[ev.RecordID]
		last[ev.RecordID] = ev.EventID
	}
	first, acked := map[int64]int{}, map[int64]int{} // arrival index
	for i, h := range hits {
		if h.N == 1 {
			first[h.EventID] = i
		}
		if !failOnce(h.EventID) || h.N == 2 {
			acked[h.EventID] = i
		}
	}
	overtaken := 0
	for _, a := range evs {
		for _, b := range evs {
			if pos[a.EventID] >= pos[b.EventID] || first[a.EventID] < first[b.EventID] {
				continue
			}
			// b, given after a, went first: a must have been waiting for its
			// record's previous event, unacknowledged when b started.
			overtaken++
			p := prev[a.EventID]
			if p == 0 || acked[p] < first[b.EventID] {
				t.Errorf("event %d (position %d) was first sent after event %d (position %d), though nothing held it back", a.EventID, pos[a.EventID]+1, b.EventID, pos[b.EventID]+1)
			}
		}
	}
	if overtaken == 0 {
		t.Error("no event ever overtook another: the failures held nothing back, and the test proves nothing")
	}
}

// nullTransport acknowledges every request without a network, so that a
// benchmark of the engine measures its scheduling rather than HTTP.
type nullTransport struct{}

func (nullTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
}

// BenchmarkRun delivers 5000 events of 500 interleaved records: through a
// transport that answers at once (the engine's own cost), and to a loopback
// receiver.
func BenchmarkRun(b *testing.B) {
	evs := interleaved(b, 5000, 500, 3)
	for _, conc := range []int{1, 8} {
		b.Run(fmt.Sprintf("no-network/concurrency-%d", conc), func(b *testing.B) {
			e := mustNew(b, "http://127.0.0.1:1/hook", delivery.WithConcurrency(conc), delivery.WithClient(&http.Client{Transport: nullTransport{}}))
			b.ReportAllocs()
			for b.Loop() {
				mustRun(b, e, evs)
			}
			b.ReportMetric(float64(b.N*len(evs))/b.Elapsed().Seconds(), "events/s")
		})
		b.Run(fmt.Sprintf("loopback/concurrency-%d", conc), func(b *testing.B) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.WriteHeader(http.StatusNoContent)
			}))
			defer srv.Close()
			e := mustNew(b, srv.URL+"/hook", delivery.WithConcurrency(conc))
			b.ReportAllocs()
			for b.Loop() {
				mustRun(b, e, evs)
			}
			b.ReportMetric(float64(b.N*len(evs))/b.Elapsed().Seconds(), "events/s")
		})
	}
}
