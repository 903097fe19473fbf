package api

import (
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

func TestOverQuotaPerSecond(t *testing.T) {
	h, err := NewHandler(scenarios.NewTimeline(), WithQuota(3, 0))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)
	for i, c := range []struct {
		at   time.Duration
		wait time.Duration
	}{
		{0, 0}, {100 * time.Millisecond, 0}, {200 * time.Millisecond, 0},
		{300 * time.Millisecond, 700 * time.Millisecond}, // the 4th within a second waits for the 1st to age out
		{1000 * time.Millisecond, 0},                     // the 1st has aged out
		{1050 * time.Millisecond, 50 * time.Millisecond}, // the 2nd ages out at 1.1s
	} {
		wait, which := h.overQuota(t0.Add(c.at))
		if wait != c.wait {
			t.Errorf("call %d at +%s: wait %s (%s), want %s", i+1, c.at, wait, which, c.wait)
		}
	}
}

// A 429's message says whose limit it is: the default's, from Coperniq's
// API docs, or the one the mock was given.
func TestQuotaWords(t *testing.T) {
	for _, c := range []struct {
		name    string
		n, def  int
		says    string
		saysNot string
	}{
		{"the default", DefaultPerSecond, DefaultPerSecond, "the mock's default: the limit Coperniq's API docs give", "was given"},
		{"given", 3, DefaultPerSecond, "the limit the mock was given", "Coperniq's API docs"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := quotaWords(c.n, c.def, "a second")
			if !strings.Contains(got, c.says) || strings.Contains(got, c.saysNot) {
				t.Errorf("%q: want %q, not %q", got, c.says, c.saysNot)
			}
		})
	}
}
