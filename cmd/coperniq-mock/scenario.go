package main

import (
	"errors"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/spf13/cobra"
)

func newScenarioCmd() *cobra.Command {
	return groupCmd("scenario", "Play realistic lifecycles (a solar project from sale to PTO) and deliver their events",
		newScenarioListCmd(), newScenarioShowCmd(), newScenarioRunCmd())
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
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the built-in scenarios with their event counts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			if output == "json" {
				return scenarios.WriteBuiltinJSON(cmd.OutOrStdout())
			}
			return scenarios.WriteBuiltinText(cmd.OutOrStdout())
		},
	}
	outputFlag(cmd, &output, "a JSON array, one object per scenario")
	return cmd
}

func newScenarioShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "show NAME",
		Short:             "Print a built-in scenario's YAML, to read or to copy and change",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeScenarios(false),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := scenarios.Source(args[0])
			return writeShown(cmd, src, err)
		},
	}
}

func newScenarioRunCmd() *cobra.Command {
	var (
		vocab    *schemas.Vocabulary
		df       deliveryFlags
		seed     uint64
		projects int
		idOffset int64
		dryRun   bool
		af       apiFlags
	)
	cmd := &cobra.Command{
		Use:               "run NAME|FILE --target URL",
		Short:             "Play a scenario and deliver its events to a receiver, with retries",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeScenarios(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dryRun && af.Addr != "" {
				return usage(errors.New("--api serves the API while events are delivered; --dry-run delivers none"))
			}
			if !dryRun {
				if err := needTarget(df.to, forReceiver+", or --dry-run to print the payloads"); err != nil {
					return err
				}
			}
			if err := df.check(); err != nil {
				return err
			}
			tl := scenarios.NewTimeline()
			ropts := append(projectsOption(cmd, projects), scenarios.WithEventIDOffset(idOffset))
			play, err := scenarios.NewPlay(args[0], vocab, seed, append(ropts, af.RenderOptions(tl)...)...)
			if err != nil {
				return usage(err)
			}
			if dryRun {
				return scenarios.WriteNDJSON(cmd.OutOrStdout(), play.Events)
			}
			target, settings, err := df.target(cmd, play.Scenario.Delivery)
			if err != nil {
				return err
			}
			af.TLS = df.tls.cfg // the API mock's client is the one the deliveries go through
			af.Vocabulary = vocab
			apiMock, apiOpts, err := startAPI(cmd, &af, settings, seed, tl, play.Events)
			if err != nil {
				return err
			}
			return df.deliver(cmd, target, settings, seed, scenarios.Messages(play.Events), play.String()+",", af.After(apiMock), apiOpts...)
		},
	}
	df.register(cmd)
	fl := cmd.Flags()
	fl.Uint64Var(&seed, "seed", generator.DefaultSeed, "seed: the same seed gives the same events and the same delivery choices")
	fl.IntVar(&projects, "projects", 0, "number of projects (at least 1), for scenarios with a projects parameter (concurrent-projects)")
	fl.Int64Var(&idOffset, "event-id-offset", 0, "add this to every eventId the scenario draws (verify's reproducers carry it; the rest of each event is unchanged)")
	fl.BoolVar(&dryRun, "dry-run", false, "print the payloads (NDJSON, in firing order) instead of sending them")
	fl.StringVar(&af.Addr, "api", "", "also serve the mock REST API on this address (host:port), answering as of each event as it is sent ('api --help')")
	fl.DurationVar(&af.Linger, "api-linger", 0, "keep the API up this long after the last delivery, for receivers that call it after acknowledging")
	fl.IntVar(&af.MaxCalls, "api-max-calls", 0, "fail the run (exit 1) when a webhook is followed by more answered API calls than this (0: no bound; use with --concurrency 1)")
	af.register(cmd)
	vocabularyInto(cmd, &vocab)
	return cmd
}
