package scenarios

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Durations in scenario files are Go's (90s, 15m, 3h) plus days and weeks
// (2d, 1w, 1d12h), because a project's life is measured in days and
// time.ParseDuration stops at hours. A span is a duration or a range
// "lo..hi" drawn uniformly from the seed, at millisecond resolution.

const (
	day  = 24 * time.Hour
	week = 7 * day
)

var durationUnits = []struct {
	name string
	d    time.Duration
}{
	// Longest names first, so "ms" is not read as "m" then "s".
	{"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}, {"d", day}, {"w", week},
}

func parseDuration(s string) (time.Duration, error) {
	orig := s
	s = strings.TrimSpace(s)
	neg := false
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		neg, s = true, rest
	} else {
		s = strings.TrimPrefix(s, "+")
	}
	if s == "0" {
		return 0, nil
	}
	if s == "" {
		return 0, fmt.Errorf("duration %q is empty (want something like 90s, 15m, 3h, 2d or 1w)", orig)
	}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("duration %q: want a number before each unit (like 90s, 15m, 3h, 2d or 1w)", orig)
		}
		n, err := strconv.ParseFloat(s[:i], 64)
		if err != nil {
			return 0, fmt.Errorf("duration %q: %q isn't a number", orig, s[:i])
		}
		s = s[i:]
		unit := time.Duration(0)
		for _, u := range durationUnits {
			if strings.HasPrefix(s, u.name) {
				unit, s = u.d, s[len(u.name):]
				break
			}
		}
		if unit == 0 {
			return 0, fmt.Errorf("duration %q: unit missing or unknown (want ms, s, m, h, d or w)", orig)
		}
		part := n * float64(unit)
		// The sum is bounded, not each part: a span of two centuries each
		// side would overflow its width.
		if part > float64(100*365*day) || total+time.Duration(part) > 100*365*day {
			return 0, fmt.Errorf("duration %q is longer than a century", orig)
		}
		total += time.Duration(part)
	}
	if neg {
		total = -total
	}
	return total, nil
}

// span is a fixed duration (lo == hi) or a range to draw from.
type span struct {
	lo, hi time.Duration
	set    bool
}

func fixed(d time.Duration) span        { return span{d, d, true} }
func between(lo, hi time.Duration) span { return span{lo, hi, true} }

func parseSpan(s string) (span, error) {
	a, b, isRange := strings.Cut(s, "..")
	lo, err := parseDuration(a)
	if err != nil {
		return span{}, err
	}
	if !isRange {
		return fixed(lo), nil
	}
	hi, err := parseDuration(b)
	if err != nil {
		return span{}, err
	}
	if hi < lo {
		return span{}, fmt.Errorf("range %q ends before it starts", s)
	}
	return between(lo, hi), nil
}

func (s span) draw(r *rand.Rand) time.Duration {
	if s.hi <= s.lo {
		return s.lo
	}
	ms := int64((s.hi - s.lo) / time.Millisecond)
	return s.lo + time.Duration(r.Int64N(ms+1))*time.Millisecond
}

func (s span) String() string {
	if s.lo == s.hi {
		return formatDuration(s.lo)
	}
	return formatDuration(s.lo) + ".." + formatDuration(s.hi)
}

// formatDuration writes d in the units parseDuration reads, largest first.
func formatDuration(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	for i := len(durationUnits) - 1; i >= 0; i-- {
		u := durationUnits[i]
		if n := d / u.d; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.d
		}
	}
	return b.String()
}
