package delivery

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"time"
)

// DefaultCheckTimeout bounds each step of Target.Check: a receiver that
// takes longer to accept a connection is as good as not running.
const DefaultCheckTimeout = 5 * time.Second

// Check dials the target's host and, for https://, completes a TLS
// handshake with cfg (nil: the system's roots), before a run: a receiver
// that is not running, or a certificate the sender does not trust, is
// reported once, with what to do, instead of as every event's failure. No
// request is sent. timeout bounds each step; 0 is DefaultCheckTimeout.
func (t *Target) Check(ctx context.Context, cfg *tls.Config, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = DefaultCheckTimeout
	}
	if err := Reach(ctx, t.Addr(), timeout); err != nil {
		return fmt.Errorf("could not reach the receiver: target %s is unreachable: %v (is it running? 'coperniq-mock listen' is one)", t, err)
	}
	return CheckTLS(ctx, t.raw, cfg, timeout)
}

// Reach dials addr (host:port) once and hangs up: nil when it accepts a
// connection within timeout, else why not in a person's words
// (dialReason). Nothing is sent.
func Reach(ctx context.Context, addr string, timeout time.Duration) error {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return errors.New(dialReason(err))
	}
	return conn.Close()
}

// HostPort is the host and port to dial for u, the port defaulted from
// the scheme: 443 for https, 80 otherwise.
func HostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// dialReason shortens a dial error to what a person acts on: "connection
// refused", not "dial tcp 127.0.0.1:9: connect: connection refused".
func dialReason(err error) string {
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &dns):
		return "no such host " + dns.Name
	case Classify(err) == KindTimeout:
		return "no answer to the connection attempt (timeout)"
	}
	return err.Error()
}
