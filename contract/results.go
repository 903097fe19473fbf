package contract

import (
	"fmt"
	"regexp"
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
	setup      string // ProblemHook, ProblemStale, ProblemTLS or ProblemDown when the setup failed it
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

// Why a selected spec has no verdict of its own: the run stopped before it
// ended, or while it ran.
const (
	notRunAborted     = "not run: the suite was aborted"
	notRunInterrupted = "not run: the run was interrupted"
	interruptedMidway = "interrupted while it ran: not judged"
)

// outcome is what became of one contract spec of a run.
type outcome struct {
	verdict string // SpecPassed, SpecFailed, SpecSkipped; "" when --focus/--skip left it out
	reason  string // why it was skipped, when it was
	// notRun says it was selected but the run stopped (an abort, an
	// interruption) before it or while it ran: skipped, not judged.
	notRun bool
}

// outcomes tells what became of each contract spec of a report, read in
// run order (an abort stops the specs after it).
type outcomes struct {
	selected    func(types.SpecReport) bool
	interrupted bool
	stopped     string // why the specs after an abort were not run
}

func newOutcomes(r types.Report) *outcomes {
	return &outcomes{selected: selection(r), interrupted: interruption(r) != ""}
}

func (o *outcomes) of(spec types.SpecReport) outcome {
	msg := strings.TrimSpace(spec.Failure.Message)
	switch {
	case spec.State.Is(types.SpecStatePassed):
		return outcome{verdict: SpecPassed}
	case spec.State.Is(types.SpecStateInterrupted):
		// Ctrl-C or SIGTERM while it ran: its deliveries were cut short,
		// which says nothing about the receiver. Ginkgo marks so the spec
		// it was passing over too, one --focus/--skip left out.
		if !o.selected(spec) {
			return outcome{}
		}
		return outcome{verdict: SpecSkipped, reason: interruptedMidway, notRun: true}
	case spec.State.Is(types.SpecStateSkipped|types.SpecStatePending) && msg != "":
		return outcome{verdict: SpecSkipped, reason: msg}
	case spec.State.Is(types.SpecStateSkipped | types.SpecStatePending):
		// Ginkgo reports a spec --focus/--skip left out and one a stop
		// left alike: skipped, with no message.
		if (o.stopped == "" && !o.interrupted) || !o.selected(spec) {
			return outcome{}
		}
		reason := o.stopped
		if reason == "" {
			reason = notRunInterrupted
		}
		return outcome{verdict: SpecSkipped, reason: reason, notRun: true}
	}
	if spec.State.Is(types.SpecStateAborted) && o.stopped == "" {
		o.stopped = notRunAborted
	}
	return outcome{verdict: SpecFailed}
}

// keepSkipReasons gives the specs a stop (an abort, an interruption) left
// the reason they would have been skipped for anyway, when the run knew it
// before they came (a hook or a token not configured, a scenario the
// vocabulary cannot replay): Ginkgo skips every spec after a stop with no
// message, and "not run" would hide that the run could never have judged
// them. The reports, the summary and the verdict then read them as skipped
// for that reason, not as not run.
func (r *run) keepSkipReasons(report *types.Report) {
	if interruption(*report) == "" && !slices.ContainsFunc(report.SpecReports, func(s types.SpecReport) bool { return s.State.Is(types.SpecStateAborted) }) {
		return
	}
	selected := selection(*report)
	for i, spec := range report.SpecReports {
		if !spec.State.Is(types.SpecStateSkipped) || spec.Failure.Message != "" || !selected(spec) {
			continue
		}
		if why := r.skipsAnyway(spec); why != "" {
			report.SpecReports[i].Failure.Message = why
		}
	}
}

// unfitSelected counts the scenarios of r.unfit that --focus/--skip
// selected a spec of: a pass leaves out only those the user asked for.
func (r *run) unfitSelected(report types.Report) int {
	selected := selection(report)
	n := 0
	for _, u := range r.unfit {
		if slices.ContainsFunc(report.SpecReports, func(spec types.SpecReport) bool {
			g := Group(spec)
			return (g == GroupLifecycle || g == GroupState) && slices.Contains(spec.ContainerHierarchyTexts, u.name) && selected(spec)
		}) {
			n++
		}
	}
	return n
}

// skipsAnyway is why spec would be skipped whatever the receiver does, ""
// when it would run. It follows the BeforeEach nodes of the groups (specs.go,
// scenarios.go, statespecs.go, api.go): a skip decided there from the
// Target alone.
func (r *run) skipsAnyway(spec types.SpecReport) string {
	if r.err != nil {
		return "" // every spec fails with the reason
	}
	in := spec.ContainerHierarchyTexts
	unfit := func() string {
		for _, u := range r.unfit {
			if slices.Contains(in, u.name) {
				return u.skipReason(r.t.Vocabulary)
			}
		}
		return ""
	}
	switch Group(spec) {
	case GroupToken:
		if r.tokName == "" {
			return SkipNoToken
		}
	case GroupIdempotency:
		if r.t.Inspect == nil {
			return SkipNoInspect
		}
	case GroupLifecycle:
		switch {
		case r.scenarioErr != nil:
			return "" // fails with the error
		case len(r.scenarios) == 0 && len(r.unfit) == 0:
			return r.scenarioSkipWhy
		}
		if why := unfit(); why != "" {
			return why
		}
		if r.t.Inspect == nil {
			return SkipNoInspect
		}
	case GroupState:
		if why := unfit(); why != "" {
			return why
		}
		if r.t.State == nil {
			return SkipNoState
		}
	case GroupAPI:
		if r.t.API == nil {
			return SkipNoAPI
		}
	}
	return ""
}

// selection says whether Ginkgo's filters selected a spec of a report.
// After an interruption or an abort Ginkgo skips every spec left, with no
// message, as it does those its filters left out: the filters are applied
// again, as Ginkgo applies them, to tell the two apart. The report carries
// them all: --focus/--skip (verify's flags, matched against the suite's
// description and the spec's texts, space-separated), and the ones only a
// team's own suite running DescribeReceiver can be given (ginkgo
// --label-filter, --sem-ver-filter, --focus-file, --skip-file), which a
// summary of that suite (Summarize) must count as not selected too, not as
// "not run". The file filters are matched against the spec's containers
// and its It: the report does not hold where its setup nodes are, which
// Ginkgo matches too (a file filter naming only a BeforeEach's line).
// Programmatic focus (FDescribe around DescribeReceiver) is not in the
// report either: a spec it left out reads as selected.
func selection(r types.Report) func(types.SpecReport) bool {
	sc := r.SuiteConfig
	re := func(exprs []string) *regexp.Regexp {
		if len(exprs) == 0 {
			return nil
		}
		re, err := regexp.Compile(strings.Join(exprs, "|"))
		if err != nil { // RunConfig.check refused it before the run
			return nil
		}
		return re
	}
	focus, skip := re(sc.FocusStrings), re(sc.SkipStrings)
	// Ginkgo refused a filter it cannot parse before the run, so an error
	// here leaves that filter out.
	var labels types.LabelFilter
	if sc.LabelFilter != "" {
		labels, _ = types.ParseLabelFilter(sc.LabelFilter)
	}
	var semVer types.SemVerFilter
	if sc.SemVerFilter != "" {
		semVer, _ = types.ParseSemVerFilter(sc.SemVerFilter)
	}
	var focusFiles, skipFiles types.FileFilters
	if len(sc.FocusFiles) > 0 {
		focusFiles, _ = types.ParseFileFilters(sc.FocusFiles)
	}
	if len(sc.SkipFiles) > 0 {
		skipFiles, _ = types.ParseFileFilters(sc.SkipFiles)
	}
	return func(spec types.SpecReport) bool {
		if labels != nil && !labels(union(r.SuiteLabels, spec.Labels())) {
			return false
		}
		if semVer != nil && !semVerSelects(semVer, r, spec) {
			return false
		}
		locations := append(slices.Clone(spec.ContainerHierarchyLocations), spec.LeafNodeLocation)
		if focusFiles != nil && !focusFiles.Matches(locations) {
			return false
		}
		if skipFiles != nil && skipFiles.Matches(locations) {
			return false
		}
		text := r.SuiteDescription + " " + spec.FullText()
		return (focus == nil || focus.MatchString(text)) && (skip == nil || !skip.MatchString(text))
	}
}

// filterFlags names the filters of a run that can leave specs out, as
// Ginkgo's flags: "" when there are none.
func filterFlags(sc types.SuiteConfig) string {
	var out []string
	if len(sc.FocusStrings)+len(sc.SkipStrings) > 0 {
		out = append(out, "--focus/--skip")
	}
	if sc.LabelFilter != "" {
		out = append(out, "--label-filter")
	}
	if sc.SemVerFilter != "" {
		out = append(out, "--sem-ver-filter")
	}
	if len(sc.FocusFiles)+len(sc.SkipFiles) > 0 {
		out = append(out, "--focus-file/--skip-file")
	}
	return strings.Join(out, ", ")
}

// semVerSelects applies a --sem-ver-filter as Ginkgo does: to the suite's
// and the spec's constraints, then to each component's.
func semVerSelects(filter types.SemVerFilter, r types.Report, spec types.SpecReport) bool {
	if c := union(r.SuiteSemVerConstraints, spec.SemVerConstraints()); len(c) > 0 && !filter("", c) {
		return false
	}
	components := map[string][]string{}
	for _, m := range []map[string][]string{r.SuiteComponentSemVerConstraints, spec.ComponentSemVerConstraints()} {
		for name, c := range m {
			components[name] = union(components[name], c)
		}
	}
	for name, c := range components {
		if !filter(name, c) {
			return false
		}
	}
	return true
}

// union is a and b without repeats, in order.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// interruptedBy starts the reasons Ginkgo gives a suite that a signal
// (Ctrl-C, SIGTERM) interrupted: "Interrupted by User".
const interruptedBy = "Interrupted by "

// interruption is why the run was interrupted, "" when it was not.
func interruption(r types.Report) string {
	for _, reason := range r.SpecialSuiteFailureReasons {
		if strings.HasPrefix(reason, interruptedBy) {
			return reason
		}
	}
	for _, spec := range r.SpecReports {
		if spec.State.Is(types.SpecStateInterrupted) {
			return interruptedBy + "a signal"
		}
	}
	return ""
}

// results lists the contract specs of r that were selected, in run order:
// the ones --focus/--skip left out are counted by Summarize and listed in no
// report. A spec the run stopped before (an abort, an interruption) is
// listed, skipped, with that reason.
func results(r types.Report) []specResult {
	outs := newOutcomes(r)
	rels := relabelsOf(r)
	answered, stopped := answeredAny(r), refusedAny(r)
	var out []specResult
	for _, spec := range r.SpecReports {
		name, ok := SpecName(spec)
		if !ok {
			continue
		}
		o := outs.of(spec)
		if o.verdict == "" {
			continue // not selected
		}
		res := specResult{name: name, group: Group(spec), leaf: spec.LeafNodeText, runTime: spec.RunTime, deliveries: Deliveries(spec), verdict: o.verdict, reason: o.reason}
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
		if o.verdict == SpecFailed {
			msg := strings.TrimSpace(spec.Failure.Message)
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
			if res.setup == "" && !answered && refusedTLS(res.deliveries) {
				res.setup = ProblemTLS
			}
			res.setup = downMark(res.setup, msg, res.deliveries, stopped)
			switch rel, ok := rels[name]; {
			case ok && rel.Withdrawn != "":
				res.setup = ""
				res.reason = rel.Headline
				res.detail = fmt.Sprintf("%s\n\n(marked [%s] when the spec ended; taken back at the end of the run)\n\n%s", rel.Headline, rel.Withdrawn, res.detail)
			case ok && rel.Found != "":
				res.reason += " (" + rel.Found + ")"
				res.detail = rel.Found + "\n\n" + res.detail
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
