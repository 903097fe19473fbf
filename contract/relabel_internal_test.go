package contract

import (
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

// What the end of the run takes back reaches every report: a spec marked
// [inspect hook] when it ended, whose hook the end of the run found
// counting, is the receiver's lateness in the summary, the JUnit report (a
// failure, not an error) and the JSON report (no setupProblem); a late
// spec whose events were all found applied says so. A spec nothing took
// back keeps its mark.
func TestRelabelReachesEveryReport(t *testing.T) {
	problem := func(kind string) types.ReportEntry {
		return types.ReportEntry{Name: EntryProblem, Value: types.WrapEntryValue(kind)}
	}
	blamed := fakeSpec(GroupLifecycle, "request-lost", SpecScenarioInOrder, types.SpecStateFailed, "[inspect hook] the inspect hook at GET URL answered 404 (never applied) for every event (is the hook's URL right?)\nmore", problem(ProblemHook))
	late := fakeSpec(GroupLifecycle, "request-lost", SpecScenarioShuffled, types.SpecStateFailed, "11 of 11 events were not applied exactly once:\n  - event 1 was acknowledged but not applied within 300ms")
	kept := fakeSpec(GroupIdempotency, "", SpecDupAfter, types.SpecStateFailed, "the inspect hook answered 500", problem(ProblemHook))
	blamedName, _ := SpecName(blamed)
	lateName, _ := SpecName(late)
	keptName, _ := SpecName(kept)
	rel := []Relabel{
		{Spec: blamedName, Withdrawn: ProblemHook, Headline: "late, not the inspect hook's fault: all 11 found applied"},
		{Spec: lateName, Found: "the end of the run found applied every one of its 11 events"},
	}
	kept.ReportEntries = append(kept.ReportEntries, types.ReportEntry{Name: EntryRelabel, Value: types.WrapEntryValue(rel)})
	r := types.Report{SuiteDescription: SuiteDescription, RunTime: 1, SpecReports: []types.SpecReport{blamed, late, kept}}

	f := Summarize(r)
	if f.Failed != 3 || len(f.Setup) != 1 || f.Setup[0].Spec != keptName || len(f.Relabeled) != 2 {
		t.Fatalf("%d failed, setup %+v, relabeled %+v; want 3 failed, only %q the setup's", f.Failed, f.Setup, f.Relabeled, keptName)
	}
	out := f.String()
	for _, w := range []string{"  " + blamedName + "\n", "  " + keptName + "  [" + ProblemHook + "]\n",
		"1 spec marked [inspect hook] when it ended is the receiver's, not the hooks'", "1 spec failed as late had every event"} {
		if !strings.Contains(out, w) {
			t.Errorf("summary lacks %q:\n%s", w, out)
		}
	}
	if v := f.Verdict(false); v.Exit != 1 {
		t.Errorf("verdict %+v, want exit 1: the receiver's lateness is a failure", v)
	}
	byName := map[string]specResult{}
	for _, s := range results(r) {
		byName[s.name] = s
	}
	if s := byName[blamedName]; s.setup != "" || s.reason != rel[0].Headline || !strings.Contains(s.detail, "taken back at the end of the run") {
		t.Errorf("%s: setup %q, reason %q, detail %q", blamedName, s.setup, s.reason, s.detail)
	}
	if s := byName[lateName]; !strings.Contains(s.reason, rel[1].Found) {
		t.Errorf("%s: reason %q lacks %q", lateName, s.reason, rel[1].Found)
	}
	if s := byName[keptName]; s.setup != ProblemHook {
		t.Errorf("%s: setup %q, want %q kept", keptName, s.setup, ProblemHook)
	}
	if j := junitReport(r, f); j.Failures != 2 || j.Errors != 1 {
		t.Errorf("JUnit: %d failures, %d errors; want 2, 1", j.Failures, j.Errors)
	}
	for _, s := range newJSONReport(r, f, RunConfig{}).Specs {
		if want := map[string]string{keptName: ProblemHook}[s.Name]; s.SetupProblem != want {
			t.Errorf("JSON %s: setupProblem %q, want %q", s.Name, s.SetupProblem, want)
		}
	}
}
