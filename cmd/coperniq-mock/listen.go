package main

import (
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
	"sync"
	"syscall"
	"time"

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
}

func newListenCmd() *cobra.Command {
	var f listenFlags
	cmd := &cobra.Command{
		Use:   "listen",
		Short: "Run a capture receiver: record, validate and answer webhook deliveries",
		Long: `Listen for webhook deliveries as a customer's endpoint would, and show each one.
Every POST to any path (outside /_mock/) is validated at the contract level (or
--strict), kept in memory, written to --out as a JSON line, and printed as one
line: time, trigger, eventId, recordId, attempt number of that eventId, the
status answered, and "valid" or the first violation.

A payload that parses as JSON is acknowledged (200) even when it violates the
schema: Coperniq would only retry the same payload, so the receiver records the
violations instead. A body that isn't JSON gets 400, one over --body-limit 413.
To exercise a sender's retries, --fail-first, --fail-rate and --reset-rate fail
deliveries on purpose (seeded by --seed), --status changes the answer and
--latency delays it.

What was received is at /_mock/deliveries, /_mock/events/{eventId} and
/_mock/summary (DELETE /_mock/deliveries clears it; /_mock/healthz answers 200).
These show real customers' data once real Coperniq traffic comes in through a
tunnel (ngrok http 8080), so by default they answer only requests made directly
on this machine, and refuse with 403 those that came through a proxy or tunnel
(X-Forwarded-For, Forwarded, X-Real-IP, Cf-Connecting-Ip... headers), from
another machine, or to a host name other than localhost. With --inspect-token
TOKEN every /_mock/ request must carry "Authorization: Bearer TOKEN" and may
then come from anywhere; --public-inspect opens /_mock/ to all. Deliveries are
accepted from anywhere.

Memory is bounded: the newest --max-deliveries deliveries are kept, and beyond
--max-bytes of payloads the oldest lose theirs (their metadata stays); the
summary and --out have every delivery.

The first line printed is the address, for scripts: its first URL is the one to
use from this machine, and an address bound on all interfaces (--addr
0.0.0.0:8080) is said to be. SIGINT (Ctrl-C) or SIGTERM stops the receiver,
prints a summary and exits 0.

Exit status: 0 stopped by a signal, 1 the --out file could not be written,
2 bad usage or the address could not be bound.`,
		Example: `  coperniq-mock listen
  coperniq-mock listen --addr 127.0.0.1:0 --fail-first 1 --out captured.jsonl
  coperniq-mock listen --strict --fail-rate 0.2 --seed 7 --latency 300ms
  curl -s http://127.0.0.1:8080/_mock/deliveries | jq '.[] | {eventId, attempt, status, valid}'
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
	fl.BoolVar(&f.public, "public-inspect", false, "serve /_mock/ to anyone who reaches the address, through proxies and tunnels too (default: this machine only)")
	fl.StringVar(&f.token, "inspect-token", "", `require "Authorization: Bearer TOKEN" on /_mock/, and accept it from anywhere (16+ characters, e.g. from openssl rand -hex 16)`)
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
		{"strict", receiver.Level(level)},
		{"fail-first", receiver.FailFirst(f.failFirst)},
		{"fail-rate", receiver.FailRate(f.failRate)},
		{"status", receiver.Status(f.status)},
		{"latency", receiver.Latency(f.latency)},
		{"reset-rate", receiver.ResetRate(f.resetRate)},
		{"body-limit", receiver.BodyLimit(f.bodyLimit)},
		{"seed", receiver.Seed(f.seed)},
		{"max-deliveries", receiver.MaxDeliveries(f.max)},
		{"max-bytes", receiver.MaxBytes(f.maxBytes)},
		{"public-inspect", receiver.PublicInspect(f.public)},
		{"inspect-token", receiver.InspectToken(f.token)},
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
	opts, err := f.options()
	if err != nil {
		return err
	}
	var (
		mu    sync.Mutex // the observer and the summary share stdout
		ready = make(chan struct{})
	)
	opts = append(opts, receiver.Observer(func(d receiver.Delivery) {
		<-ready // the address line comes first, scripts read it
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(stdout, deliveryLine(d))
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
		opts = append(opts, receiver.Output(afterReady{out, ready}))
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
	fmt.Fprintln(stdout, addressLine(srv.Addr, srv.URL))
	fmt.Fprintln(stdout, f.describe())
	close(ready)

	<-ctx.Done()
	stop() // a second Ctrl-C kills at once
	shutdownErr := srv.Close()

	mu.Lock()
	printSummary(stdout, srv.Summary())
	mu.Unlock()

	if werr := srv.Err(); werr != nil {
		return failureError{msg: fmt.Sprintf("--out %s: %v", f.out, werr)}
	}
	if out != nil {
		if cerr := out.Close(); cerr != nil {
			return failureError{msg: fmt.Sprintf("--out %s: %v", f.out, cerr)}
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
//	listening on http://127.0.0.1:8080 (inspect: http://127.0.0.1:8080/_mock/deliveries)
//	listening on all interfaces (0.0.0.0:8080); locally http://127.0.0.1:8080 (inspect: http://127.0.0.1:8080/_mock/deliveries)
func addressLine(bound, url string) string {
	local := fmt.Sprintf("%s (inspect: %s%s)", url, url, receiver.PathDeliveries)
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
	inspect := "/_mock/ for this machine only"
	switch {
	case f.token != "":
		inspect = "/_mock/ for bearers of the token"
	case f.public:
		inspect = "/_mock/ open to anyone who reaches this address"
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
// one-line-per-delivery format: control characters are escaped, and long
// text is cut.
func printable(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == max {
			b.WriteString("…")
			break
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			fmt.Fprintf(&b, "\\x%02x", r)
		} else {
			b.WriteRune(r)
		}
		n++
	}
	return b.String()
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
	return strings.Join(answered, ", ")
}

func printSummary(w io.Writer, s receiver.Totals) {
	fmt.Fprintf(w, "summary: %s, %s: %d valid, %d invalid, %d unreadable\n",
		plural(s.Deliveries, "delivery"), plural(s.UniqueEvents, "unique event"), s.Valid, s.Invalid, s.Unreadable)
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
