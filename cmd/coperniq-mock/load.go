package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/load"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/spf13/cobra"
)

type loadFlags struct {
	target      string
	rate        string
	duration    time.Duration
	stages      string
	mix         string
	scenario    string
	profile     string
	timeout     time.Duration
	retry       string
	maxInflight int
	maxLateness time.Duration
	seed        uint64
	shard       string
	out         string
	html        string
	headers     []string
	progress    string
	minSuccess  float64
	tls         tlsFlags
	thresholds  []string
}

var progressModes = []string{"auto", "bar", "plain", "none"}

// defaultMinSuccess is the share of scheduled events, in percent, that a
// run must get acknowledged to exit 0.
const defaultMinSuccess = 99.0

func checkMinSuccess(m float64) error {
	if m < 0 || m > 100 {
		return usage(fmt.Errorf("--min-success %g must be 0..100 (percent)", m))
	}
	return nil
}

// checkLoadOption checks one option against the load package's bounds,
// so that an error names the flag it came from.
func checkLoadOption(flag string, opt load.Option) error {
	if err := load.Check(opt); err != nil {
		return usage(fmt.Errorf("--%s: %w", flag, err))
	}
	return nil
}

// judge records the pass mark in rep; verdictErr then makes a miss exit 1.
func judge(rep *load.Report, minSuccess float64) {
	if minSuccess > 0 {
		rep.MinSuccess = &minSuccess
	}
}

func verdictErr(rep *load.Report) error {
	if rep.Interrupted {
		// Like every interrupted run (see exitTable): the report is
		// printed, but the load asked for was not applied.
		return failureError{msg: "interrupted: the run stopped before its planned duration; the report covers what was sent"}
	}
	if rep.Passed() {
		return nil
	}
	var why []string
	if !rep.SuccessPassed() {
		why = append(why, fmt.Sprintf("%.2f%% of scheduled events acknowledged, below --min-success %g%%", 100*rep.SuccessRatio(), *rep.MinSuccess))
	}
	if failed := rep.FailedThresholds(); len(failed) > 0 {
		why = append(why, "threshold failed: "+strings.Join(failed, ", "))
	}
	return failureError{msg: strings.Join(why, "; ")}
}

// parseThresholds reads --threshold values.
func parseThresholds(exprs []string) ([]load.Threshold, error) {
	var ts []load.Threshold
	for _, e := range exprs {
		t, err := load.ParseThreshold(e)
		if err != nil {
			return nil, usage(fmt.Errorf("--threshold: %w", err))
		}
		ts = append(ts, t)
	}
	return ts, nil
}

func newLoadCmd() *cobra.Command {
	var f loadFlags
	cmd := &cobra.Command{
		Use:   "load --target URL --rate RATE --duration D",
		Short: "Load-test a receiver: constant-rate open-model load with honest latency and reports",
		Long: `Send webhook events to a receiver at a fixed rate, each a freshly generated,
schema-valid payload with a unique eventId, and report what happened.

Requests leave at their scheduled times whatever the receiver does (an open
model, as Coperniq's sender behaves): latency is measured from the scheduled
time ("corrected", so time spent waiting behind a slow receiver counts) and
also from when the request left ("raw"). At most --max-inflight requests (and
connections) are open at once; a send that finds no free slot at its time is
late, and one more than --max-lateness behind is dropped. Both are counted,
and the verdict says whether the receiver or this machine held the load back.

--rate takes 500/s, 1200/m, 36000/h or 1/5s. --stages replaces --rate and
--duration with a profile such as 0/s..500/s:30s,500/s:2m (a ramp, then a
plateau). --mix chooses the triggers and their weights (default: all 18
equally). --scenario sends whole lifecycles instead (a built-in scenario such
as residential-solar, or a scenario file), at --rate events per second, with
eventIds renumbered so that they stay unique. --retry retries failed events per
a delivery preset (default none).

--shard i/n makes this copy shard i (0..n-1) of n: it sends every n-th event of
the run, so n copies at the same flags send exactly what one copy would, with
disjoint eventIds. 'coperniq-mock load merge' adds their --out files up.

Progress goes to stderr: a live bar on a terminal, a line every 5 s otherwise.
The report goes to stdout; --out writes it as JSON with the HDR histograms
(--out - writes the JSON to stdout and the text to stderr), --html as one
self-contained page with plots. Ctrl-C ends the run early and still reports;
a second Ctrl-C exits at once.

Without --seed each run draws a random seed (printed in the report: pass it
as --seed to repeat the run), so that a second run sends new eventIds rather
than duplicates; --shard needs --seed, which every shard must share.

Before sending, the target's host is dialled once: a receiver that does not
accept connections ends the command (exit 2) instead of a run of refusals.
Attempts that got no HTTP status (refused, timed out) are counted under
Errors and left out of the latency percentiles; slots dropped for lateness
are in the corrected percentiles at their lateness when dropped.

--threshold 'p99<50ms' --threshold 'success>=99.9%' holds the run to pass
marks as k6 does: latency is corrected unless the metric says raw (raw.p99),
and each threshold is shown passed or FAILED in every report format.

Exit status: 0 the run completed, at least --min-success percent (default
99) of the scheduled events were acknowledged and every --threshold passed;
1 otherwise (the report says so; --min-success 0 never fails) or the run was
interrupted; 2 bad usage, an unreachable target, or a report file could not
be written.`,
		Example: `  coperniq-mock load --target http://127.0.0.1:8080/hook --rate 500/s --duration 60s
  coperniq-mock load --target http://127.0.0.1:8080/hook --stages '0/s..500/s:30s,500/s:2m' --html report.html
  coperniq-mock load --target http://127.0.0.1:8080/hook --rate 200/s --mix 'TASK_STATUS_MOVEMENT=5,PROJECT_CREATED=1' --retry default
  coperniq-mock load --target http://127.0.0.1:8080/hook --scenario residential-solar --rate 100/s --duration 5m
  coperniq-mock load --target http://receiver.staging.internal/hook --rate 40000/s --duration 5m --shard 0/4 --out results-0.json
  coperniq-mock load merge results-*.json --html report.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLoad(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.target, "target", "", "the receiver's URL (a token in the query string is masked in output)")
	fl.StringVar(&f.rate, "rate", "", "events per time unit: 500/s, 1200/m, 36000/h, 1/5s")
	fl.DurationVar(&f.duration, "duration", time.Minute, "how long to send at --rate")
	fl.StringVar(&f.stages, "stages", "", "load profile instead of --rate/--duration: FROM..TO:DURATION or RATE:DURATION, comma-separated")
	fl.StringVar(&f.mix, "mix", "", "triggers and weights, TRIGGER=WEIGHT comma-separated (default: every trigger equally)")
	fl.StringVar(&f.scenario, "scenario", "", "send whole lifecycles of this scenario (a built-in name or a YAML file) instead of independent events")
	fl.StringVarP(&f.profile, "profile", "p", string(generator.DefaultProfile), "payload profile: realistic, minimal, maximal or edge")
	fl.DurationVar(&f.timeout, "timeout", delivery.DefaultTimeout, "how long each request may take; with --retry default or ci, that preset's timeout unless this is given")
	fl.StringVar(&f.retry, "retry", "none", "retry failed events per this delivery preset: "+strings.Join(delivery.Presets(), ", "))
	fl.IntVar(&f.maxInflight, "max-inflight", load.DefaultMaxInflight, "most requests (and connections) in flight at once")
	fl.DurationVar(&f.maxLateness, "max-lateness", load.DefaultMaxLateness, "drop a send more than this behind its scheduled time")
	fl.Uint64Var(&f.seed, "seed", 0, "seed of payloads, event ids and trigger choice (default: random, printed in the report; shards of one run must share it)")
	fl.StringVar(&f.shard, "shard", "0/1", "this copy is shard i of n (i from 0, like JOB_COMPLETION_INDEX)")
	fl.StringVar(&f.out, "out", "", "write the report as JSON (histograms included) to this file, - for stdout")
	fl.StringVar(&f.html, "html", "", "write the report as one self-contained HTML page with plots")
	fl.StringArrayVarP(&f.headers, "header", "H", nil, "extra request header, Name: value (repeatable)")
	fl.StringVar(&f.progress, "progress", "auto", "progress on stderr: auto (bar on a terminal, lines otherwise), bar, plain, none")
	fl.Float64Var(&f.minSuccess, "min-success", defaultMinSuccess, "exit 1 when fewer than this percent of scheduled events were acknowledged (0: never)")
	fl.StringArrayVar(&f.thresholds, "threshold", nil, "exit 1 unless the run meets this, like 'p99<50ms' or 'success>=99.9%' (repeatable; metrics: "+load.ThresholdMetrics+")")
	_ = cmd.RegisterFlagCompletionFunc("profile", completeWords(profileNames()...))
	_ = cmd.RegisterFlagCompletionFunc("retry", completeWords(delivery.Presets()...))
	_ = cmd.RegisterFlagCompletionFunc("progress", completeWords(progressModes...))
	_ = cmd.RegisterFlagCompletionFunc("scenario", completeWords(scenarios.Names()...))
	_ = cmd.RegisterFlagCompletionFunc("mix", completeMix)
	f.tls.register(cmd)
	alias(cmd, "to", "target")
	cmd.AddCommand(newLoadMergeCmd())
	return cmd
}

// options checks every flag before anything is sent, so that a typo in the
// last flag doesn't cost a run.
func (f loadFlags) options(cmd *cobra.Command) (*delivery.Target, []load.Option, error) {
	if f.target == "" {
		return nil, nil, usage(errors.New("--target URL is required (the receiver's webhook URL)"))
	}
	h, err := parseHeaders(f.headers)
	if err != nil {
		return nil, nil, err
	}
	target, err := delivery.NewTarget(f.target, h)
	if err != nil {
		return nil, nil, usage(fmt.Errorf("--target: %w", err))
	}
	var opts []load.Option
	changed := cmd.Flags().Changed
	switch {
	case f.stages != "" && (f.rate != "" || changed("duration")):
		return nil, nil, usage(errors.New("--stages replaces --rate and --duration: give one or the other"))
	case f.stages != "":
		st, err := load.ParseStages(f.stages)
		if err != nil {
			return nil, nil, usage(fmt.Errorf("--stages: %w", err))
		}
		opts = append(opts, load.WithStages(st...))
	case f.rate == "":
		return nil, nil, usage(errors.New("give --rate (like 500/s) and --duration, or --stages"))
	default:
		r, err := load.ParseRate(f.rate)
		if err != nil {
			return nil, nil, usage(fmt.Errorf("--rate: %w", err))
		}
		flag := "rate"
		if r > 0 {
			flag = "duration" // WithRate checks both
		}
		if err := checkLoadOption(flag, load.WithRate(r, f.duration)); err != nil {
			return nil, nil, err
		}
		opts = append(opts, load.WithRate(r, f.duration))
	}
	if f.scenario != "" {
		if f.mix != "" {
			return nil, nil, usage(errors.New("--scenario drives its own triggers: give --scenario or --mix, not both"))
		}
		if changed("profile") {
			return nil, nil, usage(errors.New("--profile does not apply to --scenario: a scenario renders its own payloads"))
		}
		sc, err := scenarios.Load(f.scenario)
		if err != nil {
			return nil, nil, usage(fmt.Errorf("--scenario: %w", err))
		}
		opts = append(opts, load.WithScenario(sc))
	}
	if f.mix != "" {
		m, err := load.ParseMix(f.mix)
		if err != nil {
			return nil, nil, usage(fmt.Errorf("--mix: %w", err))
		}
		opts = append(opts, load.WithMix(m))
	}
	profile, err := generator.ParseProfile(f.profile)
	if err != nil {
		return nil, nil, usage(fmt.Errorf("--profile: %w", err))
	}
	opts = append(opts, load.WithProfile(profile), load.WithSeed(f.seed))
	if err := checkOneOf("retry", f.retry, delivery.Presets()); err != nil {
		return nil, nil, err
	}
	policy, _ := delivery.ParsePreset(f.retry)
	opts = append(opts, load.WithPolicy(policy))
	if changed("timeout") || f.retry == "none" {
		if err := checkLoadOption("timeout", load.WithTimeout(f.timeout)); err != nil {
			return nil, nil, err
		}
		opts = append(opts, load.WithTimeout(f.timeout))
	}
	for _, c := range []struct {
		flag string
		opt  load.Option
	}{{"max-inflight", load.WithMaxInflight(f.maxInflight)}, {"max-lateness", load.WithMaxLateness(f.maxLateness)}} {
		if err := checkLoadOption(c.flag, c.opt); err != nil {
			return nil, nil, err
		}
		opts = append(opts, c.opt)
	}
	sh, err := load.ParseShard(f.shard)
	if err != nil {
		return nil, nil, usage(fmt.Errorf("--shard: %w", err))
	}
	if sh.Count > 1 && !changed("seed") {
		return nil, nil, usage(errors.New("--shard needs --seed so every shard draws from the same run"))
	}
	opts = append(opts, load.WithShard(sh))
	if err := checkOneOf("progress", f.progress, progressModes); err != nil {
		return nil, nil, err
	}
	if f.out != "" && f.out == f.html {
		return nil, nil, usage(fmt.Errorf("--out and --html both name %s", f.out))
	}
	if err := checkMinSuccess(f.minSuccess); err != nil {
		return nil, nil, err
	}
	return target, opts, nil
}

func runLoad(cmd *cobra.Command, f loadFlags) error {
	// Without --seed every run draws a new seed, and so new payloads and
	// event ids: the same ids again would only exercise a deduplicating
	// receiver's duplicate shortcut. The report prints the seed.
	randomSeed := !cmd.Flags().Changed("seed")
	if randomSeed {
		f.seed = rand.Uint64()
	}
	target, opts, err := f.options(cmd)
	if err != nil {
		return err
	}
	thresholds, err := parseThresholds(f.thresholds)
	if err != nil {
		return err
	}
	// A receiver that is not running fails now, like verify, rather than
	// as a run of refusals with a verdict.
	if opts, err = f.tlsOptions(opts); err != nil {
		return err
	}
	if err := f.tls.reachable(cmd.Context(), target); err != nil {
		return err
	}
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	f.tls.warnInsecure(stderr)
	textOut := stdout
	if f.out == "-" {
		textOut = stderr
	}
	// Files are created before the run so that an unwritable path fails
	// now, not after an hour of load.
	outFile, htmlFile, err := createReportFiles(f.out, f.html)
	if err != nil {
		return err
	}
	if mode := progressMode(f.progress, stderr); mode != "none" {
		p := &progressPrinter{w: stderr, bar: mode == "bar"}
		interval := 5 * time.Second
		if p.bar {
			interval = 250 * time.Millisecond
		}
		opts = append(opts, load.WithObserver(p.show, interval))
	}

	// The heap holds little that lives long (histograms, the workers'
	// buffers), and load's own HTTP client makes next to no garbage; where
	// net/http sends instead (a proxy), most garbage is its per-request
	// state. A higher GC target trades a few megabytes for CPU.
	debug.SetGCPercent(400)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once
	}()
	rep, err := load.Run(ctx, target, opts...)
	if err != nil {
		return usage(err)
	}
	rep.SeedRandom = randomSeed
	if f.tls.t.Insecure {
		rep.Target += insecureMark // every report format shows the target
	}
	judge(rep, f.minSuccess)
	rep.Check(thresholds...)
	if err := writeReports(rep, textOut, stdout, f.out, outFile, htmlFile); err != nil {
		return err
	}
	f.tls.warnInsecure(textOut)
	return verdictErr(rep)
}

func createReportFiles(out, html string) (outFile, htmlFile *os.File, err error) {
	if out != "" && out != "-" {
		if outFile, err = os.Create(out); err != nil {
			return nil, nil, usage(fmt.Errorf("--out: %w", err))
		}
	}
	if html != "" {
		if htmlFile, err = os.Create(html); err != nil {
			if outFile != nil {
				outFile.Close()
			}
			return nil, nil, usage(fmt.Errorf("--html: %w", err))
		}
	}
	return outFile, htmlFile, nil
}

// writeReports prints the text report and writes the files; the text comes
// first so that a person sees the outcome even if a file fails.
func writeReports(rep *load.Report, textOut, stdout io.Writer, out string, outFile, htmlFile *os.File) error {
	if err := rep.WriteText(textOut); err != nil {
		return err
	}
	var errs []error
	if out == "-" {
		errs = append(errs, rep.EncodeJSON(stdout))
	}
	if outFile != nil {
		err := rep.EncodeJSON(outFile)
		errs = append(errs, err, outFile.Close())
	}
	if htmlFile != nil {
		err := rep.WriteHTML(htmlFile)
		errs = append(errs, err, htmlFile.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return usage(fmt.Errorf("writing the report: %w", err))
	}
	return nil
}

func progressMode(mode string, w io.Writer) string {
	if mode != "auto" {
		return mode
	}
	if os.Getenv("TERM") != "dumb" && isTerminal(w) {
		return "bar"
	}
	return "plain"
}

// progressPrinter draws progress on stderr: one redrawn line on a terminal,
// or one plain line per call for logs.
type progressPrinter struct {
	w   io.Writer
	bar bool
}

func (p *progressPrinter) show(pr load.Progress) {
	elapsed := min(pr.Elapsed, pr.Planned)
	state := fmt.Sprintf("%s/%s", elapsed.Round(time.Second), pr.Planned.Round(time.Second))
	if pr.Draining {
		state = "draining retries"
	}
	stats := fmt.Sprintf("%7.0f/s  p99 %-7s  sent %d  acked %d  errors %d  late %d  dropped %d  in flight %d",
		pr.Rate, latency(pr.P99), pr.Sent, pr.Acked, pr.Failed, pr.Late, pr.Dropped, pr.InFlight)
	if !p.bar {
		if !pr.Done {
			fmt.Fprintf(p.w, "load %s  %s\n", state, stats)
		}
		return
	}
	if pr.Done {
		fmt.Fprint(p.w, "\r\033[K")
		return
	}
	const width = 24
	filled := 0
	if pr.Planned > 0 {
		filled = int(float64(width) * float64(elapsed) / float64(pr.Planned))
	}
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	fmt.Fprintf(p.w, "\r\033[K%s %s (%s left)  %s", bar, state, (pr.Planned - elapsed).Round(time.Second), stats)
}

func latency(d time.Duration) string {
	switch {
	case d == 0:
		return "-"
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

func newLoadMergeCmd() *cobra.Command {
	var out, html string
	var allowPartial bool
	var thresholdExprs []string
	minSuccess := defaultMinSuccess
	cmd := &cobra.Command{
		Use:   "merge FILE...",
		Short: "Merge the --out reports of a sharded run into one report",
		Long: `Read the JSON reports that the copies of a sharded run wrote with --out and
report the run as a whole: counts are summed and HDR histograms merged exactly,
so the result is what one copy sending all the shards' events would report.
Every shard 0..n-1 must appear exactly once, and the reports must share
target, stages (the rate), mix, profile and seed. --allow-partial merges
the shards there are anyway; the report then says which are missing.

Exit status: 0 merged and at least --min-success percent (default 99) of the
scheduled events acknowledged; 1 fewer were; 2 a file is missing, unreadable
or not a shard of the same run, or a shard is missing (without
--allow-partial) or given twice.`,
		Example: `  coperniq-mock load merge results-0.json results-1.json results-2.json results-3.json
  coperniq-mock load merge results-*.json --out merged.json --html report.html`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkMinSuccess(minSuccess); err != nil {
				return err
			}
			thresholds, err := parseThresholds(thresholdExprs)
			if err != nil {
				return err
			}
			var reps []*load.Report
			for _, name := range args {
				fh, err := os.Open(name)
				if err != nil {
					return usage(err)
				}
				rep, err := load.DecodeReport(fh)
				fh.Close()
				if err != nil {
					return usage(fmt.Errorf("%s: %w", name, err))
				}
				reps = append(reps, rep)
			}
			merge := load.Merge
			if allowPartial {
				merge = load.MergePartial
			}
			merged, err := merge(reps...)
			var missing *load.MissingShardsError
			if errors.As(err, &missing) {
				return usage(fmt.Errorf("%w (--allow-partial merges them anyway)", err))
			}
			if err != nil {
				return usage(err)
			}
			if out != "" && out == html {
				return usage(fmt.Errorf("--out and --html both name %s", out))
			}
			outFile, htmlFile, err := createReportFiles(out, html)
			if err != nil {
				return err
			}
			textOut := cmd.OutOrStdout()
			if out == "-" {
				textOut = cmd.ErrOrStderr()
			}
			judge(merged, minSuccess)
			merged.Check(thresholds...)
			if err := writeReports(merged, textOut, cmd.OutOrStdout(), out, outFile, htmlFile); err != nil {
				return err
			}
			return verdictErr(merged)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write the merged report as JSON to this file, - for stdout")
	cmd.Flags().StringVar(&html, "html", "", "write the merged report as one self-contained HTML page")
	cmd.Flags().BoolVar(&allowPartial, "allow-partial", false, "merge even when shards of the run are missing (the report says which)")
	cmd.Flags().Float64Var(&minSuccess, "min-success", defaultMinSuccess, "exit 1 when fewer than this percent of scheduled events were acknowledged (0: never)")
	cmd.Flags().StringArrayVar(&thresholdExprs, "threshold", nil, "exit 1 unless the merged run meets this, like 'p99<50ms' (repeatable)")
	return cmd
}
