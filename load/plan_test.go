package load

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

func TestPlanErrorsNameTheField(t *testing.T) {
	ok := Plan{Rate: "10/s", Duration: time.Second, Profile: "realistic", Retry: "none", Timeout: time.Second,
		MaxInflight: 4, MaxLateness: time.Second, Shard: "0/1", MinSuccess: 99}
	flag := func(f string) string { return "--" + strings.ToLower(f) }
	for _, tc := range []struct {
		name  string
		edit  func(p *Plan)
		field string
		named string // the error with fields named by flag
	}{
		{"stages and rate", func(p *Plan) { p.Stages = "1/s:1s" }, "Stages", "--stages replaces --rate and --duration: give one or the other"},
		{"neither", func(p *Plan) { p.Rate = "" }, "Rate", "give --rate (like 500/s) and --duration, or --stages"},
		{"bad duration", func(p *Plan) { p.Duration = 0 }, "Duration", "--duration: duration 0s must be more than 0"},
		{"scenario and mix", func(p *Plan) { p.Scenario, p.Mix = "request-won", "PROJECT_CREATED=1" }, "Scenario", "--scenario drives its own triggers"},
		{"retry typo", func(p *Plan) { p.Retry = "defualt" }, "Retry", `--retry "defualt" isn't one of [`},
		{"timeout", func(p *Plan) { p.Timeout = 0 }, "Timeout", "--timeout: timeout 0s must be more than 0"},
		{"shard without seed", func(p *Plan) { p.Shard = "0/2" }, "Shard", "--shard needs --seed"},
		{"same files", func(p *Plan) { p.Out, p.HTML = "r", "r" }, "Out", "--out and --html both name r"},
		{"min success", func(p *Plan) { p.MinSuccess = 101 }, "MinSuccess", "--minsuccess 101 must be 0..100 (percent)"},
		{"threshold", func(p *Plan) { p.Thresholds = []string{"p99<<1"} }, "Thresholds", "--thresholds: "},
		{"max and stages", func(p *Plan) { p.Rate, p.Stages = "max", "1/s:1s" }, "Stages", "--stages does not apply to --rate max: a closed loop follows no load profile"},
		{"max and max lateness", func(p *Plan) {
			p.Rate, p.Given = "max", func(f string) bool { return f == "MaxLateness" }
		}, "MaxLateness", "--maxlateness does not apply to --rate max: a closed loop schedules nothing"},
		{"max and achieved", func(p *Plan) { p.Rate, p.Thresholds = "max", []string{"p99<1s", "achieved>=99%"} }, "Thresholds", "--thresholds achieved>=99% does not apply to a closed loop (rate max)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ok
			tc.edit(&p)
			_, err := p.Options()
			var pe *schemas.FieldError
			if !errors.As(err, &pe) {
				t.Fatalf("err %v, want a *schemas.FieldError", err)
			}
			if pe.Field != tc.field || !strings.HasPrefix(pe.Named(flag), tc.named) {
				t.Errorf("field %s, %q; want %s, %q...", pe.Field, pe.Named(flag), tc.field, tc.named)
			}
		})
	}
	if _, err := ok.Options(); err != nil {
		t.Fatalf("a good plan: %v", err)
	}
	closed := ok
	closed.Rate, closed.Thresholds, closed.Retry, closed.Shard, closed.Seed = "max", []string{"p99<1s", "success>=99%"}, "ci", "1/2", 7
	closed.Given = func(f string) bool { return f == "Seed" }
	if _, err := closed.Options(); err != nil {
		t.Fatalf("a good closed loop: %v", err)
	}
}

func TestJudgeHoldsTheReportToThePlan(t *testing.T) {
	p := Plan{MinSuccess: 50, Thresholds: []string{"success>=99%"}}
	rep := &Report{Scheduled: 10, Acked: 6}
	err := p.Judge(rep)
	if err == nil || !strings.Contains(err.Error(), "threshold failed: success>=99%") {
		t.Fatalf("Judge: %v, want the failed threshold", err)
	}
	if rep.MinSuccess == nil || *rep.MinSuccess != 50 {
		t.Errorf("MinSuccess %v, want 50 recorded in the report", rep.MinSuccess)
	}
	if err := (Plan{}).Judge(&Report{Scheduled: 10, Acked: 10}); err != nil {
		t.Errorf("a run with no pass marks: %v", err)
	}
	if err := (Plan{}).Judge(&Report{Interrupted: true}); err == nil || !strings.HasPrefix(err.Error(), "interrupted") {
		t.Errorf("an interrupted run: %v", err)
	}
}
