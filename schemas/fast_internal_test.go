package schemas

import (
	"testing"
	"time"
)

// plainDateTime answers for the library's date-time format and time.Parse
// only where both accept: each string it takes, they take, and at the same
// instant.
func TestPlainDateTime(t *testing.T) {
	cases := []struct {
		s     string
		plain bool
	}{
		{"2026-03-31T17:04:22.000Z", true},
		{"2026-03-31T17:04:22Z", true},
		{"2026-03-31T17:04:22.123456789123Z", true},
		{"2024-02-29T00:00:00Z", true},
		{"2000-02-29T23:59:59.5Z", true},
		{"2100-02-29T00:00:00Z", false},
		{"2026-04-31T00:00:00Z", false},
		{"2026-12-31T24:00:00Z", false},
		{"2026-12-31T23:60:00Z", false},
		{"2016-12-31T23:59:60Z", false}, // a leap second: the library decides
		{"0000-01-01T00:00:00Z", false},
		{"2026-03-31t17:04:22Z", false},
		{"2026-03-31T17:04:22z", false},
		{"2026-03-31T17:04:22.Z", false},
		{"2026-03-31T17:04:22+00:00", false},
		{"2026-03-31 17:04:22Z", false},
		{"2026-3-31T17:04:22Z", false},
		{"+026-03-31T17:04:22Z", false},
	}
	for _, tc := range cases {
		b := []byte(tc.s)
		if got := plainDateTime(b); got != tc.plain {
			t.Errorf("plainDateTime(%q) = %v, want %v", tc.s, got, tc.plain)
		}
		if !plainDateTime(b) {
			continue
		}
		if err := formatDateTime(tc.s); err != nil {
			t.Errorf("%q: plain, but the library's date-time format says %v", tc.s, err)
		}
		tm, err := time.Parse(time.RFC3339, tc.s)
		if err != nil || tm.Nanosecond() != nanos(b) {
			t.Errorf("%q: time.Parse %v, %v; nanos %d", tc.s, tm, err, nanos(b))
		}
	}
	for year := 1; year <= 2400; year++ {
		for month := 1; month <= 12; month++ {
			if want := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day(); daysIn(month, year) != want {
				t.Fatalf("daysIn(%d, %d) = %d, want %d", month, year, daysIn(month, year), want)
			}
		}
	}
}
