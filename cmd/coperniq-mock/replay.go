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
		Long: `Read a delivery log written with --log (by 'scenario run', 'replay' or 'demo')
and deliver its events again, byte for byte, to --target: the dead ones by default,
or --only acked, pending, all, or a comma list. The retry and fault-injection
flags are those of 'scenario run'. LOG may be - for standard input.

A capture written by 'listen --out' (real Coperniq payloads, caught through a
tunnel) is replayed too: every captured event once, in arrival order (retries
and duplicates of an event are left out), with the same retry presets. Bodies
are sent as listen recorded them (JSON without insignificant whitespace).
Which of the two the file is, is told by its content.

A log whose last line was cut short (the run was killed while writing it) is
read up to that line, with a warning on stderr. A byte order mark before the
first line is skipped. Caps: an event's body may take 16 MiB, the bodies of a
log 256 MiB in all; a log over either is refused with the line that passed it.

Exit status: 0 every replayed event acknowledged (or none in the states
selected), 1 some dead, 2 bad usage, a file that is neither a delivery log nor
a capture, or is unreadable, or the receiver could not be reached.`,
		Example: `  coperniq-mock scenario run residential-solar --target http://127.0.0.1:8080/hook --log run.jsonl
  coperniq-mock replay run.jsonl --target http://127.0.0.1:8080/hook
  coperniq-mock replay run.jsonl --only all --target http://127.0.0.1:9090/hook --retry ci --log replay.jsonl
  coperniq-mock listen --out captured.jsonl   # then, once Coperniq has sent some:
  coperniq-mock replay captured.jsonl --target https://staging.example.com/hook --cacert ca.pem --retry ci`,
		Args: cobra.ExactArgs(1),
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
