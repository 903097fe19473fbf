package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/spf13/cobra"
)

func newScenarioCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenario",
		Short: "Play realistic lifecycles (a solar project from sale to PTO) and deliver their events",
		Long: `A scenario is a YAML file of steps (create a project, start a phase, move a work
order, ...) played in a world of records, phases and work orders, so that the
events it fires tell one consistent story: ids agree, previousStatus is the last
currentStatus, a phase completes only after its work orders, firedAt increases.

Built-in scenarios are embedded; 'scenario show NAME' prints one to copy and
change, and 'scenario run FILE' runs your copy. A file is checked before
anything is sent: errors point at file:line:col.`,
		Example: `  coperniq-mock scenario list
  coperniq-mock scenario show residential-solar > mine.yaml
  coperniq-mock scenario run residential-solar --to http://127.0.0.1:8080/hook --retry ci
  coperniq-mock scenario run mine.yaml --dry-run | coperniq-mock validate --strict -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usage(errors.New("scenario needs a subcommand: list, show or run"))
		},
	}
	cmd.AddCommand(newScenarioListCmd(), newScenarioShowCmd(), newScenarioRunCmd())
	return cmd
}

func completeScenarios(files bool) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		for _, info := range scenarios.Builtin() {
			out = append(out, cobra.CompletionWithDesc(info.Name, info.Summary))
		}
		if files {
			return out, cobra.ShellCompDirectiveDefault
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func newScenarioListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the built-in scenarios with their event counts",
		Example: `  coperniq-mock scenario list
  coperniq-mock scenario list | awk 'NR>1 {print $1}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tEVENTS\tTRIGGERS\tWHAT IT SHOWS")
			for _, info := range scenarios.Builtin() {
				events := fmt.Sprint(info.Events)
				for _, p := range info.Params {
					events += fmt.Sprintf(" (%s=%d)", p.Name, p.Default)
				}
				fmt.Fprintf(w, "%s\t%s\t%d\t%s\n", info.Name, events, len(info.Triggers), info.Summary)
			}
			return w.Flush()
		},
	}
}

func newScenarioShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show NAME",
		Short: "Print a built-in scenario's YAML, to read or to copy and change",
		Example: `  coperniq-mock scenario show residential-solar
  coperniq-mock scenario show request-won > my-request.yaml`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeScenarios(false),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := scenarios.Source(args[0])
			if err != nil {
				return usage(err)
			}
			_, err = cmd.OutOrStdout().Write(src)
			return err
		},
	}
}

// deliveryFlags are the flags that shape a delivery run, shared by
// scenario run, replay and demo. A flag the user set overrides what the
// scenario file's delivery: block says; an unset one leaves it.
type deliveryFlags struct {
	retry       string
	schedule    string
	timeScale   float64
	concurrency int
	duplicate   float64
	dupMode     string
	reorder     int
	jitter      time.Duration
	headers     []string
	log         string
}

func (f *deliveryFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.retry, "retry", "default", "retry preset: default (5 attempts, backoff from 1s), ci (the same in milliseconds) or none (1 attempt)")
	fl.StringVar(&f.schedule, "schedule", "", "explicit retry schedule instead of a preset, e.g. 1s,5s,30s,5m (one wait per retry)")
	fl.Float64Var(&f.timeScale, "time-scale", 1, "virtual clock: divide every retry wait by this (1000 makes 5m last 0.3s); the log keeps real-schedule times")
	fl.IntVar(&f.concurrency, "concurrency", delivery.DefaultConcurrency, "attempts in flight at once (each record's events still go one at a time, in order)")
	fl.Float64Var(&f.duplicate, "duplicate", 0, "re-deliver this fraction of events, 0 to 1, with the same body")
	fl.StringVar(&f.dupMode, "duplicate-mode", string(delivery.DupAfter), "when duplicates go: after (once acked) or concurrent (alongside the first attempt)")
	fl.IntVar(&f.reorder, "reorder", 0, "shuffle events within windows of this many, breaking per-record order on purpose")
	fl.DurationVar(&f.jitter, "jitter", 0, "delay each event's first attempt by a random time up to this")
	fl.StringArrayVarP(&f.headers, "header", "H", nil, "extra request header, Name: value (repeatable)")
	fl.StringVar(&f.log, "log", "", "write the delivery log (JSON lines, bodies included) to this file, for replay")
	_ = cmd.RegisterFlagCompletionFunc("retry", completeWords(delivery.Presets()...))
	_ = cmd.RegisterFlagCompletionFunc("duplicate-mode", completeWords(delivery.DupModes()...))
}

// options turns flags (over the scenario's delivery block, sd) into engine
// options, checking each so an error names its flag.
func (f *deliveryFlags) options(cmd *cobra.Command, sd scenarios.Delivery, seed uint64) ([]delivery.Option, error) {
	set := cmd.Flags().Changed
	if set("retry") && set("schedule") {
		return nil, usage(errors.New("--retry and --schedule both set the retry policy; give one"))
	}
	policy, err := f.policy(set, sd)
	if err != nil {
		return nil, err
	}
	opts := []delivery.Option{delivery.WithPolicy(policy), delivery.WithSeed(seed)}

	scale := f.timeScale
	if !set("time-scale") && sd.TimeScale != 0 {
		scale = sd.TimeScale
	}
	clock, err := delivery.VirtualClock(scale)
	if err != nil {
		return nil, usage(fmt.Errorf("--time-scale: %w", err))
	}
	opts = append(opts, delivery.WithClock(clock))

	concurrency := f.concurrency
	if !set("concurrency") && sd.Concurrency != 0 {
		concurrency = sd.Concurrency
	}
	dupP, dupMode := f.duplicate, f.dupMode
	if !set("duplicate") && sd.Duplicate != 0 {
		dupP = sd.Duplicate
	}
	if !set("duplicate-mode") && sd.DuplicateMode != "" {
		dupMode = sd.DuplicateMode
	}
	if err := checkOneOf("duplicate-mode", dupMode, delivery.DupModes()); err != nil {
		return nil, err
	}
	reorder := f.reorder
	if !set("reorder") && sd.Reorder != 0 {
		reorder = sd.Reorder
	}
	jitter := f.jitter
	if !set("jitter") && sd.Jitter != 0 {
		jitter = sd.Jitter
	}
	checked := []struct {
		flag string
		opt  delivery.Option
	}{
		{"concurrency", delivery.WithConcurrency(concurrency)},
		{"duplicate", delivery.WithDuplicate(dupP, delivery.DupMode(dupMode))},
		{"reorder", delivery.WithReorder(reorder)},
		{"jitter", delivery.WithJitter(jitter)},
	}
	for _, c := range checked {
		if _, err := delivery.New("http://127.0.0.1/", c.opt); err != nil {
			return nil, usage(fmt.Errorf("--%s: %w", c.flag, err))
		}
		opts = append(opts, c.opt)
	}
	if sd.RecordOrder != nil {
		opts = append(opts, delivery.WithRecordOrder(*sd.RecordOrder))
	}
	for _, kv := range f.headers {
		k, v, ok := strings.Cut(kv, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, usage(fmt.Errorf("--header %q: want Name: value", kv))
		}
		opts = append(opts, delivery.WithHeader(strings.TrimSpace(k), strings.TrimSpace(v)))
	}
	return opts, nil
}

func (f *deliveryFlags) policy(set func(string) bool, sd scenarios.Delivery) (delivery.Policy, error) {
	preset, schedule := f.retry, f.schedule
	flag := "retry"
	switch {
	case set("schedule"):
		preset, flag = "", "schedule"
	case set("retry"):
		schedule = ""
	case sd.Schedule != "":
		preset, schedule = "", sd.Schedule
	case sd.Retry != "":
		preset = sd.Retry
	}
	if schedule == "" {
		p, err := delivery.ParsePreset(preset)
		if err != nil {
			return delivery.Policy{}, checkOneOf(flag, preset, delivery.Presets())
		}
		return p, nil
	}
	b, err := delivery.ParseBackoff(schedule)
	if err != nil {
		return delivery.Policy{}, usage(fmt.Errorf("--%s: %w", flag, err))
	}
	p := delivery.Policy{Attempts: delivery.DefaultAttempts, Backoff: b, Timeout: delivery.DefaultTimeout}
	if s, ok := b.(delivery.Schedule); ok {
		p.Attempts = s.Attempts()
	}
	return p, nil
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
			return failureError{msg: fmt.Sprintf("--log %s: %v", path, ferr)}
		}
		return nil
	}, nil
}

// checkReachable dials the target once before a run, so that a receiver
// that isn't listening is reported at once (exit 2) rather than after
// every event has exhausted its retries.
func checkReachable(target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return usage(err)
	}
	host := u.Host
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "https" {
			port = "443"
		}
		host = net.JoinHostPort(u.Hostname(), port)
	}
	conn, err := net.DialTimeout("tcp", host, 3*time.Second)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Err != nil {
			err = op.Err
		}
		return usage(fmt.Errorf("could not reach the receiver at %s: %v (is it running? 'coperniq-mock listen' is one)", delivery.MaskURL(target), err))
	}
	conn.Close()
	return nil
}

// stdoutIsTerminal reports whether w is a character device, where a progress
// line rewritten in place makes sense; pipes and files get none.
func stdoutIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress counts attempts as the engine reports them and, on a
// terminal, rewrites one line with the totals at most ten times a second.
type progress struct {
	mu                    sync.Mutex
	w                     io.Writer
	live                  bool
	total                 int
	acked, dead, attempts int
	retrying              map[int64]bool
	lastDraw              time.Time
	drawn                 bool
}

func newProgress(w io.Writer, total int) *progress {
	return &progress{w: w, live: stdoutIsTerminal(w), total: total, retrying: map[int64]bool{}}
}

func (p *progress) observe(a delivery.Attempt) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !a.Duplicate {
		p.attempts++
	}
	switch a.State {
	case delivery.StateAcked:
		p.acked++
		delete(p.retrying, a.EventID)
	case delivery.StateDead:
		p.dead++
		delete(p.retrying, a.EventID)
	case delivery.StateRetrying:
		p.retrying[a.EventID] = true
	}
	if p.live && time.Since(p.lastDraw) > 100*time.Millisecond {
		p.draw()
	}
}

func (p *progress) draw() {
	p.lastDraw = time.Now()
	p.drawn = true
	fmt.Fprintf(p.w, "\r%d/%d events done: %d acked, %d dead, %d retrying; %d attempts\x1b[K",
		p.acked+p.dead, p.total, p.acked, p.dead, len(p.retrying), p.attempts)
}

// done leaves the last progress line in place and starts a new one.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live {
		p.draw()
		fmt.Fprintln(p.w)
	}
}

// printRunSummary is the summary every delivery run ends with: the
// accounting equation first, then retries, latency and a per-trigger
// table.
func printRunSummary(w io.Writer, s *delivery.Summary) {
	fmt.Fprintln(w, s.Accounting())
	fmt.Fprintf(w, "retried %d, attempts %d, duplicates %d\n", s.Retried, s.Attempts, s.Duplicates)
	fmt.Fprintf(w, "latency p50 %s, p99 %s, max %s\n", roundLatency(s.LatencyP50), roundLatency(s.LatencyP99), roundLatency(s.LatencyMax))
	pending := s.Pending > 0 || s.Interrupted
	keys := schemas.TriggerKeys()
	for k := range s.Triggers {
		if _, err := schemas.Lookup(k); err != nil {
			keys = append(keys, k) // a replayed log may carry unknown keys
		}
	}
	width := len("TRIGGER")
	for _, k := range keys {
		if _, ok := s.Triggers[k]; ok {
			width = max(width, len(printable(k, 60)))
		}
	}
	row := func(name string, cols ...any) {
		fmt.Fprintf(w, "  %-*s", width, name)
		for _, c := range cols {
			fmt.Fprintf(w, " %7v", c)
		}
		fmt.Fprintln(w)
	}
	if pending {
		row("TRIGGER", "EVENTS", "ACKED", "DEAD", "PENDING")
	} else {
		row("TRIGGER", "EVENTS", "ACKED", "DEAD")
	}
	for _, k := range keys {
		c, ok := s.Triggers[k]
		if !ok {
			continue
		}
		if pending {
			row(printable(k, 60), c.Events, c.Acked, c.Dead, c.Pending)
		} else {
			row(printable(k, 60), c.Events, c.Acked, c.Dead)
		}
	}
	fmt.Fprintln(w, s.Settings())
}

func roundLatency(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// runOutcome turns a finished run into the exit status: 0 when every
// event was acknowledged, 1 otherwise (the summary above says which).
func runOutcome(s *delivery.Summary, runErr error, logPath string) error {
	if err := s.Check(); err != nil {
		return failureError{msg: fmt.Sprintf("the run's accounting doesn't add up: %v", err)}
	}
	switch {
	case s.Interrupted:
		return failureError{msg: fmt.Sprintf("interrupted: %d of %d events acked, %d dead, %d pending", s.Acked, s.Events, s.Dead, s.Pending)}
	case runErr != nil:
		return failureError{msg: runErr.Error()}
	case s.Dead > 0:
		hint := "run with --log FILE to replay them later with 'replay FILE'"
		if logPath != "" {
			hint = "'coperniq-mock replay " + logPath + " --to URL' re-delivers them"
		}
		return failureError{msg: fmt.Sprintf("%d of %d events dead: the receiver never acknowledged them; %s", s.Dead, s.Events, hint)}
	}
	return nil
}

// deliver runs events through an engine until done or Ctrl-C, with a
// progress line on a terminal, and prints the summary.
func deliver(out io.Writer, to string, opts []delivery.Option, events []delivery.Event, logPath string) (*delivery.Summary, error) {
	logW, closeLog, err := openLog(logPath)
	if err != nil {
		return nil, err
	}
	pr := newProgress(out, len(events))
	opts = append(opts, delivery.WithObserver(pr.observe))
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
	pr.done()
	if summary == nil {
		closeLog()
		return nil, usage(runErr)
	}
	printRunSummary(out, summary)
	if err := closeLog(); err != nil {
		return summary, err
	}
	if logPath != "" {
		fmt.Fprintf(out, "delivery log: %s\n", logPath)
	}
	return summary, runOutcome(summary, runErr, logPath)
}

// checkSomeEvents refuses a scenario that fired no events: a run that
// sends nothing and exits 0 would look like a success.
func checkSomeEvents(sc *scenarios.Scenario, seed uint64, events []scenarios.Event) error {
	if len(events) > 0 {
		return nil
	}
	return usage(fmt.Errorf("scenario %s renders to no events (seed %d): nothing to send; is a repeat count or parameter 0?", sc.Name, seed))
}

func newScenarioRunCmd() *cobra.Command {
	var (
		vf       vocabularyFlag
		df       deliveryFlags
		to       string
		seed     uint64
		projects int
		dryRun   bool
	)
	cmd := &cobra.Command{
		Use:   "run NAME|FILE --to URL",
		Short: "Play a scenario and deliver its events to a receiver, with retries",
		Long: `Play a built-in scenario (see 'scenario list') or a scenario file, and deliver
its events to --to as Coperniq would: one POST per event, retried on anything but
a 2xx. The file's delivery: block (retry policy, duplicates, reordering, ...)
applies unless a flag says otherwise. The same --seed gives the same events and
the same delivery choices.

A progress line is shown while running on a terminal; at the end a summary:
events = acked + dead, retries, attempts, latency and per-trigger counts.
Ctrl-C stops sending, lets attempts in flight finish, and still prints it.
--dry-run prints the payloads as NDJSON instead of sending them.

Exit status: 0 every event acknowledged, 1 some dead (or the run interrupted),
2 bad usage, a bad scenario file or one that fires no events, or the receiver
could not be reached.`,
		Example: `  coperniq-mock scenario run residential-solar --to http://127.0.0.1:8080/hook
  coperniq-mock scenario run residential-solar --to http://127.0.0.1:8080/hook --retry ci --log run.jsonl
  coperniq-mock scenario run concurrent-projects --projects 20 --to http://127.0.0.1:8080/hook --concurrency 32
  coperniq-mock scenario run retry-after-5xx --to http://127.0.0.1:8080/hook --schedule 1s,5s,30s --time-scale 1000
  coperniq-mock scenario run mine.yaml --dry-run --seed 7 | coperniq-mock validate --strict -`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeScenarios(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !dryRun && to == "" {
				return usage(errors.New("--to URL is required (the receiver's webhook URL), or --dry-run to print the payloads"))
			}
			setProjects := cmd.Flags().Changed("projects")
			if setProjects && projects < 1 {
				return usage(fmt.Errorf("--projects %d: want at least 1", projects))
			}
			vocab, err := vf.load()
			if err != nil {
				return err
			}
			sc, err := scenarios.LoadWithVocabulary(args[0], vocab)
			if err != nil {
				return usage(err)
			}
			var ropts []scenarios.RenderOption
			if setProjects {
				ropts = append(ropts, scenarios.WithParam("projects", projects))
			}
			events, err := sc.Render(seed, ropts...)
			if err != nil {
				var located scenarios.ErrorList
				if !errors.As(err, &located) {
					err = fmt.Errorf("--projects: %w", err)
				}
				return usage(err)
			}
			if err := checkSomeEvents(sc, seed, events); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if dryRun {
				w := bufio.NewWriterSize(out, 64<<10)
				for _, e := range events {
					w.Write(e.Body)
					w.WriteByte('\n')
				}
				return w.Flush()
			}
			if err := delivery.CheckURL(to); err != nil {
				return usage(err)
			}
			opts, err := df.options(cmd, sc.Delivery, seed)
			if err != nil {
				return err
			}
			if err := checkReachable(to); err != nil {
				return err
			}
			fmt.Fprintf(out, "scenario %s: %d events, seed %d, to %s\n", sc.Name, len(events), seed, delivery.MaskURL(to))
			_, err = deliver(out, to, opts, scenarios.DeliveryEvents(events), df.log)
			return err
		},
	}
	df.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&to, "to", "", "the receiver's URL (a token in the query string is masked in output)")
	fl.Uint64Var(&seed, "seed", generator.DefaultSeed, "seed: the same seed gives the same events and the same delivery choices")
	fl.IntVar(&projects, "projects", 0, "number of projects (at least 1), for scenarios with a projects parameter (concurrent-projects)")
	fl.BoolVar(&dryRun, "dry-run", false, "print the payloads (NDJSON, in firing order) instead of sending them")
	vf.register(cmd)
	return cmd
}
