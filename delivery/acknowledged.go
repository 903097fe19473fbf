package delivery

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// ErrUnreachable is wrapped by Acknowledged's error when the receiver could
// not be reached at all (refused, DNS, TLS): a setup problem, not a finding
// about the receiver.
var ErrUnreachable = errors.New("could not reach the receiver")

// Acknowledged is the verdict on one attempt at t, worded as Coperniq would
// see it: nil for a 2xx; otherwise why the event is not acknowledged (and
// would be retried), or, wrapping ErrUnreachable, why nothing was reached.
func (t *Target) Acknowledged(res Result) error {
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
		return fmt.Errorf("%w at %s after %s: %s", ErrUnreachable, t, res.Latency.Round(time.Millisecond), res.Err)
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
