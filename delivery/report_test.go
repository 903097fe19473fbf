package delivery

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestWriteReport(t *testing.T) {
	for name, tc := range map[string]struct {
		o    Outcome
		want []string
		not  []string
	}{
		"all acked": {
			o: Outcome{Events: 2, Acked: 2, Attempts: 3, Retried: 1, LatencyP50: 1234567 * time.Nanosecond,
				Triggers: map[string]Counts{"PROJECT_CREATED": {Events: 2, Acked: 2}}},
			want: []string{"retried 1, attempts 3, duplicates 0", "latency p50 1.23ms,", "  TRIGGER          EVENTS   ACKED    DEAD\n", "  PROJECT_CREATED       2       2       0\n"},
			not:  []string{"PENDING"},
		},
		"pending, unknown key escaped": {
			o:    Outcome{Events: 2, Acked: 1, Pending: 1, Triggers: map[string]Counts{"PROJECT_CREATED": {Events: 1, Acked: 1}, "X\x1bY": {Events: 1, Pending: 1}}},
			want: []string{"PENDING", `X\x1bY`},
		},
	} {
		var b strings.Builder
		tc.o.WriteReport(&b)
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s: missing %q in:\n%s", name, w, b.String())
			}
		}
		for _, w := range tc.not {
			if strings.Contains(b.String(), w) {
				t.Errorf("%s: unexpected %q in:\n%s", name, w, b.String())
			}
		}
	}
}

// runOf is a consistent Outcome of one event a state, one attempt each.
func runOf(states ...State) *Outcome {
	o := &Outcome{Triggers: map[string]Counts{}, Statuses: map[int]int{}}
	c := Counts{}
	for _, st := range states {
		o.Events++
		c.Events++
		o.Attempts++
		o.Results = append(o.Results, EventResult{State: st, Attempts: 1})
		switch st {
		case StateAcked:
			o.Acked++
			c.Acked++
			o.Statuses[200]++
		case StateDead:
			o.Dead++
			c.Dead++
			o.Statuses[500]++
		}
	}
	o.Triggers["A"] = c
	return o
}

func TestVerdictLogged(t *testing.T) {
	dead := runOf(StateAcked, StateDead)
	if err := dead.VerdictLogged(nil, "run.jsonl"); err == nil || !errors.Is(err, ErrDead) || !strings.Contains(err.Error(), "'coperniq-mock replay run.jsonl --target URL'") {
		t.Errorf("with a log: %v", err)
	}
	if err := dead.VerdictLogged(nil, ""); err == nil || !strings.Contains(err.Error(), "run with --log FILE") {
		t.Errorf("without a log: %v", err)
	}
	ok := runOf(StateAcked)
	if err := ok.VerdictLogged(nil, "run.jsonl"); err != nil {
		t.Errorf("all acked: %v", err)
	}
	if err := ok.VerdictLogged(errors.New("boom"), ""); err == nil || strings.Contains(err.Error(), "replay") {
		t.Errorf("run error: %v", err)
	}
}
