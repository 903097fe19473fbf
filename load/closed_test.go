package load

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

// concurrency wraps an answer so that the receiver counts the requests it
// holds at once: a closed loop of n senders must never have more than n
// open at the receiver, whatever the client counts on its side.
type concurrency struct {
	open, peak, got atomic.Int64
}

func (c *concurrency) answer(delay time.Duration, code func([]byte) int) func([]byte) int {
	return func(body []byte) int {
		c.got.Add(1)
		n := c.open.Add(1)
		for p := c.peak.Load(); n > p && !c.peak.CompareAndSwap(p, n); p = c.peak.Load() {
		}
		time.Sleep(delay)
		c.open.Add(-1)
		if code != nil {
			return code(body)
		}
		return http.StatusOK
	}
}

// checkClosed verifies what every closed-loop report says: nothing
// scheduled, late or dropped, corrected latency equal to raw, the rate
// sent over the window, and every send reaching the receiver once.
func checkClosed(t *testing.T, rep *Report, got int64) {
	t.Helper()
	checkAccounting(t, rep)
	if !rep.ClosedLoop || rep.Scheduled != rep.Sent || rep.Late != 0 || rep.Dropped != 0 || rep.DroppedLate != 0 || rep.CapWaits != 0 {
		t.Errorf("closed loop %v: scheduled %d sent %d late %d dropped %d (late %d) cap waits %d",
			rep.ClosedLoop, rep.Scheduled, rep.Sent, rep.Late, rep.Dropped, rep.DroppedLate, rep.CapWaits)
	}
	if !rep.Corrected.HDR().Equals(rep.Raw.HDR()) {
		t.Error("corrected latency differs from raw in a closed loop")
	}
	if got != rep.Sent+rep.Retries {
		t.Errorf("the receiver got %d requests, the report says %d sent and %d retries", got, rep.Sent, rep.Retries)
	}
	if want := float64(rep.Sent) / time.Duration(rep.Window).Seconds(); rep.AchievedRate() != want || rep.TargetRate() != 0 {
		t.Errorf("achieved %v, want sent/window %v; target %v, want 0", rep.AchievedRate(), want, rep.TargetRate())
	}
}

// TestClosedLoopIsBoundByTheReceiver: four senders against a receiver
// that takes 20 ms per answer can send at most 4/20ms = 200/s, and never
// hold more than four requests open at it. The lower bound is loose: the
// test must not fail on a busy machine.
func TestClosedLoopIsBoundByTheReceiver(t *testing.T) {
	const n, delay, d = 4, 20 * time.Millisecond, time.Second
	var c concurrency
	s := newServer(t, c.answer(delay, nil))
	started := time.Now()
	rep := run(t, s, WithRate(RateMax, d), WithMaxInflight(n))
	took := time.Since(started)
	checkClosed(t, rep, c.got.Load())
	if p := c.peak.Load(); p > n || rep.PeakInflight > n || s.peakOpen.Load() > n {
		t.Errorf("receiver held %d at once, report peak %d, %d connections open at once; want at most %d", p, rep.PeakInflight, s.peakOpen.Load(), n)
	}
	// Each sender waits at least delay per request, so the run cannot
	// exceed n·d/delay sends (plus the one each started at the end).
	if most := int64(n*d/delay) + n; rep.Sent > most || rep.Sent < most/5 {
		t.Errorf("sent %d in %s with %d senders at %s per answer, want at most %d (and not a fifth of it)", rep.Sent, d, n, delay, most)
	}
	// The run stops near its length: the last requests in flight end
	// within a delay of it; the wall-clock bound only catches a run that
	// does not stop (a loaded machine gets generous slack).
	if time.Duration(rep.Window) != d || time.Duration(rep.Elapsed) < d || took > d+10*time.Second {
		t.Errorf("window %s, elapsed %s, took %s; want a window of %s", time.Duration(rep.Window), time.Duration(rep.Elapsed), took, d)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"rate max for 1s: a closed loop, 4 senders",
		"sent (none scheduled, so none late or dropped)",
		"sent as fast as the receiver answered over 4 connections: ",
		"of sent events acknowledged",
		"corrected latency equals raw",
		"Verdict: the receiver answered ",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	// One latency row, not two equal ones; no asked rate.
	for _, not := range []string{"corrected  ", "target ", "late (>", "waited for a free worker"} {
		if strings.Contains(text.String(), not) {
			t.Errorf("text report of a closed loop has %q:\n%s", not, text.String())
		}
	}
}

// TestClosedLoopCountsFailures: errors and non-2xx are counted as in an
// open run, and the verdict leads with them.
func TestClosedLoopCountsFailures(t *testing.T) {
	var c concurrency
	var i atomic.Int64
	s := newServer(t, c.answer(0, func([]byte) int {
		if i.Add(1)%4 == 0 {
			return http.StatusInternalServerError
		}
		return http.StatusAccepted
	}))
	rep := run(t, s, WithRate(RateMax, 300*time.Millisecond), WithMaxInflight(3))
	checkClosed(t, rep, c.got.Load())
	if rep.Acked+rep.Dead != rep.Sent || rep.Statuses["500"] != rep.Dead || rep.Statuses["202"] != rep.Acked || rep.Dead == 0 {
		t.Errorf("sent %d, acked %d, dead %d, statuses %v", rep.Sent, rep.Acked, rep.Dead, rep.Statuses)
	}
	if v := rep.Verdict(); !strings.HasPrefix(v, "only ") || !strings.Contains(v, "answered 500; the receiver answered ") {
		t.Errorf("verdict %q", v)
	}
}

// TestClosedLoopRetries: a retry policy works as in an open run: each
// event failing once is retried and acknowledged.
func TestClosedLoopRetries(t *testing.T) {
	ci, err := delivery.ParsePreset("ci")
	if err != nil {
		t.Fatal(err)
	}
	var c concurrency
	var mu sync.Mutex
	seen := map[string]bool{}
	s := newServer(t, c.answer(0, func(body []byte) int {
		mu.Lock()
		defer mu.Unlock()
		if k := string(body); !seen[k] {
			seen[k] = true
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}))
	rep := run(t, s, WithRate(RateMax, 300*time.Millisecond), WithMaxInflight(4), WithPolicy(ci))
	checkClosed(t, rep, c.got.Load())
	if rep.Acked != rep.Sent || rep.Retries != rep.Sent || rep.Dead != 0 || rep.Pending != 0 {
		t.Errorf("sent %d, acked %d, retries %d, dead %d, pending %d", rep.Sent, rep.Acked, rep.Retries, rep.Dead, rep.Pending)
	}
	for id, n := range s.ids {
		if n != 2 {
			t.Fatalf("eventId %d delivered %d times", id, n)
		}
	}
}

// TestClosedLoopShardsAreDisjoint: shards of a closed loop, with different
// sender counts, never share an event id, and their merged report adds
// the rates up.
func TestClosedLoopShardsAreDisjoint(t *testing.T) {
	sc, err := scenarios.Load("residential-solar")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"mix", nil},
		{"scenario", []Option{WithScenario(sc)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c concurrency
			s := newServer(t, c.answer(0, nil))
			const count = 3
			reps := make([]*Report, count)
			var wg sync.WaitGroup
			for i := range count {
				wg.Add(1)
				go func() {
					defer wg.Done()
					opts := append([]Option{WithRate(RateMax, 300*time.Millisecond), WithSeed(9), WithShard(Shard{i, count}), WithMaxInflight(1 + 3*i)}, tc.opts...)
					rep, err := Run(context.Background(), s.target(t), opts...)
					if err != nil {
						t.Error(err)
						return
					}
					reps[i] = rep
				}()
			}
			wg.Wait()
			if t.Failed() {
				return
			}
			var sent int64
			var rates float64
			for _, r := range reps {
				sent += r.Sent
				rates += r.AchievedRate()
			}
			for id, n := range s.ids {
				if n != 1 {
					t.Fatalf("eventId %d sent %d times", id, n)
				}
			}
			if int64(len(s.ids)) != sent {
				t.Errorf("%d distinct ids for %d sends", len(s.ids), sent)
			}
			merged, err := Merge(reps...)
			if err != nil {
				t.Fatal(err)
			}
			checkClosed(t, merged, c.got.Load())
			if merged.MaxInflight != 1+4+7 || merged.Sent != sent {
				t.Errorf("merged: max in-flight %d, sent %d; want 12, %d", merged.MaxInflight, merged.Sent, sent)
			}
			// Windows are equal, so the merged rate is the shards' sum.
			if m := merged.AchievedRate(); m < rates*0.999 || m > rates*1.001 {
				t.Errorf("merged rate %v, the shards' add up to %v", m, rates)
			}
		})
	}
}

// TestClosedLoopReportRoundTrips: the JSON form keeps the closed loop
// (the text reads the same after it), load merge refuses to mix it with an
// open run, and the summary asks for no rate.
func TestClosedLoopReportRoundTrips(t *testing.T) {
	s := newServer(t, nil)
	rep := run(t, s, WithRate(RateMax, 200*time.Millisecond), WithMaxInflight(2), WithInterval(50*time.Millisecond))
	j, back := throughJSON(t, rep)
	var plain struct {
		ClosedLoop bool   `json:"closedLoop"`
		Stages     string `json:"stages"`
		Summary    struct {
			TargetRate   float64 `json:"targetRate"`
			AchievedRate float64 `json:"achievedRate"`
			Verdict      string  `json:"verdict"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(j, &plain); err != nil {
		t.Fatal(err)
	}
	if !plain.ClosedLoop || plain.Stages != "max:200ms" || plain.Summary.TargetRate != 0 || plain.Summary.AchievedRate <= 0 ||
		!strings.HasPrefix(plain.Summary.Verdict, "the receiver answered ") {
		t.Errorf("JSON: %+v", plain)
	}
	var page bytes.Buffer
	if err := back.WriteHTML(&page); err != nil || !strings.Contains(page.String(), "a closed loop: sent as fast as the receiver answered over 2 connections") {
		t.Errorf("HTML: %v", err)
	}

	open := run(t, s, WithRate(100, 200*time.Millisecond), WithShard(Shard{1, 2}), WithInterval(50*time.Millisecond))
	rep.Shards = []Shard{{0, 2}}
	if _, err := Merge(rep, open); err == nil || !strings.Contains(err.Error(), "closed loop") {
		t.Errorf("merging a closed loop with an open run: %v", err)
	}
}

// TestClosedLoopStopsWhenCancelled: Ctrl-C ends the loop early and the
// report covers what was sent, at the rate over the time it ran.
func TestClosedLoopStopsWhenCancelled(t *testing.T) {
	var c concurrency
	s := newServer(t, c.answer(time.Millisecond, nil))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for c.got.Load() < 50 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	rep, err := Run(ctx, s.target(t), WithRate(RateMax, time.Minute), WithMaxInflight(4))
	if err != nil {
		t.Fatal(err)
	}
	checkClosed(t, rep, c.got.Load())
	if !rep.Interrupted || rep.Window >= rep.Planned || rep.Sent < 50 {
		t.Errorf("interrupted %v, window %s of %s, sent %d", rep.Interrupted, time.Duration(rep.Window), time.Duration(rep.Planned), rep.Sent)
	}
	if v := rep.Verdict(); !strings.HasPrefix(v, "interrupted after ") || !strings.Contains(v, "the receiver answered") {
		t.Errorf("verdict %q", v)
	}
}

func TestClosedLoopOptions(t *testing.T) {
	s := newServer(t, nil)
	for _, tc := range []struct {
		name string
		opts []Option
		want string
	}{
		{"max lateness", []Option{WithRate(RateMax, time.Second), WithMaxLateness(time.Second)}, "max lateness does not apply to a closed loop"},
		{"no duration", []Option{WithRate(RateMax, 0)}, "duration 0s must be more than 0"},
		{"a stage at max", []Option{WithStages(Stage{RateMax, RateMax, time.Second})}, "rates must be 0.."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Run(context.Background(), s.target(t), tc.opts...); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
	if r, err := ParseRate(" MAX "); err != nil || r != RateMax || r.String() != "max" {
		t.Errorf("ParseRate(max) = %v, %v", r, err)
	}
	if _, err := ParseStages("0/s..max:1s"); err == nil || !strings.Contains(err.Error(), "a stage's rate cannot be max") {
		t.Errorf("ParseStages with max: %v", err)
	}
}
