package contract

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// The verdicts of one spec, as the reports name them.
const (
	SpecPassed  = "passed"
	SpecFailed  = "failed"
	SpecSkipped = "skipped"
)

// specResult is one selected contract spec as the console, JUnit and JSON
// reports show it: Ginkgo's SpecReport without the Ginkgo internals (node
// types, code locations, timelines).
type specResult struct {
	name    string // below SuiteText, what --focus matches
	group   string // FamilyText(family) or one of the Group* containers
	subject string // the trigger key or scenario name between group and leaf, if any
	leaf    string
	verdict string // SpecPassed, SpecFailed or SpecSkipped
	// reason is one line: a failure's headline or a skip's reason.
	reason string
	// detail is the rest of a failure: the whole message and the entries
	// Ginkgo would show with it (drain notes, answer times).
	detail     string
	setup      string // ProblemHook or ProblemStale when the setup failed it
	runTime    time.Duration
	deliveries []DeliveryRecord
	// reproduce are the commands that send the spec's deliveries again:
	// a scenario spec's `scenario run`, each recorded delivery's own.
	reproduce []string
}

// trigger is the spec's trigger key when its group is a trigger family.
func (s specResult) trigger() string {
	for _, f := range schemas.Families() {
		if s.group == FamilyText(f) {
			return s.subject
		}
	}
	return ""
}

// scenario is the spec's lifecycle scenario, if any.
func (s specResult) scenario() string {
	if s.group == GroupLifecycle {
		return s.subject
	}
	return ""
}

// results lists the contract specs of r that were selected, in run order:
// the ones --focus/--skip left out are counted by Summarize and listed in no
// report. A spec skipped because the suite was aborted is listed, skipped,
// with that reason.
func results(r types.Report) []specResult {
	aborted := false
	var out []specResult
	for _, spec := range r.SpecReports {
		name, ok := SpecName(spec)
		if !ok {
			continue
		}
		res := specResult{name: name, group: Group(spec), leaf: spec.LeafNodeText, runTime: spec.RunTime, deliveries: Deliveries(spec)}
		if i := slices.Index(spec.ContainerHierarchyTexts, SuiteText); i >= 0 && len(spec.ContainerHierarchyTexts) > i+2 {
			res.subject = strings.Join(spec.ContainerHierarchyTexts[i+2:], " ")
		}
		for _, e := range spec.ReportEntries {
			if e.Name == EntryReproduce {
				res.reproduce = append(res.reproduce, e.StringRepresentation())
			}
		}
		for _, d := range res.deliveries {
			if d.Reproduce != "" && !slices.Contains(res.reproduce, d.Reproduce) {
				res.reproduce = append(res.reproduce, d.Reproduce)
			}
		}
		msg := strings.TrimSpace(spec.Failure.Message)
		switch {
		case spec.State.Is(types.SpecStatePassed):
			res.verdict = SpecPassed
		case spec.State.Is(types.SpecStateSkipped | types.SpecStatePending):
			if msg == "" && !aborted {
				continue // not selected
			}
			res.verdict, res.reason = SpecSkipped, msg
			if msg == "" {
				res.reason = notRunAborted
			}
		default:
			res.verdict = SpecFailed
			if spec.State.Is(types.SpecStateAborted) {
				aborted = true
			}
			if msg == "" {
				msg = fmt.Sprintf("the spec %s", spec.State)
			}
			res.reason = headline(msg)
			res.detail = failureDetail(spec, msg)
			for _, e := range spec.ReportEntries {
				if e.Name == EntryProblem {
					res.setup = e.StringRepresentation()
					break
				}
			}
		}
		out = append(out, res)
	}
	return out
}

// maxHeadline bounds a failure's one-line reason (JUnit's failure@message).
const maxHeadline = 300

// headline is a failure message in one line: its first line, and when that
// line introduces a list ("3 of 3 deliveries were not acknowledged:"), the
// list's items after it, "; "-separated, up to maxHeadline bytes.
func headline(msg string) string {
	lines := strings.Split(msg, "\n")
	line := strings.TrimSpace(lines[0])
	if !strings.HasSuffix(line, ":") {
		return line
	}
	var items []string
	for _, l := range lines[1:] {
		item, ok := strings.CutPrefix(strings.TrimSpace(l), "- ")
		if !ok {
			break
		}
		items = append(items, item)
	}
	if len(items) == 0 {
		return strings.TrimSuffix(line, ":")
	}
	line += " " + strings.Join(items, "; ")
	if len(line) > maxHeadline {
		cut := maxHeadline
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		line = line[:cut] + "…"
	}
	return line
}

// failureDetail is a failure's message with the report entries Ginkgo shows
// beside it, and a panic's value.
func failureDetail(spec types.SpecReport, msg string) string {
	var b strings.Builder
	b.WriteString(msg)
	if spec.Failure.ForwardedPanic != "" {
		fmt.Fprintf(&b, "\n\npanic: %s", spec.Failure.ForwardedPanic)
	}
	for _, e := range spec.ReportEntries {
		if e.Visibility == types.ReportEntryVisibilityNever {
			continue
		}
		fmt.Fprintf(&b, "\n\n%s: %s", e.Name, e.StringRepresentation())
	}
	return b.String()
}

// groupOrder is the order in which reports list groups: the trigger
// families as help text lists them, then the other groups, then any other
// group in the order of specs.
func groupOrder(specs []specResult) []string {
	var order []string
	for _, f := range schemas.Families() {
		order = append(order, FamilyText(f))
	}
	order = append(order, GroupDelivery, GroupToken, GroupIdempotency, GroupLifecycle)
	for _, s := range specs {
		if !slices.Contains(order, s.group) {
			order = append(order, s.group)
		}
	}
	return order
}
