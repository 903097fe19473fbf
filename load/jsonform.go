package load

import (
	"encoding/json"
	"time"
)

// The JSON form of a report (load --out, documented in
// docs/reports/load-report.md) keeps its durations as Go strings ("1m30s"),
// which load merge reads back, and writes each again as a number with the
// unit in the key, for jq and dashboards. The numbers are written only:
// reading a report back uses the strings, so files written before the
// numbers existed still merge.

// DurationFigures are a report's durations in plain numbers, part of
// Headline.
type DurationFigures struct {
	PlannedSeconds  float64 `json:"plannedSeconds"`
	WindowSeconds   float64 `json:"windowSeconds"`
	ElapsedSeconds  float64 `json:"elapsedSeconds"`
	IntervalSeconds float64 `json:"intervalSeconds"`
	TimeoutMs       float64 `json:"timeoutMs"`
	MaxLatenessMs   float64 `json:"maxLatenessMs"`
	LateAfterMs     float64 `json:"lateAfterMs"`
	// TriggersCorrectedMs are each trigger's corrected latency
	// percentiles ("p50", "p90", "p99", "p99.9", "max").
	TriggersCorrectedMs map[string]map[string]float64 `json:"triggersCorrectedMs"`
}

func (r *Report) durationFigures() DurationFigures {
	f := DurationFigures{
		PlannedSeconds:      time.Duration(r.Planned).Seconds(),
		WindowSeconds:       time.Duration(r.Window).Seconds(),
		ElapsedSeconds:      time.Duration(r.Elapsed).Seconds(),
		IntervalSeconds:     time.Duration(r.Interval).Seconds(),
		TimeoutMs:           ms(time.Duration(r.Timeout)),
		MaxLatenessMs:       ms(time.Duration(r.MaxLateness)),
		LateAfterMs:         ms(time.Duration(r.LateAfter)),
		TriggersCorrectedMs: map[string]map[string]float64{},
	}
	for k, t := range r.Triggers {
		if t == nil || t.Corrected == nil {
			continue
		}
		m := map[string]float64{"max": ms(t.Corrected.within(r.Corrected, 100))}
		for _, q := range quantiles {
			m[q.name] = ms(t.Corrected.within(r.Corrected, q.q))
		}
		f.TriggersCorrectedMs[k] = m
	}
	return f
}

// MarshalJSON writes a timeline point with its start in seconds
// (atSeconds) beside the string.
func (p Point) MarshalJSON() ([]byte, error) {
	type plain Point
	return json.Marshal(struct {
		plain
		AtSeconds float64 `json:"atSeconds"`
	}{plain(p), time.Duration(p.At).Seconds()})
}
