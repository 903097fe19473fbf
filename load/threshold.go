package load

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Threshold is a pass mark on a run's figures, written as k6 writes them:
// p99<50ms, p99.9<=200ms, max<1s, raw.p99<10ms, success>=99.9%,
// achieved>=99%. Latency is corrected unless the metric says raw.
type Threshold struct {
	Expr   string // as written, spaces removed
	metric string // p99, max, success, achieved
	q      float64
	raw    bool
	op     string
	limit  float64 // seconds for latency, percent otherwise
}

// ThresholdMetrics lists the metrics a threshold may name, for help text.
const ThresholdMetrics = "pNN (p50, p99, p99.9...), max, raw.pNN, raw.max (latency, corrected unless raw.), success (% of scheduled events acknowledged), achieved (% of the target rate)"

var thresholdOps = []string{"<=", ">=", "<", ">"}

// ParseThreshold reads a threshold such as p99<50ms or success>=99.9%.
func ParseThreshold(s string) (Threshold, error) {
	expr := strings.ReplaceAll(s, " ", "")
	t := Threshold{Expr: expr}
	at := -1
	for _, op := range thresholdOps {
		if i := strings.Index(expr, op); i > 0 && (at < 0 || i < at) {
			at, t.op = i, op
		}
	}
	if at < 0 {
		return t, fmt.Errorf("threshold %q: want METRIC OP VALUE, like p99<50ms or success>=99.9%% (operators %s)", s, strings.Join(thresholdOps, " "))
	}
	name, value := expr[:at], expr[at+len(t.op):]
	name, t.raw = strings.CutPrefix(name, "raw.")
	if !t.raw {
		name = strings.TrimPrefix(name, "corrected.")
	}
	switch {
	case name == "max":
		t.metric = name
	case strings.HasPrefix(name, "p"):
		q, err := strconv.ParseFloat(name[1:], 64)
		if err != nil || q <= 0 || q > 100 {
			return t, fmt.Errorf("threshold %q: percentile %q must be p followed by 0..100, like p99 or p99.9", s, name)
		}
		t.metric, t.q = "p", q
	case (name == "success" || name == "achieved") && !t.raw:
		t.metric = name
		v, ok := strings.CutSuffix(value, "%")
		f, err := strconv.ParseFloat(v, 64)
		if !ok || err != nil || f < 0 || f > 100 {
			return t, fmt.Errorf("threshold %q: %s takes a percentage, like %s>=99.9%%", s, name, name)
		}
		t.limit = f
		return t, nil
	default:
		return t, fmt.Errorf("threshold %q: metric %q isn't one of %s", s, name, ThresholdMetrics)
	}
	d, err := time.ParseDuration(value)
	if err != nil || d < 0 {
		return t, fmt.Errorf("threshold %q: latency limit %q must be a duration, like 50ms", s, value)
	}
	t.limit = d.Seconds()
	return t, nil
}

// String is the threshold as written.
func (t Threshold) String() string { return t.Expr }

// ThresholdResult is a threshold held against a report.
type ThresholdResult struct {
	Threshold string `json:"threshold"`
	// Actual is the figure compared, as shown ("1.2ms", "99.95%"); Value
	// is the same in seconds (latency) or percent.
	Actual string  `json:"actual"`
	Value  float64 `json:"value"`
	Passed bool    `json:"passed"`
}

// Check holds r to ts, recording each result in r.Thresholds (replacing
// earlier ones); Passed then includes them.
func (r *Report) Check(ts ...Threshold) {
	r.Thresholds = nil
	for _, t := range ts {
		var v float64
		var shown string
		switch t.metric {
		case "success":
			v = 100 * r.SuccessRatio()
			shown = strconv.FormatFloat(v, 'f', 2, 64) + "%"
		case "achieved":
			v = pct(r.AchievedRate(), r.TargetRate())
			shown = strconv.FormatFloat(v, 'f', 2, 64) + "%"
		default:
			h := r.Corrected
			if t.raw {
				h = r.Raw
			}
			d := h.Max()
			if t.metric == "p" {
				d = h.Quantile(t.q)
			}
			v, shown = d.Seconds(), fmtLat(d)
		}
		var ok bool
		switch t.op {
		case "<":
			ok = v < t.limit
		case "<=":
			ok = v <= t.limit
		case ">":
			ok = v > t.limit
		case ">=":
			ok = v >= t.limit
		}
		r.Thresholds = append(r.Thresholds, ThresholdResult{Threshold: t.Expr, Actual: shown, Value: v, Passed: ok})
	}
}

// FailedThresholds lists the thresholds r did not meet, as written.
func (r *Report) FailedThresholds() []string {
	var out []string
	for _, t := range r.Thresholds {
		if !t.Passed {
			out = append(out, t.Threshold)
		}
	}
	return out
}
