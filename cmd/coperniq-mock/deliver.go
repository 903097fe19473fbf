package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/spf13/cobra"
)

// deliveryFlags are the flags that shape a delivery run, shared by
// scenario run and replay. A flag the user set overrides the same field of
// the settings it is laid over (the scenario file's delivery: block); an
// unset one leaves it.
type deliveryFlags struct {
	s       delivery.Settings // the flags' values
	dupMode string
	headers []string
	log     string
}

// settingFlags is the one table from delivery.Settings fields to flags:
// which flag sets a field, how it is laid over, and so how a field named in
// a delivery.FieldError is called on the command line.
var settingFlags = []struct {
	field, flag string
	lay         func(dst *delivery.Settings, f *deliveryFlags)
}{
	{"Retry", "retry", func(d *delivery.Settings, f *deliveryFlags) { d.Retry, d.Schedule = f.s.Retry, "" }},
	{"Schedule", "schedule", func(d *delivery.Settings, f *deliveryFlags) { d.Retry, d.Schedule = "", f.s.Schedule }},
	{"TimeScale", "time-scale", func(d *delivery.Settings, f *deliveryFlags) { d.TimeScale = f.s.TimeScale }},
	{"Concurrency", "concurrency", func(d *delivery.Settings, f *deliveryFlags) { d.Concurrency = f.s.Concurrency }},
	{"Duplicate", "duplicate", func(d *delivery.Settings, f *deliveryFlags) { d.Duplicate = f.s.Duplicate }},
	{"DuplicateMode", "duplicate-mode", func(d *delivery.Settings, f *deliveryFlags) { d.DuplicateMode = delivery.DupMode(f.dupMode) }},
	{"Reorder", "reorder", func(d *delivery.Settings, f *deliveryFlags) { d.Reorder = f.s.Reorder }},
	{"Jitter", "jitter", func(d *delivery.Settings, f *deliveryFlags) { d.Jitter = f.s.Jitter }},
	{"Header", "header", func(d *delivery.Settings, f *deliveryFlags) { d.Header = f.s.Header }},
}

func (f *deliveryFlags) register(cmd *cobra.Command) {
	def := delivery.DefaultSettings()
	fl := cmd.Flags()
	fl.StringVar(&f.s.Retry, "retry", def.Retry, "retry preset: default (5 attempts, backoff from 1s), ci (the same in milliseconds) or none (1 attempt)")
	fl.StringVar(&f.s.Schedule, "schedule", "", "explicit retry schedule instead of a preset, e.g. 1s,5s,30s,5m (one wait per retry)")
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
}

// settings lays the flags the user set over base and validates the result;
// an error names the flag.
func (f *deliveryFlags) settings(cmd *cobra.Command, base delivery.Settings) (delivery.Settings, error) {
	set := cmd.Flags().Changed
	if set("retry") && set("schedule") {
		return base, usage(errors.New("--retry and --schedule both set the retry policy; give one"))
	}
	h, err := parseHeaders(f.headers)
	if err != nil {
		return base, err
	}
	f.s.Header = h
	for _, sf := range settingFlags {
		if set(sf.flag) {
			sf.lay(&base, f)
		}
	}
	if err := base.Validate(); err != nil {
		var fe *delivery.FieldError
		if errors.As(err, &fe) {
			for _, sf := range settingFlags {
				if sf.field == fe.Field {
					return base, usage(errors.New(fe.Named("--" + sf.flag)))
				}
			}
		}
		return base, usage(err)
	}
	return base, nil
}

// openLog creates the --log file; close flushes and closes it.
func openLog(path string) (w io.Writer, close func() error, err error) {
	if path == "" {
		return nil, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, usage(fmt.Errorf("--log: %w", err))
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	return bw, func() error {
		ferr := bw.Flush()
		if cerr := f.Close(); ferr == nil {
			ferr = cerr
		}
		if ferr != nil {
			return outputError("--log %s: %v", path, ferr)
		}
		return nil
	}, nil
}

// deliver runs events through an engine until done or Ctrl-C, with a
// progress line on a terminal, prints the summary, and returns the run's
// verdict as the exit status: 0 when every event was acknowledged, 1
// otherwise (the summary says which).
func deliver(out io.Writer, to *delivery.Target, s delivery.Settings, seed uint64, events []delivery.Message, logPath string, extra ...delivery.Option) (*delivery.Outcome, error) {
	opts, err := s.Options()
	if err != nil {
		return nil, usage(err)
	}
	opts = append(opts, extra...)
	logW, closeLog, err := openLog(logPath)
	if err != nil {
		return nil, err
	}
	pr := delivery.NewProgress(out, len(events), isTerminal(out))
	opts = append(opts, delivery.WithSeed(seed), delivery.WithObserver(pr.Observe))
	if logW != nil {
		opts = append(opts, delivery.WithLog(logW))
	}
	engine, err := delivery.New(to, opts...)
	if err != nil {
		closeLog()
		return nil, usage(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	summary, runErr := engine.Run(ctx, events)
	stop() // a second Ctrl-C kills at once
	pr.Done()
	if summary == nil {
		closeLog()
		return nil, usage(runErr)
	}
	summary.WriteReport(out)
	if err := closeLog(); err != nil {
		return summary, err
	}
	if logPath != "" {
		fmt.Fprintf(out, "delivery log: %s\n", logPath)
	}
	if err := summary.VerdictLogged(runErr, logPath); err != nil {
		return summary, failureError{msg: err.Error()}
	}
	return summary, nil
}
