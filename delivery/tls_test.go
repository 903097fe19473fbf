package delivery_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/delivery/tlstest"
)

func tlsReceiver(t *testing.T, pki *tlstest.PKI, mutual bool) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.TLS = pki.ServerConfig(mutual)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL + "/hook"
}

// Over loopback TLS with a CA the test made: the system's trust store does
// not know it, --cacert does, --insecure skips it, and a receiver that
// wants a client certificate gets one only with Cert and Key.
func TestTLSOverLoopback(t *testing.T) {
	pki := tlstest.New(t)
	plain := tlsReceiver(t, pki, false)
	mutual := tlsReceiver(t, pki, true)
	clientCert := delivery.TLS{CACert: pki.CAFile, Cert: pki.ClientCertFile, Key: pki.ClientKeyFile}
	for _, tc := range []struct {
		name   string
		url    string
		tls    delivery.TLS
		wantOK bool
		errHas string
	}{
		{"system trust store does not know the CA", plain, delivery.TLS{}, false, "unknown authority"},
		{"the CA given", plain, delivery.TLS{CACert: pki.CAFile}, true, ""},
		{"another CA given", plain, delivery.TLS{CACert: pki.OtherCAFile}, false, "unknown authority"},
		{"insecure", plain, delivery.TLS{Insecure: true}, true, ""},
		{"mutual TLS without a client certificate", mutual, delivery.TLS{CACert: pki.CAFile}, false, "certificate required"},
		{"mutual TLS with the client certificate", mutual, clientCert, true, ""},
		{"mutual TLS, insecure, with the client certificate", mutual, delivery.TLS{Insecure: true, Cert: pki.ClientCertFile, Key: pki.ClientKeyFile}, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := tc.tls.Config()
			if err != nil {
				t.Fatal(err)
			}
			res := delivery.Send(context.Background(), delivery.NewTLSClient(5*time.Second, 1, cfg), tc.url, []byte(`{}`), nil)
			checkErr := delivery.CheckTLS(context.Background(), tc.url, cfg, 5*time.Second)
			if tc.wantOK {
				if res.Status != http.StatusNoContent || res.Err != nil {
					t.Fatalf("send: status %d, error %v; want 204", res.Status, res.Err)
				}
				if checkErr != nil {
					t.Fatalf("CheckTLS: %v", checkErr)
				}
				return
			}
			if res.ErrKind != delivery.KindTLS || !strings.Contains(res.Err.Error(), tc.errHas) {
				t.Errorf("send: kind %q error %v; want a tls error with %q", res.ErrKind, res.Err, tc.errHas)
			}
			if checkErr == nil || !strings.Contains(checkErr.Error(), tc.errHas) {
				t.Errorf("CheckTLS: %v; want an error with %q", checkErr, tc.errHas)
			}
		})
	}
}

func TestTLSConfigNamesTheBadFile(t *testing.T) {
	pki := tlstest.New(t)
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	os.WriteFile(notPEM, []byte("hello\n"), 0o600)
	badCert := filepath.Join(dir, "bad-cert.pem")
	os.WriteFile(badCert, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o600)
	missing := filepath.Join(dir, "missing.pem")
	for _, tc := range []struct {
		name string
		tls  delivery.TLS
		want []string
	}{
		{"CA file missing", delivery.TLS{CACert: missing}, []string{"CA file", missing, "no such file"}},
		{"CA file not PEM", delivery.TLS{CACert: notPEM}, []string{notPEM, "no PEM certificate"}},
		{"CA certificate unparsable", delivery.TLS{CACert: badCert}, []string{badCert, "certificate 1"}},
		{"cert without key", delivery.TLS{Cert: pki.ClientCertFile}, []string{pki.ClientCertFile, "without its key"}},
		{"key without cert", delivery.TLS{Key: pki.ClientKeyFile}, []string{pki.ClientKeyFile, "without its certificate"}},
		{"key file missing", delivery.TLS{Cert: pki.ClientCertFile, Key: missing}, []string{"client key", missing}},
		{"key does not match", delivery.TLS{Cert: pki.ClientCertFile, Key: notPEM}, []string{pki.ClientCertFile, notPEM}},
		{"a CA as the key", delivery.TLS{Cert: pki.ClientCertFile, Key: pki.CAFile}, []string{pki.CAFile}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := tc.tls.Config()
			if err == nil {
				t.Fatalf("Config() = %v, want an error", cfg)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
	if cfg, err := (delivery.TLS{}).Config(); cfg != nil || err != nil {
		t.Errorf("zero TLS: %v, %v; want nil, nil (Go's defaults)", cfg, err)
	}
}

func TestTLSFlags(t *testing.T) {
	for _, c := range []struct {
		name string
		tls  delivery.TLS
		want string
	}{
		{"zero", delivery.TLS{}, ""},
		{"insecure", delivery.TLS{Insecure: true}, "--insecure"},
		{"every field", delivery.TLS{CACert: "ca.pem", Cert: "c.pem", Key: "k.pem", Insecure: true}, "--cacert ca.pem --insecure --cert c.pem --key k.pem"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := strings.Join(c.tls.Flags(), " "); got != c.want {
				t.Errorf("Flags() = %q, want %q", got, c.want)
			}
		})
	}
}
