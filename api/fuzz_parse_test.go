package api_test

import (
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/api"
)

// FuzzParseConfig: --latency, --quota and --at of the api command parse to
// values the handler takes, or to an error Config.Options reports against
// the field; never a panic.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{"", "200ms", "50ms..300ms", "300ms..50ms", "-1s", "..", "off", "100/s,5000/day", "0/s", "5/min", "end", "start", "2026-03-31T17:04:22Z", "2026-13-31T25:04:22Z", "1/s,2/s"} {
		f.Add(s)
	}
	tl, _ := world(f)
	f.Fuzz(func(t *testing.T, s string) {
		if lo, hi, err := api.ParseLatency(s); err == nil {
			if _, err := api.NewHandler(tl, api.WithLatency(lo, hi)); err != nil && (lo >= 0 && hi >= lo) {
				t.Fatalf("latency %q parsed as %s..%s, which the handler refuses: %v", s, lo, hi, err)
			}
		}
		if ps, pd, err := api.ParseQuota(s); err == nil {
			if ps < 0 || pd < 0 {
				t.Fatalf("quota %q parsed as %d/s, %d/day", s, ps, pd)
			}
			if _, err := api.NewHandler(tl, api.WithQuota(ps, pd)); err != nil {
				t.Fatalf("quota %q parsed as %d/s, %d/day, which the handler refuses: %v", s, ps, pd, err)
			}
		}
		if at, err := api.ParseTime(s, tl); err == nil && at.IsZero() && s != "0001-01-01T00:00:00Z" {
			t.Fatalf("time %q parsed as the zero time", s)
		}
		// Config.Options puts each field's error against its name.
		_, _ = api.Config{Latency: s, Quota: s, RetryAfter: time.Second}.Options(1)
	})
}
