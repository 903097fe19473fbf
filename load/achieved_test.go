package load

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestAchievedRateCountsOnlyTheWindow runs a receiver that takes half the
// asked rate, with a lateness allowance long enough that every slot is
// still sent, most after the window has ended. The achieved rate must be
// what the receiver saw within the window, not every send over the window.
func TestAchievedRateCountsOnlyTheWindow(t *testing.T) {
	// Two workers at 10 ms each carry about 200/s of the 400/s asked.
	s := newServer(t, func([]byte) int { time.Sleep(10 * time.Millisecond); return 200 })
	rep := run(t, s, WithRate(400, time.Second), WithMaxInflight(2), WithMaxLateness(5*time.Second))
	if rep.Dropped != 0 || rep.Sent != rep.Scheduled {
		t.Fatalf("sent %d of %d, dropped %d: the allowance should let every slot be sent", rep.Sent, rep.Scheduled, rep.Dropped)
	}
	if rep.SentAfterWindow < rep.Sent/4 {
		t.Fatalf("%d of %d sends after the window: the receiver should have held back at least a quarter", rep.SentAfterWindow, rep.Sent)
	}

	// What the receiver got by the window's end (and the on-time allowance).
	end := rep.Started.Add(time.Duration(rep.Window) + time.Duration(rep.LateAfter))
	s.mu.Lock()
	var arrived int
	for _, at := range s.arrivals {
		if !at.After(end) {
			arrived++
		}
	}
	s.mu.Unlock()
	inWindow := rep.Sent - rep.SentAfterWindow
	// A send that started just before the end may arrive just after it.
	if d := inWindow - int64(arrived); d < 0 || d > 2 {
		t.Errorf("the report counts %d sends within the window, the receiver got %d by its end", inWindow, arrived)
	}
	if got, want := rep.AchievedRate(), float64(inWindow)/time.Duration(rep.Window).Seconds(); got != want {
		t.Errorf("achieved %.1f/s, want %.1f/s (%d sends within %s)", got, want, inWindow, time.Duration(rep.Window))
	}
	if pct(rep.AchievedRate(), rep.TargetRate()) > 80 {
		t.Errorf("achieved %.1f/s of %.1f/s: a receiver that takes about half should not pass for more than 80%%", rep.AchievedRate(), rep.TargetRate())
	}
	th, err := ParseThreshold("achieved>=99%")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Check(th); rep.Thresholds[0].Passed {
		t.Errorf("achieved>=99%% passed at %.1f/s of %.1f/s", rep.AchievedRate(), rep.TargetRate())
	}

	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%d sends started after it", rep.SentAfterWindow); !strings.Contains(text.String(), want) {
		t.Errorf("text does not say %q:\n%s", want, text.String())
	}
}

// TestSentAfterWindowSurvivesMergeAndJSON: a merged report's achieved rate
// leaves out every shard's sends after the window (each shard read back
// from JSON), and so does the merged report read back.
func TestSentAfterWindowSurvivesMergeAndJSON(t *testing.T) {
	s := newServer(t, func([]byte) int { time.Sleep(10 * time.Millisecond); return 200 })
	shards := runShards(t, s, 2, func(int) []Option {
		return []Option{WithRate(400, time.Second), WithMaxInflight(1), WithMaxLateness(5 * time.Second)}
	})
	if t.Failed() {
		return
	}
	merged, err := Merge(shards...)
	if err != nil {
		t.Fatal(err)
	}
	if want := shards[0].SentAfterWindow + shards[1].SentAfterWindow; merged.SentAfterWindow != want || want == 0 {
		t.Errorf("merged report has %d sends after the window, the shards %d and %d", merged.SentAfterWindow, shards[0].SentAfterWindow, shards[1].SentAfterWindow)
	}
	if got, want := merged.AchievedRate(), float64(merged.Sent-merged.SentAfterWindow)/time.Duration(merged.Window).Seconds(); got != want {
		t.Errorf("merged achieved %.1f/s, want %.1f/s", got, want)
	}

	var buf bytes.Buffer
	if err := merged.EncodeJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := DecodeReport(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if back.SentAfterWindow != merged.SentAfterWindow || back.AchievedRate() != merged.AchievedRate() {
		t.Errorf("read back: %d after the window, %.1f/s; written: %d, %.1f/s", back.SentAfterWindow, back.AchievedRate(), merged.SentAfterWindow, merged.AchievedRate())
	}
}
