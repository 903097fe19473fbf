package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/spf13/cobra"
)

// deliveryFlags are the flags of a delivery run, shared by scenario run and
// replay: the receiver, how it is trusted, how the summary is printed, and
// the delivery settings. A settings flag the user set overrides the same
// field of the settings it is laid over (the scenario file's delivery:
// block); an unset one leaves it.
type deliveryFlags struct {
	s       delivery.Settings // the flags' values
	dupMode string
	headers []string
	log     string
	to      string
	output  string
	tls     tlsFlags
}

func (f *deliveryFlags) register(cmd *cobra.Command) {
	def := delivery.DefaultSettings()
	fl := cmd.Flags()
	fl.StringVar(&f.s.Retry, "retry", def.Retry, "retry preset: default (5 attempts, backoff from 1s), ci (the same in milliseconds) or none (1 attempt)")
	fl.StringVar(&f.s.Schedule, "schedule", "", "explicit retry schedule instead of a preset, e.g. 1s,5s,30s,5m (one wait per retry)")
	fl.DurationVar(&f.s.Timeout, "timeout", 0, "how long each attempt waits for the answer before it counts as failed (default: the retry preset's, 2s for ci, 10s otherwise)")
	fl.Float64Var(&f.s.TimeScale, "time-scale", def.TimeScale, "virtual clock: divide every retry wait by this (1000 makes 5m last 0.3s); the log keeps real-schedule times")
	fl.IntVar(&f.s.Concurrency, "concurrency", def.Concurrency, fmt.Sprintf("attempts in flight at once, 1 to %d (each record's events still go one at a time, in order)", delivery.MaxConcurrency))
	fl.Float64Var(&f.s.Duplicate, "duplicate", def.Duplicate, "re-deliver this fraction of events, 0 to 1, with the same body")
	fl.StringVar(&f.dupMode, "duplicate-mode", string(def.DuplicateMode), "when duplicates go: after (once acked) or concurrent (alongside the first attempt)")
	fl.IntVar(&f.s.Reorder, "reorder", def.Reorder, "shuffle events within windows of this many, breaking per-record order on purpose")
	fl.DurationVar(&f.s.Jitter, "jitter", def.Jitter, "delay each event's first attempt by a random time up to this")
	fl.StringArrayVarP(&f.headers, "header", "H", nil, "extra request header, Name: value (repeatable)")
	fl.StringVar(&f.log, "log", "", "write the delivery log (JSON lines, bodies included) to this file, for replay")
	_ = cmd.RegisterFlagCompletionFunc("retry", completeWords(delivery.Presets()...))
	_ = cmd.RegisterFlagCompletionFunc("duplicate-mode", completeWords(delivery.DupModes()...))
	f.tls.register(cmd)
	outputFlag(cmd, &f.output, "the summary as one versioned JSON document; the lines around it go to stderr")
	targetFlag(cmd, &f.to, "the receiver's URL")
}

// check is what a delivery run checks before it reads its input: -o and
// the TLS files.
func (f *deliveryFlags) check() error {
	if err := checkOutput(f.output); err != nil {
		return err
	}
	return f.tls.check()
}

// target parses --target once (the check, the output and the engine share
// it) and lays the flags the user set over base, validated: an error names
// the flag (the first bad one, as for any other flag).
func (f *deliveryFlags) target(cmd *cobra.Command, base delivery.Settings) (*delivery.Target, delivery.Settings, error) {
	to, err := delivery.NewTarget(f.to, nil)
	if err != nil {
		return nil, base, usage(err)
	}
	h, err := parseHeaders(f.headers)
	if err != nil {
		return nil, base, err
	}
	f.s.Header, f.s.DuplicateMode = h, delivery.DupMode(f.dupMode)
	s, err := f.s.Over(base, given(cmd))
	if fe := (*schemas.FieldError)(nil); errors.As(err, &fe) {
		err = usage(fe)
	}
	return to, s, err
}

// deliver delivers events until done or Ctrl-C (delivery.Reported.Deliver);
// with -o json the lines around the summary go to stderr, so that stdout is
// one JSON document. The exit status is the verdict: 0 when every event was
// acknowledged (and the API mock's after, if served), 1 otherwise.
func (f *deliveryFlags) deliver(cmd *cobra.Command, to *delivery.Target, s delivery.Settings, seed uint64, events []delivery.Message, about string, after func(context.Context, io.Writer, bool) error, extra ...delivery.Option) error {
	r := delivery.Reported{Out: cmd.OutOrStdout(), Info: cmd.OutOrStdout(), JSON: f.output == "json", LogPath: f.log, TLS: f.tls.cfg, Notice: f.tls.notice(), After: after}
	if r.JSON {
		r.Info = cmd.ErrOrStderr()
	}
	r.Live = displayOf(r.Info).live
	ctx, stop := interruptContext()
	defer stop()
	return runErr(r.Deliver(ctx, to, s, seed, events, about, extra...))
}

// runErr is the exit status of a run's error: 1 for a *delivery.FailedError
// (a finding), 2 for anything else (the setup's).
func runErr(err error) error {
	var failed *delivery.FailedError
	if errors.As(err, &failed) {
		return failureError{err: err}
	}
	return usage(err)
}

// interruptContext ends at the first SIGINT or SIGTERM; a second one kills
// at once.
func interruptContext() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	return ctx, stop
}
