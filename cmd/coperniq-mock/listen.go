package main

import (
	"errors"
	"io"

	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/spf13/cobra"
)

// listenFlags are listen's flags: a receiver.Config and a receiver.Session.
type listenFlags struct {
	cfg    receiver.Config
	run    receiver.Session
	output string
}

func newListenCmd() *cobra.Command {
	f := listenFlags{cfg: receiver.DefaultConfig()}
	cmd := &cobra.Command{
		Use:   "listen",
		Short: "Run a capture receiver: record, validate and answer webhook deliveries",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runListen(cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.run.Addr, "addr", "127.0.0.1:8080", "address to listen on, host:port (port 0 picks a free one)")
	fl.BoolVar(&f.cfg.Strict, "strict", false, "validate at the strict level (what coperniq-mock emits) instead of the contract level")
	fl.StringVar(&f.run.Out, "out", "", "also write every delivery to this file as JSON lines (replacing its content)")
	fl.IntVar(&f.cfg.FailFirst, "fail-first", 0, "answer 503 to the first N attempts of every eventId")
	fl.Float64Var(&f.cfg.FailRate, "fail-rate", 0, "answer 503 to this fraction of attempts, 0 to 1")
	fl.IntVar(&f.cfg.Status, "status", f.cfg.Status, "status answering deliveries that aren't failed on purpose, 200 to 599")
	fl.DurationVar(&f.cfg.Latency, "latency", 0, "wait this long before answering each delivery (e.g. 300ms)")
	fl.Float64Var(&f.cfg.ResetRate, "reset-rate", 0, "drop the connection without an answer on this fraction of attempts, 0 to 1")
	fl.Int64Var(&f.cfg.BodyLimit, "body-limit", f.cfg.BodyLimit, "answer 413 to bodies over this many bytes")
	fl.Uint64Var(&f.cfg.Seed, "seed", f.cfg.Seed, "seed of --fail-rate and --reset-rate: the same seed fails the same attempts")
	fl.IntVar(&f.cfg.MaxDeliveries, "max-deliveries", f.cfg.MaxDeliveries, "keep only the newest N deliveries in memory (0 keeps all, however many; the summary counts all)")
	fl.Int64Var(&f.cfg.MaxBytes, "max-bytes", f.cfg.MaxBytes, "keep at most this many bytes of payloads in memory; beyond, the oldest deliveries lose theirs (0: no limit)")
	fl.BoolVar(&f.cfg.PublicInspect, "public-inspect", false, "also serve /_mock/ on the delivery address, to anyone who reaches it, through tunnels too")
	fl.StringVar(&f.cfg.InspectToken, "inspect-token", "", `also serve /_mock/ on the delivery address to requests with "Authorization: Bearer TOKEN", from anywhere (16+ characters, e.g. from openssl rand -hex 16)`)
	fl.StringVar(&f.cfg.InspectAddr, "inspect-addr", f.cfg.InspectAddr, `address of the inspection API, host:port (port 0 picks a free one; "" serves none there)`)
	fl.IntVar(&f.cfg.MaxConnections, "max-connections", f.cfg.MaxConnections, "answer 503 to connections beyond this many open at once (0: no limit)")
	fl.Int64Var(&f.cfg.MaxInFlight, "max-in-flight", f.cfg.MaxInFlight, "answer 503 to bodies that would take the bytes held while reading, beyond 16 KiB each, over this (0: no limit)")
	secretFromEnv(cmd, "inspect-token", "COPERNIQ_MOCK_INSPECT_TOKEN")
	outputFlag(cmd, &f.output, "the summary at exit as one JSON line")
	vocabularyInto(cmd, &f.cfg.Vocabulary)
	return cmd
}

func runListen(stdout io.Writer, f listenFlags) error {
	if err := checkOutput(f.output); err != nil {
		return err
	}
	ctx, stop := interruptContext()
	defer stop()
	f.run.JSON = f.output == "json"
	err := f.cfg.Listen(ctx, stdout, f.run)
	if errors.Is(err, receiver.ErrBlocked) {
		return failureError{err: err}
	}
	return runErr(err)
}
