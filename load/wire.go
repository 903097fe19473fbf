package load

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// sender makes one attempt; workers call it concurrently.
type sender interface {
	// send's Result has its Latency from start, the caller's reading of
	// the clock just before: start.Add(Latency) is when the attempt ended.
	// (One reading of the clock serves the caller's lateness and the
	// latency; the end serves the recording.)
	send(body []byte, start time.Time) delivery.Result
	// cancel ends the attempts in flight and fails later ones (canceled).
	cancel()
	close()
}

// httpSender sends through a net/http client: for a caller's own client
// (WithClient) and for targets reached through a proxy from HTTP_PROXY or
// HTTPS_PROXY, which the HTTP/1.1 writer does not speak.
type httpSender struct {
	target    *delivery.Target
	client    *http.Client
	ctx       context.Context
	cancelCtx context.CancelFunc
}

func newHTTPSender(target *delivery.Target, client *http.Client) *httpSender {
	ctx, cancel := context.WithCancel(context.Background())
	return &httpSender{target: target, client: client, ctx: ctx, cancelCtx: cancel}
}

func (s *httpSender) send(body []byte, start time.Time) delivery.Result {
	res := s.target.Send(s.ctx, s.client, body)
	res.Latency = time.Since(start)
	return res
}
func (s *httpSender) cancel() { s.cancelCtx() }
func (s *httpSender) close()  { s.cancelCtx(); s.client.CloseIdleConnections() }

// wire is the run's own HTTP/1.1 client. A worker takes a connection for
// each request, the one used last if it is still open (so that a slow run
// keeps few connections, as net/http's pool would), dialled otherwise; there
// are no more connections than workers, so never more than max-inflight. A
// request is one write of a header block rendered once per run
// plus the body, and a response is parsed as far as the verdict needs
// (status, framing, Connection) with its body read to the end and thrown
// away. Measured on 2 cores against a trivial receiver, that costs a third
// of the CPU per request of net/http's client (see the README's
// Performance section), the ceiling of a load test sharing its machine.
type wire struct {
	addr    string      // host:port
	tls     *tls.Config // nil for http://
	head    []byte      // request line and headers, up to "Content-Length: "
	timeout time.Duration
	dialer  net.Dialer
	ctx     context.Context // cancelled by cancel: ends dials and handshakes
	stop    context.CancelFunc
	dials   *atomic.Int64

	canceled atomic.Bool
	conns    []wireConn // one per worker, at most

	mu   sync.Mutex
	idle []*wireConn // free ones, kept-alive connections last
}

type wireConn struct {
	mu   sync.Mutex // guards c between its worker and cancel
	c    net.Conn
	br   *bufio.Reader // reads through in
	in   connReader
	wbuf []byte
	used bool      // has carried a request
	idle time.Time // when its last answer was read
}

// wireIdleCheck: a connection idle longer is read once after the request's
// write before the wait for its answer (connReader.check). The runtime
// clears a socket's readiness before the raw read, so a FIN that came while
// the connection was idle raises no new edge: a receiver that half-closed
// an idle connection would make the request wait to its timeout. A FIN
// comes after an idle timeout, not within a millisecond of an answer; at
// saturation a connection is idle for microseconds and the read, which
// would find nothing, is saved.
const wireIdleCheck = time.Millisecond

// Bounds of a response, as net/http's client has them in this tool.
const (
	wireReadBuffer = 4 << 10
	wireMaxHeader  = delivery.DefaultMaxHeaderBytes
	wireDrainLimit = delivery.DefaultDrainLimit
)

// newWire prepares the client of target for workers connections.
func newWire(target *delivery.Target, timeout time.Duration, workers int, tlsConf *tls.Config, dials *atomic.Int64) (*wire, error) {
	u := target.URL()
	w := &wire{
		addr:    target.Addr(),
		timeout: timeout,
		dialer:  net.Dialer{Timeout: min(30*time.Second, timeout), KeepAlive: 30 * time.Second},
		dials:   dials,
		conns:   make([]wireConn, workers),
	}
	for i := range w.conns {
		w.idle = append(w.idle, &w.conns[workers-1-i])
	}
	w.ctx, w.stop = context.WithCancel(context.Background())
	if u.Scheme == "https" {
		w.tls = &tls.Config{}
		if tlsConf != nil {
			w.tls = tlsConf.Clone()
		}
		if w.tls.ServerName == "" {
			w.tls.ServerName = u.Hostname()
		}
		w.tls.NextProtos = []string{"http/1.1"}
		if w.tls.ClientSessionCache == nil {
			// Reconnects after a receiver closed a connection resume
			// the session instead of a full handshake.
			w.tls.ClientSessionCache = tls.NewLRUClientSessionCache(workers)
		}
	}
	h := target.Header()
	// As net/http: the URL's userinfo becomes Basic authentication unless
	// the caller set Authorization; the framing headers are the client's.
	if u.User != nil && h.Get("Authorization") == "" {
		pass, _ := u.User.Password()
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pass)))
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\n", u.RequestURI(), u.Host)
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch k {
		case "Host", "Content-Length", "Transfer-Encoding", "Trailer":
			continue
		}
		if !validHeaderName(k) {
			return nil, fmt.Errorf("header name %q is not a valid HTTP token", k)
		}
		for _, v := range h[k] {
			if !validHeaderValue(v) {
				return nil, fmt.Errorf("header %s: value %q holds a control character", k, v)
			}
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("Content-Length: ")
	w.head = b.Bytes()
	return w, nil
}

func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c <= ' ' || c >= 0x7f || bytes.IndexByte([]byte(`"(),/:;<=>?@[\]{}`), c) >= 0 {
			return false
		}
	}
	return true
}

func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// take hands out a free connection, the one freed last: open ones are
// freed to the top, closed ones to the bottom.
func (w *wire) take() *wireConn {
	w.mu.Lock()
	wc := w.idle[len(w.idle)-1]
	w.idle = w.idle[:len(w.idle)-1]
	w.mu.Unlock()
	return wc
}

func (w *wire) free(wc *wireConn) {
	w.mu.Lock()
	if wc.c != nil {
		w.idle = append(w.idle, wc)
	} else {
		w.idle = slices.Insert(w.idle, 0, wc)
	}
	w.mu.Unlock()
}

func (w *wire) send(body []byte, start time.Time) delivery.Result {
	wc := w.take()
	defer w.free(wc)
	deadline := start.Add(w.timeout)
	for {
		reused := wc.used && wc.c != nil
		check := reused && !wc.idle.IsZero() && start.Sub(wc.idle) > wireIdleCheck
		status, sent, err := w.roundTrip(wc, body, deadline, check)
		if err == nil {
			latency := time.Since(start)
			wc.idle = start.Add(latency)
			return delivery.Result{Status: status, Latency: latency}
		}
		w.drop(wc)
		if w.canceled.Load() {
			return delivery.Result{Latency: time.Since(start), ErrKind: delivery.KindCanceled, Err: context.Canceled}
		}
		// A kept-alive connection the receiver had closed (found before the
		// write, or the write failed) never carried this request whole: it
		// goes once more on a new connection, as net/http's pool would. Once
		// written, a close without answer may follow the receiver's work:
		// the attempt failed, and --retry decides about another (net/http
		// does not repeat a POST it wrote either).
		if reused && !sent && (staleConn(err) || errors.Is(err, errIdleData)) {
			continue
		}
		res := delivery.Result{Latency: time.Since(start), ErrKind: delivery.Classify(err), Err: err}
		if errors.As(err, new(*delivery.CutShortError)) {
			res.Status = status // kept, as delivery keeps it: the answer began
		}
		return res
	}
}

func staleConn(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// errIdleData: bytes came on a kept-alive connection while no request was
// on it (a TLS close_notify, or a receiver's stray answer). They answer no
// request of ours: the connection is not used again.
var errIdleData = errors.New("data on an idle connection")

// roundTrip writes one request on wc (dialling first if needed) and reads
// its response. sent reports that the whole request was written. check
// (a kept-alive connection idle over wireIdleCheck) looks for a close or
// stray bytes from the receiver before the request is written.
func (w *wire) roundTrip(wc *wireConn, body []byte, deadline time.Time, check bool) (status int, sent bool, err error) {
	if wc.c == nil {
		if err := w.dial(wc, deadline); err != nil {
			return 0, false, err
		}
	}
	if wc.br.Buffered() > 0 {
		return 0, false, errIdleData // bytes beyond the last answer
	}
	// On the raw path the request's write does not block (connReader sets
	// the write deadline where it must wait): one timer moves, not two.
	raw := wc.in.rc != nil
	if raw {
		wc.in.deadline = deadline
		if err := wc.c.SetReadDeadline(deadline); err != nil {
			return 0, false, err
		}
	} else if err := wc.c.SetDeadline(deadline); err != nil {
		return 0, false, err
	}
	// cancel stores the flag before it sets the past deadline: either this
	// sees the flag, or cancel's deadline comes after the one set above.
	if w.canceled.Load() {
		return 0, false, context.Canceled
	}
	wc.used = true
	buf := append(wc.wbuf[:0], w.head...)
	buf = strconv.AppendInt(buf, int64(len(body)), 10)
	buf = append(buf, "\r\n\r\n"...)
	buf = append(buf, body...)
	wc.wbuf = buf
	wc.in.sent = false
	if raw {
		// The first read of the response writes the request (see
		// connReader), after the check: an error before the request left
		// comes out of readResponse with sent false.
		wc.in.out, wc.in.writing, wc.in.check = buf, true, check
	} else {
		if check {
			if err := wc.in.peekIdle(); err != nil {
				return 0, false, err
			}
		}
		if _, err := wc.c.Write(buf); err != nil {
			return 0, false, err
		}
		wc.in.sent = true
	}
	status, keep, _, err := readResponse(wc.br)
	wc.in.writing, wc.in.check = false, false
	if err == nil && !keep {
		w.drop(wc)
	}
	return status, wc.in.sent, err
}

func (w *wire) dial(wc *wireConn, deadline time.Time) error {
	ctx, cancel := context.WithDeadline(w.ctx, deadline)
	defer cancel()
	c, err := w.dialer.DialContext(ctx, "tcp", w.addr)
	if err != nil {
		return err
	}
	w.dials.Add(1)
	tcp := c
	if w.tls != nil {
		tc := tls.Client(c, w.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			c.Close()
			return err
		}
		c = tc
	}
	if err := c.SetDeadline(deadline); err != nil {
		c.Close()
		return err
	}
	wc.in.reset(c, tcp, &w.canceled)
	if wc.br == nil {
		wc.br = bufio.NewReaderSize(&wc.in, wireReadBuffer)
	} else {
		wc.br.Reset(&wc.in)
	}
	wc.mu.Lock()
	wc.c = c
	wc.used = false
	wc.mu.Unlock()
	return nil
}

// drop closes wc's connection, if any.
func (w *wire) drop(wc *wireConn) {
	wc.mu.Lock()
	c := wc.c
	wc.c = nil
	wc.mu.Unlock()
	if c != nil {
		_ = c.Close()
	}
}

func (w *wire) cancel() {
	w.canceled.Store(true)
	w.stop()
	past := time.Unix(1, 0)
	for i := range w.conns {
		wc := &w.conns[i]
		wc.mu.Lock()
		if wc.c != nil {
			_ = wc.c.SetDeadline(past)
		}
		wc.mu.Unlock()
	}
}

func (w *wire) close() {
	w.stop()
	for i := range w.conns {
		w.drop(&w.conns[i])
	}
}

// connReader is what a connection's bufio.Reader reads from. On a plain
// TCP connection the first read of a response also writes its request,
// inside the runtime's raw read: the request goes out with a non-blocking
// write, then the read waits for the socket to become readable and reads
// once. Go's own Read would try the read first, find nothing (the answer
// cannot have come yet), then wait and read again: a system call per
// request for nothing (profiled at saturation, two reads per request). The
// runtime arms its readiness wait before calling us, so an answer that
// comes between the write and the wait is not missed. A request the
// socket's buffer cannot take whole goes on through the connection's own
// Write, which waits for room, and is then read as usual; over TLS the
// connection's own Write and Read serve. On a connection idle for longer
// than wireIdleCheck the step reads once before the write: the runtime
// clears the readiness a FIN left while it was idle, and no new edge would
// come, and a close found then proves the request never left, so it may go
// again on a new connection; a close after the write may not.
type connReader struct {
	c        net.Conn
	rc       syscall.RawConn // nil: not plain TCP
	under    syscall.RawConn // the TCP connection under c (TLS too), for peekIdle
	out      []byte          // the request still to write
	writing  bool            // out is for the next read to write
	check    bool            // read once before the write (wireIdleCheck)
	sent     bool            // the request was written whole
	deadline time.Time       // the request's
	canceled *atomic.Bool    // the wire's
	step     func(fd uintptr) bool
	peek     func(fd uintptr)

	// The raw step's buffer and result.
	p   []byte
	n   int
	err error
	one [1]byte // peekIdle's
}

func (r *connReader) reset(c, tcp net.Conn, canceled *atomic.Bool) {
	r.c, r.rc, r.under, r.out, r.writing, r.check, r.sent, r.canceled = c, nil, nil, nil, false, false, false, canceled
	if tc, ok := tcp.(*net.TCPConn); ok && rawIO {
		if rc, err := tc.SyscallConn(); err == nil {
			r.under = rc
			if c == tcp {
				r.rc = rc
			}
		}
	}
	if r.step == nil {
		r.step = r.rawStep // bound once: no closure per request
		r.peek = r.peekStep
	}
}

func (r *connReader) Read(p []byte) (int, error) {
	if !r.writing {
		return r.c.Read(p)
	}
	r.writing = false
	r.p, r.n, r.err = p, 0, nil
	err := r.rc.Read(r.step)
	r.p = nil
	if err != nil {
		// A deadline (the timeout, or cancel) or a closed connection, as
		// the connection's Read would have said it.
		if oe, ok := err.(*net.OpError); ok && oe.Op == "raw-read" {
			oe.Op = "read"
		}
		r.out = nil
		return 0, err
	}
	if r.err != nil {
		r.out = nil
		return r.n, r.err
	}
	if len(r.out) > 0 {
		// The socket's buffer was full: the rest waits for room, until
		// the request's deadline. cancel stores its flag before it sets a
		// past deadline: either this sees the flag, or cancel's deadline
		// comes after this one.
		out := r.out
		r.out = nil
		if err := r.c.SetWriteDeadline(r.deadline); err != nil {
			return 0, err
		}
		if r.canceled.Load() {
			return 0, context.Canceled
		}
		if _, err := r.c.Write(out); err != nil {
			return 0, err
		}
		r.sent = true
		return r.c.Read(p)
	}
	// Written whole (possibly in several writes, a reader draining the
	// socket meanwhile): out is empty but still holds the request.
	r.out = nil
	return r.n, nil
}

// peekIdle looks, taking nothing, whether the receiver closed the TCP
// connection under c or sent bytes while it was idle (over TLS a close
// comes as a close_notify record, then the FIN). The TLS path's Read tries
// the socket before it waits, so no readiness edge is lost there.
func (r *connReader) peekIdle() error {
	if r.under == nil {
		return nil
	}
	r.err = nil
	if err := r.under.Control(r.peek); err != nil {
		return err
	}
	return r.err
}

// wordErr words idleState's system call error as the connection's Read
// would.
func (r *connReader) wordErr(err error) error {
	var se *os.SyscallError
	if errors.As(err, &se) {
		return r.opError("read", se.Err)
	}
	return err
}

// opError words a system call's error as the connection's Read or Write
// would.
func (r *connReader) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: r.c.LocalAddr(), Addr: r.c.RemoteAddr(), Err: os.NewSyscallError(op, err)}
}

// errMalformed is delivery's, so that Classify makes an unreadable answer
// KindMalformed here as it does net/http's.
var errMalformed = delivery.ErrMalformed

// readResponse reads one response from br: its status, whether the
// connection may carry another request, and whether any byte of it came.
// The body is read to its end and thrown away, up to wireDrainLimit (a
// longer one closes the connection instead, as the net/http path does); a
// body that ends before its stated length is a *delivery.CutShortError.
func readResponse(br *bufio.Reader) (status int, keep, answered bool, err error) {
	budget := wireMaxHeader
	for {
		line, err := readLine(br, &budget)
		if len(line) > 0 || err == nil {
			answered = true
		}
		if err != nil {
			return 0, false, answered, err
		}
		// HTTP/1.x NNN reason
		if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
			return 0, false, true, fmt.Errorf("%w: status line %q", errMalformed, clip(line))
		}
		status, err = strconv.Atoi(string(line[9:12]))
		if err != nil || status < 100 || status > 999 || len(line) > 12 && line[12] != ' ' {
			return 0, false, true, fmt.Errorf("%w: status line %q", errMalformed, clip(line))
		}
		keep = line[7] == '1' // HTTP/1.1 keeps the connection unless told
		length, chunked := int64(-1), false
		for {
			h, err := readLine(br, &budget)
			if err != nil {
				return status, false, true, err
			}
			if len(h) == 0 {
				break
			}
			k, v, ok := bytes.Cut(h, []byte(":"))
			if !ok {
				return status, false, true, fmt.Errorf("%w: header line %q", errMalformed, clip(h))
			}
			v = bytes.TrimSpace(v)
			switch {
			case equalFold(k, "content-length"):
				n, err := strconv.ParseInt(string(v), 10, 64)
				if err != nil || n < 0 || length >= 0 && n != length {
					return status, false, true, fmt.Errorf("%w: Content-Length %q", errMalformed, clip(v))
				}
				length = n
			case equalFold(k, "transfer-encoding"):
				chunked = equalFold(lastToken(v), "chunked")
				if !chunked {
					keep = false // delimited by the close
				}
			case equalFold(k, "connection"):
				for _, tok := range bytes.Split(v, []byte(",")) {
					tok = bytes.TrimSpace(tok)
					if equalFold(tok, "close") {
						keep = false
					} else if equalFold(tok, "keep-alive") && line[7] == '0' {
						keep = true
					}
				}
			}
		}
		if status >= 100 && status < 200 {
			if status == http.StatusSwitchingProtocols {
				return status, false, true, fmt.Errorf("%w: 101 Switching Protocols to a POST", errMalformed)
			}
			continue // informational (103 Early Hints): the answer follows
		}
		switch {
		case status == http.StatusNoContent || status == http.StatusNotModified:
		case chunked:
			err = readChunked(br)
		case length > wireDrainLimit:
			keep = false
		case length >= 0:
			if n, err := br.Discard(int(length)); err != nil {
				return status, false, true, cutShort(int64(n), length, err)
			}
		default:
			// Delimited by the close: read what comes, then close.
			keep = false
			n, err := io.CopyN(io.Discard, br, wireDrainLimit)
			if err != nil && !errors.Is(err, io.EOF) {
				return status, false, true, cutShort(n, -1, err)
			}
		}
		return status, keep && err == nil, true, err
	}
}

func readChunked(br *bufio.Reader) error {
	var got int64
	budget := wireMaxHeader
	for {
		line, err := readLine(br, &budget)
		if err != nil {
			return cutShort(got, -1, err)
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		size, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("%w: chunk size %q", errMalformed, clip(line))
		}
		if size == 0 {
			for { // trailers, up to the blank line
				t, err := readLine(br, &budget)
				if err != nil {
					return cutShort(got, -1, err)
				}
				if len(t) == 0 {
					return nil
				}
			}
		}
		if got+size > wireDrainLimit {
			return fmt.Errorf("%w: chunked body over %d bytes", errMalformed, wireDrainLimit)
		}
		n, err := br.Discard(int(size))
		got += int64(n)
		if err != nil {
			return cutShort(got, -1, err)
		}
		if crlf, err := readLine(br, &budget); err != nil || len(crlf) != 0 {
			if err != nil {
				return cutShort(got, -1, err)
			}
			return fmt.Errorf("%w: no CRLF after a chunk", errMalformed)
		}
	}
}

// cutShort is the error of a body that ended early (the connection
// closed), or did not arrive in time (a timeout, classified as one).
func cutShort(got, want int64, err error) error {
	var ne net.Error
	late := errors.As(err, &ne) && ne.Timeout()
	if !late && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	return &delivery.CutShortError{Got: got, Want: want, Late: late, Err: err}
}

// readLine reads a line without its CRLF (or LF), charging its length to
// budget; a line past the budget is an error.
func readLine(br *bufio.Reader, budget *int) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		// A long header line: gather it, within the budget.
		long := append([]byte(nil), line...)
		for errors.Is(err, bufio.ErrBufferFull) && len(long) <= *budget {
			line, err = br.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	*budget -= len(line)
	if *budget < 0 {
		return nil, fmt.Errorf("%w: headers over %d bytes", errMalformed, wireMaxHeader)
	}
	if err != nil {
		if errors.Is(err, io.EOF) && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return line, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func lastToken(v []byte) []byte {
	if i := bytes.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return bytes.TrimSpace(v)
}

// clip keeps an error message about a receiver's bytes short.
func clip(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}
