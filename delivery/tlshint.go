package delivery

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TLSHint adds what to do to a TLS error: a certificate nobody vouched for
// wants --cacert (or --insecure), a receiver asking for a client
// certificate wants --cert/--key. Other errors come back as they are.
func TLSHint(err error) error { return hintTLS(err, nil, certRequest{}) }

// certRequest is what a handshake learned of the receiver's request for a
// client certificate: whether it asked, the CAs it named (the subjects of
// its CertificateRequest; none means any), and whether one was sent.
type certRequest struct {
	asked, sent bool
	cas         []string
}

// hintTLS is TLSHint knowing the settings the handshake was made with
// (cfg, nil for Go's defaults: whether a client certificate was given) and
// what the receiver asked for, so that the hint is the fix that helps: a
// client certificate that was given but not sent, or has expired, does not
// want "pass --cert".
func hintTLS(err error, cfg *tls.Config, req certRequest) error {
	if err == nil {
		return nil
	}
	var (
		ua x509.UnknownAuthorityError
		cv *tls.CertificateVerificationError
		he x509.HostnameError
		ci x509.CertificateInvalidError
	)
	var client *x509.Certificate
	if cfg != nil && len(cfg.Certificates) > 0 {
		client = leaf(cfg.Certificates[0])
	}
	// cfg does not keep the file it was read from.
	given := "the client certificate given with --cert"
	msg := err.Error()
	switch {
	case errors.As(err, &he):
		return fmt.Errorf("%w (the certificate is for other names: use a host it names in the URL, or --insecure to skip verification)", err)
	case errors.As(err, &ci) && ci.Reason == x509.Expired && ci.Cert != nil:
		// No CA can vouch for an expired certificate.
		return fmt.Errorf("%w (the receiver's certificate expired on %s: renew it; --insecure skips the check)", err, showTime(ci.Cert.NotAfter))
	case errors.As(err, &ua), errors.As(err, &cv):
		return fmt.Errorf("%w (pass --cacert FILE with the CA that signed the receiver's certificate, or --insecure to skip verification)", err)
	case strings.Contains(msg, "remote error: tls: expired certificate"):
		if client != nil {
			return fmt.Errorf("%w (%s expired on %s: renew it)", err, given, showTime(client.NotAfter))
		}
		return fmt.Errorf("%w (the receiver refused %s as expired: renew it)", err, given)
	case strings.Contains(msg, "remote error: tls: unknown certificate authority"):
		return fmt.Errorf("%w (the receiver does not trust the CA that signed %s: use a certificate from a CA it trusts)", err, given)
	case client != nil && (req.asked && !req.sent || !req.asked && strings.Contains(msg, "certificate required")) &&
		(strings.Contains(msg, "certificate required") || strings.Contains(msg, "handshake failure") || strings.Contains(msg, "bad certificate")):
		// Go sends no certificate the receiver's CertificateRequest
		// rules out, and the receiver then says it got none.
		return fmt.Errorf("%w (%s was not sent: %s)", err, given, askedFor(req))
	case strings.Contains(msg, "bad certificate") && client != nil:
		return fmt.Errorf("%w (the receiver refused %s: give one it accepts)", err, given)
	case strings.Contains(msg, "certificate required"), strings.Contains(msg, "bad certificate"),
		req.asked && strings.Contains(msg, "handshake failure"):
		return fmt.Errorf("%w (the receiver wants a client certificate: pass --cert FILE --key FILE)", err)
	case strings.Contains(msg, "HTTP response to HTTPS client"), strings.Contains(msg, "first record does not look like a TLS handshake"):
		return fmt.Errorf("%w (the receiver speaks plain HTTP: use an http:// URL)", err)
	}
	return err
}

// askedFor says which CAs the receiver wants a client certificate from,
// as far as req knows.
func askedFor(req certRequest) string {
	const other = "the receiver asks for one from other CAs than the one that signed it"
	switch {
	case len(req.cas) > 0:
		return "the receiver asks for one signed by " + strings.Join(req.cas, " or ") + ", and another CA signed it"
	case req.asked:
		return other + " (it did not name them)"
	}
	return other
}

// caNames are the subjects a CertificateRequest lists, as text.
func caNames(subjects [][]byte) []string {
	var out []string
	for _, der := range subjects {
		var rdn pkix.RDNSequence
		if _, err := asn1.Unmarshal(der, &rdn); err != nil {
			continue
		}
		var n pkix.Name
		n.FillFromRDNSequence(&rdn)
		out = append(out, n.String())
	}
	return out
}

// leaf is c's first certificate, parsed; nil when it has none.
func leaf(c tls.Certificate) *x509.Certificate {
	if c.Leaf != nil {
		return c.Leaf
	}
	if len(c.Certificate) == 0 {
		return nil
	}
	l, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		return nil
	}
	return l
}

func showTime(t time.Time) string { return t.UTC().Format(time.DateTime) + " UTC" }
