package receiver

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Line is the one line that shows a delivery, e.g.
//
//	17:04:22.123 TASK_STATUS_MOVEMENT eventId=48291 recordId=10423 attempt=1 200 valid
//
// What the sender chose (trigger key, violations) is escaped and cut, so
// that a line stays one line on a terminal.
func (d Delivery) Line() string {
	// Appended rather than formatted: the line is built for every
	// delivery, and fmt cost a dozen allocations of it.
	b := make([]byte, 0, 128)
	b = d.Time.AppendFormat(b, "15:04:05.000")
	b = append(b, ' ')
	if trigger := delivery.Printable(d.TriggerKey, 60); trigger != "" {
		b = append(b, trigger...)
	} else {
		b = append(b, '-')
	}
	b = appendOrDash(append(b, " eventId="...), d.EventID)
	b = appendOrDash(append(b, " recordId="...), d.RecordID)
	b = append(b, " attempt="...)
	if d.Attempt > 0 {
		b = strconv.AppendInt(b, int64(d.Attempt), 10)
	} else {
		b = append(b, '-')
	}
	b = append(b, ' ')
	if d.Reset {
		b = append(b, "reset"...)
	} else {
		b = strconv.AppendInt(b, int64(d.Status), 10)
	}
	if d.Injected != "" {
		b = append(append(append(b, " ("...), d.Injected...), ')')
	}
	switch d.Wire {
	case WireClientLeft:
		b = append(b, " (client left: not answered)"...)
	case WireWriteFailed:
		b = append(append(append(b, " (write failed: "...), delivery.Printable(d.WireError, 80)...), ')')
	}
	b = append(b, ' ')
	return string(append(b, d.verdict()...))
}

func appendOrDash(b []byte, p *int64) []byte {
	if p == nil {
		return append(b, '-')
	}
	return strconv.AppendInt(b, *p, 10)
}

// verdict is the end of Line: valid, or the first violation.
func (d Delivery) verdict() string {
	switch {
	case d.Unreadable != "":
		return "unreadable: " + delivery.Printable(d.Unreadable, 200)
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
		verdict := "invalid: " + delivery.Printable(errs[0], 200)
		if len(errs) > 1 {
			verdict += fmt.Sprintf(" (+%d more)", len(errs)-1)
		}
		return verdict
	case len(d.Violations) > 0:
		return fmt.Sprintf("valid, %d warning(s): %s", len(d.Violations), delivery.Printable(d.Violations[0].String(), 200))
	}
	return "valid"
}

// Answered spells how the receiver answered: "200 x43, 503 x43".
func (t Totals) Answered() string {
	var answered []string
	for _, code := range slices.Sorted(maps.Keys(t.ByStatus)) {
		answered = append(answered, fmt.Sprintf("%d x%d", code, t.ByStatus[code]))
	}
	if t.Resets > 0 {
		answered = append(answered, fmt.Sprintf("reset x%d", t.Resets))
	}
	if n := t.ClientLeft + t.WriteFailed; n > 0 {
		answered = append(answered, fmt.Sprintf("of which never reached the sender x%d (client left %d, write failed %d)", n, t.ClientLeft, t.WriteFailed))
	}
	return strings.Join(answered, ", ")
}

// Text is the summary `listen` ends with (of RunSummary), one line a fact,
// each ending in a newline: the verdict counts, clears, refusals, answers,
// and deliveries by trigger.
func (t Totals) Text() string {
	var w strings.Builder
	fmt.Fprintf(&w, "summary: %s, %s: %d valid, %d invalid, %d unreadable\n",
		schemas.Plural(t.Deliveries, "delivery"), schemas.Plural(t.UniqueEvents, "unique event"), t.Valid, t.Invalid, t.Unreadable)
	if t.Clears > 0 {
		// Whoever cleared may expect the summary to start over too, as
		// /_mock/summary did: say which one this is.
		fmt.Fprintf(&w, "cleared: %s, the last at %s (DELETE /_mock/deliveries); this summary and --out count the whole run, /_mock/summary only since the last clear\n",
			schemas.Plural(t.Clears, "time"), t.LastClear.Format("15:04:05.000"))
	}
	if t.Refused > 0 {
		fmt.Fprintf(&w, "refused busy: %s answered 503 unread (--max-connections or --max-in-flight reached)\n", schemas.Plural(t.Refused, "request"))
	}
	if t.Deliveries == 0 {
		return w.String()
	}
	fmt.Fprintf(&w, "answered: %s\n", t.Answered())
	if len(t.ByTrigger) > 0 {
		var by []string
		for _, k := range slices.Sorted(maps.Keys(t.ByTrigger)) {
			by = append(by, fmt.Sprintf("%s %d", delivery.Printable(k, 60), t.ByTrigger[k]))
		}
		fmt.Fprintf(&w, "by trigger: %s\n", strings.Join(by, ", "))
	}
	return w.String()
}

// AddressLine is the line that says where a Server listens: the URL to use
// from this machine comes first, and an address bound on all interfaces is
// said to be, e.g.
//
//	listening on http://127.0.0.1:8080 (inspect: http://127.0.0.1:41235/_mock/deliveries)
//	listening on all interfaces (0.0.0.0:8080); locally http://127.0.0.1:8080 (inspect: http://127.0.0.1:41235/_mock/deliveries)
func AddressLine(bound, url, inspectURL string) string {
	inspect := "inspect: " + inspectURL + PathDeliveries
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

// Describe is one line saying what the receiver will do with a delivery:
// level, answer, faults on purpose, and where /_mock/ is served. capture
// names the file deliveries are written to, if any.
func (rc *Receiver) Describe(capture string) string {
	c := rc.cfg
	level := fmt.Sprintf("the %s level", c.level)
	switch {
	case c.vocabFile != "" && c.level == schemas.Strict:
		level += " of the vocabulary " + c.vocabFile
	case c.vocabFile != "":
		// The contract level takes any names: saying the file is used
		// there would pass off its deliveries as checked against it.
		level += " (any names; the vocabulary " + c.vocabFile + " applies at the strict level)"
	}
	parts := []string{fmt.Sprintf("validating at %s, answering %d", level, c.status)}
	if c.failFirst > 0 {
		parts = append(parts, fmt.Sprintf("503 to the first %d attempt(s) of each event", c.failFirst))
	}
	if c.failRate > 0 {
		parts = append(parts, fmt.Sprintf("503 to %g of attempts (seed %d)", c.failRate, c.seed))
	}
	if c.resetRate > 0 {
		parts = append(parts, fmt.Sprintf("reset on %g of attempts (seed %d)", c.resetRate, c.seed))
	}
	if c.latency > 0 {
		parts = append(parts, "after "+c.latency.String())
	}
	if capture != "" {
		parts = append(parts, "capturing to "+capture)
	}
	inspect := "/_mock/ on the inspection address only"
	switch {
	case c.token != "":
		inspect = "/_mock/ also here for bearers of the token"
	case c.public:
		inspect = "/_mock/ also open to anyone who reaches this address"
	}
	return strings.Join(parts, ", ") + "; " + inspect + "; Ctrl-C stops"
}

// DefaultPrintQueue is how many lines may wait for a slow writer before a
// Printer drops (and counts) them.
const DefaultPrintQueue = 4096

// Printer writes lines to w from its own goroutine, so that a writer that
// stops reading (stdout piped to a stalled program) never holds up a
// delivery's answer: up to a queue of lines wait for it, beyond that lines
// are dropped and counted. Use it from WithObserver.
type Printer struct {
	lines   chan string
	done    chan struct{}
	dropped atomic.Int64
}

// NewPrinter starts a Printer on w with room for queue lines
// (DefaultPrintQueue when queue < 1). Finish stops it.
func NewPrinter(w io.Writer, queue int) *Printer {
	if queue < 1 {
		queue = DefaultPrintQueue
	}
	p := &Printer{lines: make(chan string, queue), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		bw := bufio.NewWriter(w)
		gather := time.NewTimer(time.Hour)
		gather.Stop()
		for {
			l, ok := <-p.lines
			if !ok {
				_ = bw.Flush()
				return
			}
			bw.WriteString(l)
			bw.WriteByte('\n')
			// Let the lines of the next millisecond queue up before
			// taking them: a line sent while this goroutine waits on
			// the channel wakes it (and, with a core idle, a thread for
			// it), which under load cost more than the write.
			gather.Reset(printFlushDelay)
			<-gather.C
			for more := true; more; {
				select {
				case l, ok := <-p.lines:
					if !ok {
						_ = bw.Flush()
						return
					}
					bw.WriteString(l)
					bw.WriteByte('\n')
				default:
					more = false
				}
			}
			_ = bw.Flush()
		}
	}()
	return p
}

// printFlushDelay is how long a printed line may wait for others to share
// its write. Under load a delivery every 100 µs was a write (and a wake-up
// of whatever reads stdout) each; lines a millisecond late are not seen.
const printFlushDelay = time.Millisecond

// Line queues l, or drops and counts it when the queue is full.
func (p *Printer) Line(l string) {
	select {
	case p.lines <- l:
	default:
		p.dropped.Add(1)
	}
}

// Dropped is how many lines were dropped so far.
func (p *Printer) Dropped() int64 { return p.dropped.Load() }

// DroppedNote is a line counting the dropped lines, ending in a newline,
// or "" when none was dropped.
func (p *Printer) DroppedNote() string {
	n := p.dropped.Load()
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("not printed: %s (stdout was not keeping up; --out has every delivery)\n", schemas.Plural(int(n), "delivery line"))
}

// Finish queues the last line (the summary, which may span lines), waiting
// for room rather than dropping it, and lets every queued line out; all
// within grace, for a writer that does not read. It reports whether they
// all went out.
func (p *Printer) Finish(grace time.Duration, last string) bool {
	deadline := time.After(grace)
	select {
	case p.lines <- last:
	case <-deadline:
		return false
	}
	close(p.lines)
	select {
	case <-p.done:
		return true
	case <-deadline:
		return false
	}
}

// WriteJSON writes the summary as one JSON object on one line,
// {"summary": {...}}, with empty maps rather than null.
func (t Totals) WriteJSON(w io.Writer) error {
	if t.ByTrigger == nil {
		t.ByTrigger = map[string]int{}
	}
	if t.ByStatus == nil {
		t.ByStatus = map[int]int{}
	}
	b, err := json.Marshal(struct {
		Summary Totals `json:"summary"`
	}{t})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
