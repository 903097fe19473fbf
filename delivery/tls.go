package delivery

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"time"
)

// TLS is how a sender trusts an https:// receiver and, for mutual TLS,
// identifies itself to it: the settings every tool that sends to a staging
// receiver has (curl --cacert/-k/--cert, vegeta -root-certs/-insecure/-cert).
// The zero value uses the system's trust store and no client certificate.
type TLS struct {
	// CACert is a PEM file of CA certificates to trust instead of the
	// system's, for a receiver with an internal CA or a self-signed
	// certificate.
	CACert string
	// Cert and Key are PEM files of a client certificate and its private
	// key, for a receiver that requires mutual TLS. Both or neither.
	Cert, Key string
	// Insecure skips verifying the receiver's certificate: anyone on the
	// path can read and change the deliveries. Reports must say so.
	Insecure bool
}

// IsZero reports whether t changes nothing from Go's defaults.
func (t TLS) IsZero() bool { return t == TLS{} }

// Flags are t as the command-line flags that give a command these
// settings (--cacert, --insecure, --cert, --key), for a command shown to
// run again: none for the zero TLS.
func (t TLS) Flags() []string {
	var f []string
	if t.CACert != "" {
		f = append(f, "--cacert", t.CACert)
	}
	if t.Insecure {
		f = append(f, "--insecure")
	}
	if t.Cert != "" {
		f = append(f, "--cert", t.Cert)
	}
	if t.Key != "" {
		f = append(f, "--key", t.Key)
	}
	return f
}

// Config builds the *tls.Config t describes, or nil for the zero TLS.
// Errors name the file and what is wrong with it.
func (t TLS) Config() (*tls.Config, error) {
	if t.IsZero() {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: t.Insecure}
	if t.CACert != "" {
		pool, err := readCAs(t.CACert)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	switch {
	case t.Cert != "" && t.Key != "":
		pair, err := loadPair(t.Cert, t.Key)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{pair}
	case t.Cert != "":
		return nil, fmt.Errorf("client certificate %s given without its key: give the key file too", t.Cert)
	case t.Key != "":
		return nil, fmt.Errorf("client key %s given without its certificate: give the certificate file too", t.Key)
	}
	return cfg, nil
}

func readCAs(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err) // *PathError names the file
	}
	pool := x509.NewCertPool()
	n := 0
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("CA file %s: certificate %d: %w", path, n+1, err)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("CA file %s holds no PEM certificate (want \"-----BEGIN CERTIFICATE-----\" blocks)", path)
	}
	return pool, nil
}

func loadPair(certFile, keyFile string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("client certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("client key: %w", err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		// crypto/tls names neither file.
		return tls.Certificate{}, fmt.Errorf("client certificate %s and key %s: %w", certFile, keyFile, err)
	}
	return pair, nil
}

// CheckTLS completes one TLS handshake with the host of rawURL, an https://
// URL, so that a certificate the sender does not trust is reported once,
// before a run, rather than as every attempt's failure. cfg may be nil (the
// system's trust store). The error says what to do (TLSHint). For an
// http:// URL it checks that the receiver does not speak HTTPS (checkPlain);
// other URLs pass unchecked.
func CheckTLS(ctx context.Context, rawURL string, cfg *tls.Config, timeout time.Duration) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	switch u.Scheme {
	case "http":
		return checkPlain(ctx, u, timeout)
	case "https":
	default:
		return nil
	}
	host := HostPort(u)
	c := &tls.Config{}
	if cfg != nil {
		c = cfg.Clone()
	}
	if c.ServerName == "" {
		c.ServerName = u.Hostname()
	}
	var req certRequest
	own := c.GetClientCertificate != nil
	if !own {
		// Go's own choice, noting what the receiver asked for: a
		// certificate it rules out is not sent, and the hint says so.
		certs := c.Certificates
		c.GetClientCertificate = func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			req = certRequest{asked: true, cas: caNames(cri.AcceptableCAs)}
			for i := range certs {
				if cri.SupportsCertificate(&certs[i]) == nil {
					req.sent = true
					return &certs[i], nil
				}
			}
			return &tls.Certificate{}, nil
		}
	}
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: timeout}, Config: c}
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return hintTLS(fmt.Errorf("TLS handshake with %s failed: %w", MaskURL(rawURL), err), cfg, req)
	}
	defer conn.Close()
	if req.asked || own {
		// With TLS 1.3 the client's handshake ends before the server has
		// checked the client's certificate (or its absence): a server
		// that refuses it says so in an alert right after. A server
		// content with it sends nothing (session tickets aside) until
		// asked.
		_ = conn.SetReadDeadline(time.Now().Add(alertWait))
		if _, err := conn.Read(make([]byte, 1)); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, io.EOF) {
			return hintTLS(fmt.Errorf("TLS handshake with %s failed: %w", MaskURL(rawURL), err), cfg, req)
		}
	}
	return nil
}

// alertWait is how long CheckTLS listens for a server's alert after the
// handshake. A variable so that tests on a loaded machine can wait longer
// (export_test.go): there a refusal may come later than a user's would.
var alertWait = 300 * time.Millisecond

// checkPlain makes sure the receiver at u, an http:// URL, does not speak
// HTTPS: a TLS server answers each plain request with a refusal that reads
// as the receiver's own failure (Go's, a 400 cut short), so that every
// event would be blamed on it. It sends the first bytes of a request and
// ends its side: a TLS server refuses them at once (Go's with a 400 that
// says why, others with an alert), a plain HTTP server sees a request cut
// short and answers it itself (400) or hangs up, without calling its
// handler. Unreachable and silent receivers pass: reporting those is
// Reach's and the run's.
func checkPlain(ctx context.Context, u *url.URL, timeout time.Duration) error {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", HostPort(u))
	if err != nil {
		return nil
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(alertWait))
	if _, err := io.WriteString(conn, "HEAD "); err != nil {
		return nil
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
	answer := make([]byte, 512)
	n, err := io.ReadFull(conn, answer)
	// A server that hung up without a word is asked in TLS; a silent one
	// is left to the run (asking would wait for it again).
	hungUp := n == 0 && !errors.Is(err, os.ErrDeadlineExceeded)
	if answersLikeTLS(answer[:n]) || hungUp && handshakes(ctx, u, min(timeout, handshakeWait)) {
		return wantsHTTPS(u)
	}
	return nil
}

// handshakeWait bounds the TLS question checkPlain asks a server that hung
// up: a TLS server answers a ClientHello at once.
const handshakeWait = 2 * time.Second

// handshakes reports whether the server at u takes part in a TLS
// handshake: completes it (its certificate unchecked) or refuses it with
// an alert. Some TLS servers (Python's ssl module) hang up on plain bytes
// without a word, as a plain server hanging up on a request cut short
// does; only TLS tells them apart. A plain server takes the ClientHello
// for a bad request line, and its handler is not called.
func handshakes(ctx context.Context, u *url.URL, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d := &tls.Dialer{NetDialer: &net.Dialer{}, Config: &tls.Config{InsecureSkipVerify: true, ServerName: u.Hostname()}}
	conn, err := d.DialContext(ctx, "tcp", HostPort(u))
	if err == nil {
		conn.Close()
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error"
}

// wantsHTTPS is the error for an http:// URL u whose receiver speaks
// HTTPS: the URL to use instead, port kept. It wraps ErrUnreachable:
// nothing reached the receiver's handler.
func wantsHTTPS(u *url.URL) error {
	s := *u
	s.Scheme = "https"
	s.Host = HostPort(u)
	return &schemeError{fmt.Sprintf("the receiver at %s speaks HTTPS, not plain HTTP: use an https:// URL, %s (with --cacert FILE if a private CA signed its certificate)", MaskURL(u.String()), MaskURL(s.String()))}
}

type schemeError struct{ msg string }

func (e *schemeError) Error() string { return e.msg }
func (e *schemeError) Unwrap() error { return ErrUnreachable }

// answersLikeTLS reports whether answer, to plain HTTP, is a TLS server's:
// a TLS record (an alert, or a handshake message), or the refusal Go's and
// nginx's HTTPS servers write in plain HTTP.
func answersLikeTLS(answer []byte) bool {
	if len(answer) >= 3 && (answer[0] == 0x15 || answer[0] == 0x16) && answer[1] == 3 {
		return true
	}
	return bytes.Contains(answer, []byte("Client sent an HTTP request to an HTTPS server")) ||
		bytes.Contains(answer, []byte("The plain HTTP request was sent to HTTPS port"))
}
