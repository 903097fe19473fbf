package delivery_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

func TestMessageFromPayload(t *testing.T) {
	ev, body := documentedMessage(t)
	if ev.EventID != 48291 || ev.TriggerKey != "TASK_STATUS_MOVEMENT" || ev.RecordID != 10423 || !bytes.Equal(ev.Body, body) {
		t.Fatalf("got %d %s %d", ev.EventID, ev.TriggerKey, ev.RecordID)
	}
	for in, want := range map[string]string{
		`nope`:          "not a Coperniq event",
		`{"record":{}}`: `no "event" object`,
		`{"event":{}}`:  "missing event.eventId, event.triggerKey, event.recordId",
		`{"event":{"eventId":1,"triggerKey":"X"}}`:                "missing event.recordId",
		`{"event":{"eventId":"1","triggerKey":"X","recordId":2}}`: "not a Coperniq event",
		`{"event":{"eventId":1,"triggerKey":"","recordId":2}}`:    "missing event.triggerKey",
	} {
		if _, err := delivery.MessageFromPayload([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("MessageFromPayload(%s) = %v, want %q", in, err, want)
		}
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for name, opt := range map[string]delivery.Option{
		"concurrency 0 must be at least 1":                       delivery.WithConcurrency(0),
		"duplicate fraction 1.5 must be between 0 and 1":         delivery.WithDuplicate(1.5, delivery.DupAfter),
		`duplicate mode "later" isn't one of [after concurrent]`: delivery.WithDuplicate(0.5, "later"),
		"reorder window -1 is negative":                          delivery.WithReorder(-1),
		"jitter -1s is negative":                                 delivery.WithJitter(-time.Second),
		"grace period -1s is negative":                           delivery.WithGrace(-time.Second),
		"has no name":                                            delivery.WithHeader("", "x"),
	} {
		if _, err := delivery.New(mustTarget(t, "http://127.0.0.1/"), opt); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("got %v, want %q", err, name)
		}
	}
}

// A TLS configuration New would hand to no client is refused: a given
// client keeps its own TLS settings, so every https event would fail its
// handshake. The error names both options and the way out.
func TestNewRefusesTLSConfigWithAClient(t *testing.T) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	client := delivery.NewClient(time.Second, 1)
	for _, tc := range []struct {
		name    string
		opts    []delivery.Option
		refused bool
	}{
		{"client, then TLS", []delivery.Option{delivery.WithClient(client), delivery.WithTLSConfig(cfg)}, true},
		{"TLS, then client", []delivery.Option{delivery.WithTLSConfig(cfg), delivery.WithClient(client)}, true},
		{"client with the deprecated WithTLS", []delivery.Option{delivery.WithClient(client), delivery.WithTLS(cfg)}, true},
		{"client with a nil TLS config (the system's roots)", []delivery.Option{delivery.WithClient(client), delivery.WithTLSConfig(nil)}, false},
		{"TLS alone", []delivery.Option{delivery.WithTLSConfig(cfg)}, false},
		{"client alone", []delivery.Option{delivery.WithClient(delivery.NewTLSClient(time.Second, 1, cfg))}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := delivery.New(mustTarget(t, "https://127.0.0.1/hook"), tc.opts...)
			if !tc.refused {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("New: no error, want WithTLSConfig with WithClient refused")
			}
			for _, w := range []string{"WithTLSConfig", "WithClient", "delivery.NewTLSClient(timeout, concurrency, cfg)"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

func TestRunRejectsBadEvents(t *testing.T) {
	e := mustNew(t, "http://127.0.0.1/")
	evs := makeEvents(t, 3, 3)
	evs[2].EventID = evs[0].EventID
	if _, err := e.Run(context.Background(), evs); err == nil || !strings.Contains(err.Error(), "appears twice (events[0] and events[2])") {
		t.Errorf("duplicate ids: %v", err)
	}
	evs = makeEvents(t, 2, 2)
	evs[1].Body = nil
	if _, err := e.Run(context.Background(), evs); err == nil || !strings.Contains(err.Error(), "empty body") {
		t.Errorf("empty body: %v", err)
	}
}

func TestRunAcksOn2xx(t *testing.T) {
	rc := newReceiver(t, always(status(http.StatusAccepted)))
	evs := makeEvents(t, 20, 5)
	s := mustRun(t, mustNew(t, rc.url(), delivery.WithPolicy(fast(3))), evs)
	if s.Acked != 20 || s.Attempts != 20 || s.Retried != 0 || s.Statuses[202] != 20 {
		t.Fatalf("%s", s)
	}
	if !strings.HasPrefix(s.String(), "events 20 = acked 20 + dead 0\n") {
		t.Errorf("summary does not start with the accounting:\n%s", s)
	}
	if s.Triggers["PROJECT_CREATED"].Events != 7 || s.Triggers["PROJECT_CREATED"].Acked != 7 {
		t.Errorf("per trigger %+v", s.Triggers)
	}
	if s.LatencyMax <= 0 || s.LatencyP50 > s.LatencyP99 || s.LatencyP99 > s.LatencyMax {
		t.Errorf("latency p50 %s p99 %s max %s", s.LatencyP50, s.LatencyP99, s.LatencyMax)
	}
	for i, r := range s.Results {
		if r.EventID != evs[i].EventID || r.State != delivery.StateAcked || r.Attempts != 1 || r.LastStatus != 202 {
			t.Errorf("result %d: %+v", i, r)
		}
	}
}

// Every kind of failure is retried, with the identical body, until a 2xx.
func TestRunRetriesEveryFailure(t *testing.T) {
	cases := []struct {
		name   string
		act    action
		status int
		kind   delivery.ErrKind
	}{
		{"302", redirect, 302, ""},
		{"404", status(404), 404, ""},
		{"500", status(500), 500, ""},
		{"503", status(503), 503, ""},
		{"timeout", stall, 0, delivery.KindTimeout},
		{"reset", reset, 0, delivery.KindReset},
		{"eof", hangUp, 0, delivery.KindEOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rc := newReceiver(t, failFirst(2, c.act))
			evs := makeEvents(t, 6, 3)
			p := fast(4)
			if c.kind == delivery.KindTimeout {
				p.Timeout = 300 * time.Millisecond
			}
			var obs observed
			s := mustRun(t, mustNew(t, rc.url(), delivery.WithPolicy(p), delivery.WithObserver(obs.add)), evs)
			if s.Acked != 6 || s.Attempts != 18 || s.Retried != 6 {
				t.Fatalf("%s", s)
			}
			arrivedTimes(t, rc, evs, 3)
			for id, as := range obs.byEvent() {
				if len(as) != 3 {
					t.Fatalf("event %d: %d attempts", id, len(as))
				}
				for i, a := range as {
					if a.N != i+1 {
						t.Errorf("event %d: attempt %d numbered %d", id, i+1, a.N)
					}
					want := delivery.StateRetrying
					if i == 2 {
						want = delivery.StateAcked
					} else if a.Status != c.status || a.ErrKind != c.kind {
						t.Errorf("event %d attempt %d: status %d kind %q (%s), want %d %q", id, a.N, a.Status, a.ErrKind, a.Err, c.status, c.kind)
					}
					if a.State != want {
						t.Errorf("event %d attempt %d: state %s, want %s", id, a.N, a.State, want)
					}
				}
			}
			if rc.targets() != 0 {
				t.Errorf("redirect followed %d times", rc.targets())
			}
		})
	}
}

func TestRunDeadAfterAttempts(t *testing.T) {
	rc := newReceiver(t, always(status(500)))
	evs := makeEvents(t, 5, 5)
	s := mustRun(t, mustNew(t, rc.url(), delivery.WithPolicy(fast(3))), evs)
	if s.Dead != 5 || s.Acked != 0 || s.Attempts != 15 || s.Statuses[500] != 15 {
		t.Fatalf("%s", s)
	}
	if !strings.HasPrefix(s.String(), "events 5 = acked 0 + dead 5") {
		t.Errorf("%s", s)
	}
	arrivedTimes(t, rc, evs, 3)
}

func TestRunRefusedIsRetriedThenDead(t *testing.T) {
	var obs observed
	s := mustRun(t, mustNew(t, closedURL(t), delivery.WithPolicy(fast(3)), delivery.WithObserver(obs.add)), makeEvents(t, 2, 2))
	if s.Dead != 2 || s.Errors[delivery.KindRefused] != 6 {
		t.Fatalf("%s", s)
	}
	for _, a := range obs.all {
		if a.ErrKind != delivery.KindRefused || a.Err == "" {
			t.Errorf("%+v", a)
		}
	}
}

func TestRunPolicyNoneMakesOneAttempt(t *testing.T) {
	rc := newReceiver(t, always(status(500)))
	none, _ := delivery.ParsePreset("none")
	s := mustRun(t, mustNew(t, rc.url(), delivery.WithPolicy(none)), makeEvents(t, 4, 2))
	if s.Dead != 4 || s.Attempts != 4 {
		t.Fatalf("%s", s)
	}
}

// The explicit schedule 1s,5s,30s,5m at time scale 1000: the log reads as a
// 5-minute schedule, the run takes a third of a second.
func TestRunScheduleOnVirtualClock(t *testing.T) {
	rc := newReceiver(t, always(status(500)))
	sched, err := delivery.ParseSchedule("1s,5s,30s,5m")
	if err != nil {
		t.Fatal(err)
	}
	clk, err := delivery.VirtualClock(1000)
	if err != nil {
		t.Fatal(err)
	}
	var obs observed
	e := mustNew(t, rc.url(), delivery.WithPolicy(delivery.Policy{Attempts: sched.Attempts(), Backoff: sched, Timeout: time.Second}),
		delivery.WithClock(clk), delivery.WithObserver(obs.add))
	start := time.Now()
	s, err := e.Run(context.Background(), makeEvents(t, 1, 1))
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	mustCheck(t, s)
	// 5m36s of waits take 0.34 s; the bound leaves room for a loaded CI.
	if took > 3*time.Second {
		t.Errorf("the run took %s of real time", took)
	}
	as := obs.all
	if len(as) != 5 || s.Dead != 1 {
		t.Fatalf("%d attempts: %s", len(as), s)
	}
	if !as[0].Scheduled.Equal(s.Started) {
		t.Errorf("first attempt scheduled %s, run started %s", as[0].Scheduled, s.Started)
	}
	for i, wait := range sched {
		prev, next := as[i], as[i+1]
		// Exact: a retry is due the backoff after the previous attempt
		// ended, on the virtual timeline.
		if got := next.Scheduled.Sub(prev.Started.Add(prev.Latency)); got != wait {
			t.Errorf("attempt %d scheduled %s after attempt %d ended, want exactly %s", next.N, got, prev.N, wait)
		}
		// Between scheduled starts: the wait plus the previous attempt's
		// real duration and timer slack, both real milliseconds (a loaded
		// machine may take hundreds).
		if gap := next.Scheduled.Sub(prev.Scheduled); gap < wait || gap > wait+time.Second {
			t.Errorf("scheduled starts %d and %d are %s apart, want %s", prev.N, next.N, gap, wait)
		}
		if lag := next.Started.Sub(next.Scheduled); lag < 0 || lag > time.Second {
			t.Errorf("attempt %d started %s after it was due", next.N, lag)
		}
	}
	if span := as[4].Started.Sub(as[0].Started); span < 5*time.Minute+36*time.Second {
		t.Errorf("the virtual timeline spans %s, want at least 5m36s", span)
	}
	if s.Span < 5*time.Minute+36*time.Second || !strings.Contains(s.String(), "on the virtual timeline") {
		t.Errorf("summary span %s:\n%s", s.Span, s)
	}
}

// The jitter a run draws depends on its seed only, not on scheduling.
func TestRunJitterIsDeterministicBySeed(t *testing.T) {
	rc := newReceiver(t, always(status(500)))
	clk, _ := delivery.VirtualClock(1000)
	delays := func(seed uint64) map[int64][]time.Duration {
		var obs observed
		p := delivery.Policy{Attempts: 4, Backoff: delivery.Exponential{Base: time.Second, Cap: 4 * time.Second}, Timeout: time.Second}
		e := mustNew(t, rc.url(), delivery.WithPolicy(p), delivery.WithClock(clk), delivery.WithSeed(seed),
			delivery.WithJitter(2*time.Second), delivery.WithConcurrency(4), delivery.WithObserver(obs.add))
		s := mustRun(t, e, makeEvents(t, 8, 8))
		out := map[int64][]time.Duration{}
		for id, as := range obs.byEvent() {
			out[id] = append(out[id], as[0].Scheduled.Sub(s.Started)) // the first attempt's jitter
			for i := 1; i < len(as); i++ {
				d := as[i].Scheduled.Sub(as[i-1].Started.Add(as[i-1].Latency))
				if ceil := min(4*time.Second, time.Second<<(i-1)); d < 0 || d > ceil {
					t.Errorf("event %d retry %d waited %s, outside [0, %s]", id, i, d, ceil)
				}
				out[id] = append(out[id], d)
			}
		}
		return out
	}
	a, b, c := delays(42), delays(42), delays(43)
	for id := range a {
		if !slices.Equal(a[id], b[id]) {
			t.Errorf("event %d: seed 42 gave %v then %v", id, a[id], b[id])
		}
	}
	same := 0
	for id := range a {
		if slices.Equal(a[id], c[id]) {
			same++
		}
	}
	if same == len(a) {
		t.Error("seeds 42 and 43 drew the same waits")
	}
}

// With concurrency 8 across many records, each record's events arrive one
// at a time and in order, retries included.
func TestRunKeepsRecordOrder(t *testing.T) {
	var mu sync.Mutex
	rnd := rand.New(rand.NewPCG(1, 2))
	rc := newReceiver(t, func(h hit) action {
		mu.Lock()
		fail, pause := rnd.IntN(4) == 0, time.Duration(rnd.IntN(2000))*time.Microsecond
		mu.Unlock()
		return func(w http.ResponseWriter, _ *http.Request) {
			time.Sleep(pause)
			if fail && h.N == 1 {
				w.WriteHeader(500)
			}
		}
	})
	evs := makeEvents(t, 240, 30)
	s := mustRun(t, mustNew(t, rc.url(), delivery.WithPolicy(fast(3)), delivery.WithConcurrency(8)), evs)
	if s.Acked != 240 || s.Retried == 0 {
		t.Fatalf("%s", s)
	}
	hits, _ := rc.snapshot()
	assertRecordOrder(t, hits, true)
	if rec, _ := rc.overlaps(); rec != 0 {
		t.Errorf("%d requests arrived while another of the same record was in flight", rec)
	}
}

// assertRecordOrder checks that within each record the event ids never go
// down (makeEvents gives each record increasing ids); want false means they
// must go down somewhere.
func assertRecordOrder(t *testing.T, hits []hit, want bool) {
	t.Helper()
	last := map[int64]int64{}
	inOrder := true
	for _, h := range hits {
		if h.EventID < last[h.RecordID] {
			inOrder = false
			if want {
				t.Errorf("record %d: event %d arrived after event %d", h.RecordID, h.EventID, last[h.RecordID])
			}
		}
		last[h.RecordID] = max(last[h.RecordID], h.EventID)
	}
	if !want && inOrder {
		t.Error("every record's events arrived in order")
	}
}

// Reordering breaks each record's order (one event at a time still), the
// same way for the same seed.
func TestRunReorder(t *testing.T) {
	perRecord := func(seed uint64, window int) map[int64][]int64 {
		rc := newReceiver(t, always(ok))
		s := mustRun(t, mustNew(t, rc.url(), delivery.WithReorder(window), delivery.WithSeed(seed), delivery.WithConcurrency(4)), makeEvents(t, 120, 6))
		hits, _ := rc.snapshot()
		if s.Acked != 120 || len(hits) != 120 {
			t.Fatalf("%d requests: %s", len(hits), s)
		}
		if window > 1 {
			assertRecordOrder(t, hits, false)
		} else {
			assertRecordOrder(t, hits, true)
		}
		if rec, _ := rc.overlaps(); rec != 0 {
			t.Errorf("events of a record overlapped %d times; record order should still serialise them", rec)
		}
		out := map[int64][]int64{}
		for _, h := range hits {
			out[h.RecordID] = append(out[h.RecordID], h.EventID)
		}
		return out
	}
	perRecord(5, 0)
	a, b, c := perRecord(5, 20), perRecord(5, 20), perRecord(6, 20)
	differ := false
	for r := range a {
		if !slices.Equal(a[r], b[r]) {
			t.Errorf("record %d: seed 5 gave %v then %v", r, a[r], b[r])
		}
		differ = differ || !slices.Equal(a[r], c[r])
		// A window of 20 over 6 interleaved records moves an event at most
		// 19 places: within a record, by fewer than 4 of its events.
		for i, id := range a[r] {
			if want := id - 1 - (r - 1000); want/6-int64(i) > 3 || int64(i)-want/6 > 3 {
				t.Errorf("record %d: event %d delivered %d-th", r, id, i+1)
			}
		}
	}
	if !differ {
		t.Error("seeds 5 and 6 reordered identically")
	}
}

func TestRunWithoutRecordOrder(t *testing.T) {
	rc := newReceiver(t, always(func(w http.ResponseWriter, _ *http.Request) { time.Sleep(2 * time.Millisecond) }))
	mustRun(t, mustNew(t, rc.url(), delivery.WithRecordOrder(false), delivery.WithConcurrency(8)), makeEvents(t, 40, 2))
	if rec, _ := rc.overlaps(); rec == 0 {
		t.Error("with record order off, no two events of a record were ever in flight together")
	}
}

func TestRunDuplicates(t *testing.T) {
	for _, mode := range []delivery.DupMode{delivery.DupAfter, delivery.DupConcurrent} {
		t.Run(string(mode), func(t *testing.T) {
			rc := newReceiver(t, always(func(w http.ResponseWriter, _ *http.Request) {
				if mode == delivery.DupConcurrent {
					time.Sleep(20 * time.Millisecond) // let the copies overlap
				}
			}))
			evs := makeEvents(t, 12, 4)
			var obs observed
			s := mustRun(t, mustNew(t, rc.url(), delivery.WithDuplicate(1, mode), delivery.WithConcurrency(8), delivery.WithObserver(obs.add)), evs)
			if s.Acked != 12 || s.Duplicates != 12 || s.Attempts != 12 {
				t.Fatalf("%s", s)
			}
			arrivedTimes(t, rc, evs, 2)
			dups := 0
			for _, a := range obs.all {
				if a.Duplicate {
					dups++
					if a.State != "" {
						t.Errorf("duplicate changed state to %s", a.State)
					}
				}
			}
			if dups != 12 {
				t.Errorf("%d duplicate attempts observed", dups)
			}
			switch mode {
			case delivery.DupAfter:
				// The copy is sent once the original was acked: never
				// together, and the record's next event waits for it.
				if rec, ev := rc.overlaps(); ev != 0 || rec != 0 {
					t.Errorf("after: %d event overlaps, %d record overlaps", ev, rec)
				}
			case delivery.DupConcurrent:
				if _, ev := rc.overlaps(); ev == 0 {
					t.Error("concurrent: the two copies never overlapped")
				}
			}
		})
	}
}

func TestRunDuplicateFraction(t *testing.T) {
	rc := newReceiver(t, always(ok))
	evs := makeEvents(t, 200, 50)
	s := mustRun(t, mustNew(t, rc.url(), delivery.WithDuplicate(0.3, delivery.DupAfter), delivery.WithSeed(9), delivery.WithConcurrency(8)), evs)
	_, by := rc.snapshot()
	twice := 0
	for _, hs := range by {
		if len(hs) == 2 {
			twice++
		}
	}
	if twice != s.Duplicates || s.Duplicates < 35 || s.Duplicates > 85 {
		t.Fatalf("%d events arrived twice, %d duplicates reported, want about 60", twice, s.Duplicates)
	}
}

// chaos answers 2xx, 3xx, 5xx, resets, hang-ups and stalls at random.
func chaos(seed uint64) func(hit) action {
	var mu sync.Mutex
	rnd := rand.New(rand.NewPCG(seed, 99))
	return func(hit) action {
		mu.Lock()
		n := rnd.IntN(100)
		mu.Unlock()
		switch {
		case n < 50:
			return ok
		case n < 60:
			return status(500)
		case n < 65:
			return redirect
		case n < 70:
			return status(429)
		case n < 80:
			return reset
		case n < 88:
			return hangUp
		case n < 92:
			return stall
		default:
			return status(204)
		}
	}
}

// The accounting invariant holds over many seeds against a receiver that
// fails, resets and stalls at random, and agrees with what the receiver saw.
func TestRunAccountingInvariant(t *testing.T) {
	for seed := range uint64(50) {
		rc := newReceiver(t, chaos(seed))
		p := delivery.Policy{Attempts: 3, Backoff: delivery.Exponential{Base: time.Millisecond, Cap: 4 * time.Millisecond}, Timeout: 40 * time.Millisecond}
		opts := []delivery.Option{delivery.WithPolicy(p), delivery.WithSeed(seed), delivery.WithConcurrency(1 + int(seed%8))}
		if seed%3 == 0 {
			opts = append(opts, delivery.WithDuplicate(0.2, delivery.DupMode(delivery.DupModes()[seed%2])))
		}
		if seed%4 == 1 {
			opts = append(opts, delivery.WithReorder(5), delivery.WithJitter(2*time.Millisecond))
		}
		ctx, cancel := context.WithCancel(context.Background())
		interrupt := seed%5 == 2 // cancelled after a few attempts, with a short grace
		if interrupt {
			seen := 0
			opts = append(opts, delivery.WithGrace(10*time.Millisecond), delivery.WithObserver(func(delivery.Attempt) {
				if seen++; seen == 5+int(seed%11) {
					cancel()
				}
			}))
		}
		evs := makeEvents(t, 30, 7)
		var log bytes.Buffer
		s, err := mustNew(t, rc.url(), append(opts, delivery.WithLog(&log))...).Run(ctx, evs)
		cancel()
		if interrupt != (err != nil) {
			t.Fatalf("seed %d: err %v", seed, err)
		}
		mustCheck(t, s)
		if interrupt != s.Interrupted || (s.Pending != 0) != interrupt {
			t.Fatalf("seed %d: %s", seed, s)
		}
		_, by := rc.snapshot()
		for _, r := range s.Results {
			hs := by[r.EventID]
			// Refused connections never arrive and stalls may arrive after
			// the timeout, but nothing arrives that was not sent.
			if len(hs) > r.Attempts+r.Duplicates {
				t.Errorf("seed %d: event %d arrived %d times for %d attempts + %d duplicates", seed, r.EventID, len(hs), r.Attempts, r.Duplicates)
			}
			if r.State == delivery.StateAcked && len(hs) == 0 {
				t.Errorf("seed %d: event %d acked but never received", seed, r.EventID)
			}
			if r.State == delivery.StatePending && r.Attempts == 3 && r.LastErrKind != delivery.KindCanceled {
				t.Errorf("seed %d: event %d pending after its last attempt failed", seed, r.EventID)
			}
			if r.State == delivery.StateDead && r.Attempts != 3 {
				t.Errorf("seed %d: event %d dead after %d attempts", seed, r.EventID, r.Attempts)
			}
			sameBodies(t, r.Body, hs)
		}
		l, err := delivery.ReadLog(&log)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if len(l.Attempts) != s.Attempts+s.Duplicates || len(l.Events) != s.Events {
			t.Errorf("seed %d: log has %d attempts and %d events", seed, len(l.Attempts), len(l.Events))
		}
		for _, st := range []delivery.State{delivery.StateAcked, delivery.StateDead, delivery.StatePending} {
			if n := len(l.Select(st)); n != len(s.Select(st)) {
				t.Errorf("seed %d: the log has %d %s events, the summary %d", seed, n, st, len(s.Select(st)))
			}
		}
	}
}

// Cancelling mid-run: no new attempt starts, in-flight ones finish within
// the grace period, every event is accounted for and nothing is left in
// flight.
func TestRunCancelAccountsForEveryEvent(t *testing.T) {
	rc := newReceiver(t, func(h hit) action {
		return func(w http.ResponseWriter, _ *http.Request) {
			time.Sleep(5 * time.Millisecond)
			if h.EventID%3 == 0 && h.N == 1 {
				w.WriteHeader(500)
			}
		}
	})
	evs := makeEvents(t, 400, 40)
	ctx, cancel := context.WithCancel(context.Background())
	var log bytes.Buffer
	var mu sync.Mutex
	seen := 0
	obs := func(delivery.Attempt) {
		mu.Lock()
		defer mu.Unlock()
		if seen++; seen == 40 {
			cancel()
		}
	}
	e := mustNew(t, rc.url(), delivery.WithPolicy(fast(3)), delivery.WithConcurrency(4), delivery.WithGrace(time.Second),
		delivery.WithObserver(obs), delivery.WithLog(&log))
	s, err := e.Run(ctx, evs)
	returned := len(must(rc.snapshot()))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	mustCheck(t, s)
	if !s.Interrupted || s.Pending == 0 || s.Acked == 0 || s.Acked+s.Dead+s.Pending != 400 {
		t.Fatalf("%s", s)
	}
	if !strings.Contains(s.Accounting(), "+ pending") || !strings.Contains(s.Accounting(), "(interrupted)") {
		t.Errorf("accounting %q", s.Accounting())
	}
	// Only the attempts in flight at the cancel (at most the concurrency)
	// ran after it.
	if s.Attempts+s.Duplicates > 40+4 {
		t.Errorf("%d attempts after cancelling at 40 with concurrency 4", s.Attempts)
	}
	time.Sleep(20 * time.Millisecond)
	if after := len(must(rc.snapshot())); after != returned {
		t.Errorf("%d requests arrived after Run returned", after-returned)
	}
	l, err := delivery.ReadLog(&log)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Events) != 400 || len(l.Select(delivery.StatePending)) != s.Pending {
		t.Errorf("log: %d events, %d pending; summary: %d pending", len(l.Events), len(l.Select(delivery.StatePending)), s.Pending)
	}
}

func must[T, U any](t T, _ U) T { return t }

// When the grace period ends, attempts still in flight are cut short and
// their events are pending.
func TestRunGraceCutsStalledAttempts(t *testing.T) {
	rc := newReceiver(t, always(stall))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var obs observed
	e := mustNew(t, rc.url(), delivery.WithPolicy(delivery.Policy{Attempts: 2, Backoff: delivery.Fixed{}, Timeout: 10 * time.Second}),
		delivery.WithGrace(50*time.Millisecond), delivery.WithConcurrency(3), delivery.WithObserver(obs.add))
	start := time.Now()
	s, err := e.Run(ctx, makeEvents(t, 10, 10))
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("Run took %s", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	mustCheck(t, s)
	if s.Pending != 10 || s.Attempts != 3 || s.Errors[delivery.KindCanceled] != 3 {
		t.Fatalf("%s", s)
	}
	for _, a := range obs.all {
		if a.State != delivery.StatePending || a.ErrKind != delivery.KindCanceled {
			t.Errorf("%+v", a)
		}
	}
}

func TestRunEmpty(t *testing.T) {
	s := mustRun(t, mustNew(t, "http://127.0.0.1:1/"), nil)
	if s.Accounting() != "events 0 = acked 0 + dead 0" {
		t.Fatal(s.Accounting())
	}
}

func TestSummaryCheckCatchesBadAccounting(t *testing.T) {
	rc := newReceiver(t, always(ok))
	s := mustRun(t, mustNew(t, rc.url()), makeEvents(t, 3, 3))
	bad := *s
	bad.Acked--
	if err := bad.Check(); err == nil || !strings.Contains(err.Error(), "events 3 != acked 2 + dead 0 + pending 0") {
		t.Errorf("Check: %v", err)
	}
	bad = *s
	bad.InFlight = 1
	if bad.Check() == nil {
		t.Error("Check accepted an attempt in flight")
	}
	bad = *s
	bad.Results = append([]delivery.EventResult(nil), s.Results...)
	bad.Results[0].State = delivery.StatePending
	if bad.Check() == nil {
		t.Error("Check accepted a pending event in a finished run")
	}
}
