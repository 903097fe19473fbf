package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/spf13/cobra"
)

// verifyFlags are verify's flags: a contract.Target and a contract.RunConfig.
type verifyFlags struct {
	target, inspect, inspectCmd, tokenParam string
	deadline, inspectTimeout                time.Duration
	settle                                  settleValue
	burst                                   int
	seed                                    uint64
	focus, skip, scenarios                  []string
	junit, jsonReport                       string
	verbose, noColor                        bool
	state                                   verifyStateFlags // verifystate.go
}

func newVerifyCmd() *cobra.Command {
	var f verifyFlags
	cmd := &cobra.Command{
		Use:   "verify --target URL",
		Short: "Run the contract suite against a receiver: does it handle Coperniq's webhooks correctly?",
		Long: `Run the Coperniq contract specs (Ginkgo, built into this binary) against the
receiver at --target, as a CI job does: every trigger's realistic, minimal,
maximal and edge payloads must be acknowledged with a 2xx within --deadline, so
must an unknown future trigger and a burst of --burst concurrent deliveries; a
redirect is a failure, as it is to Coperniq. With --token-param the receiver must
refuse deliveries without the token or with a wrong one. With an inspect hook
(--inspect or --inspect-cmd) duplicates, redeliveries after a sender timeout
and shuffled lifecycles must each be applied exactly once. Specs that need what
is not configured are reported as skipped, with the reason, never as passed.

Inspect protocol: --inspect 'http://127.0.0.1:8080/_state/events/{eventId}' is
a GET answering 200 {"applied": N} (how many times the event was applied) or
404 when never; placeholders {eventId}, {recordId}, {triggerKey}. --inspect-cmd
runs a shell command with COPERNIQ_EVENT_ID, COPERNIQ_RECORD_ID and
COPERNIQ_TRIGGER_KEY set and reads N from its stdout (the command is never
printed: only its stderr is quoted, when it fails). Before the first delivery of
an event it counts, a spec asks the hook, and an event already applied (a
previous run's state: eventIds depend only on --seed) fails it. After the
deliveries the hook is polled until the count is reached or --inspect-timeout
passes, then watched for --settle to catch a duplicate applied late: auto
watches for 1s, or twice the time the count took to appear when that is longer.

Specs, for each of the 18 triggers, named "<family> triggers <TRIGGER_KEY> <spec>":
  ` + contract.SpecRealistic + `
  ` + contract.SpecMinimal + `
  ` + contract.SpecMaximal + `
  ` + contract.SpecEdge + `
` + contract.GroupDelivery + `:
  ` + contract.SpecUnknownTrigger + `
  ` + contract.SpecDeadline + `
  ` + contract.SpecBurst(contract.DefaultBurst) + ` (N is --burst)
  ` + contract.SpecRedirect + `
` + contract.GroupToken + `:
  ` + contract.SpecTokenMissing + `
  ` + contract.SpecTokenWrong + `
  ` + contract.SpecTokenRight + `
` + contract.GroupIdempotency + `:
  ` + contract.SpecDupAfter + `
  ` + contract.SpecDupConcurrent + `
  ` + contract.SpecGaveUp + `
` + contract.GroupLifecycle + ` <scenario>:
  ` + contract.SpecScenarioInOrder + `
  ` + contract.SpecScenarioShuffled + `
--focus and --skip are regular expressions on those names, e.g. --focus 'project
triggers' or --skip 'burst|edge payloads'.

Every failure prints the delivery, the answer (status, headers, body), the
timing and a command that sends the same bytes again:
  coperniq-mock send TRIGGER --seed S --profile P --to URL
Payloads are deterministic by --seed. A token in the URL is masked in output.

With an inspect hook the payload specs (realistic, minimal, maximal, edge,
unknown trigger) also want each event applied once: acknowledging and then
dropping the event in a worker loses it. When nothing at all is ever counted
as applied, the hook is blamed ([inspect hook]: a wrong URL answers 404 to
everything), and after the first checks the rest are not waited out.

When the receiver answers none of 5 deliveries in a row within --deadline,
the suite stops ("is it hung?") instead of waiting out every remaining spec.

Exit status: 0 every spec passed (skipped ones aside), 1 a spec failed (or
the suite stopped for a hung receiver), 2 bad usage, an unreachable target or
inspect hook, every delivery refused with the same status (a wrong path, a
missing token), or every failure was the setup's, not the receiver's: an
inspect hook that does not answer by the protocol, or events already applied
before they were sent.`,
		Example: `  coperniq-mock verify --target http://127.0.0.1:8080/webhooks/coperniq
  coperniq-mock verify --target http://127.0.0.1:8080/webhooks/coperniq --token-param token=s3cret \
      --inspect 'http://127.0.0.1:8080/_state/events/{eventId}' --junit-report reports/contract.xml
  coperniq-mock verify --target http://localhost:3000/hook --inspect-cmd 'psql -tAc "select applied from events where id = $COPERNIQ_EVENT_ID"'
  coperniq-mock verify --target http://localhost:3000/hook --focus 'work order' --skip burst --deadline 2s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			target, cfg, err := f.config()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			if err := contract.CheckReachable(ctx, target.URL, min(reachTimeout, target.Deadline)); err != nil {
				return usage(err)
			}
			if f.inspect != "" {
				if err := contract.CheckInspectReachable(ctx, f.inspect, reachTimeout); err != nil {
					return usage(fmt.Errorf("--inspect: %w", err))
				}
			}
			if err := f.state.reachable(ctx); err != nil {
				return err
			}
			if done, err := f.state.chaos.run(ctx, cmd.OutOrStdout(), &f, target); done { // verifystate.go
				return err
			}
			sum, err := contract.Run(target, cfg)
			if err != nil {
				return usage(err)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "\nCoperniq contract of %s (seed %d)\n\n%s\n", delivery.MaskURL(f.target), target.Seed, sum)
			ran := sum.Passed + sum.Failed
			if sum.Passed+sum.Failed+sum.Skipped == sum.NotSelected {
				return usage(errors.New("--focus/--skip selected no spec; `coperniq-mock verify --help` lists the spec names"))
			}
			if selected := sum.Passed + sum.Failed + sum.Skipped - sum.NotSelected; selected < minSelected && len(f.focus)+len(f.skip) > 0 {
				// --skip edge also skips every spec that "acknowledges".
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: --focus/--skip left %s of %d selected: they are regular expressions matched anywhere in the spec names (--skip edge also skips \"acknowledges\"; --skip 'edge payloads' does not)\n",
					specCount(selected), sum.Passed+sum.Failed+sum.Skipped)
			}
			if sum.Aborted != "" {
				return failureError{msg: fmt.Sprintf("the receiver breaks the contract: the suite was aborted, %d specs not run: %s", sum.NotRun, sum.Aborted)}
			}
			if st := sum.SameAnswer; st == http.StatusNotFound || st == http.StatusMethodNotAllowed || st == http.StatusUnauthorized || st == http.StatusForbidden {
				// Every delivery refused alike: a wrong path or token, and
				// the receiver was not judged.
				return usage(fmt.Errorf("the receiver was not judged: %s", contract.SameAnswerLine(sum.SameAnswer)))
			}
			if !sum.Succeeded {
				if sum.Failed == 0 {
					return failureError{msg: "the suite failed outside the specs (see above)"}
				}
				if len(sum.Setup) == sum.Failed && len(sum.SuiteFailures) == 0 {
					return usage(setupError(sum))
				}
				msg := fmt.Sprintf("the receiver breaks the contract: %d of %d specs failed", sum.Failed, ran)
				if n := len(sum.Setup); n > 0 {
					msg += fmt.Sprintf(" (%d of them because of the setup, not the receiver: see above)", n)
				}
				return failureError{msg: msg}
			}
			verdict := fmt.Sprintf("PASS: %d specs passed, %d skipped", sum.Passed, sum.Skipped-sum.NotSelected)
			if sum.NotSelected > 0 {
				verdict += fmt.Sprintf(", %d not selected", sum.NotSelected)
			}
			fmt.Fprintln(out, verdict)
			return nil
		},
	}
	cmd.Long += verifyStateHelp + verifyChaosHelp
	fl := cmd.Flags()
	f.state.register(fl)
	fl.StringVar(&f.target, "target", "", "the receiver's webhook URL (required; a token in the query string is masked in output)")
	fl.StringVar(&f.inspect, "inspect", "", "inspect hook URL template, e.g. 'http://127.0.0.1:8080/_state/events/{eventId}'")
	fl.StringVar(&f.inspectCmd, "inspect-cmd", "", "inspect command: prints how many times $COPERNIQ_EVENT_ID was applied")
	fl.StringVar(&f.tokenParam, "token-param", "", "the URL token the receiver requires, NAME=VALUE (enables the token specs)")
	fl.DurationVar(&f.deadline, "deadline", contract.DefaultDeadline, "how long each delivery may wait for its answer")
	fl.IntVar(&f.burst, "burst", contract.DefaultBurst, "how many deliveries the burst spec sends at once")
	fl.Uint64Var(&f.seed, "seed", contract.DefaultSeed, "payload seed: the same seed sends the same bytes")
	fl.DurationVar(&f.inspectTimeout, "inspect-timeout", contract.DefaultInspectTimeout, "how long to poll the inspect hook for an expected count")
	fl.Var(&f.settle, "settle", "how long a reached count is watched for a duplicate applied late: auto is 1s, or twice the time the count took to appear when longer; 0 does not watch")
	fl.StringArrayVar(&f.scenarios, "scenario", nil, "replay only this lifecycle scenario, a built-in name or a file (repeatable; default: every built-in one, see 'scenario list')")
	_ = cmd.RegisterFlagCompletionFunc("scenario", completeWords(scenarios.Names()...))
	fl.StringArrayVar(&f.focus, "focus", nil, "run only specs whose name matches this regular expression (repeatable)")
	fl.StringArrayVar(&f.skip, "skip", nil, "skip specs whose name matches this regular expression (repeatable)")
	fl.StringVar(&f.junit, "junit-report", "", "write a JUnit XML report to this file, for CI")
	fl.StringVar(&f.jsonReport, "json-report", "", "write Ginkgo's JSON report to this file")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "print every spec as it runs, not only failures")
	fl.BoolVar(&f.noColor, "no-color", false, "no ANSI colours (the default when stdout is not a terminal or NO_COLOR is set)")
	return cmd
}

// config checks the flags and turns them into the library's types; every
// error is bad usage and echoes the bad value (tokens excepted).
func (f *verifyFlags) config() (contract.Target, contract.RunConfig, error) {
	var t contract.Target
	var cfg contract.RunConfig
	if f.target == "" {
		return t, cfg, usage(errors.New("--target URL is required (the receiver's webhook URL)"))
	}
	if err := delivery.CheckURL(f.target); err != nil {
		return t, cfg, usage(fmt.Errorf("--target: %w", err))
	}
	if f.inspect != "" && f.inspectCmd != "" {
		return t, cfg, usage(errors.New("--inspect and --inspect-cmd are exclusive: give one"))
	}
	if f.seed == 0 {
		return t, cfg, usage(errors.New("--seed 0: seeds start at 1 (the default); any other positive seed sends other payloads"))
	}
	if f.deadline <= 0 {
		return t, cfg, usage(fmt.Errorf("--deadline %s: want a positive duration, e.g. 10s", f.deadline))
	}
	if f.inspectTimeout <= 0 {
		return t, cfg, usage(fmt.Errorf("--inspect-timeout %s: want a positive duration, e.g. 5s", f.inspectTimeout))
	}
	if f.burst < 1 || f.burst > contract.MaxBurst {
		return t, cfg, usage(fmt.Errorf("--burst %d: want 1 to %d", f.burst, contract.MaxBurst))
	}
	if f.tokenParam != "" {
		if _, _, err := contract.ParseTokenParam(f.tokenParam); err != nil {
			return t, cfg, usage(fmt.Errorf("--token-param: %w", err))
		}
	}
	for _, re := range append(append([]string(nil), f.focus...), f.skip...) {
		if _, err := regexp.Compile(re); err != nil {
			return t, cfg, usage(fmt.Errorf("--focus/--skip %q: %w", re, err))
		}
	}
	for _, name := range f.scenarios {
		if _, err := os.Stat(name); err == nil {
			if _, err := scenarios.Load(name); err != nil {
				return t, cfg, usage(fmt.Errorf("--scenario: %w", err))
			}
			continue
		}
		if err := checkOneOf("scenario", name, scenarios.Names()); err != nil {
			return t, cfg, err
		}
	}
	for flag, path := range map[string]string{"junit-report": f.junit, "json-report": f.jsonReport} {
		if err := writable(path); err != nil {
			return t, cfg, usage(fmt.Errorf("--%s: %w", flag, err))
		}
	}
	t = contract.Target{
		URL:            f.target,
		TokenParam:     f.tokenParam,
		Deadline:       f.deadline,
		Burst:          f.burst,
		Seed:           f.seed,
		InspectTimeout: f.inspectTimeout,
		Settle:         f.settle.target(),
		Scenarios:      f.scenarios,
	}
	var err error
	switch {
	case f.inspect != "":
		t.Inspect, err = contract.InspectURL(f.inspect)
	case f.inspectCmd != "":
		t.Inspect, err = contract.InspectCommand(f.inspectCmd)
	}
	if err != nil {
		return t, cfg, usage(fmt.Errorf("--inspect: %w", err))
	}
	if err := f.state.apply(&t); err != nil {
		return t, cfg, err
	}
	cfg = contract.RunConfig{
		Focus: f.focus, Skip: f.skip,
		JUnitReport: f.junit, JSONReport: f.jsonReport,
		Verbose: f.verbose,
		NoColor: f.noColor || os.Getenv("NO_COLOR") != "" || !isTerminal(os.Stdout),
	}
	return t, cfg, nil
}

// minSelected is how few specs --focus/--skip may leave before verify warns
// that the filter likely matched more than meant.
const minSelected = 3

func specCount(n int) string {
	if n == 1 {
		return "1 spec"
	}
	return fmt.Sprintf("%d specs", n)
}

// setupError is verify's verdict when every failure was the setup's: the
// receiver was not judged, which is bad configuration (exit 2), not a
// contract break.
func setupError(sum contract.Summary) error {
	kinds := map[string]int{}
	for _, p := range sum.Setup {
		kinds[p.Kind]++
	}
	switch {
	case kinds[contract.ProblemHook] == sum.Failed:
		return fmt.Errorf("the receiver was not judged: the inspect hook does not answer by the protocol, so %d counting specs could not count (see above); fix the hook (see the inspect protocol in `coperniq-mock verify --help`)", sum.Failed)
	case kinds[contract.ProblemStateHook] == sum.Failed:
		return fmt.Errorf("the receiver was not judged: the state hook does not answer by the protocol, so %d final-state specs could not compare (see above); fix the hook (see the state protocol in `coperniq-mock verify --help`)", sum.Failed)
	case kinds[contract.ProblemStale] == sum.Failed:
		return fmt.Errorf("the receiver was not judged: %d counting specs found their events already applied before they were sent (see above): stale receiver state from an earlier run, or an inspect hook that does not count; reset the receiver's state or pass a different --seed", sum.Failed)
	}
	return fmt.Errorf("the receiver was not judged: %d counting specs failed because of the inspect hook or the receiver's leftover state, not its handling (see above)", sum.Failed)
}

// settleValue is --settle: "auto" (the default) or a duration, 0 for no
// watch at all.
type settleValue struct {
	d   time.Duration
	set bool // a duration was given: not auto
}

func (s *settleValue) String() string {
	if !s.set {
		return "auto"
	}
	return s.d.String()
}

func (s *settleValue) Set(v string) error {
	if v == "auto" {
		*s = settleValue{}
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("want auto, 0 or a positive duration, e.g. 2s")
	}
	*s = settleValue{d: d, set: true}
	return nil
}

func (s *settleValue) Type() string { return "duration|auto" }

// target is the flag as contract.Target.Settle has it: 0 adapts, negative
// does not watch.
func (s settleValue) target() time.Duration {
	switch {
	case !s.set:
		return 0
	case s.d == 0:
		return -1
	}
	return s.d
}

// writable makes sure a report can be written before the suite runs: Ginkgo
// would find out only at the end, and fail the run for it.
func writable(path string) error {
	if path == "" {
		return nil
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	return fh.Close()
}
