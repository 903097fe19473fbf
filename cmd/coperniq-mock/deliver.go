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
	{"Timeout", "timeout", func(d *delivery.Settings, f *deliveryFlags) { d.Timeout = f.s.Timeout }},
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

// runOutput is where and how a delivery run reports.
type runOutput struct {
	out, info io.Writer // the summary; the lines around it (stderr with -o json)
	json      bool
	logPath   string
	tls       *tlsFlags
}

// newRunOutput sends the lines around the summary to stderr with -o json,
// so that stdout is one JSON document.
func newRunOutput(cmd *cobra.Command, output, logPath string, tf *tlsFlags) runOutput {
	o := runOutput{out: cmd.OutOrStdout(), info: cmd.OutOrStdout(), json: output == "json", logPath: logPath, tls: tf}
	if o.json {
		o.info = cmd.ErrOrStderr()
	}
	return o
}

// deliver runs events through an engine until done or Ctrl-C, with a
// progress line on a terminal, prints the summary, and returns the run's
// verdict as the exit status: 0 when every event was acknowledged, 1
// otherwise (the summary says which).
func deliver(o runOutput, to *delivery.Target, s delivery.Settings, seed uint64, events []delivery.Message, extra ...delivery.Option) (*delivery.Outcome, error) {
	opts, err := s.Options()
	if err != nil {
		return nil, usage(err)
	}
	opts = append(opts, extra...)
	logW, closeLog, err := openLog(o.logPath)
	if err != nil {
		return nil, err
	}
	pr := delivery.NewProgress(o.info, len(events), isTerminal(o.info))
	opts = append(opts, delivery.WithSeed(seed), delivery.WithObserver(pr.Observe), delivery.WithTLS(o.tls.cfg))
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
	if o.json {
		if err := printJSON(o.out, summary); err != nil {
			closeLog()
			return summary, err
		}
	} else {
		summary.WriteReport(o.out)
	}
	o.tls.warnInsecure(o.info)
	if err := closeLog(); err != nil {
		return summary, err
	}
	if o.logPath != "" {
		fmt.Fprintf(o.info, "delivery log: %s\n", o.logPath)
	}
	if err := summary.VerdictLogged(runErr, o.logPath); err != nil {
		msg := err.Error()
		if summary.Dead > 0 && summary.Errors[delivery.KindTLS] > 0 {
			msg += "; some attempts failed in the TLS handshake (see --cacert, --cert/--key, --insecure)"
		}
		return summary, failureError{msg: msg}
	}
	return summary, nil
}
