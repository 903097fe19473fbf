package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/load"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/spf13/cobra"
)

func newLoadCmd() *cobra.Command {
	var f loadFlags
	cmd := &cobra.Command{
		Use:   "load --target URL --rate RATE --duration D",
		Short: "Load-test a receiver: constant-rate open-model load with honest latency and reports",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLoad(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.target, "target", "", "the receiver's URL (a token in the query string is masked in output)")
	fl.StringVar(&f.plan.Rate, "rate", "", "events per time unit: 500/s, 1200/m, 36000/h, 1/5s; or max: a closed loop, as fast as the receiver answers over --max-inflight connections")
	fl.DurationVar(&f.plan.Duration, "duration", time.Minute, "how long to send at --rate (or, with --rate max, as fast as answered)")
	fl.StringVar(&f.plan.Stages, "stages", "", "load profile instead of --rate/--duration: FROM..TO:DURATION or RATE:DURATION, comma-separated")
	fl.StringVar(&f.plan.Mix, "mix", "", "triggers and weights, TRIGGER=WEIGHT comma-separated (default: every trigger equally)")
	fl.StringVar(&f.plan.Scenario, "scenario", "", "send whole lifecycles of this scenario (a built-in name or a YAML file) instead of independent events")
	fl.StringVarP(&f.plan.Profile, "profile", "p", string(generator.DefaultProfile), "payload profile: realistic, minimal, maximal or edge")
	fl.DurationVar(&f.plan.Timeout, "timeout", delivery.DefaultTimeout, "how long each request may take; with --retry default or ci, that preset's timeout unless this is given")
	fl.StringVar(&f.plan.Retry, "retry", "none", "retry failed events per this delivery preset: "+strings.Join(delivery.Presets(), ", "))
	fl.IntVar(&f.plan.MaxInflight, "max-inflight", load.DefaultMaxInflight, "most requests (and connections) in flight at once")
	fl.DurationVar(&f.plan.MaxLateness, "max-lateness", load.DefaultMaxLateness, "drop a send more than this behind its scheduled time")
	fl.Uint64Var(&f.plan.Seed, "seed", 0, "seed of payloads, event ids and trigger choice (default: random, printed in the report; shards of one run must share it)")
	fl.StringVar(&f.plan.Shard, "shard", "0/1", "this copy is shard i of n (i from 0, like JOB_COMPLETION_INDEX)")
	fl.StringVar(&f.plan.Out, "out", "", "write the report as JSON (histograms included) to this file, - for stdout")
	fl.StringVar(&f.plan.HTML, "html", "", "write the report as one self-contained HTML page with plots")
	fl.StringArrayVarP(&f.headers, "header", "H", nil, "extra request header, Name: value (repeatable)")
	fl.StringVar(&f.progress, "progress", "auto", "progress on stderr: auto (bar on a terminal, lines otherwise), bar, plain, none")
	fl.Float64Var(&f.plan.MinSuccess, "min-success", load.DefaultMinSuccess, "exit 1 when fewer than this percent of scheduled events were acknowledged (0: never)")
	fl.StringArrayVar(&f.plan.Thresholds, "threshold", nil, "exit 1 unless the run meets this, like 'p99<50ms' or 'success>=99.9%' (repeatable; metrics: "+load.ThresholdMetrics+")")
	vocabularyInto(cmd, &f.plan.Vocabulary)
	_ = cmd.RegisterFlagCompletionFunc("profile", completeWords(generator.ProfileNames()...))
	_ = cmd.RegisterFlagCompletionFunc("retry", completeWords(delivery.Presets()...))
	_ = cmd.RegisterFlagCompletionFunc("progress", completeWords(load.ProgressModes...))
	_ = cmd.RegisterFlagCompletionFunc("scenario", completeWords(scenarios.Names()...))
	_ = cmd.RegisterFlagCompletionFunc("mix", completeMix)
	f.tls.register(cmd)
	alias(cmd, "to", "target")
	cmd.AddCommand(newLoadMergeCmd())
	return cmd
}

// loadFlags are load's flags: a load.Plan, the receiver and how the run
// is shown.
type loadFlags struct {
	plan     load.Plan
	target   string
	headers  []string
	progress string
	tls      tlsFlags
}

func runLoad(cmd *cobra.Command, f loadFlags) error {
	if err := needTarget(f.target, forReceiver); err != nil {
		return err
	}
	h, err := parseHeaders(f.headers)
	if err != nil {
		return err
	}
	target, err := delivery.NewTarget(f.target, h)
	if err != nil {
		return usage(fmt.Errorf("--target: %w", err))
	}
	if err := f.tls.check(); err != nil {
		return err
	}
	f.plan.Given = given(cmd)
	for _, w := range f.plan.Warnings() {
		fmt.Fprintf(cmd.ErrOrStderr(), "coperniq-mock: warning: %s\n", w)
	}
	s := load.Session{Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr(), Progress: f.progress, TLS: f.tls.cfg,
		Terminal: displayOf(cmd.ErrOrStderr()).live, Notice: f.tls.notice()}
	ctx, stop := interruptContext()
	defer stop()
	return runErr(f.plan.Run(ctx, target, s))
}

func newLoadMergeCmd() *cobra.Command {
	p := load.Plan{MinSuccess: load.DefaultMinSuccess}
	var allowPartial bool
	cmd := &cobra.Command{
		Use:   "merge FILE...",
		Short: "Merge the --out reports of a sharded run into one report",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			err := p.Merge(args, allowPartial, cmd.OutOrStdout(), cmd.ErrOrStderr())
			if missing := (*load.MissingShardsError)(nil); errors.As(err, &missing) {
				return usage(fmt.Errorf("%w (--allow-partial merges them anyway)", err))
			}
			return runErr(err)
		},
	}
	cmd.Flags().StringVar(&p.Out, "out", "", "write the merged report as JSON to this file, - for stdout")
	cmd.Flags().StringVar(&p.HTML, "html", "", "write the merged report as one self-contained HTML page")
	cmd.Flags().BoolVar(&allowPartial, "allow-partial", false, "merge even when shards of the run are missing (the report says which)")
	cmd.Flags().Float64Var(&p.MinSuccess, "min-success", load.DefaultMinSuccess, "exit 1 when fewer than this percent of scheduled events were acknowledged (0: never)")
	cmd.Flags().StringArrayVar(&p.Thresholds, "threshold", nil, "exit 1 unless the merged run meets this, like 'p99<50ms' (repeatable)")
	return cmd
}
