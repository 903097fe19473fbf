package delivery

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Defaults of a single attempt.
const (
	// DefaultTimeout bounds one attempt, connection to last body byte.
	DefaultTimeout = 10 * time.Second
	// DefaultBodyLimit is how much of a response body Send keeps: enough
	// for an error page's message, small enough to print.
	DefaultBodyLimit = 4 << 10
	// DefaultLogBodyLimit is how much of a failed attempt's response body
	// goes into the delivery log.
	DefaultLogBodyLimit = 256
	// DefaultDrainLimit is how much of a response body is read and thrown
	// away so that the connection can be reused; past it the connection is
	// closed instead, because a receiver streaming an endless body must not
	// hold an attempt open.
	DefaultDrainLimit = 256 << 10
	// DefaultMaxHeaderBytes bounds the response headers kept in memory.
	DefaultMaxHeaderBytes = 64 << 10
	// DefaultUserAgent is sent unless the caller sets User-Agent; Coperniq's
	// own value is not published.
	DefaultUserAgent = "coperniq-mock"
	// ContentType is the only header Coperniq documents.
	ContentType = "application/json"
)

// ErrKind says why an attempt got no HTTP status at all. It is empty when a
// status was received, even a failing one.
type ErrKind string

// The error kinds, from the receiver's point of view of what went wrong.
const (
	KindNone     ErrKind = ""
	KindTimeout  ErrKind = "timeout"  // no complete answer within the attempt timeout
	KindRefused  ErrKind = "refused"  // nothing listening on the port
	KindReset    ErrKind = "reset"    // the connection was reset (RST) or the pipe broke
	KindEOF      ErrKind = "eof"      // the receiver closed the connection without answering
	KindDNS      ErrKind = "dns"      // the host name did not resolve
	KindTLS      ErrKind = "tls"      // handshake or certificate failure
	KindCanceled ErrKind = "canceled" // the run was interrupted while the attempt was in flight
	// KindCutShort: a status came, but the body ended before its stated
	// length (Content-Length, or a chunked body without its last chunk).
	// Coperniq's HTTP client sees an error, not an acknowledgement.
	KindCutShort ErrKind = "cut-short"
	// KindMalformed: the receiver answered, with bytes HTTP cannot read (a
	// status line such as "HTTP/1.1 2OO OK", a bad header or
	// Content-Length): it was there and spoke, which "no answer" would hide.
	KindMalformed ErrKind = "malformed"
	KindOther     ErrKind = "other"
)

// ErrMalformed is wrapped by the error of an answer HTTP cannot read, from
// a client of this module's own (load's); Classify makes it KindMalformed,
// as it does net/http's errors for the same answers.
var ErrMalformed = errors.New("malformed HTTP response")

// ErrKinds lists every non-empty ErrKind, for help text and reports.
func ErrKinds() []ErrKind {
	return []ErrKind{KindTimeout, KindRefused, KindReset, KindEOF, KindDNS, KindTLS, KindCanceled, KindCutShort, KindMalformed, KindOther}
}

// Classify maps an error from an HTTP attempt to its kind. Timeouts are
// checked first: a DNS lookup or TLS handshake that ran out of time is
// reported as a timeout, the thing a receiver's operator can act on.
func Classify(err error) ErrKind {
	if err == nil {
		return KindNone
	}
	if errors.Is(err, context.Canceled) {
		return KindCanceled
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout()) {
		return KindTimeout
	}
	var cut *CutShortError
	if errors.As(err, &cut) {
		return KindCutShort
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return KindDNS
	}
	if isTLSError(err) {
		return KindTLS
	}
	if isMalformed(err) {
		return KindMalformed
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED):
		return KindReset
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return KindEOF
	}
	return KindOther
}

// isMalformed reports an answer that came but could not be read as HTTP.
// net/http and net/textproto say so in plain errors (their types are not
// exported), all worded as the substrings below.
func isMalformed(err error) bool {
	var pe textproto.ProtocolError
	if errors.Is(err, ErrMalformed) || errors.As(err, &pe) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"malformed HTTP", "malformed MIME header", "bad Content-Length", "multiple Content-Length",
		"unsupported transfer encoding", "too many transfer encodings", "invalid Trailer key", "server response headers exceeded"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func isTLSError(err error) bool {
	var (
		rh tls.RecordHeaderError
		ae tls.AlertError
		cv *tls.CertificateVerificationError
		ua x509.UnknownAuthorityError
		he x509.HostnameError
		ci x509.CertificateInvalidError
	)
	if errors.As(err, &rh) || errors.As(err, &ae) || errors.As(err, &cv) ||
		errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) {
		return true
	}
	// crypto/tls reports many handshake failures as plain errors.New values,
	// and an https URL on a plain-HTTP port fails before any TLS record.
	msg := err.Error()
	return strings.Contains(msg, "tls: ") || strings.Contains(msg, "HTTP response to HTTPS client")
}

// NewClient returns the HTTP client every attempt should go through. It
// never follows redirects (a 3xx is a failed attempt, as at Coperniq), keeps
// up to maxConns connections to the target alive so that attempts reuse
// them, and gives up on an attempt after timeout (0: never, which lets a
// stalled receiver hold an attempt forever).
func NewClient(timeout time.Duration, maxConns int) *http.Client {
	return NewTLSClient(timeout, maxConns, nil)
}

// NewTLSClient is NewClient with the TLS settings of cfg (TLS.Config) for
// https:// targets; nil is Go's default (the system's trust store).
func NewTLSClient(timeout time.Duration, maxConns int, cfg *tls.Config) *http.Client {
	maxConns = max(maxConns, 1)
	dial := 30 * time.Second
	if timeout > 0 {
		dial = min(dial, timeout)
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dial, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          maxConns,
		MaxIdleConnsPerHost:   maxConns,
		MaxConnsPerHost:       maxConns,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   min(dial, 10*time.Second),
		ExpectContinueTimeout: time.Second,
		// Only the first bytes of a response are looked at; transparent
		// gzip would cost CPU and hide what the receiver really sent.
		DisableCompression:     true,
		MaxResponseHeaderBytes: DefaultMaxHeaderBytes,
		TLSClientConfig:        cfg,
	}
	return &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: noRedirect}
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// defaultClient serves Send calls without a client; shared, so that such
// calls still reuse connections.
var defaultClient = sync.OnceValue(func() *http.Client { return NewClient(DefaultTimeout, DefaultConcurrency) })

// noFollow makes sure a caller's client cannot follow a redirect: a client
// with the default policy is copied, costing one allocation, only then.
func noFollow(c *http.Client) *http.Client {
	if c == nil {
		return defaultClient()
	}
	if c.CheckRedirect != nil {
		return c
	}
	cp := *c
	cp.CheckRedirect = noRedirect
	return &cp
}

// Result is the outcome of one attempt.
type Result struct {
	// Status is the HTTP status code, 0 when none was received.
	Status int
	// Header is the response header as received (bounded by the client's
	// MaxResponseHeaderBytes, DefaultMaxHeaderBytes with NewClient).
	Header http.Header
	// Body is the start of the response body, verbatim: it is what the
	// receiver said, shown to whoever owns the URL.
	Body []byte
	// Truncated reports that the body was longer than Body.
	Truncated bool
	// BodySize is the whole body's length: the bytes read when it was read
	// to its end, else its stated Content-Length, else -1 (more was sent
	// than DefaultDrainLimit lets a client read, with no length stated);
	// 0 as well when the body was not read (an error before it).
	BodySize int64
	// Latency runs from sending the request to the last byte read of the
	// response (or the error).
	Latency time.Duration
	// ErrKind classifies Err; it is empty when a complete answer was
	// received.
	ErrKind ErrKind
	// Err is set when no complete answer was received: no status, or a
	// status whose body was cut short (ErrKind KindCutShort, Status kept,
	// "the answer was cut short after N of M bytes"), or did not arrive
	// within the timeout (KindTimeout). Its message has the URL masked.
	Err error
}

// Acked reports whether the attempt acknowledged the event: a 2xx, nothing
// else.
func (r Result) Acked() bool { return r.Err == nil && acked(r.Status) }

// Outcome is the status code as text, or the error kind when there is no
// status: the key of per-outcome counts.
func (r Result) Outcome() string { return outcomeOf(r.Status, r.ErrKind) }

func acked(status int) bool { return status >= 200 && status <= 299 }

func outcomeOf(status int, kind ErrKind) string {
	if kind != KindNone || status == 0 {
		if kind == KindNone {
			return string(KindOther)
		}
		return string(kind)
	}
	return strconv.Itoa(status)
}

// Target is a parsed webhook URL with the headers of every attempt. Build it
// once and share it: it is safe for concurrent use and makes an attempt cost
// no URL parsing or header building, which matters to a load test.
type Target struct {
	// BodyLimit is how much of each response body Send keeps, 0 for none;
	// NewTarget sets DefaultBodyLimit.
	BodyLimit int

	u      *url.URL
	raw    string
	masked string
	header http.Header // read-only once built: requests share it
	red    *redactor
}

// NewTarget validates rawURL (see CheckURL) and prepares the headers of every
// attempt: Content-Type: application/json and User-Agent: DefaultUserAgent,
// each replaced by a header of the same name in header.
func NewTarget(rawURL string, header http.Header) (*Target, error) {
	u, err := parseTarget(rawURL)
	if err != nil {
		return nil, err
	}
	h := http.Header{
		"Content-Type": {ContentType},
		"User-Agent":   {DefaultUserAgent},
	}
	masked := maskParsed(clone(u))
	t := &Target{BodyLimit: DefaultBodyLimit, u: u, raw: rawURL, masked: masked, header: h, red: newRedactor(rawURL, u, masked)}
	return t.withHeader(header), nil
}

// String is the masked URL.
func (t *Target) String() string { return t.masked }

// URL is a copy of the parsed URL, secrets included: for a caller that must
// speak HTTP itself (a sender hanging up mid-request, say) without parsing
// the URL again.
func (t *Target) URL() *url.URL {
	u := *t.u
	if t.u.User != nil {
		ui := *t.u.User
		u.User = &ui
	}
	return &u
}

// Raw is the URL as given, token and all: for dialling and sending, never
// for printing (String is for that).
func (t *Target) Raw() string { return t.raw }

// Addr is the host and port to dial, the port defaulted from the scheme.
func (t *Target) Addr() string { return HostPort(t.u) }

// withHeader is t with header added, each replacing the one of the same
// name; t itself when header is empty.
func (t *Target) withHeader(header http.Header) *Target {
	if len(header) == 0 {
		return t
	}
	c := *t
	c.header = t.header.Clone()
	for k, vs := range header {
		c.header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	return &c
}

// Send makes one attempt: POST body, never following a redirect.
func (t *Target) Send(ctx context.Context, client *http.Client, body []byte) Result {
	r := t.post(ctx, noFollow(client), body, t.BodyLimit, true)
	return Result{Status: r.status, Header: r.header, Body: r.body, Truncated: r.truncated, BodySize: r.size,
		Latency: r.end.Sub(r.start), ErrKind: r.kind, Err: r.err}
}

// Send makes one attempt at url, as Coperniq would: POST body with
// Content-Type: application/json plus header, no redirect followed, any 2xx
// acknowledges (Result.Acked). A nil client means a shared
// NewClient(DefaultTimeout, DefaultConcurrency); a client whose CheckRedirect
// is nil is used with redirects disabled. An invalid URL is reported in
// Result.Err with ErrKind other. For many attempts at one URL, NewTarget
// once and Target.Send spare the URL parsing.
func Send(ctx context.Context, client *http.Client, url string, body []byte, header http.Header) Result {
	t, err := NewTarget(url, header)
	if err != nil {
		return Result{ErrKind: KindOther, Err: err}
	}
	return t.Send(ctx, client, body)
}

type response struct {
	status     int
	header     http.Header
	body       []byte
	truncated  bool
	size       int64
	start, end time.Time
	kind       ErrKind
	err        error
}

// post is the attempt shared by Send and the engine. It keeps up to capture
// bytes of the body, of every response when all is set and of failed ones
// only otherwise: the engine logs why an attempt failed, not what a 2xx said.
func (t *Target) post(ctx context.Context, client *http.Client, body []byte, capture int, all bool) response {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "", nil)
	if err != nil {
		return response{kind: KindOther, err: err, start: time.Now(), end: time.Now()}
	}
	// Sharing the parsed URL and the header map spares a parse and a
	// header build per attempt; net/http only reads them.
	req.URL, req.Host, req.Header = t.u, t.u.Host, t.header
	if len(body) > 0 {
		req.ContentLength = int64(len(body))
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	} else {
		req.Body, req.GetBody = http.NoBody, func() (io.ReadCloser, error) { return http.NoBody, nil }
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return response{start: start, end: time.Now(), kind: Classify(err), err: t.red.Error(err)}
	}
	r := response{status: resp.StatusCode, header: resp.Header, start: start}
	// The body is read to its stated end, within the timeout: a 2xx whose
	// body is cut short is not an acknowledgement (Coperniq's client sees
	// an error and retries), and a body still arriving at the timeout is
	// no complete answer either.
	cr := &countingReader{r: resp.Body}
	var readErr error
	if capture > 0 && (all || !acked(resp.StatusCode)) {
		b, err := io.ReadAll(io.LimitReader(cr, int64(capture)+1))
		if len(b) > capture {
			b, r.truncated = b[:capture], true
		}
		r.body, readErr = b, err
	}
	if readErr == nil {
		// Past the drain limit the connection is closed instead: a
		// receiver streaming an endless body must not hold the attempt.
		_, readErr = io.CopyN(io.Discard, cr, DefaultDrainLimit)
		switch {
		case errors.Is(readErr, io.EOF):
			readErr, r.size = nil, cr.n
		case readErr == nil:
			r.size = resp.ContentLength // -1 when not stated
		}
	}
	_ = resp.Body.Close()
	if readErr != nil {
		r.kind = Classify(readErr)
		if r.kind != KindTimeout && r.kind != KindCanceled {
			r.kind = KindCutShort
		}
		r.err = t.red.Error(cutShort(r.kind, cr.n, resp.ContentLength, readErr))
	}
	r.end = time.Now()
	return r
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// cutShort is the error of a response whose body did not arrive whole: got
// bytes of want (-1 when the length was not stated).
func cutShort(kind ErrKind, got, want int64, err error) error {
	return &CutShortError{Got: got, Want: want, Late: kind == KindTimeout || kind == KindCanceled, Err: err}
}

// CutShortError is an answer whose body did not arrive whole: Got bytes of
// Want (-1 when the length was not stated), because of Err. It is no
// acknowledgement, whatever the status: Coperniq's HTTP client would see
// an error and retry. Classify makes it KindCutShort, or KindTimeout
// (KindCanceled) when Late: the rest did not arrive in time.
type CutShortError struct {
	Got, Want int64
	Late      bool
	Err       error
}

// Malformed reports a body that did not end early but broke its own
// framing (a chunk length that is not hex, say): the client could not
// read it, which is no acknowledgement either, but nothing was cut short.
func (e *CutShortError) Malformed() bool {
	return !e.Late && (errors.Is(e.Err, http.ErrLineTooLong) || strings.Contains(e.Err.Error(), "chunk"))
}

func (e *CutShortError) Error() string {
	of := fmt.Sprintf("%d of %d bytes", e.Got, e.Want)
	if e.Want < 0 {
		of = fmt.Sprintf("%d bytes, before its last chunk", e.Got)
	}
	if e.Malformed() {
		return fmt.Sprintf("the answer's body was malformed after %d bytes (%v)", e.Got, e.Err)
	}
	if e.Late {
		return fmt.Sprintf("the answer was cut short after %s: the rest did not arrive in time (%v)", of, e.Err)
	}
	return fmt.Sprintf("the answer was cut short after %s (%v)", of, e.Err)
}

// Unwrap is why the body stopped.
func (e *CutShortError) Unwrap() error { return e.Err }
