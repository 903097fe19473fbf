package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"runtime/debug"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/spf13/cobra"
)

// listenFlags are listen's flags; each maps to one receiver option.
type listenFlags struct {
	addr      string
	strict    bool
	out       string
	failFirst int
	failRate  float64
	status    int
	latency   time.Duration
	resetRate float64
	bodyLimit int64
	seed      uint64
	max       int
	maxBytes  int64
	public    bool
	token     string
	inspect   string
	maxConns  int
	inFlight  int64
	queue     int
	output    string
	vocab     *schemas.Vocabulary // vocabflags.go
}

func newListenCmd() *cobra.Command {
	var f listenFlags
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
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on, host:port (port 0 picks a free one)")
	fl.BoolVar(&f.strict, "strict", false, "validate at the strict level (what coperniq-mock emits) instead of the contract level")
	fl.StringVar(&f.out, "out", "", "also write every delivery to this file as JSON lines (replacing its content)")
	fl.IntVar(&f.failFirst, "fail-first", 0, "answer 503 to the first N attempts of every eventId")
	fl.Float64Var(&f.failRate, "fail-rate", 0, "answer 503 to this fraction of attempts, 0 to 1")
	fl.IntVar(&f.status, "status", receiver.DefaultStatus, "status answering deliveries that aren't failed on purpose, 200 to 599")
	fl.DurationVar(&f.latency, "latency", 0, "wait this long before answering each delivery (e.g. 300ms)")
	fl.Float64Var(&f.resetRate, "reset-rate", 0, "drop the connection without an answer on this fraction of attempts, 0 to 1")
	fl.Int64Var(&f.bodyLimit, "body-limit", receiver.DefaultBodyLimit, "answer 413 to bodies over this many bytes")
	fl.Uint64Var(&f.seed, "seed", receiver.DefaultSeed, "seed of --fail-rate and --reset-rate: the same seed fails the same attempts")
	fl.IntVar(&f.max, "max-deliveries", receiver.DefaultMaxDeliveries, "keep only the newest N deliveries in memory (0 keeps all, however many; the summary counts all)")
	fl.Int64Var(&f.maxBytes, "max-bytes", receiver.DefaultMaxBytes, "keep at most this many bytes of payloads in memory; beyond, the oldest deliveries lose theirs (0: no limit)")
	fl.BoolVar(&f.public, "public-inspect", false, "also serve /_mock/ on the delivery address, to anyone who reaches it, through tunnels too")
	fl.StringVar(&f.token, "inspect-token", "", `also serve /_mock/ on the delivery address to requests with "Authorization: Bearer TOKEN", from anywhere (16+ characters, e.g. from openssl rand -hex 16)`)
	fl.StringVar(&f.inspect, "inspect-addr", receiver.DefaultInspectAddr, `address of the inspection API, host:port (port 0 picks a free one; "" serves none there)`)
	fl.IntVar(&f.maxConns, "max-connections", receiver.DefaultMaxConnections, "answer 503 to connections beyond this many open at once (0: no limit)")
	fl.Int64Var(&f.inFlight, "max-in-flight", receiver.DefaultMaxInFlight, "answer 503 to bodies that would take the bytes held while reading, beyond 16 KiB each, over this (0: no limit)")
	secretFromEnv(cmd, "inspect-token", "COPERNIQ_MOCK_INSPECT_TOKEN")
	outputFlag(cmd, &f.output, "the summary at exit as one JSON line")
	vocabularyInto(cmd, &f.vocab)
	return cmd
}

// options turns the flags into receiver options, each checked alone so that
// an error names its flag; the ranges live in the receiver package only.
func (f listenFlags) options() ([]receiver.Option, error) {
	level := schemas.Contract
	if f.strict {
		level = schemas.Strict
	}
	flags := []struct {
		name string
		opt  receiver.Option
	}{
		{"strict", receiver.WithLevel(level)},
		{"fail-first", receiver.WithFailFirst(f.failFirst)},
		{"fail-rate", receiver.WithFailRate(f.failRate)},
		{"status", receiver.WithStatus(f.status)},
		{"latency", receiver.WithLatency(f.latency)},
		{"reset-rate", receiver.WithResetRate(f.resetRate)},
		{"body-limit", receiver.WithBodyLimit(f.bodyLimit)},
		{"seed", receiver.WithSeed(f.seed)},
		{"max-deliveries", receiver.WithMaxDeliveries(f.max)},
		{"max-bytes", receiver.WithMaxBytes(f.maxBytes)},
		{"public-inspect", receiver.WithPublicInspect(f.public)},
		{"inspect-token", receiver.WithInspectToken(f.token)},
		{"inspect-addr", receiver.WithInspectAddr(f.inspect)},
		{"max-connections", receiver.WithMaxConnections(f.maxConns)},
		{"max-in-flight", receiver.WithMaxInFlight(f.inFlight)},
		{"vocabulary", receiver.WithVocabulary(f.vocab)},
	}
	var opts []receiver.Option
	for _, fl := range flags {
		if _, err := receiver.New(fl.opt); err != nil {
			return nil, usage(fmt.Errorf("--%s: %w", fl.name, err))
		}
		opts = append(opts, fl.opt)
	}
	return opts, nil
}

func runListen(stdout io.Writer, f listenFlags) error {
	if err := checkOutput(f.output); err != nil {
		return err
	}
	opts, err := f.options()
	if err != nil {
		return err
	}
	if f.maxBytes > 0 {
		// Each delivery leaves some kilobytes of garbage, and at the
		// default target the collector ran every few thousand deliveries,
		// holding answers up long enough that `load` at 10,000/s ran out of
		// workers (make bench-listen: late sends 89-26,452 at GOGC=100,
		// 22-1,504 at 400, alternating). The memory limit, twice
		// --max-bytes, keeps the process's peak where the default target
		// had it (some 2.5 times --max-bytes, see receiver.DefaultMaxBytes).
		limit := int64(math.MaxInt64)
		if f.maxBytes < math.MaxInt64/2 {
			limit = max(f.maxBytes*2, 64<<20)
		}
		debug.SetGCPercent(400)
		debug.SetMemoryLimit(limit)
	}
	ctx, stop := interruptContext()
	defer stop()
	err = receiver.Run(ctx, stdout, receiver.Session{Addr: f.addr, Out: f.out, Queue: f.queue, JSON: f.output == "json"}, opts...)
	var fe *delivery.FieldError
	switch {
	case errors.Is(err, receiver.ErrBlocked):
		return failureError{msg: err.Error()}
	case errors.As(err, &fe):
		return usage(errors.New(fe.Named("--" + strings.ToLower(fe.Field))))
	}
	return err
}
