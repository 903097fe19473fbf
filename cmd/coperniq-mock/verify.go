package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/spf13/cobra"
)

// verifyFlags are verify's flags: a contract.Target and a contract.RunConfig.
type verifyFlags struct {
	s                 contract.Setup
	focus, skip       []string
	junit, jsonReport string
	verbose, noColor  bool
	chaos             verifyChaosFlags   // verifystate.go
	progress          verifyProgressFlag // verifyprogress.go
}

func newVerifyCmd() *cobra.Command {
	var (
		f  verifyFlags
		tf tlsFlags
	)
	cmd := &cobra.Command{
		Use:   "verify --target URL",
		Short: "Run the contract suite against a receiver: does it handle Coperniq's webhooks correctly?",
		Long: help("verify") + "\n\n" + `Specs, for each of the 18 triggers, named "<family> triggers <TRIGGER_KEY> <spec>":
  ` + contract.SpecRealistic + `
  ` + contract.SpecMinimal + `
  ` + contract.SpecMaximal + `
  ` + contract.SpecEdge + `
` + contract.GroupDelivery + `:
  ` + contract.SpecUnknownTrigger + `
  ` + contract.SpecWithoutRecord + `
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
  ` + contract.SpecEventIDs32 + `
` + contract.GroupLifecycle + ` <scenario>:
  ` + contract.SpecScenarioInOrder + `
  ` + contract.SpecScenarioShuffled + `
` + contract.GroupState + ` (with --state):
  <scenario> ` + contract.SpecStateInOrder + `
  <scenario> ` + contract.SpecStateReversed + `
  <scenario> ` + contract.SpecStateDuplicates + `
  ` + contract.SpecRecordIDs32 + `
` + help("verify.after-specs"),
		Example: help("verify.examples"),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			target, cfg, err := f.config(cmd)
			if err != nil {
				return err
			}
			if err := tf.check(); err != nil {
				return err
			}
			target.TLS, target.ReproduceFlags = tf.cfg, tf.t.Flags()
			f.s.ReproduceFlags = target.ReproduceFlags // the replay line's too
			f.chaos.ReplayCommand = f.s.ReplayCommand
			s := contract.Session{Out: cmd.OutOrStdout(), Err: cmd.ErrOrStderr(), Notice: tf.notice(), Chaos: f.chaos.ChaosCommand}
			ctx := cmd.Context()
			if s.Chaos.Enabled() {
				var stop func()
				ctx, stop = chaosContext(ctx)
				defer stop()
			}
			v, err := s.Run(ctx, target, cfg)
			switch {
			case err != nil:
				return verifyError(err)
			case v.Exit == 1:
				return failureError{err: errors.New(v.Message)}
			case v.Exit != 0:
				return usage(errors.New(v.Message))
			}
			return nil
		},
	}
	cmd.Long += verifyStateHelp + verifyChaosHelp
	fl := cmd.Flags()
	registerVerifyHooks(cmd, &f)
	f.progress.register(fl)
	fl.StringVar(&f.s.URL, "target", "", "the receiver's webhook URL (required; a token in the query string is masked in output)")
	fl.StringVar(&f.s.InspectURL, "inspect", "", "inspect hook URL template, e.g. 'http://127.0.0.1:8080/_state/events/{eventId}'")
	fl.StringVar(&f.s.InspectCmd, "inspect-cmd", "", "inspect command: prints how many times $COPERNIQ_EVENT_ID was applied")
	fl.StringVar(&f.s.TokenParam, "token-param", "", "the URL token the receiver requires, NAME=VALUE (enables the token specs)")
	fl.DurationVar(&f.s.Deadline, "timeout", contract.DefaultDeadline, "how long each delivery may wait for its answer")
	alias(cmd, "deadline", "timeout")
	alias(cmd, "to", "target")
	secretFromEnv(cmd, "token-param", "COPERNIQ_MOCK_TOKEN_PARAM")
	tf.register(cmd)
	fl.IntVar(&f.s.Burst, "burst", contract.DefaultBurst, "how many deliveries the burst spec sends at once")
	fl.Uint64Var(&f.s.Seed, "seed", 0, "payload seed: the same seed sends the same bytes (default: drawn for each run, printed with the flag that repeats it)")
	fl.IntVar(&f.s.MaxLate, "max-late", contract.DefaultMaxLate, "stop the run after this many deliveries in a row get no answer within --timeout")
	// 0 leaves it to the Target, which keeps it at least --max-late.
	fl.IntVar(&f.s.MaxLateTotal, "max-late-total", 0, fmt.Sprintf("stop the run after this many deliveries in all, in a row or not, get no answer within --timeout (counted one after another, as --max-late counts them): late answers then cost the run at most about twice this many --timeout (default %d, or --max-late when more)", contract.DefaultMaxLateTotal))
	fl.DurationVar(&f.s.DrainBudget, "drain-budget", contract.DefaultDrainBudget, "the most time the run spends, in all, waiting before a spec for earlier specs' events not applied within --inspect-timeout; 0 never waits")
	fl.DurationVar(&f.s.InspectTimeout, "inspect-timeout", contract.DefaultInspectTimeout, "how long to poll the inspect hook for an expected count")
	fl.Var(&f.s.SettleWatch, "settle", "how long a reached count is watched for a duplicate applied late: auto is 1s, or twice the time the count took to appear when longer; 0 does not watch")
	fl.StringArrayVar(&f.s.Scenarios, "scenario", nil, "replay only this lifecycle scenario, a built-in name or a file (repeatable; default: every built-in one, see 'scenario list')")
	_ = cmd.RegisterFlagCompletionFunc("scenario", completeWords(scenarios.Names()...))
	_ = cmd.RegisterFlagCompletionFunc("progress", completeWords("auto", "plain", "none", "10s"))
	fl.StringArrayVar(&f.focus, "focus", nil, "run only specs whose name matches this regular expression (repeatable)")
	fl.StringArrayVar(&f.skip, "skip", nil, "skip specs whose name matches this regular expression (repeatable)")
	fl.StringVar(&f.junit, "junit-report", "", "write a JUnit XML report to this file, for CI (one test suite per group, failures in one line)")
	fl.StringVar(&f.jsonReport, "json-report", "", "write the JSON report to this file (formatVersion 1: docs/reports/verify-report.md in the repository)")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "print Ginkgo's own output: its header and every spec as it runs, with its timeline")
	fl.BoolVar(&f.noColor, "no-color", false, "no ANSI colours (the default when stdout is not a terminal, TERM is dumb or NO_COLOR is set)")
	vocabularyInto(cmd, &f.s.Vocabulary)
	return cmd
}

// config turns the flags into the library's types; contract.Setup.Build
// checks them.
func (f *verifyFlags) config(cmd *cobra.Command) (contract.Target, contract.RunConfig, error) {
	var cfg contract.RunConfig
	if err := needTarget(f.s.URL, forReceiver); err != nil {
		return contract.Target{}, cfg, err
	}
	changed := cmd.Flags().Changed
	f.s.Chaos = changed("chaos") || changed("chaos-replay")
	t, err := f.s.Build(given(cmd))
	if err != nil {
		return t, cfg, usage(err)
	}
	if t.API != nil {
		fmt.Fprintf(cmd.OutOrStdout(), "API mock on http://%s for the API specs: point the receiver's API base URL there\n", t.API.Addr)
	}
	cfg = contract.RunConfig{
		Focus: f.focus, Skip: f.skip,
		JUnitReport: f.junit, JSONReport: f.jsonReport,
		Explain: func(err error) string { return inFlags(cmd, err) },
		Verbose: f.verbose, Out: cmd.OutOrStdout(),
		NoColor: f.noColor || !displayOf(os.Stdout).color,
	}
	cfg.Progress, cfg.ProgressEvery = f.progress.config(cmd, f.verbose)
	return t, cfg, nil
}

// verifyError is the exit status of a verify run's error: 1 for a receiver
// failing a chaos run, else 2.
func verifyError(err error) error {
	var failed *contract.ChaosFailure
	if errors.As(err, &failed) {
		return failureError{err: errors.New(failed.Msg)}
	}
	return usage(err)
}
