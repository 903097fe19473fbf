package delivery

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// ErrUnreachable is wrapped by Acknowledged's error when the receiver could
// not be reached at all (refused, DNS, TLS): a setup problem, not a finding
// about the receiver.
var ErrUnreachable = errors.New("could not reach the receiver")

// Acknowledged is the verdict on one attempt at t, worded as Coperniq would
// see it: nil for a 2xx; otherwise why the event is not acknowledged (and
// would be retried), or, wrapping ErrUnreachable, why nothing was reached
// (and, for TLS, what to do: TLSHint).
func (t *Target) Acknowledged(res Result) error { return t.acknowledged(res, nil) }

// acknowledged is Acknowledged knowing the TLS settings of the attempt
// (nil: Go's defaults), for a hint that fits them.
func (t *Target) acknowledged(res Result, cfg *tls.Config) error {
	switch res.ErrKind {
	case KindNone:
	case KindCutShort:
		return fmt.Errorf("not acknowledged: %d %s from %s, but %s; Coperniq would retry it",
			res.Status, http.StatusText(res.Status), t, res.Err)
	case KindTimeout, KindReset, KindEOF:
		// The receiver was there and did not answer in time, or hung
		// up: to Coperniq that is a failed delivery, retried.
		return fmt.Errorf("not acknowledged: no answer from %s (%s after %s); Coperniq would retry it",
			t, res.ErrKind, res.Latency.Round(time.Millisecond))
	case KindRefused, KindDNS, KindTLS:
		return fmt.Errorf("%w at %s after %s: %s", ErrUnreachable, t, res.Latency.Round(time.Millisecond), hintTLS(res.Err, cfg, certRequest{}))
	default:
		// It was reached, and answered what HTTP can't read: the
		// receiver's fault.
		return fmt.Errorf("not acknowledged: the receiver at %s answered no readable HTTP (%s); Coperniq would retry it",
			t, t.ShowAnswer(res.Err.Error()))
	}
	if !acked(res.Status) {
		why := "Coperniq would retry it"
		if res.Status >= 300 && res.Status < 400 {
			why = "a redirect is not an acknowledgement; Coperniq does not follow it and would retry"
		}
		return fmt.Errorf("not acknowledged: %d %s (%s)", res.Status, http.StatusText(res.Status), why)
	}
	return nil
}

// WriteAnswer writes what the receiver answered: status and latency, then
// the body (truncated to BodyLimit). The receiver chose those bytes: its
// echo of the URL is masked, and nothing in it may drive the terminal.
// Nothing is written for an attempt that got no answer.
func (t *Target) WriteAnswer(w io.Writer, res Result) {
	if res.ErrKind != KindNone {
		return
	}
	fmt.Fprintf(w, "%d %s in %s\n", res.Status, http.StatusText(res.Status), res.Latency.Round(time.Microsecond))
	if len(res.Body) == 0 {
		return
	}
	fmt.Fprintf(w, "%s", t.ShowAnswer(string(bytes.TrimRight(res.Body, "\r\n"))))
	if res.Truncated {
		fmt.Fprint(w, " "+res.Cut(len(res.Body)))
	}
	fmt.Fprintln(w)
}

// Cut says that only the first shown bytes of the answer's body are shown,
// and how many there were: how much was left out tells a user whether the
// receiver meant to say this much (a page of HTML from a proxy, say).
func (r Result) Cut(shown int) string {
	switch {
	case r.BodySize > 0:
		return fmt.Sprintf("…(truncated: the first %d of %d bytes)", shown, r.BodySize)
	case r.BodySize < 0:
		return fmt.Sprintf("…(truncated: the first %d bytes of more than %d)", shown, DefaultBodyLimit+DefaultDrainLimit)
	}
	return fmt.Sprintf("…(truncated: the first %d bytes)", shown) // a Result not made by Send
}

// SendOnce makes one attempt at t with a client of its own (timeout, TLS
// configuration cfg, which may be nil), as 'send' does.
func (t *Target) SendOnce(ctx context.Context, body []byte, timeout time.Duration, cfg *tls.Config) (Result, error) {
	if timeout <= 0 {
		return Result{}, fmt.Errorf("timeout %s: want a positive duration such as 10s", timeout)
	}
	return t.Send(ctx, NewTLSClient(timeout, 1, cfg), body), nil
}
