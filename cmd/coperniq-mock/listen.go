package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

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
}

// DefaultPrintQueue is how many delivery lines may wait for a slow stdout
// before listen drops (and counts) them: printing never holds up an answer.
const DefaultPrintQueue = 4096

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
	ready := make(chan struct{})
	pr := newPrinter(stdout, f.queue)
	opts = append(opts, receiver.WithObserver(func(d receiver.Delivery) {
		<-ready // the address line comes first
		pr.line(deliveryLine(d))
	}))

	var (
		out     *os.File
		created bool
	)
	if f.out != "" {
		_, statErr := os.Stat(f.out)
		created = errors.Is(statErr, os.ErrNotExist)
		// Truncated only once the address is bound: a busy port must not
		// cost the user the previous capture.
		if out, err = os.OpenFile(f.out, os.O_WRONLY|os.O_CREATE, 0o666); err != nil {
			return usage(fmt.Errorf("--out: %w", err))
		}
		defer out.Close() // for early returns; the normal path checks Close
		opts = append(opts, receiver.WithOutput(afterReady{out, ready}))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := receiver.Start(f.addr, opts...)
	if err != nil {
		if created {
			out.Close()
			os.Remove(f.out) // no empty file left behind when the address is taken
		}
		var op *net.OpError
		if errors.As(err, &op) && op.Err != nil {
			err = op.Err // net.OpError repeats the address
		}
		return usage(fmt.Errorf("--addr %s: %w", f.addr, err))
	}
	if out != nil {
		if err := out.Truncate(0); err != nil {
			srv.Close()
			return usage(fmt.Errorf("--out: %w", err))
		}
	}
	// Through the printer too: the address line comes first, scripts read it.
	pr.line(addressLine(srv.Addr, srv.URL, srv.InspectURL))
	pr.line(f.describe())
	close(ready)

	<-ctx.Done()
	stop() // a second Ctrl-C kills at once
	shutdownErr := srv.Close()

	var sum strings.Builder
	note := ""
	if n := pr.dropped.Load(); n > 0 {
		note = fmt.Sprintf("not printed: %s (stdout was not keeping up; --out has every delivery)\n", plural(int(n), "delivery line"))
	}
	if f.output == "json" {
		sum.WriteString(note) // before: the JSON summary stays the last line
		printListenSummary(&sum, f.output, srv.Summary())
	} else {
		printSummary(&sum, srv.Summary())
		sum.WriteString(note)
	}
	if !pr.finish(receiver.DefaultGrace, strings.TrimSuffix(sum.String(), "\n")) {
		// The summary is lost with the lines before it, but the process
		// must stop when asked to.
		return failureError{msg: "stdout blocked: the summary could not be printed"}
	}

	if werr := srv.Err(); werr != nil {
		return outputError("--out %s: %v", f.out, werr)
	}
	if out != nil {
		if cerr := out.Close(); cerr != nil {
			return outputError("--out %s: %v", f.out, cerr)
		}
	}
	if shutdownErr != nil {
		// In-flight deliveries outlived the grace period: they were
		// dropped, which the summary already counts; not a failure of
		// the capture itself.
		fmt.Fprintf(stdout, "shutdown: %v\n", shutdownErr)
	}
	return nil
}

// printer writes lines to stdout from its own goroutine, so that a stdout
// that stops reading (a pipe to a stalled program) never holds up a
// delivery's answer: up to queue lines wait for it, and beyond that lines
// are dropped and counted.
type printer struct {
	lines   chan string
	done    chan struct{}
	dropped atomic.Int64
}

func newPrinter(w io.Writer, queue int) *printer {
	if queue < 1 {
		queue = DefaultPrintQueue
	}
	p := &printer{lines: make(chan string, queue), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		bw := bufio.NewWriter(w)
		for l := range p.lines {
			bw.WriteString(l)
			bw.WriteByte('\n')
			// Flushed when nothing else waits: one write per burst.
			if len(p.lines) == 0 {
				_ = bw.Flush()
			}
		}
		_ = bw.Flush()
	}()
	return p
}

// line queues l, or drops and counts it when the queue is full.
func (p *printer) line(l string) {
	select {
	case p.lines <- l:
	default:
		p.dropped.Add(1)
	}
}

// finish queues the last lines (the summary), waiting for room rather than
// dropping them, and lets every queued line out; all within grace, for a
// stdout that does not read. It reports whether they all went out.
func (p *printer) finish(grace time.Duration, last ...string) bool {
	deadline := time.After(grace)
	for _, l := range last {
		select {
		case p.lines <- l:
		case <-deadline:
			return false
		}
	}
	close(p.lines)
	select {
	case <-p.done:
		return true
	case <-deadline:
		return false
	}
}

// afterReady holds writes until ready is closed: the --out file is
// truncated after the server starts, and no delivery may be written first.
type afterReady struct {
	w     io.Writer
	ready <-chan struct{}
}

func (a afterReady) Write(p []byte) (int, error) {
	<-a.ready
	return a.w.Write(p)
}

// addressLine is the first line printed: the URL to use from this machine
// comes first, and an address bound on all interfaces is said to be, e.g.
//
//	listening on http://127.0.0.1:8080 (inspect: http://127.0.0.1:41235/_mock/deliveries)
//	listening on all interfaces (0.0.0.0:8080); locally http://127.0.0.1:8080 (inspect: http://127.0.0.1:41235/_mock/deliveries)
func addressLine(bound, url, inspectURL string) string {
	inspect := "inspect: " + inspectURL + receiver.PathDeliveries
	if inspectURL == "" {
		inspect = "no inspection address"
	}
	local := fmt.Sprintf("%s (%s)", url, inspect)
	if host, _, err := net.SplitHostPort(bound); err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			return fmt.Sprintf("listening on all interfaces (%s); locally %s", bound, local)
		}
	}
	return "listening on " + local
}

// describe is the line under the address: what the receiver will do.
func (f listenFlags) describe() string {
	level := "contract"
	if f.strict {
		level = "strict"
	}
	parts := []string{fmt.Sprintf("validating at the %s level, answering %d", level, f.status)}
	if f.failFirst > 0 {
		parts = append(parts, fmt.Sprintf("503 to the first %d attempt(s) of each event", f.failFirst))
	}
	if f.failRate > 0 {
		parts = append(parts, fmt.Sprintf("503 to %g of attempts (seed %d)", f.failRate, f.seed))
	}
	if f.resetRate > 0 {
		parts = append(parts, fmt.Sprintf("reset on %g of attempts (seed %d)", f.resetRate, f.seed))
	}
	if f.latency > 0 {
		parts = append(parts, "after "+f.latency.String())
	}
	if f.out != "" {
		parts = append(parts, "capturing to "+f.out)
	}
	inspect := "/_mock/ on the inspection address only"
	switch {
	case f.token != "":
		inspect = "/_mock/ also here for bearers of the token"
	case f.public:
		inspect = "/_mock/ also open to anyone who reaches this address"
	}
	return strings.Join(parts, ", ") + "; " + inspect + "; Ctrl-C stops"
}

// deliveryLine is the one line printed per delivery, e.g.
//
//	17:04:22.123 TASK_STATUS_MOVEMENT eventId=48291 recordId=10423 attempt=1 200 valid
func deliveryLine(d receiver.Delivery) string {
	orDash := func(p *int64) string {
		if p == nil {
			return "-"
		}
		return strconv.FormatInt(*p, 10)
	}
	trigger := printable(d.TriggerKey, 60)
	if trigger == "" {
		trigger = "-"
	}
	attempt := "-"
	if d.Attempt > 0 {
		attempt = strconv.Itoa(d.Attempt)
	}
	answer := strconv.Itoa(d.Status)
	if d.Reset {
		answer = "reset"
	}
	if d.Injected != "" {
		answer += " (" + d.Injected + ")"
	}
	switch d.Wire {
	case receiver.WireClientLeft:
		answer += " (client left: not answered)"
	case receiver.WireWriteFailed:
		answer += " (write failed: " + printable(d.WireError, 80) + ")"
	}
	var verdict string
	switch {
	case d.Unreadable != "":
		verdict = "unreadable: " + printable(d.Unreadable, 200)
	case !d.Valid:
		var errs []string
		for _, v := range d.Violations {
			if !v.Warning {
				errs = append(errs, v.String())
			}
		}
		if len(errs) == 0 { // Valid says there is one; don't trust it blindly
			errs = append(errs, "no violation given")
		}
		verdict = "invalid: " + printable(errs[0], 200)
		if len(errs) > 1 {
			verdict += fmt.Sprintf(" (+%d more)", len(errs)-1)
		}
	case len(d.Violations) > 0:
		verdict = fmt.Sprintf("valid, %d warning(s): %s", len(d.Violations), printable(d.Violations[0].String(), 200))
	default:
		verdict = "valid"
	}
	return fmt.Sprintf("%s %s eventId=%s recordId=%s attempt=%s %s %s",
		d.Time.Format("15:04:05.000"), trigger, orDash(d.EventID), orDash(d.RecordID), attempt, answer, verdict)
}

// printable keeps what a sender controls from breaking the terminal or the
// one-line-per-delivery format: control characters (newlines included) are
// escaped, and long text is cut to max characters.
func printable(s string, max int) string {
	s = delivery.Escape(strings.ReplaceAll(strings.ReplaceAll(s, "\n", `\n`), "\t", `\t`))
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// answeredCounts spells how a receiver answered: "200 x43, 503 x43".
func answeredCounts(s receiver.Totals) string {
	statuses := make([]int, 0, len(s.ByStatus))
	for code := range s.ByStatus {
		statuses = append(statuses, code)
	}
	sort.Ints(statuses)
	var answered []string
	for _, code := range statuses {
		answered = append(answered, fmt.Sprintf("%d x%d", code, s.ByStatus[code]))
	}
	if s.Resets > 0 {
		answered = append(answered, fmt.Sprintf("reset x%d", s.Resets))
	}
	if n := s.ClientLeft + s.WriteFailed; n > 0 {
		answered = append(answered, fmt.Sprintf("of which never reached the sender x%d (client left %d, write failed %d)", n, s.ClientLeft, s.WriteFailed))
	}
	return strings.Join(answered, ", ")
}

func printSummary(w io.Writer, s receiver.Totals) {
	fmt.Fprintf(w, "summary: %s, %s: %d valid, %d invalid, %d unreadable\n",
		plural(s.Deliveries, "delivery"), plural(s.UniqueEvents, "unique event"), s.Valid, s.Invalid, s.Unreadable)
	if s.Refused > 0 {
		fmt.Fprintf(w, "refused busy: %s answered 503 unread (--max-connections or --max-in-flight reached)\n", plural(s.Refused, "request"))
	}
	if s.Deliveries == 0 {
		return
	}
	fmt.Fprintf(w, "answered: %s\n", answeredCounts(s))
	if len(s.ByTrigger) > 0 {
		keys := make([]string, 0, len(s.ByTrigger))
		for k := range s.ByTrigger {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var by []string
		for _, k := range keys {
			by = append(by, fmt.Sprintf("%s %d", printable(k, 60), s.ByTrigger[k]))
		}
		fmt.Fprintf(w, "by trigger: %s\n", strings.Join(by, ", "))
	}
}
