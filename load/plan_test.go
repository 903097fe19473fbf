package load

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
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

// TestRefusedAlikeIsTheSetups: a run whose every request got the same
// 404/405/401/403, none acknowledged, fails as the setup's (a
// *delivery.RefusedError: exit 2) with verify's hint, which the verdict
// leads with, held to --min-success or not; any other failure is a
// finding.
func TestRefusedAlikeIsTheSetups(t *testing.T) {
	refused := func(st string, n int64) *Report {
		return &Report{Scheduled: n, Sent: n, Dead: n, Attempts: n, Statuses: map[string]int64{st: n}, Errors: map[string]int64{}}
	}
	for _, tc := range []struct {
		name       string
		rep        *Report
		minSuccess float64
		want       string // in the error
		refused    bool
	}{
		{name: "404 to every request", rep: refused("404", 20), minSuccess: 99, refused: true,
			want: "the receiver was not judged: every delivery was answered 404 Not Found: is --target the webhook's path?"},
		{name: "403 to every request", rep: refused("403", 20), minSuccess: 99, refused: true, want: "answered 403 Forbidden: does the receiver want a token"},
		{name: "404 with --min-success 0", rep: refused("404", 20), refused: true,
			want: "the receiver was not judged: every delivery was answered 404 Not Found: is --target the webhook's path?"},
		{name: "500 with --min-success 0", rep: refused("500", 20)},
		{name: "500 to every request", rep: refused("500", 20), minSuccess: 99, want: "0.00% of scheduled events acknowledged, below --min-success 99%"},
		{name: "one request", rep: refused("404", 1), minSuccess: 99, want: "below --min-success"},
		{name: "404 and an eof", rep: func() *Report {
			r := refused("404", 20)
			r.Statuses["404"], r.Errors["eof"] = 19, 1
			return r
		}(), minSuccess: 99, want: "below --min-success"},
		{name: "404 and an ack", rep: func() *Report {
			r := refused("404", 20)
			r.Statuses["404"], r.Statuses["200"], r.Acked, r.Dead = 19, 1, 1, 19
			return r
		}(), minSuccess: 99, want: "below --min-success"},
		{name: "interrupted", rep: func() *Report {
			r := refused("404", 20)
			r.Interrupted = true
			return r
		}(), minSuccess: 99, want: "interrupted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Plan{MinSuccess: tc.minSuccess}.Judge(tc.rep)
			var refused *delivery.RefusedError
			if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) || errors.As(err, &refused) != tc.refused {
				t.Fatalf("Judge: %v (%T); want an error with %q, refused alike %v", err, err, tc.want, tc.refused)
			}
			var text bytes.Buffer
			if err := tc.rep.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if v := tc.rep.Verdict(); strings.HasPrefix(v, "the receiver was not judged") != (tc.rep.RefusedAlike() != 0) {
				t.Errorf("verdict %q", v)
			}
			exit := "below --min-success 99%: exit status 2"
			if tc.minSuccess == 0 {
				exit = "acknowledged: 0 acked, 20 dead, 0 pending; exit status 2 whatever --min-success (the setup's: see the verdict)\n"
			}
			if tc.refused && !strings.Contains(text.String(), exit) {
				t.Errorf("the text report does not give the exit status 2:\n%s", text.String())
			}
		})
	}
}

// TestWarningsNameAnUnusedDeliveryBlock: load sends each event of a
// scenario once, in order, with --retry; a scenario file that asks for
// more (its delivery: block) is told so, once, with the flag to give for
// its retries.
func TestWarningsNameAnUnusedDeliveryBlock(t *testing.T) {
	dir := t.TempDir()
	file := func(name, block string) string {
		path := filepath.Join(dir, name+".yaml")
		src := "name: " + name + "\n" + block + "steps:\n  - createProject: {name: home, workflow: solar}\n"
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	roof := file("roof", "delivery:\n  retry: ci\n  duplicate: 0.3\n  reorder: 6\n")
	for _, tc := range []struct {
		name string
		plan Plan
		want string // "" for no warning
	}{
		{name: "a block, --retry not given", plan: Plan{Scenario: roof, Retry: "none"},
			want: "the scenario's delivery: block (retry ci, duplicate 0.3, reorder 6) is not used by load: each event is sent once, in its order, retried as --retry says (none); `scenario run` applies the block; for its retries give --retry ci"},
		{name: "--retry given as the block's", plan: Plan{Scenario: roof, Retry: "ci", Given: func(f string) bool { return f == "Retry" }},
			want: "the scenario's delivery: block (duplicate 0.3, reorder 6) is not used by load: each event is sent once, in its order, retried as --retry says (ci); `scenario run` applies the block"},
		{name: "--retry given otherwise", plan: Plan{Scenario: roof, Retry: "default", Given: func(f string) bool { return f == "Retry" }},
			want: "block (retry ci, duplicate 0.3, reorder 6) is not used by load: each event is sent once, in its order, retried as --retry says (default); `scenario run` applies the block"},
		{name: "a built-in scenario's block", plan: Plan{Scenario: "duplicate-delivery", Retry: "none"}, want: "block (retry ci, duplicate 1) is not used by load"},
		{name: "no block", plan: Plan{Scenario: file("plain", ""), Retry: "none"}},
		{name: "a block of defaults", plan: Plan{Scenario: file("defaults", "delivery:\n  retry: default\n"), Retry: "none"}},
		{name: "no scenario", plan: Plan{Retry: "none"}},
		{name: "a scenario that does not load", plan: Plan{Scenario: filepath.Join(dir, "missing.yaml"), Retry: "none"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := tc.plan.Warnings()
			switch {
			case tc.want == "" && len(ws) > 0:
				t.Errorf("warnings %q, want none", ws)
			case tc.want != "" && (len(ws) != 1 || !strings.Contains(ws[0], tc.want)):
				t.Errorf("warnings %q, want one with %q", ws, tc.want)
			}
		})
	}
}
