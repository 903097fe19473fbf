package scenarios

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// FuzzParseSpan: a scenario's durations and ranges ("wait: 2d..5d") parse
// to a span that starts no later than it ends, is at most a century on
// each side, reads back from its String, and draws within itself.
func FuzzParseSpan(f *testing.F) {
	for _, s := range []string{"90s", "15m", "3h", "2d", "1w", "1d12h", "2d..5d", "5d..2d", "-1h", "+0", "0", "1.5h", "..", "1e3s", "99999999999999999999w", "36500d..36500d", "1ms", "-36500d36499d..36500d36499d"} {
		f.Add(s)
	}
	const century = 100 * 365 * day
	f.Fuzz(func(t *testing.T, s string) {
		sp, err := parseSpan(s)
		if err != nil {
			if !strings.Contains(err.Error(), "duration") && !strings.Contains(err.Error(), "range") {
				t.Fatalf("%q: error %q names neither a duration nor a range", s, err)
			}
			return
		}
		if sp.hi < sp.lo || sp.lo < -century || sp.hi > century {
			t.Fatalf("%q parsed as %v..%v", s, sp.lo, sp.hi)
		}
		if d := sp.draw(rand.New(rand.NewPCG(1, 2))); d < sp.lo || d > sp.hi {
			t.Fatalf("%q drew %s", s, d)
		}
		again, err := parseSpan(sp.String())
		if err != nil || again.lo/time.Millisecond != sp.lo/time.Millisecond || again.hi/time.Millisecond != sp.hi/time.Millisecond {
			t.Fatalf("%q parsed as %s, which reads back as %v..%v, %v", s, sp, again.lo, again.hi, err)
		}
	})
}

// TestParseDurationCentury: a duration of several parts is bounded as a
// whole. Before, each part was checked against a century but the sum could
// reach two, and a span from minus two centuries to two drew with
// Int64N of an overflowed (negative) width, which panics.
func TestParseDurationCentury(t *testing.T) {
	for _, tc := range []struct{ name, in, err string }{
		{"a century", "36500d", ""},
		{"two parts past a century", "36500d36499d", `duration "36500d36499d" is longer than a century`},
		{"negative, two parts", "-36500d1d", `duration "-36500d1d" is longer than a century`},
		{"a range of two centuries each side", "-36500d36499d..36500d36499d", `duration "-36500d36499d" is longer than a century`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp, err := parseSpan(tc.in)
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				sp.draw(rand.New(rand.NewPCG(1, 2)))
				return
			}
			if err == nil || err.Error() != tc.err {
				t.Fatalf("parseSpan(%q): %v, want %q", tc.in, err, tc.err)
			}
		})
	}
}
