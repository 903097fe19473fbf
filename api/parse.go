package api

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

// ParseLatency reads a latency as WithLatency takes it: "" (none), a
// duration such as 200ms, or a range such as 50ms..300ms.
func ParseLatency(s string) (lo, hi time.Duration, err error) {
	if s == "" {
		return 0, 0, nil
	}
	a, b, isRange := strings.Cut(s, "..")
	if lo, err = time.ParseDuration(a); err != nil {
		return 0, 0, errors.New("want a duration such as 200ms, or a range such as 50ms..300ms")
	}
	hi = lo
	if isRange {
		if hi, err = time.ParseDuration(b); err != nil {
			return 0, 0, errors.New("want a range such as 50ms..300ms")
		}
	}
	return lo, hi, nil
}

// ParseQuota reads per-key limits as WithQuota takes them: off, or N/s and
// N/day separated by a comma, either alone (the other is then off).
func ParseQuota(s string) (perSecond, perDay int, err error) {
	if s == "off" {
		return 0, 0, nil
	}
	for _, part := range strings.Split(s, ",") {
		n, unit, ok := strings.Cut(strings.TrimSpace(part), "/")
		v, aerr := strconv.Atoi(n)
		switch {
		case !ok || aerr != nil || v < 1:
			return 0, 0, errors.New("want off, or limits such as 100/s,5000/day")
		case unit == "s":
			perSecond = v
		case unit == "day":
			perDay = v
		default:
			return 0, 0, fmt.Errorf("unit %q: want s or day", unit)
		}
	}
	return perSecond, perDay, nil
}

// ParseTime reads the world time the API answers as of: end (every event
// fired), start (before the first), or an RFC 3339 time.
func ParseTime(at string, tl *scenarios.Timeline) (time.Time, error) {
	switch at {
	case "end":
		return tl.End(), nil
	case "start":
		return tl.Start().Add(-time.Millisecond), nil
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return time.Time{}, errors.New("want end, start, or an RFC 3339 time such as 2026-03-31T17:04:22Z")
	}
	return t, nil
}

// RatesError is NewHandler's error when WithFailRate and WithRateLimit
// together would fault more than every call.
type RatesError struct{ Fail, Limit float64 }

func (e *RatesError) Error() string {
	return fmt.Sprintf("429 rate %v and fail rate %v add up to more than 1", e.Limit, e.Fail)
}
