package contract

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Quantiles summarise answer times.
type Quantiles struct {
	N             int
	P50, P99, Max time.Duration
}

// quantiles uses the nearest-rank method: with the few hundred samples of a
// run, interpolation would only suggest a precision that is not there.
func quantiles(d []time.Duration) Quantiles {
	q := Quantiles{N: len(d)}
	if len(d) == 0 {
		return q
	}
	s := slices.Clone(d)
	slices.Sort(s)
	rank := func(p float64) time.Duration {
		i := int(p*float64(len(s))+0.999999) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	q.P50, q.P99, q.Max = rank(0.50), rank(0.99), s[len(s)-1]
	return q
}

func (q Quantiles) String() string {
	if q.N == 0 {
		return "no answers"
	}
	return fmt.Sprintf("p50 %s, p99 %s, max %s", roundLatency(q.P50), roundLatency(q.P99), roundLatency(q.Max))
}

// GroupResult counts the specs of one group: a trigger family, or one of the
// Group* containers.
type GroupResult struct {
	Name                    string
	Passed, Failed, Skipped int
	NotSelected             int // left out by --focus/--skip: in none of the others
}

// SkipNote is one reason specs were skipped, with how many.
type SkipNote struct {
	Group, Reason string
	Specs         int
}

// SetupProblem is a failed spec that failed because of the setup, not the
// receiver (see EntryProblem).
type SetupProblem struct {
	Spec string // as in Findings.Failures
	Kind string // ProblemHook, ProblemStale or ProblemTLS
	// Said is the first line of the failure: what the hook did.
	Said string `json:",omitempty"`
}

// ProblemTLS is a spec failed because none of its deliveries got past the
// TLS handshake: the receiver's TLS server refused the sender's settings
// (a client certificate it does not accept, refused after the check before
// the run), so the receiver's handling was never tried.
const ProblemTLS = "TLS handshake"

// ProblemDown is a spec failed because the receiver stopped accepting
// connections during the run (it crashed, was stopped or restarted): its
// deliveries were refused, or its inspect hook, served at the same address,
// was. Nothing of its handling was judged by those specs.
const ProblemDown = "receiver down"

// hookRefused is how a hook question that found no server reads (askHook).
var hookRefused = fmt.Sprintf("could not be reached (%s)", delivery.KindRefused)

// refusedAny reports whether some delivery of the run found nothing
// accepting connections: the receiver answered the check before the run,
// so it stopped accepting them during it.
func refusedAny(r types.Report) bool {
	for _, spec := range r.SpecReports {
		for _, d := range Deliveries(spec) {
			if delivery.ErrKind(d.Error) == delivery.KindRefused {
				return true
			}
		}
	}
	return false
}

// downMark is the setup problem of a failed spec (setup, its mark so far;
// msg, its failure) in a run whose receiver stopped accepting connections
// (stopped: refusedAny): ProblemDown when the spec failed for that, setup
// otherwise. Its inspect hook refused too: served by the receiver's
// server, it went down with it, and telling the user to fix the hook sent
// them the wrong way. Or its deliveries were refused, and every other one
// answered as the spec wanted.
func downMark(setup, msg string, ds []DeliveryRecord, stopped bool) string {
	switch {
	case !stopped:
	case setup == ProblemHook && strings.Contains(msg, hookRefused):
		return ProblemDown
	case setup == "" && refusedOnly(ds):
		return ProblemDown
	}
	return setup
}

// refusedOnly reports whether some delivery of ds was refused a connection
// and every other one was answered as it expected.
func refusedOnly(ds []DeliveryRecord) bool {
	refused := false
	for _, d := range ds {
		ack := d.Status >= 200 && d.Status <= 299
		switch {
		case delivery.ErrKind(d.Error) == delivery.KindRefused:
			refused = true
		case d.Expect == ExpectAbandon:
		case d.Error != "",
			d.Expect == ExpectAck && !ack,
			d.Expect == ExpectReject && ack,
			d.Expect == ExpectNoRedir && d.Status >= 300 && d.Status <= 399:
			return false
		}
	}
	return refused
}

// refusedTLS reports whether no delivery of ds was answered, some failed
// in the TLS handshake, and the others were hung up on (reset, closed, cut
// off: the same refusal); a timeout is the receiver's own. It is the
// setup's only when nothing in the whole run was answered (tlsRefusedRun):
// settings that got other deliveries through are not what failed these.
func refusedTLS(ds []DeliveryRecord) bool {
	tlsFailed := false
	for _, d := range ds {
		switch delivery.ErrKind(d.Error) {
		case delivery.KindTLS:
			tlsFailed = true
		case delivery.KindReset, delivery.KindEOF, delivery.KindCutShort:
		default:
			return false
		}
		if d.Status != 0 {
			return false
		}
	}
	return tlsFailed
}

// answeredAny reports whether some delivery of the run got an HTTP status:
// then the sender's TLS settings work, and a spec whose deliveries failed
// in the handshake failed the receiver's way, not the setup's.
func answeredAny(r types.Report) bool {
	for _, spec := range r.SpecReports {
		for _, d := range Deliveries(spec) {
			if d.Status != 0 {
				return true
			}
		}
	}
	return false
}

// hookSaid is what the inspect hook did, when every spec it failed says
// the same (the first line of the failures, eventIds aside); "" otherwise.
func (f Findings) hookSaid(kind string) string {
	said := ""
	for _, p := range f.Setup {
		if p.Kind != kind {
			continue
		}
		line := eventIDsRE.ReplaceAllString(p.Said, "")
		if said != "" && eventIDsRE.ReplaceAllString(said, "") != line {
			return ""
		}
		if said == "" {
			said = p.Said
		}
	}
	return said
}

var eventIDsRE = regexp.MustCompile(`[0-9]+`)

// Findings is what a run of the contract specs found, per group.
type Findings struct {
	// Succeeded is false when a spec failed or the suite itself did (a
	// report that could not be written, an interruption).
	Succeeded bool
	// Passed, Failed and Skipped count the selected specs: Skipped those
	// skipped for a reason (a missing hook) and those the run stopped
	// before or during (NotRun).
	Passed, Failed, Skipped int
	// NotSelected counts the specs that --focus or --skip left out (or,
	// in a team's own suite, Ginkgo's label, file and version filters), in
	// none of the other counts.
	NotSelected int
	// filters names what left the NotSelected specs out, in Ginkgo's
	// words: verify's --focus/--skip, or a team's suite's own filters.
	filters string
	Groups  []GroupResult
	// Failures are the failed specs' names below SuiteText.
	Failures []string
	// Setup are the failures that are the setup's, not the receiver's:
	// when they are all the failures, the receiver was not judged.
	Setup []SetupProblem
	// Relabeled are what the end of the run changed of failed specs'
	// verdicts (see Relabel): setup problems taken back are not in Setup.
	Relabeled []Relabel
	Skips     []SkipNote
	// Latency is over every delivery of the run that was answered or
	// timed out. The counts after it are the deliveries left out, so that
	// together they add up to what the receiver's access log shows (those
	// that never connected aside): those the sender hung up on on purpose
	// before the answer; those that got no answer (the connection
	// refused, reset or closed); those answered with something that is not
	// HTTP, or that failed otherwise (error "other"); and those cut off
	// by the run's interruption.
	Latency                                    Quantiles
	Abandoned, Unanswered, Malformed, Canceled int
	// Sent counts every delivery the run made, recorded or not (0 when
	// unknown: Summarize alone cannot tell); SentAPI those of the --api
	// specs, which record none. See NotRecorded.
	Sent, SentAPI int
	Warnings      []string
	// ApplyLatency is over every counted event that was applied and first
	// asked about within the inspect timeout: from its acknowledgement to
	// its count first seen at 1 (an upper bound: the hook is polled).
	ApplyLatency Quantiles
	// ApplyUncertainty is over the same events: by how much each apply
	// time may be above the true one, the gap between the last question
	// that found the count at 0 (or the acknowledgement) and the answer
	// that found it.
	ApplyUncertainty Quantiles
	// ApplyUnknown counts the applied events first asked about past the
	// inspect timeout, left out of ApplyLatency: when they were applied is
	// not known.
	ApplyUnknown int
	// Late is what the end of the run found about each event that was not
	// applied within the inspect timeout: applied later, or never.
	Late []LateApplication
	// Drain says how much of the drain budget the run spent, empty when
	// none.
	Drain string
	// SuiteFailures are failures outside the specs: Ginkgo's special
	// failure reasons and failed report nodes.
	SuiteFailures []string
	// ReportErrors are the report files (JUnit, JSON) that could not be
	// written; they are in SuiteFailures too.
	ReportErrors []string
	// Aborted is why the suite stopped before its last spec (a hung
	// receiver: see HungAfter), empty when it did not.
	Aborted string
	// Interrupted is why the run was interrupted ("Ctrl-C or SIGINT",
	// "SIGTERM" from Run; Ginkgo's "Interrupted by User" from Summarize),
	// empty when it was not. The spec it stopped is not failed: the run
	// did not judge it.
	Interrupted string
	// NotRun counts the selected specs an abort or an interruption left,
	// the one interrupted while it ran included; they are in Skipped.
	NotRun int
	// Target is the receiver's URL, masked. Set by Run.
	Target string
	// Insecure says the receiver's TLS certificate was not verified
	// (Target.TLS skips it: --insecure). Set by Run.
	Insecure bool
	// Seed is the run's payload seed; SeedRandom says it was drawn at
	// random (Target.Seed zero). Set by Run.
	Seed       uint64
	SeedRandom bool
	// NothingApplied says an inspect hook was asked about the run's events
	// and counted none of them applied, to the end: a hook at a wrong URL
	// and a receiver that applies nothing it acknowledges answer alike
	// (404 for every event), so its specs' [inspect hook]/[state hook]
	// marks may be either's. Set by Run.
	NothingApplied bool
	// Unfit counts the built-in lifecycle scenarios the run left out for
	// not fitting the vocabulary, the file Vocabulary, of those
	// --focus/--skip selected (their specs are skipped, saying why). Set
	// by Run.
	Unfit      int
	Vocabulary string
	// SameAnswer is the status every delivery of the run was answered with,
	// when they were at least two, all answered, and all with this one
	// non-2xx status (a wrong path, a missing token); 0 otherwise.
	SameAnswer int
	// Report is the run's JSON report, what RunConfig.JSONReport gets
	// written (for a command that prints it instead). Set by Run.
	Report *JSONReport `json:"-"`
}

// Deliveries returns the DeliveryRecords a spec attached, whether the report
// comes straight from Ginkgo or was read back from a JSON report.
func Deliveries(spec types.SpecReport) []DeliveryRecord {
	var out []DeliveryRecord
	for _, e := range spec.ReportEntries {
		if e.Name != EntryDelivery {
			continue
		}
		if d, ok := e.Value.GetRawValue().(DeliveryRecord); ok {
			out = append(out, d)
			continue
		}
		data := []byte(e.Value.AsJSON)
		if len(data) == 0 {
			data, _ = json.Marshal(e.Value.GetRawValue())
		}
		var d DeliveryRecord
		if json.Unmarshal(data, &d) == nil {
			out = append(out, d)
		}
	}
	return out
}

// latenciesOf reads the entries named name of a spec, lists of
// milliseconds.
func latenciesOf(spec types.SpecReport, name string) []float64 {
	var out []float64
	for _, e := range spec.ReportEntries {
		if e.Name != name {
			continue
		}
		var v []float64
		if entryValue(e, &v) {
			out = append(out, v...)
		}
	}
	return out
}

// entryValue reads a report entry's value into v, whether the report comes
// straight from Ginkgo or was read back from a JSON report.
func entryValue[T any](e types.ReportEntry, v *T) bool {
	if raw, ok := e.Value.GetRawValue().(T); ok {
		*v = raw
		return true
	}
	data := []byte(e.Value.AsJSON)
	if len(data) == 0 {
		data, _ = json.Marshal(e.Value.GetRawValue())
	}
	return json.Unmarshal(data, v) == nil
}

// SpecName is a spec's name below SuiteText ("work order triggers
// TASK_CREATED acknowledges ..."), and false for a spec that is not one of
// the contract's.
func SpecName(spec types.SpecReport) (string, bool) {
	i := slices.Index(spec.ContainerHierarchyTexts, SuiteText)
	if i < 0 || spec.LeafNodeType != types.NodeTypeIt {
		return "", false
	}
	return strings.Join(append(slices.Clone(spec.ContainerHierarchyTexts[i+1:]), spec.LeafNodeText), " "), true
}

// Group is the group a contract spec belongs to.
func Group(spec types.SpecReport) string {
	i := slices.Index(spec.ContainerHierarchyTexts, SuiteText)
	if i < 0 || i+1 >= len(spec.ContainerHierarchyTexts) {
		return ""
	}
	return spec.ContainerHierarchyTexts[i+1]
}

// Summarize counts the contract specs of report by group, in the order help
// text lists trigger families, then the other groups. Specs of the report
// that are not the contract's are ignored, so a team's own suite may hold
// both.
func Summarize(report types.Report) Findings {
	s := Findings{Succeeded: report.SuiteSucceeded, Interrupted: interruption(report)}
	for _, reason := range report.SpecialSuiteFailureReasons {
		// An interruption is no failure: Verdict tells it apart.
		if !strings.HasPrefix(reason, interruptedBy) {
			s.SuiteFailures = append(s.SuiteFailures, reason)
		}
	}
	outs := newOutcomes(report)
	s.filters = filterFlags(report.SuiteConfig)
	rels := relabelsOf(report)
	var order []string
	for _, f := range schemas.Families() {
		order = append(order, FamilyText(f))
	}
	order = append(order, GroupDelivery, GroupToken, GroupIdempotency, GroupLifecycle, GroupState) // GroupState: statespecs.go
	groups := map[string]*GroupResult{}
	skips := map[[2]string]int{}
	var latencies, applyLat, applyUnc []time.Duration
	statuses := map[int]int{} // status → deliveries; 0 for no answer
	answered, stopped := answeredAny(report), refusedAny(report)
	for _, spec := range report.SpecReports {
		for _, e := range spec.ReportEntries {
			switch e.Name {
			case EntryLate:
				var late LateApplications
				if entryValue(e, &late) {
					s.Late = append(s.Late, late...)
				}
			case EntryDrainBudget:
				s.Drain = e.StringRepresentation()
			case EntryApplyUnknown:
				var n int
				if entryValue(e, &n) {
					s.ApplyUnknown += n
				}
			}
		}
		for _, v := range latenciesOf(spec, EntryApplyLatencies) {
			applyLat = append(applyLat, ms(v))
		}
		for _, v := range latenciesOf(spec, EntryApplyUncertainty) {
			applyUnc = append(applyUnc, ms(v))
		}
		name, ok := SpecName(spec)
		if !ok {
			if spec.LeafNodeType != types.NodeTypeIt && spec.State.Is(types.SpecStateFailureStates) {
				s.SuiteFailures = append(s.SuiteFailures, fmt.Sprintf("%s: %s", spec.LeafNodeType, spec.Failure.Message))
			}
			continue
		}
		g := Group(spec)
		gr := groups[g]
		if gr == nil {
			gr = &GroupResult{Name: g}
			groups[g] = gr
			if !slices.Contains(order, g) {
				order = append(order, g)
			}
		}
		switch o := outs.of(spec); o.verdict {
		case "":
			gr.NotSelected++
			s.NotSelected++
		case SpecPassed:
			gr.Passed++
			s.Passed++
		case SpecSkipped:
			gr.Skipped++
			s.Skipped++
			if o.notRun {
				s.NotRun++
			}
			skips[[2]string{g, o.reason}]++
		default:
			gr.Failed++
			s.Failed++
			s.Failures = append(s.Failures, name)
			if spec.State.Is(types.SpecStateAborted) && s.Aborted == "" {
				s.Aborted = spec.Failure.Message
			}
			rel, relabeled := rels[name]
			if relabeled {
				s.Relabeled = append(s.Relabeled, rel)
			}
			setup := ""
			for _, e := range spec.ReportEntries {
				if e.Name == EntryProblem && rel.Withdrawn == "" {
					setup = e.StringRepresentation()
					break
				}
			}
			if setup == "" && !answered && refusedTLS(Deliveries(spec)) {
				setup = ProblemTLS
			}
			setup = downMark(setup, spec.Failure.Message, Deliveries(spec), stopped)
			if setup != "" {
				said, _, _ := strings.Cut(strings.TrimSpace(spec.Failure.Message), "\n")
				s.Setup = append(s.Setup, SetupProblem{Spec: name, Kind: setup, Said: said})
			}
		}
		for _, d := range Deliveries(spec) {
			// A timed-out delivery counts at the time it was given up on: a
			// receiver must not look fast by never answering.
			switch {
			case d.Expect == ExpectAbandon && d.Error == "":
				s.Abandoned++
			case d.Expect != ExpectAbandon && (d.Status != 0 || d.Error == string(delivery.KindTimeout)):
				latencies = append(latencies, time.Duration(d.LatencyMS*float64(time.Millisecond)))
			case d.Error == string(delivery.KindOther), d.Error == string(delivery.KindMalformed):
				s.Malformed++
			case d.Error == string(delivery.KindCanceled):
				s.Canceled++
			default:
				s.Unanswered++
			}
			if d.Expect != ExpectAbandon {
				statuses[d.Status]++
			}
		}
		for _, v := range latenciesOf(spec, EntryLatencies) {
			latencies = append(latencies, ms(v))
			statuses[http.StatusOK]++ // acknowledged: some 2xx
		}
		for _, e := range spec.ReportEntries {
			if e.Name == EntryWarning && !slices.Contains(s.Warnings, e.StringRepresentation()) {
				s.Warnings = append(s.Warnings, e.StringRepresentation())
			}
		}
	}
	for _, g := range order {
		if gr := groups[g]; gr != nil {
			s.Groups = append(s.Groups, *gr)
		}
	}
	for k, n := range skips {
		s.Skips = append(s.Skips, SkipNote{Group: k[0], Reason: k[1], Specs: n})
	}
	slices.SortFunc(s.Skips, func(a, b SkipNote) int {
		if c := slices.Index(order, a.Group) - slices.Index(order, b.Group); c != 0 {
			return c
		}
		return strings.Compare(a.Reason, b.Reason)
	})
	if len(statuses) == 1 {
		for st, n := range statuses {
			if n >= 2 && st != 0 && (st < 200 || st > 299) {
				s.SameAnswer = st
			}
		}
	}
	s.Latency = quantiles(latencies)
	s.ApplyLatency = quantiles(applyLat)
	s.ApplyUncertainty = quantiles(applyUnc)
	if s.Latency.P99 > SlowAnswer {
		w := slowWarning(s.Latency.P99)
		if !slices.Contains(s.Warnings, w) {
			s.Warnings = append(s.Warnings, w)
		}
	}
	if s.Failed > 0 || s.Interrupted != "" {
		s.Succeeded = false
	}
	return s
}

// NotRecorded counts the deliveries the run made that no spec recorded
// (Sent less those the summary counts, timed or left out): the --api
// specs' (SentAPI), those made ahead of specs that a stop (--max-late,
// --max-late-total, a hung inspect hook, an interruption) left unjudged,
// and the probe the --max-late and --max-late-total stops send. 0 when
// Sent is unknown.
func (f Findings) NotRecorded() int {
	if f.Sent == 0 {
		return 0
	}
	return max(0, f.Sent-f.Latency.N-f.Abandoned-f.Unanswered-f.Malformed-f.Canceled)
}

// leftOut names the deliveries the answer time leaves out, so that a
// reader can add them up to the receiver's access log: " (+1 abandoned on
// purpose, +2 without an answer, +5 not recorded: ...)", "" when none. The
// not recorded go last: their reason may hold a comma.
func (f Findings) leftOut() string {
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{
		{f.Abandoned, "abandoned on purpose"},
		{f.Unanswered, "without an answer"},
		{f.Malformed, "answered malformed or failed otherwise"},
		{f.Canceled, "cut off by the interruption"},
	} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("+%d %s", c.n, c.what))
		}
	}
	if n := f.NotRecorded(); n > 0 {
		parts = append(parts, fmt.Sprintf("+%d not recorded: %s", n, f.whyNotRecorded(n)))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// whyNotRecorded says which deliveries the n not recorded are.
func (f Findings) whyNotRecorded(n int) string {
	const api = "the --api specs keep no record of their deliveries"
	var ahead string
	switch {
	case strings.HasPrefix(f.Aborted, AbortedHung), strings.HasPrefix(f.Aborted, AbortedLateTotal):
		// The --max-late and --max-late-total stops send a probe, to
		// tell a hung receiver from a slow one; a hung hook's does not.
		ahead = "made for specs the stop left unjudged, and the stop's probe"
	case f.Aborted != "":
		ahead = "made for specs the stop left unjudged"
	case f.Interrupted != "":
		ahead = "made for specs the interruption left unjudged"
	default:
		ahead = "made outside any spec's record" // no known cause: say so, not a stop's
	}
	switch {
	case f.SentAPI >= n:
		return api
	case f.SentAPI > 0:
		return fmt.Sprintf("%d by the --api specs, which keep no record of their deliveries; %d %s", f.SentAPI, n-f.SentAPI, ahead)
	}
	return ahead
}

// selected counts the specs --focus/--skip selected; ran those of them
// that ran to a verdict (passed, failed, or skipped for a reason).
func (f Findings) selected() int { return f.Passed + f.Failed + f.Skipped }
func (f Findings) ran() int      { return f.selected() - f.NotRun }

func specs(n int) string {
	if n == 1 {
		return "1 spec"
	}
	return fmt.Sprintf("%d specs", n)
}

// SameAnswerLine guesses at the configuration mistake behind a run whose
// every delivery got the same refusal (Findings.SameAnswer).
func SameAnswerLine(status int) string {
	what := fmt.Sprintf("every delivery was answered %d %s: ", status, http.StatusText(status))
	switch {
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		return what + "is --target the webhook's path?"
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return what + "does the receiver want a token in the URL (--token-param NAME=VALUE), or another one?"
	case status >= 300 && status <= 399:
		return what + "is --target the final URL (https, trailing slash)?"
	}
	return what + "is the receiver at --target working at all?"
}

// String is the console summary: a table per group, answer times, skip
// reasons, failed specs and warnings.
func (s Findings) String() string {
	var b strings.Builder
	width := len("total")
	for _, g := range s.Groups {
		width = max(width, len(g.Name))
	}
	// The specs --focus/--skip left out get a column of their own, when
	// there are some: skipped counts only selected specs, as the text,
	// JUnit and JSON reports do.
	row := func(name string, passed, failed, skipped, notSelected any) {
		fmt.Fprintf(&b, "%-*s  %6v  %6v  %7v", width, name, passed, failed, skipped)
		if s.NotSelected > 0 {
			fmt.Fprintf(&b, "  %12v", notSelected)
		}
		b.WriteString("\n")
	}
	row("group", "passed", "failed", "skipped", "not selected")
	for _, g := range s.Groups {
		row(g.Name, g.Passed, g.Failed, g.Skipped, g.NotSelected)
	}
	row("total", s.Passed, s.Failed, s.Skipped, s.NotSelected)
	switch left := s.leftOut(); {
	case s.Latency.N > 0:
		fmt.Fprintf(&b, "\nanswer time: %s over %s%s\n", s.Latency, nDeliveries(s.Latency.N), left)
	case left != "":
		// The deliveries left out still add up to the receiver's log.
		fmt.Fprintf(&b, "\nanswer time: no delivery was timed%s\n", left)
	}
	if s.ApplyLatency.N > 0 {
		fmt.Fprintf(&b, "apply time: %s over %s (an upper bound: from the acknowledgement to the first question that found the count; the hook was polled %s apart at first, then every quarter of the time since the acknowledgement, at most %s apart", s.ApplyLatency, nEvents(s.ApplyLatency.N), MinPollGap, MaxPollGap)
		if u := s.ApplyUncertainty; u.N > 0 {
			fmt.Fprintf(&b, ": each figure is at most p50 %s, p99 %s above the true one", roundLatency(u.P50), roundLatency(u.P99))
			if u.P50*10 >= s.ApplyLatency.P50*9 {
				// A receiver that applies before it answers reads as
				// slow here: the figure is when the hook was asked.
				b.WriteString("; most events were already applied when first asked, so these figures time the questions (asked once a job's deliveries are done), not the receiver, which may apply at once")
			}
		}
		b.WriteString(")\n")
	}
	if s.ApplyUnknown > 0 {
		fmt.Fprintf(&b, "apply time not known for %s: applied, but first asked about past --inspect-timeout\n", nEvents(s.ApplyUnknown))
	}
	if len(s.Late) > 0 {
		b.WriteString("\nnot applied within the inspect timeout, asked again at the end of the run:\n")
		for i, l := range s.Late {
			if i == 20 {
				fmt.Fprintf(&b, "  … and %d more\n", len(s.Late)-i)
				break
			}
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	if s.Drain != "" {
		fmt.Fprintf(&b, "\ndrain: %s\n", s.Drain)
	}
	if len(s.Skips) > 0 {
		b.WriteString("\nskipped:\n")
		for _, k := range s.Skips {
			fmt.Fprintf(&b, "  %s (%d): %s\n", k.Group, k.Specs, k.Reason)
		}
	}
	if s.NotSelected > 0 {
		filters := s.filters
		if filters == "" {
			filters = "--focus/--skip"
		}
		fmt.Fprintf(&b, "\n%s not selected by %s\n", specs(s.NotSelected), filters)
	}
	if len(s.Failures) > 0 {
		kinds := map[string]string{}
		perKind := map[string]int{}
		for _, p := range s.Setup {
			kinds[p.Spec] = p.Kind
			perKind[p.Kind]++
		}
		b.WriteString("\nfailed:\n")
		for _, f := range s.Failures {
			if k := kinds[f]; k != "" {
				fmt.Fprintf(&b, "  %s  [%s]\n", f, k)
				continue
			}
			fmt.Fprintf(&b, "  %s\n", f)
		}
		if n := perKind[ProblemHook] + perKind[ProblemStateHook]; n > 0 && s.NothingApplied {
			fmt.Fprintf(&b, "\n%s marked [%s] or [%s]: %s\n", specs(n), ProblemHook, ProblemStateHook, nothingAppliedLine)
		} else if n := perKind[ProblemHook]; n > 0 {
			if said := s.hookSaid(ProblemHook); said != "" {
				fmt.Fprintf(&b, "\n%s marked [%s] failed because of the inspect hook, not because of the receiver: %s\n", specs(n), ProblemHook, said)
			} else {
				fmt.Fprintf(&b, "\n%s marked [%s] failed because of the inspect hook, not because of the receiver (see each): fix the hook (see the inspect protocol)\n", specs(n), ProblemHook)
			}
		}
		if n := perKind[ProblemDown]; n > 0 {
			fmt.Fprintf(&b, "\n%s marked [%s] failed because the receiver stopped accepting connections during the run (a crash, a restart, a deploy): their deliveries, or the questions to its inspect hook on the same server, were refused, so they judged nothing of its handling: find out why it stopped (its logs), then run again\n", specs(n), ProblemDown)
		}
		if n := perKind[ProblemStateHook]; n > 0 && !s.NothingApplied { // final-state specs (statespecs.go)
			fmt.Fprintf(&b, "\n%s marked [%s] failed because of the state hook, not because of the receiver (see each: where the inspect hook counted none of the run's events either, the receiver may instead have applied nothing of the run yet): fix the hook (see the state protocol)\n", specs(n), ProblemStateHook)
		}
		var withdrawn, found []string
		for _, rel := range s.Relabeled {
			if rel.Withdrawn != "" {
				withdrawn = append(withdrawn, "["+rel.Withdrawn+"]")
			}
			if rel.Found != "" {
				found = append(found, rel.Spec)
			}
		}
		if len(withdrawn) > 0 {
			slices.Sort(withdrawn)
			fmt.Fprintf(&b, "\n%s marked %s when %s the receiver's, not the hooks': the end of the run found the hooks answering after all, and their events not applied within --inspect-timeout, late (see each, and the warning below)\n", specs(len(withdrawn)), strings.Join(slices.Compact(withdrawn), " or "), map[bool]string{true: "it ended is", false: "they ended are"}[len(withdrawn) == 1])
		}
		if len(found) > 0 {
			fmt.Fprintf(&b, "\n%s failed as late had every event that was not applied within --inspect-timeout %s at the end of the run: late, not lost\n", specs(len(found)), FoundApplied)
		}
		if n := perKind[ProblemStale]; n > 0 {
			fmt.Fprintf(&b, "\n%s marked [%s] found their events already applied before they were sent: %s\n", specs(n), ProblemStale, staleAdvice)
		}
	}
	if s.SameAnswer != 0 {
		fmt.Fprintf(&b, "\n%s\n", SameAnswerLine(s.SameAnswer))
	}
	if s.Aborted != "" {
		fmt.Fprintf(&b, "\naborted after a spec, %d not run: %s\n", s.NotRun, s.Aborted)
	}
	if s.Interrupted != "" {
		if s.selected() == 0 {
			fmt.Fprintf(&b, "\ninterrupted (%s) before any spec ran\n", s.Interrupted)
		} else {
			fmt.Fprintf(&b, "\ninterrupted (%s) after %d of %s: %d not run\n", s.Interrupted, s.ran(), specs(s.selected()), s.NotRun)
		}
	}
	for _, f := range s.SuiteFailures {
		fmt.Fprintf(&b, "\nsuite failure: %s\n", f)
	}
	for _, w := range s.Warnings {
		fmt.Fprintf(&b, "\nwarning: %s\n", w)
	}
	return b.String()
}
