package delivery

import (
	"context"
	"fmt"
)

// Deliver is Run as a command starts it: it checks that `to` accepts a
// connection (and a TLS handshake with r.TLS), prints "about to TARGET" and
// the Notice to Info, then runs. An unreachable target is returned as it
// is, before anything is sent; the verdict is as Run's, or After's when
// Run's passed.
func (r Reported) Deliver(ctx context.Context, to *Target, s Settings, seed uint64, events []Message, about string, extra ...Option) error {
	if err := to.Check(ctx, r.TLS, 0); err != nil {
		if r.After != nil {
			r.After(ctx, r.Info, false)
		}
		return err
	}
	fmt.Fprintf(r.Info, "%s to %s\n", about, to)
	if r.Notice != "" {
		fmt.Fprintln(r.Info, r.Notice)
	}
	_, err := r.Run(ctx, to, s, seed, events, extra...)
	if r.After != nil {
		if aerr := r.After(ctx, r.Info, true); err == nil {
			err = aerr
		}
	}
	return err
}
