package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// addrError is an address the mock could not listen on: a
// *schemas.FieldError on Addr.
func addrError(addr string, err error) error {
	return &schemas.FieldError{Field: "Addr", Value: addr, Want: err.Error(), Err: err}
}

// Companion is the mock serving alongside a scenario's deliveries: it
// answers as of before the first event, and sending each event through
// the client it was started with moves its world time to that event.
type Companion struct {
	srv *Server
}

// StartCompanion serves tl's world on addr (addrError when it cannot)
// and wraps client's transport so that each of events it sends moves the
// world time.
func StartCompanion(addr string, tl *scenarios.Timeline, events []scenarios.Rendered, client *http.Client, opts ...Option) (*Companion, error) {
	h, err := NewHandler(tl, append(opts, WithTime(tl.Start().Add(-time.Millisecond)))...)
	if err != nil {
		return nil, err
	}
	srv, err := Listen(addr, h)
	if err != nil {
		return nil, addrError(addr, err)
	}
	client.Transport = h.Transport(client.Transport, events)
	return &Companion{srv: srv}, nil
}

// URL is the mock's base URL.
func (c *Companion) URL() string { return c.srv.URL }

// Close stops the mock without a report, for a run that never started.
func (c *Companion) Close() { c.srv.Close() }

// Finish keeps the mock up for linger (for receivers that call it after
// acknowledging) or until ctx ends (a user who interrupts the run wants it
// over, not a wait for calls that may never come), closes it, writes the
// calls' report to out and the call log to callsFile (none when ""), and
// returns how many rules the calls broke.
func (c *Companion) Finish(ctx context.Context, out io.Writer, linger time.Duration, rules Rules, callsFile string) (broken int, err error) {
	if linger > 0 {
		t := time.NewTimer(linger)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	c.srv.Close()
	calls := c.srv.Calls()
	broken = WriteCallReport(out, calls, rules)
	return broken, WriteCallsFile(callsFile, calls)
}

// Serve serves h on addr (addrError when it cannot) until ctx ends,
// printing to out the address, about (what the world holds) and how to
// call it, then the calls' report; it writes the call log to callsFile
// (none when ""). Rules are not checked: a mock stopped by its user has
// found nothing.
func Serve(ctx context.Context, out io.Writer, addr, key, about, callsFile string, h *Handler) error {
	srv, err := Listen(addr, h)
	if err != nil {
		return addrError(addr, err)
	}
	fmt.Fprintf(out, "Coperniq API mock on %s (x-api-key %s)\n%s\n", srv.URL, key, about)
	fmt.Fprintf(out, "try: curl -H 'x-api-key: %s' %s/projects\ncall log: %s/_mock/api-calls; Ctrl-C stops\n", key, srv.URL, srv.URL)
	<-ctx.Done()
	srv.Close()
	calls := srv.Calls()
	WriteCallReport(out, calls, Rules{})
	return WriteCallsFile(callsFile, calls)
}
