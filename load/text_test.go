package load

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestTriggerTableSaysWhatItsLatencyIs: the per-trigger p50 and p99 are
// corrected latency of each trigger's sent events, while the run's
// corrected row also holds the slots dropped for lateness; the text says
// so under the table, so that a trigger's p50 beside the run's does not
// read as a contradiction. A closed loop's are plain latency.
func TestTriggerTableSaysWhatItsLatencyIs(t *testing.T) {
	for _, tc := range []struct {
		name       string
		dropped    int64
		closedLoop bool
		want       string
	}{
		{name: "nothing dropped", want: "(trigger p50, p99: corrected latency of the trigger's sent events that got an HTTP status)\n"},
		{name: "slots dropped", dropped: 3446, want: "(trigger p50, p99: corrected latency of the trigger's sent events that got an HTTP status; the 3446 slots dropped are only in the corrected row above)\n"},
		{name: "closed loop", closedLoop: true, want: "(trigger p50, p99: latency of the trigger's events that got an HTTP status)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Report{Version: ReportVersion, Scheduled: 10 + tc.dropped, Sent: 10, Acked: 10, Dropped: tc.dropped, DroppedLate: tc.dropped,
				ClosedLoop: tc.closedLoop, Stages: "10/s:1s", Interval: Duration(time.Second),
				Corrected: newHist(histDigits), Raw: newHist(histDigits), Lateness: newHist(histDigitsSmall),
				Statuses: map[string]int64{"200": 10}, Errors: map[string]int64{}, Triggers: map[string]*TriggerStats{}}
			r.Triggers["PROJECT_CREATED"] = &TriggerStats{Sent: 10, Acked: 10, Corrected: newHist(histDigitsSmall)}
			for range 10 {
				r.Corrected.record(3 * time.Millisecond)
				r.Raw.record(2 * time.Millisecond)
				r.Triggers["PROJECT_CREATED"].Corrected.record(3 * time.Millisecond)
			}
			var b bytes.Buffer
			if err := r.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			table, _, ok := strings.Cut(b.String()[strings.Index(b.String(), "Trigger"):], "\nVerdict")
			if !ok || !strings.HasSuffix(table, tc.want) {
				t.Errorf("the trigger table does not end with %q:\n%s", tc.want, b.String())
			}
		})
	}
}
