package contract

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

func TestVerdict(t *testing.T) {
	stateSkip := SkipNote{Group: GroupState, Reason: "needs a state hook", Specs: 33}
	cases := []struct {
		name     string
		f        Findings
		exit     int
		message  string
		filtered bool
	}{
		{name: "passed with skips", f: Findings{Succeeded: true, Passed: 105, Skipped: 33, Skips: []SkipNote{stateSkip}},
			exit: 0, message: "PASS: 105 specs passed, 33 skipped"},
		{name: "passed, filtered", f: Findings{Succeeded: true, Passed: 3, NotSelected: 138}, filtered: true,
			exit: 0, message: "PASS: 3 specs passed, 0 skipped, 138 not selected"},
		{name: "nothing selected", f: Findings{Succeeded: true, NotSelected: 141}, filtered: true,
			exit: 2, message: "--focus/--skip selected no spec"},
		{name: "every selected spec skipped", f: Findings{Succeeded: true, Skipped: 36, NotSelected: 105, Skips: []SkipNote{{Group: GroupToken, Reason: SkipNoToken, Specs: 3}, stateSkip}}, filtered: true,
			exit: 2, message: "the receiver was not judged: no selected spec ran, 36 specs skipped: token in the URL (3): " + SkipNoToken + "; final state (33): needs a state hook"},
		{name: "interrupted", f: Findings{Passed: 114, Skipped: 27, NotRun: 24, Interrupted: "Interrupted by User"},
			exit: 2, message: "the receiver was not judged: interrupted after 117 of 141 specs (114 passed, 0 failed, 3 skipped before the interruption; 24 not run)"},
		{name: "interrupted before any spec ended", f: Findings{Skipped: 5, NotRun: 5, NotSelected: 136, Interrupted: "Interrupted by User"}, filtered: true,
			exit: 2, message: "the receiver was not judged: interrupted after 0 of 5 specs (0 passed, 0 failed before the interruption; 5 not run)"},
		{name: "interrupted before the suite reported a spec", f: Findings{Interrupted: "SIGTERM", SuiteFailures: []string{"ReportBeforeSuite: Interrupted by User"}}, filtered: true,
			exit: 2, message: "the receiver was not judged: interrupted before any spec ran"},
		{name: "interrupted after a failure", f: Findings{Passed: 10, Failed: 2, Skipped: 4, NotRun: 4, Interrupted: "Interrupted by User"},
			exit: 1, message: "the receiver breaks the contract: 2 of 12 specs failed before the run was interrupted after 12 of 16 specs; 4 not run"},
		{name: "interrupted after the setup's failures only", f: Findings{Passed: 10, Failed: 2, Skipped: 4, NotRun: 4, Interrupted: "Interrupted by User",
			Setup: []SetupProblem{{Kind: ProblemHook}, {Kind: ProblemHook}}},
			exit: 2, message: "the receiver was not judged: interrupted after 12 of 16 specs (10 passed, 2 failed, 2 of them because of the setup, not the receiver before the interruption; 4 not run)"},
		{name: "failed, the others while the inspect hook counted nothing", f: Findings{Passed: 0, Failed: 4, NothingApplied: true,
			Setup: []SetupProblem{{Kind: ProblemHook}, {Kind: ProblemHook}, {Kind: ProblemHook}}},
			exit: 1, message: "the receiver breaks the contract: 4 of 4 specs failed (3 of them marked [inspect hook]: the inspect hook counted none of the run's events applied, so either its URL is wrong or the receiver applies nothing it acknowledges: see above)"},
		{name: "failed", f: Findings{Passed: 10, Failed: 2, Skipped: 33},
			exit: 1, message: "the receiver breaks the contract: 2 of 12 specs failed"},
		{name: "a report not written outweighs the interruption", f: Findings{Passed: 1, Skipped: 1, NotRun: 1, Interrupted: "Interrupted by User", ReportErrors: []string{"writing the JSON report: no space"}},
			exit: 2, message: "writing the JSON report: no space"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := c.f.Verdict(c.filtered)
			if v.Exit != c.exit || !strings.HasPrefix(v.Message, c.message) {
				t.Errorf("exit %d %q\nwant %d %q", v.Exit, v.Message, c.exit, c.message)
			}
		})
	}
}

// An interrupted run read from Ginkgo's report: the spec it stopped and
// the specs it never ran are skipped, not run, apart from those --focus
// left out though Ginkgo reports both alike; the interruption is no suite
// failure; every report agrees.
func TestSummarizeInterrupted(t *testing.T) {
	r := types.Report{
		SuiteDescription: SuiteDescription, RunTime: 1,
		SuiteConfig:                types.SuiteConfig{FocusStrings: []string{"work order triggers", "every delivery"}},
		SpecialSuiteFailureReasons: []string{"Interrupted by User"},
		SpecReports: []types.SpecReport{
			fakeSpec("work order triggers", "TASK_CREATED", SpecRealistic, types.SpecStatePassed, ""),
			fakeSpec("work order triggers", "TASK_CREATED", SpecMinimal, types.SpecStateFailed, "500"),
			fakeSpec(GroupToken, "", SpecTokenMissing, types.SpecStateSkipped, ""), // not selected, before
			fakeSpec(GroupDelivery, "", SpecDeadline, types.SpecStateInterrupted, "Interrupted by User"),
			fakeSpec(GroupDelivery, "", SpecRedirect, types.SpecStateSkipped, ""),    // not run
			fakeSpec(GroupIdempotency, "", SpecDupAfter, types.SpecStateSkipped, ""), // not selected, after
			// Not selected, but the one Ginkgo was passing over when
			// the signal came: it marks it interrupted all the same.
			fakeSpec(GroupIdempotency, "", SpecDupConcurrent, types.SpecStateInterrupted, "Interrupted by User"),
		},
	}
	f := Summarize(r)
	if f.Passed != 1 || f.Failed != 1 || f.Skipped != 2 || f.NotRun != 2 || f.NotSelected != 3 || f.Interrupted != "Interrupted by User" || len(f.SuiteFailures) != 0 || f.Succeeded {
		t.Errorf("findings %+v", f)
	}
	if v := f.Verdict(true); v.Exit != 1 || !strings.Contains(v.Message, "1 of 2 specs failed before the run was interrupted after 2 of 4 specs; 2 not run") {
		t.Errorf("verdict %+v", v)
	}
	reasons := map[string]string{}
	for _, s := range results(r) {
		reasons[s.leaf] = s.verdict + ": " + s.reason
	}
	want := map[string]string{
		SpecRealistic: SpecPassed + ": ", SpecMinimal: SpecFailed + ": 500",
		SpecDeadline: SpecSkipped + ": " + interruptedMidway, SpecRedirect: SpecSkipped + ": " + notRunInterrupted,
	}
	if len(reasons) != len(want) {
		t.Errorf("listed %v, want %v", reasons, want)
	}
	for leaf, w := range want {
		if reasons[leaf] != w {
			t.Errorf("%s: %q, want %q", leaf, reasons[leaf], w)
		}
	}
	j := junitReport(r, f)
	if j.Tests != 4 || j.Failures != 1 || j.Errors != 0 {
		t.Errorf("JUnit: %d tests, %d failures, %d errors", j.Tests, j.Failures, j.Errors)
	}
	rep := newJSONReport(r, f, RunConfig{Focus: r.SuiteConfig.FocusStrings})
	if rep.Totals != (JSONCounts{Total: 7, Passed: 1, Failed: 1, Skipped: 2, NotSelected: 3}) || len(rep.Specs) != 4 || len(rep.SuiteFailures) != 0 {
		t.Errorf("JSON totals %+v, %d specs, suite failures %q", rep.Totals, len(rep.Specs), rep.SuiteFailures)
	}
	out := f.String()
	for _, w := range []string{"not selected\n", "every delivery (1): " + interruptedMidway, "every delivery (1): " + notRunInterrupted, "interrupted (Interrupted by User) after 2 of 4 specs: 2 not run"} {
		if !strings.Contains(out, w) {
			t.Errorf("summary lacks %q:\n%s", w, out)
		}
	}
	if !regexp.MustCompile(`(?m)^total +1 +1 +2 +3$`).MatchString(out) {
		t.Errorf("total row: not 1 passed, 1 failed, 2 skipped, 3 not selected:\n%s", out)
	}
	if strings.Contains(out, "suite failure") {
		t.Errorf("the interruption is a suite failure:\n%s", out)
	}
}

// An apply time whose uncertainty is about the figure itself times the
// hook's questions: a receiver that applied before answering read as slow
// ("apply time p50 1.09s"). The summary says which it is.
func TestApplyTimeSaysWhenItTimesTheQuestions(t *testing.T) {
	for name, tc := range map[string]struct {
		lat, unc time.Duration
		want     bool
	}{
		"applied before the first question": {lat: 1093 * time.Millisecond, unc: 1093 * time.Millisecond, want: true},
		"applied between questions":         {lat: 400 * time.Millisecond, unc: 25 * time.Millisecond, want: false},
	} {
		f := Findings{ApplyLatency: Quantiles{N: 10, P50: tc.lat, P99: tc.lat, Max: tc.lat}, ApplyUncertainty: Quantiles{N: 10, P50: tc.unc, P99: tc.unc, Max: tc.unc}}
		if got := strings.Contains(f.String(), "these figures time the questions"); got != tc.want {
			t.Errorf("%s: says it times the questions: %v, want %v\n%s", name, got, tc.want, f.String())
		}
	}
}

// A team's own suite running DescribeReceiver can be given Ginkgo's other
// filters (labels, files, versions): after an interruption, the specs they
// left out are not selected, as Ginkgo's own count says, not "not run"
// (interrupted before them), in the summary and every report alike.
func TestSummarizeInterruptedWithGinkgoFilters(t *testing.T) {
	ours := types.CodeLocation{FileName: "/src/receiver/contract_test.go", LineNumber: 12}
	cases := []struct {
		name string
		sc   types.SuiteConfig
		// labels, semVer: the team's container's, above the specs.
		labels, semVer []string
		by             string // the summary's "not selected by" line names it
	}{
		{name: "label filter", sc: types.SuiteConfig{LabelFilter: "!contract"}, labels: []string{"contract"}, by: "--label-filter"},
		{name: "focus file", sc: types.SuiteConfig{FocusFiles: []string{"other_test.go"}}, by: "--focus-file/--skip-file"},
		{name: "skip file", sc: types.SuiteConfig{SkipFiles: []string{"contract_test.go:12"}}, by: "--focus-file/--skip-file"},
		{name: "sem-ver filter", sc: types.SuiteConfig{SemVerFilter: "1.0.0"}, semVer: []string{">= 2.0.0"}, by: "--sem-ver-filter"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			team := func(s types.SpecReport) types.SpecReport {
				s.ContainerHierarchyTexts = append([]string{"receiver"}, s.ContainerHierarchyTexts...)
				s.ContainerHierarchyLocations = []types.CodeLocation{ours, {FileName: "/mod/contract/specs.go", LineNumber: 300}}
				s.ContainerHierarchyLabels = [][]string{c.labels, nil}
				s.ContainerHierarchySemVerConstraints = [][]string{c.semVer, nil}
				return s
			}
			r := types.Report{
				SuiteDescription: "Receiver", RunTime: 1, SuiteConfig: c.sc,
				SpecialSuiteFailureReasons: []string{"Interrupted by User"},
				SpecReports: []types.SpecReport{
					// The team's own specs: one passed, one interrupted, one not run.
					{ContainerHierarchyTexts: []string{"receiver"}, LeafNodeText: "stores", LeafNodeType: types.NodeTypeIt, State: types.SpecStatePassed},
					{ContainerHierarchyTexts: []string{"receiver"}, LeafNodeText: "loads", LeafNodeType: types.NodeTypeIt, State: types.SpecStateInterrupted},
					// The contract's, left out by the filter, skipped as the specs after an interruption are.
					team(fakeSpec("work order triggers", "TASK_CREATED", SpecRealistic, types.SpecStateSkipped, "")),
					team(fakeSpec(GroupDelivery, "", SpecRedirect, types.SpecStateSkipped, "")),
				},
			}
			f := Summarize(r)
			if f.NotSelected != 2 || f.NotRun != 0 || f.Skipped != 0 {
				t.Errorf("%d not selected, %d not run, %d skipped; want 2, 0, 0", f.NotSelected, f.NotRun, f.Skipped)
			}
			if n := len(results(r)); n != 0 {
				t.Errorf("the reports list %d specs the filter left out", n)
			}
			if j := junitReport(r, f); j.Tests != 0 {
				t.Errorf("JUnit: %d tests", j.Tests)
			}
			if rep := newJSONReport(r, f, RunConfig{}); rep.Totals != (JSONCounts{Total: 2, NotSelected: 2}) {
				t.Errorf("JSON totals %+v", rep.Totals)
			}
			out := f.String()
			if strings.Contains(out, "skipped:") || strings.Contains(out, notRunInterrupted) || !strings.Contains(out, "2 specs not selected by "+c.by+"\n") {
				t.Errorf("the summary does not say the filter left 2 specs out:\n%s", out)
			}
		})
	}
	// The same report without the filter: those specs were not run.
	r := types.Report{SuiteDescription: "Receiver", SpecialSuiteFailureReasons: []string{"Interrupted by User"}, SpecReports: []types.SpecReport{
		fakeSpec(GroupDelivery, "", SpecRedirect, types.SpecStateSkipped, ""),
	}}
	if f := Summarize(r); f.NotRun != 1 {
		t.Errorf("without a filter, a spec after the interruption: %d not run, want 1", f.NotRun)
	}
}
