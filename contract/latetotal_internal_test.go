package contract

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The run-wide count of late deliveries (Target.MaxLateTotal) stops a
// receiver late some of the time, which the count in a row never does, and
// counts as that one does: one wait per deadline waited out one after
// another, whatever ran alongside.
func TestNoteAnswerLateTotal(t *testing.T) {
	const deadline = time.Second // testRun's
	late, inTime := 1500*time.Millisecond, 10*time.Millisecond
	// one after another: each delivery starts when the one before ended.
	oneAfterAnother := func(took ...time.Duration) []sent {
		at := time.Now()
		var out []sent
		for _, d := range took {
			s := lateSent(at, d, nil)
			out = append(out, s)
			at = s.at
		}
		return out
	}
	every := func(n, of int) []time.Duration {
		var out []time.Duration
		for i := 1; i <= of; i++ {
			if i%n == 0 {
				out = append(out, late)
			} else {
				out = append(out, inTime)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name      string
		sent      func() []sent
		wantTotal int
		wantHung  bool
	}{
		{
			name:      "every 2nd late",
			sent:      func() []sent { return oneAfterAnother(every(2, 2*DefaultMaxLateTotal)...) },
			wantTotal: DefaultMaxLateTotal, wantHung: true,
		},
		{
			name:      "every 4th late, not yet the total",
			sent:      func() []sent { return oneAfterAnother(every(4, 4*(DefaultMaxLateTotal-1))...) },
			wantTotal: DefaultMaxLateTotal - 1,
		},
		{
			// A burst sent at once and answered late together is one wait.
			name: "one slow burst",
			sent: func() []sent {
				t0 := time.Now()
				var out []sent
				for i := range 50 {
					out = append(out, lateSent(t0, late+time.Duration(i)*time.Millisecond, nil))
				}
				return out
			},
			wantTotal: 1,
		},
		{
			// Late deliveries under way together, on lanes that also get
			// answers in time (which start the count in a row again): the
			// total still counts one wait per deadline, not one per lane.
			name: "16 lanes, every 2nd late on each",
			sent: func() []sent {
				t0 := time.Now()
				var out []sent
				for lane := range 16 {
					at := t0.Add(time.Duration(lane) * time.Millisecond)
					for _, d := range every(2, 8) {
						s := lateSent(at, d, nil)
						out = append(out, s)
						at = s.at
					}
				}
				slices.SortFunc(out, func(a, b sent) int { return a.at.Compare(b.at) }) // as the run notes them
				return out
			},
			wantTotal: 4,
		},
		{
			name:      "slow, within the deadline",
			sent:      func() []sent { return oneAfterAnother(repeat(deadline*9/10, 4*DefaultMaxLateTotal)...) },
			wantTotal: 0,
		},
		{
			name:      "no answer at all, in time or not",
			sent:      func() []sent { return oneAfterAnother(repeat(late, DefaultMaxLateTotal)...) },
			wantTotal: DefaultMaxLateTotal, wantHung: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testRun(nil, deadline)
			for _, s := range tc.sent() {
				r.noteAnswer(s)
			}
			if r.lateTotal != tc.wantTotal || r.hung() != tc.wantHung {
				t.Errorf("counted %d late in all (hung %v), want %d (hung %v)", r.lateTotal, r.hung(), tc.wantTotal, tc.wantHung)
			}
			if tc.wantHung && r.trippedTotal.at.IsZero() {
				t.Error("no delivery is named as the one that tripped the stop")
			}
			if len(r.recentLate) > recentShown {
				t.Errorf("keeps %d of the latest late deliveries, want at most %d", len(r.recentLate), recentShown)
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// A Target without MaxLateTotal takes the default, or MaxLate when that is
// more: raising the count in a row alone must not leave a lower total to
// stop the run first.
func TestMaxLateTotalDefault(t *testing.T) {
	for _, tc := range []struct {
		name              string
		maxLate, maxTotal int
		wantTotal         int
		wantErr           string
	}{
		{name: "defaults", wantTotal: DefaultMaxLateTotal},
		{name: "--max-late raised past it", maxLate: 40, wantTotal: 40},
		{name: "--max-late lowered", maxLate: 3, wantTotal: DefaultMaxLateTotal},
		{name: "given below --max-late", maxLate: 8, maxTotal: 5, wantTotal: 5},
		{name: "negative", maxTotal: -1, wantErr: "MaxLateTotal -1: want 1 or more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Target{URL: "http://127.0.0.1:1/hook", MaxLate: tc.maxLate, MaxLateTotal: tc.maxTotal}.withDefaults()
			switch {
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %v, want %q", err, tc.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			case got.MaxLateTotal != tc.wantTotal:
				t.Errorf("MaxLateTotal %d, want %d", got.MaxLateTotal, tc.wantTotal)
			}
		})
	}
}
