package contract

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

// JSONFormatVersion is the version of the JSON report (verify
// --json-report). It grows by one when a field changes meaning or goes
// away; new fields may appear within a version, so readers should ignore the
// ones they do not know. docs/verify-report.schema.json is its JSON Schema,
// docs/verify-report.md describes it.
const JSONFormatVersion = 1

// JSONReport is the JSON report of a run: what the console summary says,
// per spec, for CI and scripts. Durations are numbers, with the unit in the
// key.
type JSONReport struct {
	FormatVersion int    `json:"formatVersion"`
	Suite         string `json:"suite"`
	// Target is the receiver's URL, with secrets masked as ***.
	Target string `json:"target"`
	// Insecure says the receiver's TLS certificate was not verified
	// (--insecure): a pass says nothing of who answered.
	Insecure bool   `json:"insecure,omitempty"`
	Seed     uint64 `json:"seed"`
	// SeedDrawn says the seed was drawn for this run: --seed Seed repeats it.
	SeedDrawn bool      `json:"seedDrawn"`
	Focus     []string  `json:"focus"`
	Skip      []string  `json:"skip"`
	StartedAt time.Time `json:"startedAt"`
	// DurationSeconds is the run's wall time.
	DurationSeconds float64 `json:"durationSeconds"`
	// Verdict is the exit status verify ends with and its last line.
	Verdict JSONVerdict `json:"verdict"`
	Totals  JSONCounts  `json:"totals"`
	// Groups is the summary table, a row per group.
	Groups []JSONGroup `json:"groups"`
	// AnswerTime is over every delivery that was answered or timed out,
	// with the deliveries it leaves out counted; ApplyTime over every
	// counted event that was applied and first asked about within the
	// inspect timeout, from its acknowledgement to the first question that
	// found its count (an upper bound).
	AnswerTime JSONAnswerTime `json:"answerTime"`
	ApplyTime  JSONQuantiles  `json:"applyTime"`
	// Late is what the end of the run found about each event not applied
	// within the inspect timeout, as the console says it.
	Late          []string `json:"late"`
	Drain         string   `json:"drain,omitempty"`
	Warnings      []string `json:"warnings"`
	SuiteFailures []string `json:"suiteFailures"`
	// Aborted is why the run stopped before its last spec, empty when it
	// did not.
	Aborted string `json:"aborted,omitempty"`
	// Specs are the selected specs in run order; those left out by
	// --focus/--skip are only counted (Totals.NotSelected).
	Specs []JSONSpec `json:"specs"`
}

// JSONVerdict is Findings.Verdict in the JSON report.
type JSONVerdict struct {
	Exit    int      `json:"exit"`
	Message string   `json:"message"`
	Notes   []string `json:"notes"`
}

// JSONCounts counts specs: Passed+Failed+Skipped are the selected ones,
// and with NotSelected they are Total. Skipped counts, besides the specs
// skipped for a reason, those an abort or an interruption left (each with
// that reason in Specs).
type JSONCounts struct {
	Total       int `json:"total"`
	Passed      int `json:"passed"`
	Failed      int `json:"failed"`
	Skipped     int `json:"skipped"`
	NotSelected int `json:"notSelected"`
}

// JSONGroup is a row of the summary table.
type JSONGroup struct {
	Name string `json:"name"`
	JSONCounts
}

// JSONQuantiles are answer or apply times in milliseconds.
type JSONQuantiles struct {
	Count int     `json:"count"`
	P50Ms float64 `json:"p50Ms"`
	P99Ms float64 `json:"p99Ms"`
	MaxMs float64 `json:"maxMs"`
}

// JSONAnswerTime is the answer time's quantiles, and the deliveries they
// leave out: Count + Abandoned + Unanswered + Malformed + Canceled +
// NotRecorded is every delivery the run made to the receiver, what its
// access log can be checked against.
type JSONAnswerTime struct {
	JSONQuantiles
	// Abandoned counts the deliveries the sender hung up on on purpose
	// before the answer (a spec tests that the receiver survives it).
	Abandoned int `json:"abandoned"`
	// Unanswered counts those that got no answer and did not time out:
	// the connection refused, reset or closed.
	Unanswered int `json:"unanswered"`
	// Malformed counts those answered with something that is not HTTP
	// (or that failed otherwise, error "other"); Canceled those cut off
	// by the run's interruption (Ctrl-C, SIGTERM).
	Malformed int `json:"malformed"`
	Canceled  int `json:"canceled"`
	// NotRecorded counts the deliveries sent that no spec recorded
	// (Findings.NotRecorded). It is what makes the sum every delivery.
	NotRecorded    int `json:"notRecorded"`
	APINotRecorded int `json:"apiNotRecorded"`
}

// JSONSpec is one selected spec.
type JSONSpec struct {
	// Name is the spec's full name, what --focus matches.
	Name  string `json:"name"`
	Group string `json:"group"`
	// Trigger is the trigger key of a trigger family's spec, Scenario the
	// lifecycle scenario of a scenario's spec.
	Trigger  string `json:"trigger,omitempty"`
	Scenario string `json:"scenario,omitempty"`
	// Verdict is "passed", "failed" or "skipped".
	Verdict string `json:"verdict"`
	// Reason is one line: why it failed, or why it was skipped.
	Reason string `json:"reason,omitempty"`
	// Detail is the whole failure, as the console prints it.
	Detail string `json:"detail,omitempty"`
	// SetupProblem is "inspect hook", "stale state", "TLS handshake" or
	// "receiver down" (it stopped accepting connections during the run)
	// when the failure is the setup's, not the receiver's.
	SetupProblem string  `json:"setupProblem,omitempty"`
	DurationMs   float64 `json:"durationMs"`
	// Reproduce are the commands that send this spec's deliveries again,
	// secrets masked as ***.
	Reproduce  []string         `json:"reproduce"`
	Deliveries []DeliveryRecord `json:"deliveries"`
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func jsonQuantiles(q Quantiles) JSONQuantiles {
	return JSONQuantiles{Count: q.N, P50Ms: millis(q.P50), P99Ms: millis(q.P99), MaxMs: millis(q.Max)}
}

// newJSONReport builds the JSON report of a run.
func newJSONReport(r types.Report, f Findings, cfg RunConfig) JSONReport {
	v := f.Verdict(len(cfg.Focus)+len(cfg.Skip) > 0)
	out := JSONReport{
		FormatVersion: JSONFormatVersion, Suite: SuiteDescription,
		Target: f.Target, Insecure: f.Insecure, Seed: f.Seed, SeedDrawn: f.SeedRandom,
		Focus: nonNil(cfg.Focus), Skip: nonNil(cfg.Skip),
		StartedAt: r.StartTime.UTC(), DurationSeconds: float64(r.RunTime.Milliseconds()) / 1000,
		Verdict: JSONVerdict{Exit: v.Exit, Message: v.Message, Notes: nonNil(v.Notes)},
		Totals:  JSONCounts{Total: f.selected() + f.NotSelected, Passed: f.Passed, Failed: f.Failed, Skipped: f.Skipped, NotSelected: f.NotSelected},
		AnswerTime: JSONAnswerTime{JSONQuantiles: jsonQuantiles(f.Latency), Abandoned: f.Abandoned, Unanswered: f.Unanswered,
			Malformed: f.Malformed, Canceled: f.Canceled, NotRecorded: f.NotRecorded(), APINotRecorded: min(f.SentAPI, f.NotRecorded())},
		ApplyTime: jsonQuantiles(f.ApplyLatency),
		Late:      []string{}, Drain: f.Drain, Warnings: nonNil(f.Warnings), SuiteFailures: nonNil(f.SuiteFailures),
		Aborted: f.Aborted, Specs: []JSONSpec{},
	}
	for _, l := range f.Late {
		out.Late = append(out.Late, l.String())
	}
	for _, s := range results(r) {
		out.Specs = append(out.Specs, JSONSpec{
			Name: s.name, Group: s.group, Trigger: s.trigger(), Scenario: s.scenario(),
			Verdict: s.verdict, Reason: s.reason, Detail: s.detail, SetupProblem: s.setup,
			DurationMs: millis(s.runTime), Reproduce: nonNil(s.reproduce), Deliveries: nonNil(s.deliveries),
		})
	}
	for _, g := range f.Groups {
		out.Groups = append(out.Groups, JSONGroup{Name: g.Name, JSONCounts: JSONCounts{
			Total: g.Passed + g.Failed + g.Skipped + g.NotSelected, Passed: g.Passed, Failed: g.Failed, Skipped: g.Skipped, NotSelected: g.NotSelected,
		}})
	}
	if out.Groups == nil {
		out.Groups = []JSONGroup{}
	}
	return out
}

// nonNil makes an empty list [] rather than null in JSON, so that readers
// need not tell the two apart.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// writeJSONReport writes a JSON report to path.
func writeJSONReport(path string, rep JSONReport) error {
	data, err := rep.Marshal()
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// Marshal is the report as verify writes it: indented JSON and a newline.
func (r JSONReport) Marshal() ([]byte, error) {
	data, err := json.MarshalIndent(r, "", "  ")
	return append(data, '\n'), err
}

// ReadJSONReport reads a JSON report written by verify --json-report,
// refusing another format version.
func ReadJSONReport(data []byte) (JSONReport, error) {
	var head struct {
		FormatVersion int `json:"formatVersion"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return JSONReport{}, err
	}
	if head.FormatVersion != JSONFormatVersion {
		return JSONReport{}, fmt.Errorf("contract: a JSON report of formatVersion %d; this build reads %d", head.FormatVersion, JSONFormatVersion)
	}
	var rep JSONReport
	err := json.Unmarshal(data, &rep)
	return rep, err
}
