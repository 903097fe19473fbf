package load

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// A trigger's histogram keeps two significant digits, the run's three: a
// trigger's max read from its own histogram can exceed the run's (22.527
// against 22.479 ms in a user's report). Every figure shown is held to
// the run's.
func TestTriggerFiguresStayWithinTheRun(t *testing.T) {
	r := &Report{Corrected: newHist(histDigits), Raw: newHist(histDigits),
		Triggers: map[string]*TriggerStats{"TASK_CREATED": {Sent: 3, Acked: 3, Corrected: newHist(histDigitsSmall)}}}
	for _, d := range []time.Duration{900 * time.Microsecond, 5 * time.Millisecond, 22479 * time.Microsecond} {
		r.Corrected.record(d)
		r.Raw.record(d)
		r.Triggers["TASK_CREATED"].Corrected.record(d)
	}
	own, run := r.Triggers["TASK_CREATED"].Corrected.Max(), r.Corrected.Max()
	if own <= run {
		t.Fatalf("the trigger's own max %v is not above the run's %v: the test shows nothing", own, run)
	}
	fig := r.durationFigures().TriggersCorrectedMs["TASK_CREATED"]
	for name, v := range fig {
		if v > ms(run) {
			t.Errorf("trigger %s %.3f ms is above the run's max %.3f ms", name, v, ms(run))
		}
	}
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if bad := fmtLat(own); strings.Contains(text.String(), bad) && !strings.Contains(fmtLat(run), bad) {
		t.Errorf("the text shows the trigger's %s:\n%s", bad, text.String())
	}
}
