package contract

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/onsi/ginkgo/v2/types"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func TestHeadline(t *testing.T) {
	cases := []struct{ name, msg, want string }{
		{"one line", "TASK_CREATED (realistic, seed 1) was not acknowledged: 500 Internal Server Error\nCoperniq retries", "TASK_CREATED (realistic, seed 1) was not acknowledged: 500 Internal Server Error"},
		{"a list", "3 of 3 deliveries were not acknowledged:\n  - TASK_CREATED (edge, seed 1): 500\n  - TASK_CREATED (edge, seed 3): 500\n\nthe first of them:", "3 of 3 deliveries were not acknowledged: TASK_CREATED (edge, seed 1): 500; TASK_CREATED (edge, seed 3): 500"},
		{"no list after the colon", "eventId 4 was applied twice:\nmore", "eventId 4 was applied twice"},
		{"a long list", "failed:\n" + strings.Repeat("  - é é é é é é é é é é é é\n", 40), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := headline(c.msg)
			if strings.Contains(got, "\n") || len(got) > maxHeadline+len("…") || !utf8.ValidString(got) {
				t.Fatalf("headline %q: not one valid line within %d bytes", got, maxHeadline)
			}
			if c.want != "" && got != c.want {
				t.Errorf("headline = %q, want %q", got, c.want)
			}
		})
	}
}

// spec builds a contract spec's report as Ginkgo would.
func fakeSpec(group, subject, leaf string, state types.SpecState, msg string, entries ...types.ReportEntry) types.SpecReport {
	h := []string{SuiteText, group}
	if subject != "" {
		h = append(h, subject)
	}
	return types.SpecReport{ContainerHierarchyTexts: h, LeafNodeText: leaf, LeafNodeType: types.NodeTypeIt, State: state,
		Failure: types.Failure{Message: msg}, RunTime: 3 * time.Millisecond, ReportEntries: entries}
}

// everyOutcome is a run with every kind of spec result.
func everyOutcome() types.Report {
	problem := types.ReportEntry{Name: EntryProblem, Value: types.WrapEntryValue(ProblemHook)}
	return types.Report{StartTime: time.Now(), RunTime: time.Second, SpecReports: []types.SpecReport{
		fakeSpec("work order triggers", "TASK_CREATED", SpecRealistic, types.SpecStatePassed, ""),
		fakeSpec("work order triggers", "TASK_CREATED", SpecMinimal, types.SpecStateFailed, "TASK_CREATED (minimal, seed 1) was not acknowledged: 500\nwhy"),
		fakeSpec("work order triggers", "TASK_CREATED", SpecMaximal, types.SpecStateSkipped, ""), // not selected
		fakeSpec(GroupToken, "", SpecTokenMissing, types.SpecStateSkipped, SkipNoToken),
		fakeSpec(GroupIdempotency, "", SpecDupAfter, types.SpecStateFailed, "the inspect hook answered 500", problem),
		fakeSpec(GroupDelivery, "", SpecDeadline, types.SpecStateAborted, "the receiver answered none of the last 8"),
		fakeSpec(GroupDelivery, "", SpecRedirect, types.SpecStateSkipped, ""), // left by the abort
	}}
}

// Every kind of outcome lands where CI expects it: failures, setup errors,
// skips with their reason, specs left by an abort; the specs --focus left
// out nowhere; the counts of the suites add up to the whole.
func TestJUnitReportCounts(t *testing.T) {
	r := everyOutcome()
	f := Summarize(r)
	f.SuiteFailures = append(f.SuiteFailures, "interrupted")
	got := junitReport(r, f)
	if got.Tests != 7 || got.Failures != 2 || got.Errors != 2 {
		t.Errorf("testsuites: %d tests, %d failures, %d errors; want 7 (6 specs and the suite), 2, 2", got.Tests, got.Failures, got.Errors)
	}
	byName := map[string]junitCase{}
	skipped := 0
	for _, s := range got.Suites {
		skipped += s.Skipped
		for _, c := range s.Cases {
			if c.Classname != s.Name {
				t.Errorf("case %q has classname %q in suite %q", c.Name, c.Classname, s.Name)
			}
			byName[c.Classname+" / "+c.Name] = c
		}
	}
	if skipped != 2 {
		t.Errorf("%d skipped, want 2 (the token spec and the one left by the abort)", skipped)
	}
	if _, ok := byName["work order triggers / TASK_CREATED "+SpecMaximal]; ok {
		t.Error("a spec --focus left out is listed")
	}
	if c := byName["work order triggers / TASK_CREATED "+SpecMinimal]; c.Failure == nil || c.Failure.Message != "TASK_CREATED (minimal, seed 1) was not acknowledged: 500" || !strings.Contains(c.Failure.Text, "why") {
		t.Errorf("failed spec: %+v", c.Failure)
	}
	if c := byName[GroupIdempotency+" / "+SpecDupAfter]; c.Error == nil || c.Error.Type != ProblemHook || c.Failure != nil {
		t.Errorf("setup problem: error %+v, failure %+v", c.Error, c.Failure)
	}
	if c := byName[GroupToken+" / "+SpecTokenMissing]; c.Skipped == nil || c.Skipped.Message != SkipNoToken {
		t.Errorf("skipped spec: %+v", c.Skipped)
	}
	if c := byName[GroupDelivery+" / "+SpecRedirect]; c.Skipped == nil || c.Skipped.Message != notRunAborted {
		t.Errorf("spec left by the abort: %+v", c.Skipped)
	}
	if c := byName[GroupSuite+" / run"]; c.Error == nil || !strings.Contains(c.Error.Text, "interrupted") {
		t.Errorf("suite failure: %+v", c.Error)
	}
	if p := got.Suites[0].Properties; len(p) < 2 || p[0].Name != PropertyTarget || p[1].Name != PropertySeed {
		t.Errorf("properties %+v", p)
	}
}

// The JSON report of every kind of spec result validates against the
// schema published in docs/, and its counts add up.
func TestJSONReportEveryOutcome(t *testing.T) {
	r := everyOutcome()
	f := Summarize(r)
	f.Target, f.Seed = "http://127.0.0.1:1/hook?token=***", 7
	rep := newJSONReport(r, f, RunConfig{Focus: []string{"x"}})
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	schema, err := c.Compile(filepath.Join("..", "docs", "reports", "verify-report.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(doc); err != nil {
		t.Errorf("%#v", err)
	}
	// A report written before answerTime counted the deliveries it left
	// out still validates: those counts are optional.
	old := doc.(map[string]any)
	at := old["answerTime"].(map[string]any)
	for _, k := range []string{"abandoned", "unanswered", "malformed", "canceled", "notRecorded", "apiNotRecorded"} {
		if _, ok := at[k]; !ok {
			t.Errorf("answerTime lacks %q", k)
		}
		delete(at, k)
	}
	if err := schema.Validate(old); err != nil {
		t.Errorf("a report without answerTime's left-out counts: %#v", err)
	}
	tot := rep.Totals
	if tot.Passed+tot.Failed+tot.Skipped != len(rep.Specs) || tot.Passed+tot.Failed+tot.Skipped+tot.NotSelected != tot.Total || tot.NotSelected != 1 || tot.Skipped != 2 {
		t.Errorf("totals %+v for %d specs listed", tot, len(rep.Specs))
	}
	var groups JSONCounts
	for _, g := range rep.Groups {
		if g.Passed+g.Failed+g.Skipped+g.NotSelected != g.Total {
			t.Errorf("group %+v does not add up", g)
		}
		groups.Total += g.Total
		groups.Passed += g.Passed
		groups.Failed += g.Failed
		groups.Skipped += g.Skipped
		groups.NotSelected += g.NotSelected
	}
	if groups != tot {
		t.Errorf("groups add up to %+v, totals %+v", groups, tot)
	}
	for _, s := range rep.Specs {
		if s.Name == GroupIdempotency+" "+SpecDupAfter && s.SetupProblem != ProblemHook {
			t.Errorf("setup problem: %+v", s)
		}
	}
}
