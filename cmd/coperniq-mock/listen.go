package main

import (
	"errors"
	"fmt"
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
		Long: `Listen for webhook deliveries as a customer's endpoint would, and show each one.
Every POST to any path (outside /_mock/) is validated at the contract level (or
--strict), kept in memory, written to --out as a JSON line, and printed as one
line once answered: time, trigger, eventId, recordId, attempt number of that
eventId, the status answered, and "valid" or the first violation. An answer
that never reached the sender says so: "(client left)" when the sender gave up
first (e.g. during --latency), "(write failed)" when the connection broke.

A payload that parses as JSON is acknowledged (200) even when it violates the
schema: Coperniq would only retry the same payload, so the receiver records the
violations instead. A body that isn't JSON gets 400, one over --body-limit 413.
To exercise a sender's retries, --fail-first, --fail-rate and --reset-rate fail
deliveries on purpose (seeded by --seed), --status changes the answer and
--latency delays it.

What was received is served on a separate inspection address, on loopback, with
a port of its own (--inspect-addr, a free port by default), printed on the first
line: /_mock/deliveries, /_mock/events/{eventId}, /_mock/summary (DELETE
/_mock/deliveries clears it). It shows real customers' data once real Coperniq
traffic comes in through a tunnel, and a tunnel to the delivery address (ngrok,
ssh -R, kubectl port-forward) cannot reach it. The delivery address answers
/_mock/healthz only, unless --inspect-token TOKEN (then /_mock/ there needs
"Authorization: Bearer TOKEN", from anywhere) or --public-inspect (open to all).

Hostile senders cannot stall or exhaust it: at most --max-connections are open
at once and --max-in-flight bytes of bodies are held beyond the first 16 KiB of
each (a Coperniq payload never needs more); beyond, a request is answered 503
with Retry-After, unread, and counted. A stdout that stops reading never holds
up an answer: up to 4096 lines wait for it, then lines are dropped and counted
in the summary (--out still has every delivery). Memory is bounded: the newest
--max-deliveries deliveries are kept, and beyond --max-bytes of payloads the
oldest lose theirs (their metadata stays); the summary and --out have every
delivery.

The first line printed is the address, for scripts: its first URL is the one to
use from this machine, and an address bound on all interfaces (--addr
0.0.0.0:8080) is said to be. SIGINT (Ctrl-C) or SIGTERM stops the receiver,
prints a summary and exits 0; with -o json the summary is one JSON object on
the last line ({"summary": {"deliveries", "uniqueEvents", "valid", "invalid",
"unreadable", "resets", ..., "byTrigger", "byStatus"}}).

Exit status: 0 stopped by a signal, 1 stdout blocked so that the summary could
not be printed, 2 bad usage, the address could not be bound, or the --out file
could not be written.`,
		Example: `  coperniq-mock listen
  coperniq-mock listen --addr 127.0.0.1:0 --fail-first 1 --out captured.jsonl
  coperniq-mock listen --strict --fail-rate 0.2 --seed 7 --latency 300ms
  coperniq-mock listen --inspect-addr 127.0.0.1:8081
  curl -s http://127.0.0.1:8081/_mock/deliveries | jq '.[] | {eventId, attempt, status, valid}'
  coperniq-mock listen --inspect-token "$TOKEN"   # then, through the tunnel:
  curl -s -H "Authorization: Bearer $TOKEN" https://YOUR-TUNNEL/_mock/summary`,
		Args: cobra.NoArgs,
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
	var ce *receiver.ConfigError
	switch {
	case errors.As(err, &ce):
		return usage(fmt.Errorf("--%s: %w", flagName(ce.Field), ce.Err))
	case errors.Is(err, receiver.ErrBlocked):
		return failureError{msg: err.Error()}
	}
	return fieldError(err)
}
