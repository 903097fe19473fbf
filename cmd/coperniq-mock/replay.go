package main

import (
	"fmt"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/spf13/cobra"
)

func newReplayCmd() *cobra.Command {
	var (
		df   deliveryFlags
		only string
		seed uint64
	)
	cmd := &cobra.Command{
		Use:   "replay LOG|CAPTURE --target URL",
		Short: "Re-deliver events from a delivery log (the dead ones, by default) or a listen --out capture",
		Args:  cobra.ExactArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveDefault
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := needTarget(df.to, "(where to re-deliver the events)"); err != nil {
				return err
			}
			if err := df.check(); err != nil {
				return err
			}
			states, err := delivery.ParseOnly(only)
			if err != nil {
				return usage(fmt.Errorf("--only: %w", err))
			}
			if err := delivery.CheckURL(df.to); err != nil {
				return usage(err)
			}
			in, name, closeIn, err := openInput(cmd, args[0])
			if err != nil {
				return usage(err)
			}
			defer closeIn()
			rep, err := receiver.ReadReplay(in, name, receiver.ReplayOnly{States: states, Written: only, Given: cmd.Flags().Changed("only")})
			if rep != nil {
				for _, w := range rep.Warnings {
					fmt.Fprintf(cmd.ErrOrStderr(), "coperniq-mock: warning: %s: %s\n", name, w)
				}
			}
			if err != nil {
				return usage(err)
			}
			if rep.Nothing != "" {
				fmt.Fprintln(cmd.OutOrStdout(), rep.Nothing)
				return nil
			}
			if rep.Log != nil && !cmd.Flags().Changed("seed") {
				seed = rep.Log.Run.Seed
			}
			target, settings, err := df.target(cmd, delivery.DefaultSettings())
			if err != nil {
				return err
			}
			return df.deliver(cmd, target, settings, seed, rep.Events, "replaying "+rep.From, nil)
		},
	}
	df.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&only, "only", "dead", "which events to replay: dead, acked, pending, a comma list of them, or all")
	fl.Uint64Var(&seed, "seed", 0, "seed of the delivery's random choices (default: the logged run's)")
	_ = cmd.RegisterFlagCompletionFunc("only", completeWords("dead", "acked", "pending", "all"))
	return cmd
}
