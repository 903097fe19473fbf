package main

import (
	"io"

	"github.com/coperniq-mock/coperniq-mock/demo"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/spf13/cobra"
)

func newDemoCmd() *cobra.Command {
	var (
		seed     uint64
		scenario string
		log      string
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "See the whole tool work in one command: a scenario delivered to an in-process receiver",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.OutOrStdout(), scenario, seed, log)
		},
	}
	fl := cmd.Flags()
	fl.Uint64Var(&seed, "seed", generator.DefaultSeed, "seed of the scenario and the delivery")
	fl.StringVar(&scenario, "scenario", "residential-solar", "the built-in scenario (or scenario file) to run")
	fl.StringVar(&log, "log", "", "also write the delivery log to this file")
	_ = cmd.RegisterFlagCompletionFunc("scenario", completeScenarios(true))
	return cmd
}

// runDemo runs the demo until done or Ctrl-C. Tests pass receiver options
// after the demo's own (a later option wins) to see that a receiver that
// doesn't answer as promised fails the demo.
func runDemo(out io.Writer, name string, seed uint64, logPath string, rcOpts ...receiver.Option) error {
	ctx, stop := interruptContext()
	defer stop()
	return runErr(demo.Run(ctx, out, displayOf(out).live, name, seed, logPath, rcOpts...))
}
