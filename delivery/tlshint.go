package delivery

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
)

// TLSHint adds what to do to a TLS error: a certificate nobody vouched for
// wants --cacert (or --insecure), a receiver asking for a client
// certificate wants --cert/--key. Other errors come back as they are.
func TLSHint(err error) error {
	if err == nil {
		return nil
	}
	var (
		ua x509.UnknownAuthorityError
		cv *tls.CertificateVerificationError
		he x509.HostnameError
	)
	msg := err.Error()
	switch {
	case errors.As(err, &he):
		return fmt.Errorf("%w (the certificate is for other names: use a host it names in the URL, or --insecure to skip verification)", err)
	case errors.As(err, &ua), errors.As(err, &cv):
		return fmt.Errorf("%w (pass --cacert FILE with the CA that signed the receiver's certificate, or --insecure to skip verification)", err)
	case strings.Contains(msg, "certificate required"), strings.Contains(msg, "bad certificate"):
		return fmt.Errorf("%w (the receiver wants a client certificate: pass --cert FILE --key FILE)", err)
	case strings.Contains(msg, "HTTP response to HTTPS client"), strings.Contains(msg, "first record does not look like a TLS handshake"):
		return fmt.Errorf("%w (the receiver speaks plain HTTP: use an http:// URL)", err)
	}
	return err
}
