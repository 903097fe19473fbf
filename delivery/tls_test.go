package delivery_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/delivery/tlstest"
)

func tlsReceiver(t *testing.T, pki *tlstest.PKI, mutual bool) string {
	t.Helper()
	return tlsServer(t, pki.ServerConfig(mutual)).URL + "/hook"
}

// tlsServer serves cfg's TLS, answering every request 204, until the test
// ends. Its error log is discarded: the handshakes the tests fail on
// purpose would fill the output.
func tlsServer(t *testing.T, cfg *tls.Config) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.TLS = cfg
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// tcpServer hands every connection to 127.0.0.1:port to serve, in a
// goroutine of its own, until the test ends, and returns "http://" and
// the address.
func tcpServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c)
		}
	}()
	return "http://" + ln.Addr().String()
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

// The check before a run fails for each certificate problem, under TLS 1.2
// and 1.3 alike (under 1.3 a server refuses the client's certificate after
// the client's handshake has ended), and says what to fix: the error names
// the problem and the fix, not a fix that cannot help.
func TestCheckTLSSaysWhatToFix(t *testing.T) {
	pki := tlstest.New(t)
	expiredServer := pki.ServerConfig(false)
	expiredServer.Certificates = []tls.Certificate{pki.ExpiredServerCert}
	expiredAt := pki.ExpiredServerCert.Leaf
	if expiredAt == nil {
		var err error
		if expiredAt, err = x509.ParseCertificate(pki.ExpiredServerCert.Certificate[0]); err != nil {
			t.Fatal(err)
		}
	}
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		mutualCfg := pki.ServerConfig(true)
		mutualCfg.MaxVersion = version
		mutual := tlsServer(t, mutualCfg).URL + "/hook"
		expiredCfg := expiredServer.Clone()
		expiredCfg.MaxVersion = version
		for _, tc := range []struct {
			name   string
			url    string
			tls    delivery.TLS
			want   []string
			wantNo []string
		}{
			{"the client certificate expired", mutual, delivery.TLS{CACert: pki.CAFile, Cert: pki.ExpiredClientCertFile, Key: pki.ExpiredClientKeyFile},
				[]string{"expired certificate", "the client certificate given with --cert expired on ", "renew it"}, []string{"pass --cert"}},
			{"the client certificate from another CA", mutual, delivery.TLS{CACert: pki.CAFile, Cert: pki.OtherClientCertFile, Key: pki.OtherClientKeyFile},
				[]string{"was not sent", "the receiver asks for one signed by CN=coperniq-mock test CA"}, []string{"pass --cert"}},
			{"no client certificate", mutual, delivery.TLS{CACert: pki.CAFile},
				[]string{"the receiver wants a client certificate: pass --cert FILE --key FILE"}, nil},
			{"the receiver's certificate expired", tlsServer(t, expiredCfg).URL + "/hook", delivery.TLS{CACert: pki.CAFile},
				[]string{"expired", "the receiver's certificate expired on " + expiredAt.NotAfter.UTC().Format(time.DateTime) + " UTC", "renew it", "--insecure"}, []string{"--cacert"}},
		} {
			t.Run(tls.VersionName(version)+"/"+tc.name, func(t *testing.T) {
				cfg, err := tc.tls.Config()
				if err != nil {
					t.Fatal(err)
				}
				err = delivery.CheckTLS(context.Background(), tc.url, cfg, 5*time.Second)
				if err == nil {
					t.Fatal("CheckTLS passed")
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("the error does not say %q:\n%v", w, err)
					}
				}
				for _, w := range tc.wantNo {
					if strings.Contains(err.Error(), w) {
						t.Errorf("the error says %q:\n%v", w, err)
					}
				}
			})
		}
	}
}

// An http:// URL of a receiver that speaks HTTPS fails the check before a
// run, with the URL to use, whichever TLS server refuses the plain
// request; a plain HTTP receiver passes, its handler never called.
func TestCheckTLSHTTPURLOfAnHTTPSReceiver(t *testing.T) {
	pki := tlstest.New(t)
	goTLS := tlsServer(t, pki.ServerConfig(false))
	var called atomic.Bool
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { called.Store(true) }))
	defer plain.Close()
	// rawServer answers each connection's first bytes with answer and
	// hangs up, as TLS servers other than Go's do.
	rawServer := func(answer string) string {
		return tcpServer(t, func(c net.Conn) {
			c.Read(make([]byte, 5))
			io.WriteString(c, answer)
			c.Close()
		})
	}
	// quietServer hangs up without a word on plain bytes, as Python's ssl
	// module does; with tlsCfg it completes a TLS handshake when the first
	// bytes are one.
	quietServer := func(tlsCfg *tls.Config) string {
		return tcpServer(t, func(c net.Conn) {
			defer c.Close()
			first := make([]byte, 1)
			if _, err := c.Read(first); err != nil || first[0] != 0x16 || tlsCfg == nil {
				return
			}
			tc := tls.Server(&prefixed{Conn: c, first: first}, tlsCfg)
			_ = tc.Handshake()
			tc.Close()
		})
	}
	cases := []struct {
		name    string
		url     string
		wantErr bool
	}{
		{"Go's TLS server", "http://" + goTLS.Listener.Addr().String() + "/hook?token=s3cret", true},
		{"a TLS server silent on plain bytes", quietServer(pki.ServerConfig(false)) + "/hook?token=s3cret", true},
		{"a TLS server silent on plain bytes, wanting a client certificate", quietServer(pki.ServerConfig(true)) + "/hook?token=s3cret", true},
		{"a plain server that hangs up without a word", quietServer(nil) + "/hook?token=s3cret", false},
		{"a TLS alert", rawServer("\x15\x03\x03\x00\x02\x02\x28") + "/hook?token=s3cret", true},
		{"nginx's refusal", rawServer("HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n\r\n<center>The plain HTTP request was sent to HTTPS port</center>") + "/hook?token=s3cret", true},
		{"a plain HTTP receiver", plain.URL + "/hook?token=s3cret", false},
		{"nothing listening", "http://127.0.0.1:1/hook", false},
	}
	if py := pythonTLSServer(t, pki); py != "" {
		cases = append(cases, struct {
			name    string
			url     string
			wantErr bool
		}{"Python's ssl server", py + "/hook?token=s3cret", true})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := delivery.CheckTLS(context.Background(), tc.url, nil, 5*time.Second)
			if !tc.wantErr {
				if err != nil {
					t.Fatalf("CheckTLS: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("CheckTLS passed")
			}
			u, _ := url.Parse(tc.url)
			for _, w := range []string{"the receiver at http://" + u.Host + "/hook?token=*** speaks HTTPS", "use an https:// URL, https://" + u.Host + "/hook?token=***"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not say %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
	if called.Load() {
		t.Error("the check called the plain receiver's handler: it sent a request")
	}
	// Without the check (send makes one attempt), the TLS server's
	// refusal is not the receiver's answer to the event either; but a plain
	// proxy passing on that refusal from its upstream is no HTTPS receiver.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, "<center>The plain HTTP request was sent to HTTPS port</center>")
	}))
	defer proxy.Close()
	for _, tc := range []struct {
		name, url string
		setup     bool
	}{
		{"the HTTPS receiver over http://", "http://" + goTLS.Listener.Addr().String() + "/hook", true},
		{"a TLS receiver silent on plain bytes over http://", quietServer(pki.ServerConfig(false)) + "/hook", true},
		{"a plain receiver that hangs up", quietServer(nil) + "/hook", false},
		{"a plain proxy passing its upstream's refusal on", proxy.URL + "/hook", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			to, err := delivery.NewTarget(tc.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = to.Post(context.Background(), io.Discard, []byte(`{}`), "a test", 5*time.Second, nil, "")
			var failed *delivery.FailedError
			switch {
			case tc.setup && (!errors.Is(err, delivery.ErrUnreachable) || !strings.Contains(err.Error(), "speaks HTTPS")):
				t.Errorf("one delivery: %v; want a setup error that says it speaks HTTPS", err)
			case !tc.setup && !errors.As(err, &failed):
				t.Errorf("one delivery: %v; want the receiver's 400 (a *FailedError)", err)
			}
		})
	}
}

// prefixed is a connection whose first bytes were read already.
type prefixed struct {
	net.Conn
	first []byte
}

func (p *prefixed) Read(b []byte) (int, error) {
	if len(p.first) > 0 {
		n := copy(b, p.first)
		p.first = p.first[n:]
		return n, nil
	}
	return p.Conn.Read(b)
}

// pythonTLSServer starts Python's http.server behind its ssl module with
// the PKI's server certificate and returns its http:// base URL, "" when
// there is no python3.
func pythonTLSServer(t *testing.T, pki *tlstest.PKI) string {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Log("no python3: the Python case is left out")
		return ""
	}
	dir := t.TempDir()
	var certPEM, keyPEM bytes.Buffer
	pem.Encode(&certPEM, &pem.Block{Type: "CERTIFICATE", Bytes: pki.ServerCert.Certificate[0]})
	keyDER, err := x509.MarshalPKCS8PrivateKey(pki.ServerCert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	pem.Encode(&keyPEM, &pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cert, certPEM.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, keyPEM.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	script := `import http.server, ssl, sys
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print("listening on", srv.server_address[1], flush=True)
srv.serve_forever()
`
	cmd := exec.Command(python, "-c", script, cert, key)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var port int
	if _, err := fmt.Fscanf(out, "listening on %d\n", &port); err != nil {
		t.Fatalf("the Python TLS server did not start: %v", err)
	}
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}
