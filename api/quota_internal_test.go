package api

import (
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
