package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/spf13/cobra"
)

func newReplayCmd() *cobra.Command {
	var (
		df   deliveryFlags
		to   string
		only string
		seed uint64
	)
	cmd := &cobra.Command{
		Use:   "replay LOG --to URL",
		Short: "Re-deliver events from a delivery log (the dead ones, by default)",
		Long: `Read a delivery log written with --log (by 'scenario run', 'replay' or 'demo')
and deliver its events again, byte for byte, to --to: the dead ones by default,
or --only acked, pending, all, or a comma list. The retry and fault-injection
flags are those of 'scenario run'. LOG may be - for standard input.

A log whose last line was cut short (the run was killed while writing it) is
read up to that line, with a warning on stderr. A byte order mark before the
first line is skipped. Caps: an event's body may take 16 MiB, the bodies of a
log 256 MiB in all; a log over either is refused with the line that passed it.

Exit status: 0 every replayed event acknowledged (or none in the states
selected), 1 some dead, 2 bad usage, a file that isn't a delivery log or is
unreadable, or the receiver could not be reached.`,
		Example: `  coperniq-mock scenario run residential-solar --to http://127.0.0.1:8080/hook --log run.jsonl
  coperniq-mock replay run.jsonl --to http://127.0.0.1:8080/hook
  coperniq-mock replay run.jsonl --only all --to http://127.0.0.1:9090/hook --retry ci --log replay.jsonl`,
		Args: cobra.ExactArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveDefault
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if to == "" {
				return usage(errors.New("--to URL is required (where to re-deliver the events)"))
			}
			states, err := delivery.ParseOnly(only)
			if err != nil {
				return usage(fmt.Errorf("--only: %w", err))
			}
			if err := delivery.CheckURL(to); err != nil {
				return usage(err)
			}
			var in io.Reader = cmd.InOrStdin()
			name := "standard input"
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return usage(err)
				}
				defer f.Close()
				in, name = f, args[0]
			}
			log, err := delivery.ReadLog(in)
			if errors.Is(err, delivery.ErrNotLog) {
				return usage(fmt.Errorf("%s is %w; write one with 'scenario run --log FILE'", name, err))
			}
			if err != nil {
				return usage(fmt.Errorf("%s: %w", name, err))
			}
			for _, w := range log.Warnings {
				fmt.Fprintf(cmd.ErrOrStderr(), "coperniq-mock: warning: %s: %s\n", name, w)
			}
			events := log.Select(states...)
			out := cmd.OutOrStdout()
			if len(events) == 0 {
				fmt.Fprintf(out, "nothing to replay: --only %s selects none of the %d events in %s (%s)\n",
					only, len(log.Events), name, stateCounts(log))
				return nil
			}
			if !cmd.Flags().Changed("seed") {
				seed = log.Run.Seed
			}
			settings, err := df.settings(cmd, delivery.DefaultSettings())
			if err != nil {
				return err
			}
			// Parsed once: the check, the output and the engine share it.
			target, err := delivery.NewTarget(to, nil)
			if err != nil {
				return usage(err)
			}
			if err := checkReachable(cmd.Context(), target); err != nil {
				return err
			}
			fmt.Fprintf(out, "replaying %d of %d events (%s) from %s to %s\n", len(events), len(log.Events), only, name, target)
			_, err = deliver(out, target, settings, seed, events, df.log)
			return err
		},
	}
	df.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&to, "to", "", "the receiver's URL (a token in the query string is masked in output)")
	fl.StringVar(&only, "only", "dead", "which events to replay: dead, acked, pending, a comma list of them, or all")
	fl.Uint64Var(&seed, "seed", 0, "seed of the delivery's random choices (default: the logged run's)")
	_ = cmd.RegisterFlagCompletionFunc("only", completeWords("dead", "acked", "pending", "all"))
	return cmd
}

// stateCounts says how many of a log's events are in each final state.
func stateCounts(log *delivery.Log) string {
	n := map[delivery.State]int{}
	for _, e := range log.Events {
		n[e.State]++
	}
	var parts []string
	for _, st := range []delivery.State{delivery.StateAcked, delivery.StateDead, delivery.StatePending} {
		parts = append(parts, fmt.Sprintf("%s %d", st, n[st]))
	}
	return strings.Join(parts, ", ")
}
