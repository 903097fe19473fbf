package load

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// rawServer answers each request with the next of answers (the last one
// repeated), written verbatim, and closes the connection after an answer
// when close is set for it. It reads requests as a receiver would: headers,
// then Content-Length bytes, checking what the writer put on the wire.
type rawServer struct {
	ln       net.Listener
	accepted atomic.Int64
	mu       sync.Mutex
	requests []string // request heads as received
	served   int
}

type rawAnswer struct {
	text  string
	close bool // close the connection after writing text
	hang  bool // read the request and never answer
	// halfClose: after text, end the sending side (a FIN) but keep the
	// socket open and reading, so that no reset answers a later request.
	halfClose bool
	// reset: after text (none: after reading the request), close with a
	// reset (RST) instead of a FIN.
	reset bool
}

func newRawServer(t *testing.T, answers ...rawAnswer) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.accepted.Add(1)
			go s.serve(t, c, answers)
		}
	}()
	return s
}

func (s *rawServer) serve(t *testing.T, c net.Conn, answers []rawAnswer) {
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		var head strings.Builder
		length := 0
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			head.WriteString(line)
			if line == "\r\n" {
				break
			}
			if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Content-Length") {
				length, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		if _, err := io.CopyN(io.Discard, br, int64(length)); err != nil {
			return
		}
		s.mu.Lock()
		s.requests = append(s.requests, head.String())
		a := answers[min(s.served, len(answers)-1)]
		s.served++
		s.mu.Unlock()
		if a.hang {
			_, _ = io.Copy(io.Discard, br)
			return
		}
		if a.reset {
			_, _ = io.WriteString(c, a.text)
			_ = c.(*net.TCPConn).SetLinger(0)
			return
		}
		if _, err := io.WriteString(c, a.text); err != nil || a.close {
			return
		}
		if a.halfClose {
			_ = c.(*net.TCPConn).CloseWrite()
			_, _ = io.Copy(io.Discard, br)
			return
		}
	}
}

func (s *rawServer) url() string { return "http://" + s.ln.Addr().String() + "/hook?token=s3cret" }

func newTestWire(t *testing.T, url string, timeout time.Duration, header http.Header) (*wire, *atomic.Int64) {
	t.Helper()
	tg, err := delivery.NewTarget(url, header)
	if err != nil {
		t.Fatal(err)
	}
	var dials atomic.Int64
	w, err := newWire(tg, timeout, 1, nil, &dials)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.close)
	return w, &dials
}

const ok200 = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

// TestWireReadsEveryFraming: the writer's verdict on each way a receiver
// may frame (or botch) its answer, and whether the connection is kept.
func TestWireReadsEveryFraming(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answers []rawAnswer
		status  int
		kind    delivery.ErrKind
		errText string
		dials   int64 // after two sends
	}{
		{name: "content-length", answers: []rawAnswer{{text: ok200}}, status: 200, dials: 1},
		{name: "no body", answers: []rawAnswer{{text: "HTTP/1.1 204 No Content\r\n\r\n"}}, status: 204, dials: 1},
		{name: "chunked with trailer", answers: []rawAnswer{{text: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"}}, status: 200, dials: 1},
		{name: "early hints first", answers: []rawAnswer{{text: "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + ok200}}, status: 200, dials: 1},
		{name: "connection close", answers: []rawAnswer{{text: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", close: true}}, status: 200, dials: 2},
		{name: "http/1.0 until the close", answers: []rawAnswer{{text: "HTTP/1.0 200 OK\r\n\r\nbody until close", close: true}}, status: 200, dials: 2},
		{name: "http/1.0 keep-alive", answers: []rawAnswer{{text: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok"}}, status: 200, dials: 1},
		{name: "chunked wins over a length", answers: []rawAnswer{{text: "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"}}, status: 200, dials: 1},
		{name: "long header line", answers: []rawAnswer{{text: "HTTP/1.1 200 OK\r\nX-Long: " + strings.Repeat("a", 10000) + "\r\nContent-Length: 0\r\n\r\n"}}, status: 200, dials: 1},
		{name: "headers too long", answers: []rawAnswer{{text: "HTTP/1.1 200 OK\r\nX-Long: " + strings.Repeat("a", 70000) + "\r\n\r\n", close: true}}, kind: delivery.KindMalformed, errText: "headers over", dials: 2},
		{name: "failing status", answers: []rawAnswer{{text: "HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy"}}, status: 503, dials: 1},
		{name: "cut short", answers: []rawAnswer{{text: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsix by", close: true}},
			status: 200, kind: delivery.KindCutShort, errText: "cut short after 6 of 100 bytes", dials: 2},
		{name: "chunked cut short", answers: []rawAnswer{{text: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly", close: true}},
			status: 200, kind: delivery.KindCutShort, errText: "cut short after 4 bytes", dials: 2},
		{name: "closed without answer", answers: []rawAnswer{{text: "", close: true}}, kind: delivery.KindEOF, dials: 2},
		{name: "not http", answers: []rawAnswer{{text: "SSH-2.0-OpenSSH\r\n", close: true}}, kind: delivery.KindMalformed, errText: "malformed HTTP response", dials: 2},
		{name: "bad content-length", answers: []rawAnswer{{text: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", close: true}}, kind: delivery.KindMalformed, errText: "Content-Length", dials: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newRawServer(t, tc.answers...)
			w, dials := newTestWire(t, s.url(), 2*time.Second, nil)
			for i := range 2 {
				res := w.send([]byte(`{"a":1}`), time.Now())
				if res.Status != tc.status || res.ErrKind != tc.kind || (tc.kind != "") != (res.Err != nil) ||
					res.Err != nil && !strings.Contains(res.Err.Error(), tc.errText) {
					t.Fatalf("send %d: status %d, kind %q, err %v; want %d, %q, %q", i, res.Status, res.ErrKind, res.Err, tc.status, tc.kind, tc.errText)
				}
				if res.Acked() != (tc.status/100 == 2 && tc.kind == "") {
					t.Errorf("send %d: acked %v with status %d", i, res.Acked(), tc.status)
				}
			}
			if d := dials.Load(); d != tc.dials || s.accepted.Load() != tc.dials {
				t.Errorf("dialled %d, server accepted %d: want %d", d, s.accepted.Load(), tc.dials)
			}
		})
	}
}

// TestWireWritesWhatNetHTTPWould: the request line keeps the query (the
// token), the URL's userinfo becomes Basic auth, caller headers replace the
// defaults, and a header that would split the request is refused.
func TestWireWritesWhatNetHTTPWould(t *testing.T) {
	s := newRawServer(t, rawAnswer{text: ok200})
	u := strings.Replace(s.url(), "http://", "http://user:pw@", 1)
	w, _ := newTestWire(t, u, time.Second, http.Header{"User-Agent": {"mine"}, "X-Extra": {"1"}})
	if res := w.send([]byte(`{}`), time.Now()); !res.Acked() {
		t.Fatalf("not acked: %+v", res)
	}
	head := s.requests[0]
	for _, want := range []string{"POST /hook?token=s3cret HTTP/1.1\r\n", "Host: " + s.ln.Addr().String() + "\r\n",
		"Authorization: Basic dXNlcjpwdw==\r\n", "Content-Type: application/json\r\n", "User-Agent: mine\r\n", "X-Extra: 1\r\n", "Content-Length: 2\r\n"} {
		if !strings.Contains(head, want) {
			t.Errorf("request lacks %q:\n%s", want, head)
		}
	}
	tg, _ := delivery.NewTarget(s.url(), http.Header{"X-Bad": {"a\r\nInjected: 1"}})
	var dials atomic.Int64
	if _, err := newWire(tg, time.Second, 1, nil, &dials); err == nil || !strings.Contains(err.Error(), "X-Bad") {
		t.Errorf("a header value with CRLF: err %v, want one naming the header", err)
	}
}

// TestWireRedialsAConnectionClosedWhileIdle: a receiver that closes kept-
// alive connections after each answer without saying so. The next request
// on such a connection fails before any answer; it goes again on a new
// connection instead of counting as the receiver's failure.
func TestWireRedialsAConnectionClosedWhileIdle(t *testing.T) {
	s := newRawServer(t, rawAnswer{text: ok200, close: true})
	w, dials := newTestWire(t, s.url(), time.Second, nil)
	for i := range 5 {
		if res := w.send([]byte(`{}`), time.Now()); !res.Acked() {
			t.Fatalf("send %d: %+v", i, res)
		}
		time.Sleep(5 * time.Millisecond) // let the close arrive
	}
	if dials.Load() != 5 || s.served != 5 {
		t.Errorf("dialled %d, served %d: want 5 and 5 (one per request, none twice)", dials.Load(), s.served)
	}
}

// TestWireCountsACloseAfterTheRequestAsItsFailure: a receiver that reads
// the third request of a kept-alive connection and closes it without an
// answer may have acted on that request, so the attempt fails (eof or
// reset, as it ended) and is not sent again behind the caller's back: the
// receiver sees each request once, and --retry decides about another.
func TestWireCountsACloseAfterTheRequestAsItsFailure(t *testing.T) {
	for _, tc := range []struct {
		name   string
		closed rawAnswer
		kind   delivery.ErrKind
	}{
		{name: "closed after reading", closed: rawAnswer{close: true}, kind: delivery.KindEOF},
		{name: "reset after reading", closed: rawAnswer{reset: true}, kind: delivery.KindReset},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newRawServer(t, rawAnswer{text: ok200}, rawAnswer{text: ok200}, tc.closed, rawAnswer{text: ok200})
			w, dials := newTestWire(t, s.url(), 2*time.Second, nil)
			var kinds []delivery.ErrKind
			for range 5 {
				kinds = append(kinds, w.send([]byte(`{}`), time.Now()).ErrKind)
			}
			want := []delivery.ErrKind{"", "", tc.kind, "", ""}
			if !slices.Equal(kinds, want) {
				t.Errorf("error kinds of the five sends %q, want %q", kinds, want)
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.served != 5 || dials.Load() != 2 {
				t.Errorf("the receiver read %d requests over %d connections, want 5 (none twice) over 2", s.served, dials.Load())
			}
		})
	}
}

// TestWireRedialsAConnectionTheReceiverClosedWhileIdle: a connection the
// receiver ended while it was idle (its idle timeout, a FIN or a reset,
// over TLS with a close_notify first) is found closed before the request
// is written; the request goes on a new connection and counts once, with
// no error.
func TestWireRedialsAConnectionTheReceiverClosedWhileIdle(t *testing.T) {
	idleTimeout := func(tlsOn bool) (string, *x509.CertPool) {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
		}))
		srv.Config.IdleTimeout = 5 * time.Millisecond
		if !tlsOn {
			srv.Start()
			t.Cleanup(srv.Close)
			return srv.URL, nil
		}
		srv.StartTLS()
		t.Cleanup(srv.Close)
		pool := x509.NewCertPool()
		pool.AddCert(srv.Certificate())
		return srv.URL, pool
	}
	for _, tc := range []struct {
		name  string
		serve func() (string, *x509.CertPool)
	}{
		{name: "reset while idle", serve: func() (string, *x509.CertPool) {
			return newRawServer(t, rawAnswer{text: ok200, reset: true}).url(), nil
		}},
		{name: "http idle timeout", serve: func() (string, *x509.CertPool) { return idleTimeout(false) }},
		{name: "https idle timeout", serve: func() (string, *x509.CertPool) { return idleTimeout(true) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, pool := tc.serve()
			w, dials := newTestWire(t, url+"/hook", 2*time.Second, nil)
			if pool != nil {
				w.tls.RootCAs = pool
			}
			for i := range 3 {
				if res := w.send([]byte(`{}`), time.Now()); !res.Acked() {
					t.Fatalf("send %d: %+v", i, res)
				}
				time.Sleep(50 * time.Millisecond) // the receiver closes meanwhile
			}
			if dials.Load() != 3 {
				t.Errorf("dialled %d, want 3 (one per request)", dials.Load())
			}
		})
	}
}

// TestRunCountsEveryCloseWithoutAnswer: a run against a receiver that
// closes every tenth connection after reading the request, with --retry
// none (the default): each such request is an eof in Errors and the run's
// success, and the receiver read each event once.
func TestRunCountsEveryCloseWithoutAnswer(t *testing.T) {
	answers := make([]rawAnswer, 400)
	for i := range answers {
		answers[i] = rawAnswer{text: ok200}
		if i%10 == 9 {
			answers[i] = rawAnswer{close: true}
		}
	}
	s := newRawServer(t, answers...)
	tg, _ := delivery.NewTarget(s.url(), nil)
	rep, err := Run(context.Background(), tg, WithRate(200, 500*time.Millisecond), WithMaxInflight(4))
	if err != nil {
		t.Fatal(err)
	}
	checkAccounting(t, rep)
	s.mu.Lock()
	served := int64(s.served)
	s.mu.Unlock()
	closed := served / 10
	if rep.Sent != 100 || served != rep.Sent || rep.Errors[string(delivery.KindEOF)] != closed || rep.Acked != rep.Sent-closed {
		t.Errorf("sent %d, acked %d, errors %v; the receiver read %d and closed %d: want 100 sent, each read once, every close an eof",
			rep.Sent, rep.Acked, rep.Errors, served, closed)
	}
}

func TestWireTimeoutAndCancel(t *testing.T) {
	s := newRawServer(t, rawAnswer{hang: true})
	w, _ := newTestWire(t, s.url(), 200*time.Millisecond, nil)
	began := time.Now()
	res := w.send([]byte(`{}`), time.Now())
	if res.ErrKind != delivery.KindTimeout || time.Since(began) > time.Second {
		t.Errorf("a receiver that never answers: kind %q after %v, want timeout after 200ms", res.ErrKind, time.Since(began))
	}

	w, _ = newTestWire(t, s.url(), time.Minute, nil)
	time.AfterFunc(100*time.Millisecond, w.cancel)
	began = time.Now()
	res = w.send([]byte(`{}`), time.Now())
	if res.ErrKind != delivery.KindCanceled || time.Since(began) > time.Second {
		t.Errorf("cancelled in flight: kind %q after %v, want canceled at once", res.ErrKind, time.Since(began))
	}
	if res := w.send([]byte(`{}`), time.Now()); res.ErrKind != delivery.KindCanceled {
		t.Errorf("after cancel: kind %q, want canceled", res.ErrKind)
	}
}

// TestWireWritesARequestLargerThanTheSocketBuffer: a request the socket's
// buffer cannot take whole (the raw write in connReader stops at EAGAIN)
// goes on through the connection's Write, arrives whole and is answered;
// against a receiver that never reads, that write ends at the timeout.
func TestWireWritesARequestLargerThanTheSocketBuffer(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 32<<20)
	s := newRawServer(t, rawAnswer{text: ok200})
	w, dials := newTestWire(t, s.url(), 10*time.Second, nil)
	for i := range 2 {
		if res := w.send(body, time.Now()); !res.Acked() {
			t.Fatalf("send %d: %+v", i, res)
		}
	}
	if len(s.requests) != 2 || !strings.Contains(s.requests[1], "Content-Length: 33554432\r\n") || dials.Load() != 1 {
		t.Errorf("server read %d requests over %d connections; want 2 over 1, each of 33554432 bytes", len(s.requests), dials.Load())
	}
	if in := w.conns[0].in; in.rc == nil || in.writing || in.out != nil {
		t.Errorf("the connection's reader after the sends: raw %v, writing %v, %d bytes left: want raw, idle, none", in.rc != nil, in.writing, len(in.out))
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never read
		}
	}()
	w, _ = newTestWire(t, "http://"+ln.Addr().String()+"/hook", 300*time.Millisecond, nil)
	began := time.Now()
	res := w.send(body, time.Now())
	if res.ErrKind != delivery.KindTimeout || time.Since(began) > 2*time.Second {
		t.Errorf("a receiver that never reads: kind %q (%v) after %v, want a timeout after 300ms", res.ErrKind, res.Err, time.Since(began))
	}
	w, _ = newTestWire(t, "http://"+ln.Addr().String()+"/hook", time.Minute, nil)
	time.AfterFunc(100*time.Millisecond, w.cancel)
	began = time.Now()
	if res := w.send(body, time.Now()); res.ErrKind != delivery.KindCanceled || time.Since(began) > 2*time.Second {
		t.Errorf("cancelled while the write waits for room: kind %q after %v, want canceled at once", res.ErrKind, time.Since(began))
	}
}

// TestWireSpeaksTLS: an https target over loopback TLS, verified against
// the server's certificate; the same server unverified is a TLS error.
func TestWireSpeaksTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || r.ProtoMajor != 1 {
			w.WriteHeader(400)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	w, dials := newTestWire(t, srv.URL+"/hook", 2*time.Second, nil)
	if res := w.send([]byte(`{}`), time.Now()); res.ErrKind != delivery.KindTLS {
		t.Errorf("an unknown certificate: %+v, want a TLS error", res)
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	w.tls.RootCAs = pool
	for i := range 3 {
		if res := w.send([]byte(`{}`), time.Now()); res.Status != 200 {
			t.Fatalf("send %d over TLS: %+v", i, res)
		}
	}
	if dials.Load() != 2 {
		t.Errorf("dialled %d: want 2 (the refused handshake, then one kept-alive connection)", dials.Load())
	}

	// A run: the default trusts the system's roots only; WithTLSConfig
	// brings the receiver's CA.
	tg, _ := delivery.NewTarget(srv.URL+"/hook", nil)
	rep, err := Run(context.Background(), tg, WithRate(100, 200*time.Millisecond))
	if err != nil || rep.Acked != 0 || rep.Errors["tls"] != rep.Sent {
		t.Errorf("untrusted: err %v, acked %d, errors %v", err, rep.Acked, rep.Errors)
	}
	rep, err = Run(context.Background(), tg, WithRate(100, 200*time.Millisecond), WithMaxInflight(4), WithTLSConfig(&tls.Config{RootCAs: pool}))
	if err != nil || rep.Acked != rep.Sent || rep.Sent < 15 || rep.Connections > 4 {
		t.Errorf("with the CA: err %v, acked %d of %d, %d connections", err, rep.Acked, rep.Sent, rep.Connections)
	}
}

// TestCutShortIsAFailedRequest: a run against a receiver that answers 200
// with Content-Length 100, six bytes, and closes acknowledges nothing and
// says why.
func TestCutShortIsAFailedRequest(t *testing.T) {
	s := newRawServer(t, rawAnswer{text: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsix by", close: true})
	tg, _ := delivery.NewTarget(s.url(), nil)
	rep, err := Run(context.Background(), tg, WithRate(100, 300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	checkAccounting(t, rep)
	if rep.Acked != 0 || rep.Errors[string(delivery.KindCutShort)] != rep.Sent || rep.Sent < 25 {
		t.Errorf("acked %d, errors %v of %d sent: want every one cut short", rep.Acked, rep.Errors, rep.Sent)
	}
	var buf bytes.Buffer
	_ = rep.WriteText(&buf)
	if !strings.Contains(buf.String(), "cut-short") {
		t.Errorf("text does not say cut short:\n%s", buf.String())
	}
}

// TestProxyFromEnvironmentGoesThroughNetHTTP: the writer speaks only to
// the target, so a target a proxy applies to goes through net/http, and
// the report says so. net/http reads the proxy variables once per process:
// the run happens in a child test process with HTTP_PROXY set.
func TestProxyFromEnvironmentGoesThroughNetHTTP(t *testing.T) {
	if os.Getenv("LOAD_PROXY_CHILD") != "" {
		tg, _ := delivery.NewTarget("http://receiver.invalid/hook", nil)
		rep, err := Run(context.Background(), tg, WithRate(50, 200*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Acked != rep.Sent || rep.Sent == 0 || !strings.HasPrefix(rep.Client, "net/http (through the proxy http://127.0.0.1:") {
			t.Fatalf("through the proxy: acked %d of %d, client %q, errors %v", rep.Acked, rep.Sent, rep.Client, rep.Errors)
		}
		return
	}
	var seen atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Host == "receiver.invalid" && r.URL.Path == "/hook" {
			seen.Add(1)
			_, _ = io.Copy(io.Discard, r.Body)
			return
		}
		w.WriteHeader(502)
	}))
	defer proxy.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestProxyFromEnvironmentGoesThroughNetHTTP$", "-test.count=1")
	cmd.Env = append(os.Environ(), "LOAD_PROXY_CHILD=1", "HTTP_PROXY="+proxy.URL, "NO_PROXY=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child run: %v\n%s", err, out)
	}
	if seen.Load() == 0 {
		t.Errorf("the proxy saw no request")
	}
}

// pythonReceiver is a receiver written with Python's standard library, as
// many are: version "HTTP/1.0" closes after every answer (the module's
// default), "HTTP/1.1" keeps connections alive. It prints its port, then
// counts the bodies it read whole.
const pythonReceiver = `
import http.server, socketserver, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = sys.argv[1]
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        ok = len(body) == n and body.startswith(b'{"event":')
        self.send_response(200 if ok else 400)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
`

// TestPythonReceivers: the writer against real receivers in another
// language, one closing every connection and one keeping them alive.
func TestPythonReceivers(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	for _, version := range []string{"HTTP/1.0", "HTTP/1.1"} {
		t.Run(version, func(t *testing.T) {
			cmd := exec.Command("python3", "-c", pythonReceiver, version)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
			port, err := bufio.NewReader(out).ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			tg, _ := delivery.NewTarget("http://127.0.0.1:"+strings.TrimSpace(port)+"/hook", nil)
			rep, err := Run(context.Background(), tg, WithRate(100, 500*time.Millisecond), WithMaxInflight(4))
			if err != nil {
				t.Fatal(err)
			}
			checkAccounting(t, rep)
			if rep.Acked != rep.Sent || rep.Sent != 50 {
				t.Errorf("acked %d of %d sent (want 50): statuses %v, errors %v", rep.Acked, rep.Sent, rep.Statuses, rep.Errors)
			}
			// HTTP/1.0 closes after each answer: a connection per request.
			// HTTP/1.1 keeps them: no more than the workers.
			if version == "HTTP/1.0" && rep.Connections != rep.Sent || version == "HTTP/1.1" && rep.Connections > 4 {
				t.Errorf("%d connections for %d requests", rep.Connections, rep.Sent)
			}
		})
	}
}

// FuzzReadResponse: whatever a receiver sends, reading its answer ends
// (the input is finite), never panics, and a status comes with no error
// only when it is a real one.
func FuzzReadResponse(f *testing.F) {
	for _, s := range []string{ok200, "HTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
		"HTTP/1.1 103 Early Hints\r\n\r\n" + ok200, "HTTP/1.0 200 OK\r\n\r\nbody", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsix by",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nok", "HTTP/1.1 2000\r\n\r\n", "\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		status, _, _, err := readResponse(bufio.NewReaderSize(bytes.NewReader(b), wireReadBuffer))
		if err == nil && (status < 200 || status > 999) {
			t.Fatalf("status %d without error from %q", status, b)
		}
	})
}

// TestMalformedAnswersAreNamedWithASample: a receiver that answers what
// HTTP cannot read is counted under its own kind, malformed, and the
// report (text and JSON, merged shards too) quotes the first such error,
// for each kind, so that a count comes with what the receiver sent.
func TestMalformedAnswersAreNamedWithASample(t *testing.T) {
	s := newRawServer(t, rawAnswer{text: "HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok", close: true})
	tg, _ := delivery.NewTarget(s.url(), nil)
	rep, err := Run(context.Background(), tg, WithRate(100, 200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	kind := string(delivery.KindMalformed)
	if rep.Acked != 0 || rep.Errors[kind] != rep.Sent || rep.Sent < 10 {
		t.Fatalf("acked %d, errors %v of %d sent: want every one %s", rep.Acked, rep.Errors, rep.Sent, kind)
	}
	sample := `malformed HTTP response: status line "HTTP/1.1 2OO OK"`
	if got := rep.ErrorSamples[kind]; !strings.Contains(got, sample) {
		t.Errorf("sample of %s: %q, want it to quote %s", kind, got, sample)
	}
	var buf bytes.Buffer
	_ = rep.WriteText(&buf)
	if !strings.Contains(buf.String(), kind+", the first: ") || !strings.Contains(buf.String(), sample) {
		t.Errorf("text does not quote the first malformed answer:\n%s", buf.String())
	}
	_, back := throughJSON(t, rep)
	merged, err := Merge(back)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(merged.ErrorSamples[kind], sample) {
		t.Errorf("after JSON and a merge, samples %v", merged.ErrorSamples)
	}
}

// TestErrorSamplesAreShownAsAnswers: a sample quotes the receiver's bytes,
// which may echo the URL's token or carry terminal escapes: masked and
// escaped, as every answer shown is.
func TestErrorSamplesAreShownAsAnswers(t *testing.T) {
	s := newRawServer(t, rawAnswer{text: "HTTP/1.1 2OO token=s3cret \x1b[2J\r\nContent-Length: 2\r\n\r\nok", close: true})
	tg, _ := delivery.NewTarget(s.url(), nil)
	rep, err := Run(context.Background(), tg, WithRate(50, 100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	got := rep.ErrorSamples[string(delivery.KindMalformed)]
	if got == "" || strings.Contains(got, "s3cret") || strings.Contains(got, "\x1b") {
		t.Errorf("sample %q, want the token masked and the escape escaped", got)
	}
}
