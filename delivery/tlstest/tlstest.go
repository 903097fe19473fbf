// Package tlstest makes the certificates a test of an https:// receiver
// needs, as net/http/httptest makes servers: a CA of its own, a server
// certificate for the loopback addresses signed by it, and a client
// certificate for mutual TLS, written as PEM files in a test's temporary
// directory.
package tlstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// PKI is a CA with a server and a client certificate it signed. The file
// fields are PEM files.
type PKI struct {
	CAFile         string // the CA certificate, for --cacert
	ServerCert     tls.Certificate
	ClientCertFile string // the client certificate, for --cert
	ClientKeyFile  string // its key, for --key
	OtherCAFile    string // a CA that signed nothing here but OtherClientCertFile: trusting it is not enough

	// ExpiredClientCertFile and its key: signed by the CA, expired an
	// hour ago.
	ExpiredClientCertFile, ExpiredClientKeyFile string
	// OtherClientCertFile and its key: a client certificate the other CA
	// signed, which a mutual-TLS server of this PKI does not accept.
	OtherClientCertFile, OtherClientKeyFile string
	// ExpiredServerCert is ServerCert expired an hour ago.
	ExpiredServerCert tls.Certificate

	ca     *x509.Certificate
	caPool *x509.CertPool
}

// New makes a PKI in t's temporary directory; the server certificate is
// for 127.0.0.1, ::1 and localhost.
func New(t testing.TB) *PKI {
	t.Helper()
	dir := t.TempDir()
	p := &PKI{}
	caKey, caDER := makeCA(t, "coperniq-mock test CA")
	var err error
	if p.ca, err = x509.ParseCertificate(caDER); err != nil {
		t.Fatal(err)
	}
	p.caPool = x509.NewCertPool()
	p.caPool.AddCert(p.ca)
	p.CAFile = writePEM(t, dir, "ca.pem", "CERTIFICATE", caDER)
	otherKey, otherDER := makeCA(t, "some other CA")
	p.OtherCAFile = writePEM(t, dir, "other-ca.pem", "CERTIFICATE", otherDER)
	other, err := x509.ParseCertificate(otherDER)
	if err != nil {
		t.Fatal(err)
	}

	server := func(serial int64, notAfter time.Time) tls.Certificate {
		return sign(t, p.ca, caKey, notAfter, &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: "127.0.0.1"},
			DNSNames:     []string{"localhost"},
			IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		})
	}
	p.ServerCert = server(2, time.Now().Add(24*time.Hour))
	p.ExpiredServerCert = server(4, time.Now().Add(-time.Hour))
	client := func(name string, ca *x509.Certificate, key *ecdsa.PrivateKey, serial int64, notAfter time.Time) (certFile, keyFile string) {
		c := sign(t, ca, key, notAfter, &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: "coperniq-mock test client"},
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		})
		keyDER, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
		if err != nil {
			t.Fatal(err)
		}
		return writePEM(t, dir, name+".pem", "CERTIFICATE", c.Certificate[0]), writePEM(t, dir, name+"-key.pem", "PRIVATE KEY", keyDER)
	}
	p.ClientCertFile, p.ClientKeyFile = client("client", p.ca, caKey, 3, time.Now().Add(24*time.Hour))
	p.ExpiredClientCertFile, p.ExpiredClientKeyFile = client("client-expired", p.ca, caKey, 5, time.Now().Add(-time.Hour))
	p.OtherClientCertFile, p.OtherClientKeyFile = client("client-other", other, otherKey, 2, time.Now().Add(24*time.Hour))
	return p
}

// ServerConfig is a server's TLS config with the server certificate; with
// mutual, it requires a client certificate signed by the CA.
func (p *PKI) ServerConfig(mutual bool) *tls.Config {
	cfg := &tls.Config{Certificates: []tls.Certificate{p.ServerCert}, MinVersion: tls.VersionTLS12}
	if mutual {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
		cfg.ClientCAs = p.caPool
	}
	return cfg
}

func makeCA(t testing.TB, name string) (*ecdsa.PrivateKey, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return key, der
}

func sign(t testing.TB, ca *x509.Certificate, caKey *ecdsa.PrivateKey, notAfter time.Time, tmpl *x509.Certificate) tls.Certificate {
	t.Helper()
	tmpl.NotBefore, tmpl.NotAfter = notAfter.Add(-48*time.Hour), notAfter
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func writePEM(t testing.TB, dir, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
