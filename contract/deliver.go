package contract

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// What a spec expects of a delivery's answer, in DeliveryRecord.Expect.
const (
	ExpectAck     = "2xx"     // acknowledged within the deadline
	ExpectReject  = "non-2xx" // refused (a delivery without the right token)
	ExpectNoRedir = "not-3xx" // anything but a redirect
	ExpectInTime  = "in-time" // any answer, within the deadline
	ExpectAbandon = "abandon" // the sender hung up before the answer
)

// The names of the report entries the specs attach.
const (
	EntryDelivery  = "delivery"     // a DeliveryRecord
	EntryLatencies = "answer times" // []float64, ms of a scenario's acknowledged deliveries
	EntryLatency   = "answer time"  // the deadline spec's quantiles, as text
	EntryWarning   = "warning"      // shown on the console even when the spec passed
	EntryReproduce = "reproduce"    // a command that sends a scenario spec's deliveries again
)

// How much of a delivery a failure shows: enough to see the fields, not so
// much that the next failure scrolls away.
const (
	maxBodyShown   = 3000 // bytes of the indented payload
	maxLinesShown  = 60
	maxAnswerShown = 1000 // bytes of the response body
)

// DeliveryRecord is the report entry a delivery leaves on its spec (named
// EntryDelivery, never printed on the console): what Summarize computes
// answer times from, and what a JSON or JUnit report keeps of each delivery.
// A lifecycle scenario's acknowledged deliveries, hundreds of them, are
// kept only as answer times (EntryLatencies).
type DeliveryRecord struct {
	TriggerKey string  `json:"triggerKey"` // event.triggerKey as sent
	EventID    int64   `json:"eventId"`
	Expect     string  `json:"expect"`
	Status     int     `json:"status"`          // 0 when no answer came
	Error      string  `json:"error,omitempty"` // the delivery.ErrKind when no answer came
	LatencyMS  float64 `json:"latencyMs"`
	Bytes      int     `json:"bytes"`
	SHA256     string  `json:"sha256"` // of the body, to match it with what the receiver got
	Reproduce  string  `json:"reproduce"`
}

// sent is one delivery and its answer.
type sent struct {
	p      payload
	to     dest
	expect string
	res    delivery.Result
	start  time.Time // when the delivery was started
	at     time.Time // when the answer ended (or the attempt failed)
	// secrets are scrubbed from what the receiver answered: a redirect's
	// Location or an error page may echo the token.
	secrets []string
	// spec is the spec it was made for, when it was made ahead of that
	// spec's judging (see forSpec); empty for a spec's own deliveries.
	spec string
}

type specKey struct{}

// forSpec marks ctx as that of the deliveries of the spec named name (as
// --focus matches it), made ahead of its judging: the run-wide fail-fast
// stop is filed under the spec judged when it trips, which need not be the
// one whose delivery tripped it, and its verdict names that one.
func forSpec(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, specKey{}, name)
}

// specOf is the spec ctx was marked for by forSpec, or "".
func specOf(ctx context.Context) string {
	name, _ := ctx.Value(specKey{}).(string)
	return name
}

func (s sent) acked() bool { return s.res.Err == nil && s.res.Status >= 200 && s.res.Status <= 299 }

func (s sent) redirected() bool {
	return s.res.Err == nil && s.res.Status >= 300 && s.res.Status <= 399
}

func (s sent) timedOut() bool { return s.res.ErrKind == delivery.KindTimeout }

func (s sent) record() DeliveryRecord {
	sum := sha256.Sum256(s.p.Body)
	return DeliveryRecord{
		TriggerKey: s.p.Event.TriggerKey,
		EventID:    s.p.Event.EventID,
		Expect:     s.expect,
		Status:     s.res.Status,
		Error:      string(s.res.ErrKind),
		LatencyMS:  float64(s.res.Latency.Microseconds()) / 1000,
		Bytes:      len(s.p.Body),
		SHA256:     hex.EncodeToString(sum[:]),
		Reproduce:  s.p.reproducer(s.to),
	}
}

// post delivers p to d as Coperniq would: one POST, no redirect followed,
// the deadline as timeout.
func (r *run) post(ctx context.Context, p payload, d dest, expect string) sent {
	return r.send(ctx, r.client, p, d, expect)
}

// postTogether posts every payload of ps to the target at the same moment
// (each on its own goroutine, all released by one signal, so none gets a
// head start) and returns what each got, in the order of ps.
func (r *run) postTogether(ctx context.Context, ps []payload) []sent {
	all := make([]sent, len(ps))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Go(func() {
			<-start
			all[i] = r.post(ctx, p, r.to, ExpectAck)
		})
	}
	close(start)
	wg.Wait()
	return all
}

// send delivers p to d through client, and keeps the run-wide tally of
// deliveries in a row without an answer within the deadline.
func (r *run) send(ctx context.Context, client *http.Client, p payload, d dest, expect string) sent {
	start := time.Now()
	res := d.t.Send(ctx, client, p.Body)
	s := sent{p: p, to: d, expect: expect, res: res, start: start, at: time.Now(), secrets: r.secrets, spec: specOf(ctx)}
	r.noteAnswer(s)
	return s
}

// noteAnswer counts a delivery toward the fail-fast rules (Target.MaxLate,
// Target.MaxLateTotal): answered late or not at all within the deadline
// adds one to both, a complete answer in time starts the count in a row
// again, and a failure that says nothing about time (a refused connection)
// leaves it.
//
// "In a row" means one after another: a late delivery that was under way
// while the last counted one was (the rest of a burst of 50 sent at once,
// queued behind a small accept backlog) is the same observation, not
// another. Otherwise one slow burst would stop the run of a receiver that
// answers in time everywhere else.
func (r *run) noteAnswer(s sent) {
	r.prog.deliveries.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case s.expect == ExpectAbandon:
	case s.timedOut() || s.res.Latency > r.t.Deadline:
		r.lateAll++
		// Measured from the end of the last counted one, not the last
		// to end: the payload specs deliver several at a time, each
		// started as another ended, and against a receiver late to
		// everything the last to end was always under way.
		counted := r.late == 0 || !s.start.Before(r.lateMark)
		if counted {
			r.late++
			r.longestLate = max(r.longestLate, r.late)
			r.lateMark = s.at
			if r.late == r.t.MaxLate {
				r.tripped = s
			}
		}
		// The run's total keeps a mark of its own: an answer in time
		// starts the count in a row again, but a late delivery under
		// way with the last counted one is still the same wait.
		if r.lateTotal == 0 || !s.start.Before(r.totalMark) {
			r.lateTotal++
			r.totalMark = s.at
			if r.lateTotal == r.t.MaxLateTotal {
				r.trippedTotal = s
			}
			r.recentLate = append(r.recentLate, s)
			if len(r.recentLate) > recentShown {
				r.recentLate = r.recentLate[1:]
			}
		}
		if counted || s.at.After(r.lastLate.at) {
			r.lastLate = s
		}
	case s.res.Err == nil || s.res.ErrKind == delivery.KindCutShort:
		r.late = 0
	}
}

// abandon sends p and hangs up as soon as the request is written, as a sender
// whose timeout is shorter than the receiver's work does. It writes the
// request on a connection of its own, by hand: net/http reports a request
// written before flushing it, so cancelling it there could lose the body,
// while a Write on the connection has handed every byte to the kernel, which
// delivers them before the close.
func (r *run) abandon(ctx context.Context, p payload, d dest) sent {
	// It counts toward the progress line's deliveries, as every other
	// delivery does, but not toward the fail-fast rule: no answer was
	// awaited.
	r.prog.deliveries.Add(1)
	s := sent{p: p, to: d, expect: ExpectAbandon, secrets: r.secrets}
	start := time.Now()
	fail := func(err error) sent {
		s.res = delivery.Result{Err: err, ErrKind: delivery.Classify(err), Latency: time.Since(start)}
		s.at = time.Now()
		return s
	}
	u := d.t.URL()
	host := d.t.Addr()
	dl := &net.Dialer{Timeout: r.t.Deadline}
	var conn net.Conn
	var err error
	if u.Scheme == "https" {
		c := &tls.Config{}
		if r.t.TLS != nil {
			c = r.t.TLS.Clone()
		}
		c.ServerName = u.Hostname()
		conn, err = (&tls.Dialer{NetDialer: dl, Config: c}).DialContext(ctx, "tcp", host)
	} else {
		conn, err = dl.DialContext(ctx, "tcp", host)
	}
	if err != nil {
		return fail(err)
	}
	var req bytes.Buffer
	fmt.Fprintf(&req, "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
		u.RequestURI(), u.Host, delivery.DefaultUserAgent, delivery.ContentType, len(p.Body))
	req.Write(p.Body)
	_ = conn.SetWriteDeadline(time.Now().Add(r.t.Deadline))
	_, err = conn.Write(req.Bytes())
	conn.Close()
	if err != nil {
		return fail(err)
	}
	s.res.Latency = time.Since(start)
	s.at = time.Now()
	return s
}

// describe renders a delivery for a failure message: what failed and why it
// matters, how to reproduce it, the payload and the answer.
func (s sent) describe(headline, why string) string {
	var b strings.Builder
	b.WriteString(headline)
	b.WriteString("\n")
	if why != "" {
		b.WriteString(why)
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\nreproduce:\n  %s\n%s", s.p.reproducer(s.to), s.to.apiRerun())
	if strings.Contains(s.to.shown, delivery.Masked) {
		b.WriteString("  (secrets in the URL are masked: put them back in place of " + delivery.Masked + ")\n")
	}
	fmt.Fprintf(&b, "\ndelivery: POST %s (%d bytes, eventId %d)\n", s.to.shown, len(s.p.Body), s.p.Event.EventID)
	b.WriteString(prettyExcerpt(s.p.Body))
	b.WriteString("\n")
	b.WriteString(s.answer())
	return b.String()
}

// answer renders the response: status line and timing, headers, body.
func (s sent) answer() string {
	var b strings.Builder
	res := s.res
	if res.Err != nil && res.Status == 0 {
		fmt.Fprintf(&b, "\nanswer: none after %s (%s): %s\n", roundLatency(res.Latency), res.ErrKind, s.scrub(res.Err.Error()))
		return b.String()
	}
	if res.Err != nil {
		fmt.Fprintf(&b, "\nanswer: %d %s, incomplete after %s (%s): %s\n", res.Status, http.StatusText(res.Status), roundLatency(res.Latency), res.ErrKind, s.scrub(res.Err.Error()))
	} else {
		fmt.Fprintf(&b, "\nanswer: %d %s in %s\n", res.Status, http.StatusText(res.Status), roundLatency(res.Latency))
	}
	keys := make([]string, 0, len(res.Header))
	for k := range res.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i == 20 {
			fmt.Fprintf(&b, "  … %d more headers\n", len(keys)-i)
			break
		}
		v := strings.Join(res.Header[k], ", ")
		if k == "Location" || k == "Content-Location" {
			v = delivery.MaskURL(v)
		}
		v = s.scrub(v)
		if len(v) > 200 {
			v = v[:200] + "…"
		}
		fmt.Fprintf(&b, "  %s: %s\n", k, v)
	}
	if len(res.Body) > 0 {
		body := res.Body
		cut := res.Truncated
		if len(body) > maxAnswerShown {
			body, cut = body[:maxAnswerShown], true
		}
		fmt.Fprintf(&b, "\n%s", s.scrub(strings.TrimRight(string(body), "\n")))
		if cut {
			b.WriteString(" " + res.Cut(len(body)))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// prettyExcerpt indents the payload and cuts it to what a console shows.
func prettyExcerpt(body []byte) string {
	var ib bytes.Buffer
	if err := json.Indent(&ib, body, "", "  "); err != nil {
		ib.Reset()
		ib.Write(body)
	}
	s := ib.String()
	lines := strings.Split(s, "\n")
	cut := false
	if len(lines) > maxLinesShown {
		lines, cut = lines[:maxLinesShown], true
	}
	s = strings.Join(lines, "\n")
	if len(s) > maxBodyShown {
		s, cut = s[:maxBodyShown], true
	}
	if cut {
		s += fmt.Sprintf("\n  …(truncated; %d bytes in all: run the reproducer with `generate` instead of `send` to see it whole)", len(body))
	}
	return s
}

func roundLatency(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		// Fine enough that a timeout at 1 s does not read as "1s, over 1s".
		return d.Round(100 * time.Microsecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// outcome says in a few words what a delivery got, for lists of failures.
func (s sent) outcome() string {
	if s.res.ErrKind == delivery.KindCutShort {
		return fmt.Sprintf("%d %s, but %s", s.res.Status, http.StatusText(s.res.Status), s.cutShort())
	}
	if s.res.Err != nil {
		if s.timedOut() {
			return fmt.Sprintf("no answer within %s", roundLatency(s.res.Latency))
		}
		return fmt.Sprintf("no answer (%s)", s.res.ErrKind)
	}
	o := fmt.Sprintf("%d %s", s.res.Status, http.StatusText(s.res.Status))
	if loc := s.res.Header.Get("Location"); s.redirected() && loc != "" {
		o += " to " + s.scrub(delivery.MaskURL(loc))
	}
	return o
}

// cutShort is "the answer was cut short after N of M bytes" of a delivery
// whose answer was, or "the answer's body was malformed ..." of one whose
// body broke its framing.
func (s sent) cutShort() string {
	msg := s.res.Err.Error()
	for _, from := range []string{"the answer was cut short", "the answer's body was malformed"} {
		if i := strings.Index(msg, from); i >= 0 {
			msg = msg[i:]
			break
		}
	}
	return s.scrub(msg)
}

// malformed reports an answer whose body broke its own framing.
func (s sent) malformed() bool {
	var cs *delivery.CutShortError
	return errors.As(s.res.Err, &cs) && cs.Malformed()
}

// scrub replaces every secret in text with delivery.Masked, longest first so
// that a secret containing another is masked whole.
func (s sent) scrub(text string) string {
	for _, sec := range s.secrets {
		text = strings.ReplaceAll(text, sec, delivery.Masked)
	}
	return delivery.Escape(text) // the receiver chose it: nothing may drive the terminal
}

// secretsOf lists the values of raw's query, raw and escaped, that a receiver
// might echo: the token always, other values when long enough to be one
// (masking every "1" of a message would make it unreadable).
func secretsOf(raw, token string) []string {
	var out []string
	add := func(v string) {
		for _, x := range []string{v, url.QueryEscape(v), url.PathEscape(v)} {
			if x != "" && !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
	}
	if token != "" {
		add(token)
	}
	if u, err := url.Parse(raw); err == nil {
		for _, vs := range u.Query() {
			for _, v := range vs {
				if len(v) >= 6 {
					add(v)
				}
			}
		}
		if pw, ok := u.User.Password(); ok {
			add(pw)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}
