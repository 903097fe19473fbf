package contract

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// ReachTimeout bounds the reachability checks before the suite (at most
// the deadline, or the inspect timeout for the hook): a receiver that cannot
// accept a connection in this long is not running.
const ReachTimeout = 5 * time.Second

// Verify checks target and cfg, dials the receiver and the inspect hook, runs
// the suite (see Run) and returns what it found; Findings.Verdict says what
// that means. An error means the receiver was not judged: a bad Target
// (*schemas.FieldError) or RunConfig, an unreachable receiver or hook.
func Verify(ctx context.Context, target Target, cfg RunConfig) (Findings, error) {
	if err := cfg.notJudged(target, unfinished); err != nil {
		// The other file, if it could be written, says why rather than
		// "did not finish".
		_ = cfg.notJudgedBy(target, err)
		return Findings{}, err
	}
	f, err := verify(ctx, target, cfg)
	if err != nil {
		err = cfg.notJudgedBy(target, err)
	}
	return f, err
}

func verify(ctx context.Context, target Target, cfg RunConfig) (Findings, error) {
	if err := cfg.check(); err != nil {
		return Findings{}, err
	}
	t, err := target.withDefaults()
	if err != nil {
		return Findings{}, err
	}
	if err := CheckReachable(ctx, t.URL, min(ReachTimeout, t.Deadline)); err != nil {
		return Findings{}, err
	}
	if u, ok := t.Inspect.(*urlInspector); ok {
		if err := CheckInspectReachable(ctx, u.template, min(ReachTimeout, t.InspectTimeout)); err != nil {
			return Findings{}, &schemas.FieldError{Field: "InspectURL", Want: err.Error(), Err: err}
		}
	}
	if err := checkStateReachable(ctx, t); err != nil { // state.go
		return Findings{}, err
	}
	// The target as given: a seed left zero is drawn by Run, which knows
	// it was drawn.
	return Run(target, cfg)
}

// check checks what Ginkgo would only find out late: filters that are not
// regular expressions. (Report files that cannot be written are found
// when Verify writes them first, as a run that did not finish.)
func (cfg RunConfig) check() error {
	for _, re := range slices.Concat(cfg.Focus, cfg.Skip) {
		if _, err := regexp.Compile(re); err != nil {
			return badField("Focus", fmt.Sprintf("%q", re), err.Error())
		}
	}
	return nil
}

// checkScenarios checks Target.Scenarios: built-in names or files.
func checkScenarios(names []string, v *schemas.Vocabulary) error {
	for _, name := range names {
		if _, err := os.Stat(name); err == nil {
			if _, err := scenarios.LoadWithVocabulary(name, v); err != nil {
				return badField("Scenarios", "", err.Error())
			}
			continue
		}
		if !slices.Contains(scenarios.Names(), name) {
			return badField("Scenarios", fmt.Sprintf("%q", name), fmt.Sprintf("isn't one of [%s] (nor a scenario file)", strings.Join(scenarios.Names(), " ")))
		}
	}
	return nil
}

// Verdict is what a run means to CI.
type Verdict struct {
	// Exit is 0 when every selected spec that ran passed (skipped ones
	// aside) and at least one ran; 1 when the receiver breaks the contract
	// (a spec failed, or the run stopped for a receiver that answers late
	// or not at all); 2 when the receiver was not judged: every failure
	// was the setup's (the inspect hook, stale state), every delivery got
	// the same 404/405/401/403, the filters selected nothing, every
	// selected spec was skipped (a missing --state, --inspect or
	// --token-param: the reasons are in the message), or the run was
	// interrupted (Ctrl-C, SIGTERM).
	//
	// An interrupted run is 1 when a spec had failed on the receiver
	// before the interruption: that failure is a finding whatever the
	// specs left would have found, and a CI job stopped by its timeout
	// must not turn a contract break into "not judged". The spec that was
	// running is no failure: its deliveries were cut short.
	Exit int
	// Message is the last line: "PASS: ..." or why not.
	Message string
	// Notes are warnings about the run itself, for stderr.
	Notes []string
}

// MinSelected is how few specs --focus/--skip may leave before the verdict
// notes that the filter likely matched more than meant.
const MinSelected = 3

// Verdict maps what the run found to an exit status and a message; filtered
// says --focus or --skip were given.
func (f Findings) Verdict(filtered bool) Verdict {
	var v Verdict
	selected := f.selected()
	if selected == 0 && f.Interrupted == "" {
		return Verdict{Exit: 2, Message: "--focus/--skip selected no spec; `coperniq-mock verify --help` lists the spec names"}
	}
	if filtered && selected < MinSelected {
		// --skip edge also skips every spec that "acknowledges".
		v.Notes = append(v.Notes, fmt.Sprintf("--focus/--skip left %s of %d selected: they are regular expressions matched anywhere in the spec names (--skip edge also skips \"acknowledges\"; --skip 'edge payloads' does not)", specs(selected), selected+f.NotSelected))
	}
	ran := f.Passed + f.Failed
	// A receiver that stopped accepting connections during the run
	// (ProblemDown) is the exit table's "receiver unreachable (connection
	// refused)", a setup problem: exit 2 when every failure is that or the
	// setup's, as for a receiver down from the start (delivery's
	// ErrUnreachable), since refused connections say nothing of how it
	// handles webhooks. A spec it failed before it stopped still stands:
	// exit 1.
	setupOnly := f.Failed > 0 && len(f.Setup) == f.Failed && len(f.SuiteFailures) == 0
	switch st := f.SameAnswer; {
	case len(f.ReportErrors) > 0:
		// An unwritable report is an output file that could not be
		// written: exit 2 in every command, whatever the specs found.
		v.Exit, v.Message = 2, strings.Join(f.ReportErrors, "; ")
	case f.Interrupted != "" && f.Failed == len(f.Setup):
		v.Exit, v.Message = 2, "the receiver was not judged: "+f.interruptedLine()
	case setupOnly:
		v.Exit, v.Message = 2, f.setupMessage()
	case f.Aborted != "":
		v.Exit, v.Message = 1, fmt.Sprintf("the receiver breaks the contract: the suite was aborted, %s not run: %s", specs(f.NotRun), f.Aborted)
	case delivery.SetupRefusal(st):
		// Every delivery refused alike: a wrong path or token, and the
		// receiver was not judged.
		v.Exit, v.Message = 2, "the receiver was not judged: "+SameAnswerLine(st)
	case !f.Succeeded && f.Failed == 0 && f.Interrupted == "":
		v.Exit, v.Message = 1, "the suite failed outside the specs (see above)"
	case f.Failed > 0 || !f.Succeeded:
		v.Exit, v.Message = 1, fmt.Sprintf("the receiver breaks the contract: %d of %d specs failed", f.Failed, ran)
		down := f.setupKinds()[ProblemDown]
		switch n := len(f.Setup); {
		case down > 0 && down == n:
			v.Message += fmt.Sprintf(" (%d of them because the receiver stopped accepting connections during the run, not its handling: see above)", n)
		case down > 0:
			v.Message += fmt.Sprintf(" (%d of them because the receiver stopped accepting connections during the run, %d because of the setup, not its handling: see above)", down, n-down)
		case n > 0 && f.NothingApplied && f.setupKinds()[ProblemHook] == n:
			// The hook at a wrong URL and a receiver that applies
			// nothing look alike: not the setup's for sure.
			v.Message += fmt.Sprintf(" (%d of them marked [%s]: the inspect hook counted none of the run's events applied, so either its URL is wrong or the receiver applies nothing it acknowledges: see above)", n, ProblemHook)
		case n > 0:
			v.Message += fmt.Sprintf(" (%d of them because of the setup, not the receiver: see above)", n)
		}
		if f.Interrupted != "" {
			v.Message += fmt.Sprintf(" before the run was interrupted after %d of %s; %d not run", f.ran(), specs(f.selected()), f.NotRun)
		}
	case ran == 0:
		// A gate that forgot a flag must not pass having tested nothing.
		v.Exit, v.Message = 2, fmt.Sprintf("the receiver was not judged: no selected spec ran, %s skipped: %s", specs(f.Skipped), f.skipReasons())
	default:
		v.Message = fmt.Sprintf("PASS: %s passed, %d skipped", specs(f.Passed), f.Skipped)
		if f.NotSelected > 0 {
			v.Message += fmt.Sprintf(", %d not selected", f.NotSelected)
		}
		if n := f.Unfit; n > 0 {
			// A pass that left scenarios out says so where CI reads it.
			v.Message += fmt.Sprintf("; %s not run: %s not fit vocabulary %s (see skipped)", plural(n, "lifecycle scenario"), map[bool]string{true: "it does", false: "they do"}[n == 1], f.Vocabulary)
		}
	}
	return v
}

// interruptedLine says where an interruption stopped the run: "interrupted
// after 80 of 141 specs (78 passed, 2 failed before the interruption; 61
// not run)".
func (f Findings) interruptedLine() string {
	if f.selected() == 0 {
		// A signal while the suite started: Ginkgo reports no spec.
		return "interrupted before any spec ran"
	}
	line := fmt.Sprintf("interrupted after %d of %s (%d passed, %d failed", f.ran(), specs(f.selected()), f.Passed, f.Failed)
	if n := len(f.Setup); n > 0 {
		line += fmt.Sprintf(", %d of them because of the setup, not the receiver", n)
	}
	if n := f.Skipped - f.NotRun; n > 0 {
		line += fmt.Sprintf(", %d skipped", n)
	}
	return line + fmt.Sprintf(" before the interruption; %d not run)", f.NotRun)
}

// skipReasons lists why the specs were skipped, per group: "final state
// (33): needs a state hook ...; token in the URL (3): needs the receiver's
// token ...".
func (f Findings) skipReasons() string {
	var out []string
	for _, k := range f.Skips {
		out = append(out, fmt.Sprintf("%s (%d): %s", k.Group, k.Specs, k.Reason))
	}
	return strings.Join(out, "; ")
}

// setupMessage is the verdict when every failure was the setup's: the
// receiver was not judged, which is bad configuration, not a contract break.
func (f Findings) setupMessage() string {
	kinds := f.setupKinds()
	switch {
	case kinds[ProblemDown] > 0:
		msg := fmt.Sprintf("the receiver was not judged: it stopped accepting connections during the run, and %s failed because their deliveries, or the questions to its inspect hook, were refused from then on", specs(kinds[ProblemDown]))
		if n := f.Failed - kinds[ProblemDown]; n > 0 {
			msg += fmt.Sprintf("; %s failed because of the setup", specs(n))
		}
		return msg + " (see above); find out why it stopped (its logs: a crash, a restart, a deploy), then run again"
	case kinds[ProblemHook] == f.Failed && f.Aborted != "":
		return fmt.Sprintf("the receiver was not judged: the inspect hook does not answer in time, so the suite was aborted, %s not run (see above); fix the hook (see the inspect protocol in `coperniq-mock verify --help`)", specs(f.NotRun))
	case kinds[ProblemHook]+kinds[ProblemStateHook] == f.Failed && f.NothingApplied:
		return fmt.Sprintf("the receiver was not judged: %s could not count any application: %s", specs(f.Failed), nothingAppliedLine)
	case kinds[ProblemHook] == f.Failed && f.hookSaid(ProblemHook) != "":
		return fmt.Sprintf("the receiver was not judged: %s could not count the receiver's applications, since %s", specs(f.Failed), f.hookSaid(ProblemHook))
	case kinds[ProblemHook] == f.Failed:
		return fmt.Sprintf("the receiver was not judged: the inspect hook does not answer by the protocol, so %s could not count the receiver's applications (see above); fix the hook (see the inspect protocol in `coperniq-mock verify --help`)", specs(f.Failed))
	case kinds[ProblemStateHook] == f.Failed: // final-state specs: statespecs.go
		return fmt.Sprintf("the receiver was not judged: the state hook does not answer by the protocol, so %d final-state specs could not compare (see above); fix the hook (see the state protocol in `coperniq-mock verify --help`)", f.Failed)
	case kinds[ProblemStale] == f.Failed:
		return fmt.Sprintf("the receiver was not judged: %s found their events already applied before they were sent (see above): %s", specs(f.Failed), staleAdvice)
	case kinds[ProblemTLS] == f.Failed:
		return fmt.Sprintf("the receiver was not judged: the deliveries of %s failed in the TLS handshake, none answered (see above): its TLS server refused the sender's settings; check --cacert, --cert/--key, --insecure", specs(f.Failed))
	case kinds[ProblemTLS] > 0:
		return fmt.Sprintf("the receiver was not judged: %s failed because of the inspect hook, the receiver's leftover state or the TLS handshake, not its handling (see above)", specs(f.Failed))
	}
	return fmt.Sprintf("the receiver was not judged: %s failed because of the inspect hook or the receiver's leftover state, not its handling (see above)", specs(f.Failed))
}

// setupKinds counts the setup problems of each kind.
func (f Findings) setupKinds() map[string]int {
	kinds := map[string]int{}
	for _, p := range f.Setup {
		kinds[p.Kind]++
	}
	return kinds
}

// nothingAppliedLine is what a run whose inspect hook counted nothing
// applied can say: which of the two it is, only the user can find out.
const nothingAppliedLine = "the inspect hook counted none of the run's events applied, though the receiver acknowledged each: either a hook's URL is wrong, or the receiver applies nothing it acknowledges, and then every event is lost (Coperniq will not send it again). To tell which, send one event (`coperniq-mock send PROJECT_CREATED --target URL`) and ask the hook for its eventId yourself"

// Title names the run: the receiver (masked) and the seed, with the flag
// that repeats a seed drawn at random.
func (f Findings) Title() string {
	seed := fmt.Sprintf("seed %d", f.Seed)
	if f.SeedRandom {
		seed = fmt.Sprintf("seed %d, drawn for this run: --seed %d repeats it", f.Seed, f.Seed)
	}
	return fmt.Sprintf("Coperniq contract of %s (%s)", f.Target, seed)
}

// errNoURL is kept apart so that a command can ask for its flag.
var errNoURL = errors.New("is empty: give the receiver's webhook URL")
