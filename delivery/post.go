package delivery

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Post is one delivery as 'send' makes it, with no retry: body sent once
// (SendOnce, timeout and cfg), then written to w the request line (what
// names the body), notice when set, the answer (WriteAnswer) and notice
// again, where eyes land. The verdict is Acknowledged's: a *FailedError, or
// an error wrapping ErrUnreachable when nothing was reached (a setup
// problem). A timeout that is not positive is a *schemas.FieldError.
func (t *Target) Post(ctx context.Context, w io.Writer, body []byte, what string, timeout time.Duration, cfg *tls.Config, notice string) error {
	if timeout <= 0 {
		return &schemas.FieldError{Field: "Timeout", Value: timeout.String(), Want: "want a positive duration such as 10s"}
	}
	res, err := t.SendOnce(ctx, body, timeout, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "POST %s (%s, %d bytes)\n", t, what, len(body))
	if notice != "" {
		fmt.Fprintln(w, notice)
		defer fmt.Fprintln(w, notice)
	}
	t.WriteAnswer(w, res)
	if res.ErrKind == KindTLS {
		// A handshake of its own learns what the attempt's could not
		// tell (the CAs a receiver asks client certificates from).
		if cerr := CheckTLS(ctx, t.raw, cfg, timeout); cerr != nil {
			return fmt.Errorf("%w: %v", ErrUnreachable, cerr)
		}
	}
	hungUp := res.ErrKind == KindReset || res.ErrKind == KindEOF
	if t.u.Scheme == "http" && (hungUp || res.Status == http.StatusBadRequest && answersLikeTLS(res.Body)) {
		// Perhaps not the receiver's answer to the event but its TLS
		// server's refusal of plain HTTP, or its hanging up on it
		// (Python's ssl module); perhaps a plain proxy passing on its
		// upstream's (proxy_pass http://backend:443), or a receiver that
		// crashed. Only the receiver's own refusal of a request line, or
		// a TLS handshake, tells them apart.
		if cerr := checkPlain(ctx, t.u, timeout); cerr != nil {
			return cerr
		}
	}
	err = t.acknowledged(res, cfg)
	if err != nil && !errors.Is(err, ErrUnreachable) {
		return &FailedError{Err: err}
	}
	return err
}
