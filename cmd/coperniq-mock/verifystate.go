package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/coperniq-mock/coperniq-mock/contract"
)

// verifyStateHelp is the part of verify's help about the state hook.
var verifyStateHelp = "\n\n" + help("verify.state") + "\n" + contract.GroupState + ` <scenario>:
  ` + contract.SpecStateInOrder + `
  ` + contract.SpecStateReversed + `
  ` + contract.SpecStateDuplicates

// registerVerifyHooks gives verify the flags of its state hook, chaos runs
// and API mock (verifyapi.go).
func registerVerifyHooks(cmd *cobra.Command, f *verifyFlags) {
	fl := cmd.Flags()
	f.chaos.register(fl)
	fl.StringVar(&f.s.StateURL, "state", "", "state hook URL template, e.g. 'http://127.0.0.1:8080/_state/records/{recordId}' (enables the final-state specs)")
	fl.StringVar(&f.s.StateCmd, "state-cmd", "", "state command: prints the JSON state of record $COPERNIQ_RECORD_ID (enables the final-state specs)")
	registerVerifyAPI(cmd, &f.s.API)
}

// verifyChaosFlags are verify's chaos flags.
type verifyChaosFlags struct{ contract.ChaosCommand }

// verifyChaosHelp is the part of verify's help about chaos runs.
var verifyChaosHelp = "\n\n" + help("verify.chaos")

func (c *verifyChaosFlags) register(fl *pflag.FlagSet) {
	fl.IntVar(&c.Runs, "chaos", 0, "make N seeded chaos runs instead of the specs (needs --inspect/--inspect-cmd or --state/--state-cmd)")
	fl.StringVar(&c.OutDir, "chaos-out", "", "write the shrunk schedule of a failing chaos run to this directory")
	fl.DurationVar(&c.ShrinkBudget, "shrink-budget", contract.DefaultShrinkBudget, "how long to shrink a failing chaos run; 0 does not shrink")
	fl.StringVar(&c.Replay, "chaos-replay", "", "replay this chaos schedule file once, instead of the specs")
	fl.Int64Var(&c.IDOffset, "id-offset", 0, "with --chaos-replay: add this to every event, record and work order id (the replay command gives one)")
}

// chaosContext ends at the first SIGINT or SIGTERM, its cause naming the
// signal as an interrupted suite's summary does, so that chaos runs stop
// and report what they found (a failure shrunk so far); a second signal
// kills at once. The suite listens for signals itself (Ginkgo's).
func chaosContext(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			signal.Stop(sigs)
			name := "SIGTERM"
			if sig == os.Interrupt {
				name = "Ctrl-C or SIGINT"
			}
			cancel(errors.New(name))
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(context.Canceled)
	}
}
