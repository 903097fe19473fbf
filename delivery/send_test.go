package delivery_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

func TestSendAcknowledged(t *testing.T) {
	for _, code := range []int{200, 201, 202, 204} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			rc := newReceiver(t, always(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Receiver", "yes")
				w.WriteHeader(code)
				if code != http.StatusNoContent {
					_, _ = io.WriteString(w, `{"ok":true}`)
				}
			}))
			body := payload(7, 70, "PROJECT_CREATED")
			res := delivery.Send(context.Background(), delivery.NewClient(time.Second, 1), rc.url(),
				body, http.Header{"X-Env": {"staging"}, "user-agent": {"coperniq-mock/test"}})
			if !res.Acked() || res.Status != code || res.Err != nil || res.ErrKind != "" {
				t.Fatalf("got %+v, want acked %d", res, code)
			}
			if res.Header.Get("X-Receiver") != "yes" {
				t.Errorf("response header not kept: %v", res.Header)
			}
			if code != http.StatusNoContent && string(res.Body) != `{"ok":true}` {
				t.Errorf("body %q", res.Body)
			}
			if res.Latency <= 0 {
				t.Errorf("latency %s", res.Latency)
			}
			hits, _ := rc.snapshot()
			if len(hits) != 1 {
				t.Fatalf("%d requests, want 1", len(hits))
			}
			h := hits[0]
			if got := h.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type %q", got)
			}
			if got := h.Header.Get("User-Agent"); got != "coperniq-mock/test" {
				t.Errorf("User-Agent %q, want the caller's", got)
			}
			if got := h.Header.Get("X-Env"); got != "staging" {
				t.Errorf("X-Env %q", got)
			}
			sameBodies(t, body, hits)
		})
	}
}

func TestSendDefaultUserAgent(t *testing.T) {
	rc := newReceiver(t, always(ok))
	delivery.Send(context.Background(), nil, rc.url(), payload(1, 1, "X"), nil)
	hits, _ := rc.snapshot()
	if len(hits) != 1 || hits[0].Header.Get("User-Agent") != delivery.DefaultUserAgent {
		t.Fatalf("hits %+v", hits)
	}
}

func TestSendTruncatesBody(t *testing.T) {
	limit := delivery.DefaultBodyLimit
	past := delivery.DefaultBodyLimit + delivery.DefaultDrainLimit + 1
	for _, tc := range []struct {
		name      string
		size      int
		stated    bool // Content-Length sent; else chunked
		wantSize  int64
		wantShown string
	}{
		{"short, whole", 10, true, 10, ""},
		{"long, read to its end", limit * 3, false, int64(limit * 3), fmt.Sprintf("(truncated: the first %d of %d bytes)", limit, limit*3)},
		{"past the drain limit, length stated", past, true, int64(past), fmt.Sprintf("(truncated: the first %d of %d bytes)", limit, past)},
		{"past the drain limit, chunked", past, false, -1, fmt.Sprintf("(truncated: the first %d bytes of more than %d)", limit, past-1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			big := strings.Repeat("x", tc.size)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tc.stated {
					w.Header().Set("Content-Length", strconv.Itoa(len(big)))
				}
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = io.WriteString(w, big)
			}))
			defer srv.Close()
			target, err := delivery.NewTarget(srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			res := target.Send(context.Background(), delivery.NewClient(5*time.Second, 1), payload(1, 1, "X"))
			if res.Acked() || res.Status != 500 || len(res.Body) != min(limit, tc.size) || res.Truncated != (tc.size > limit) || res.BodySize != tc.wantSize {
				t.Fatalf("status %d, %d body bytes, truncated %v, size %d (want %d)", res.Status, len(res.Body), res.Truncated, res.BodySize, tc.wantSize)
			}
			var out strings.Builder
			target.WriteAnswer(&out, res)
			if tc.wantShown != "" && !strings.HasSuffix(out.String(), " …"+tc.wantShown+"\n") {
				t.Errorf("WriteAnswer ends %q, want … %q", out.String()[max(0, out.Len()-80):], tc.wantShown)
			}
			if tc.wantShown == "" && strings.Contains(out.String(), "truncated") {
				t.Errorf("WriteAnswer %q says truncated", out.String())
			}
		})
	}
}

// Every failure mode is a failed attempt with the right classification.
func TestSendFailures(t *testing.T) {
	tlsSrv := tlsServer(t, nil) // httptest's own certificate, which the client does not trust
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	cases := []struct {
		name   string
		act    action
		url    string // instead of the receiver
		status int
		kind   delivery.ErrKind
	}{
		{name: "302", act: redirect, status: 302},
		{name: "404", act: status(404), status: 404},
		{name: "500", act: status(500), status: 500},
		{name: "timeout", act: stall, kind: delivery.KindTimeout},
		{name: "reset", act: reset, kind: delivery.KindReset},
		{name: "eof", act: hangUp, kind: delivery.KindEOF},
		{name: "refused", url: closedURL(t), kind: delivery.KindRefused},
		{name: "tls", url: tlsSrv.URL, kind: delivery.KindTLS},
		{name: "https to http", url: "https://" + strings.TrimPrefix(plain.URL, "http://"), kind: delivery.KindTLS},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rc := newReceiver(t, always(c.act))
			target := rc.url()
			if c.url != "" {
				target = c.url
			}
			timeout := 5 * time.Second
			if c.kind == delivery.KindTimeout {
				timeout = 200 * time.Millisecond
			}
			res := delivery.Send(context.Background(), delivery.NewClient(timeout, 1), target, payload(1, 1, "X"), nil)
			if res.Acked() {
				t.Fatalf("acked: %+v", res)
			}
			if res.Status != c.status || res.ErrKind != c.kind {
				t.Fatalf("status %d kind %q (err %v), want %d %q", res.Status, res.ErrKind, res.Err, c.status, c.kind)
			}
			if (c.kind != "") != (res.Err != nil) {
				t.Fatalf("err %v with kind %q", res.Err, c.kind)
			}
			if rc.targets() != 0 {
				t.Fatalf("the redirect target was requested %d times", rc.targets())
			}
		})
	}
}

// A caller's client that follows redirects by default does not follow them
// through Send.
func TestSendNeverFollowsRedirectsWithForeignClient(t *testing.T) {
	rc := newReceiver(t, always(redirect))
	res := delivery.Send(context.Background(), &http.Client{}, rc.url(), payload(1, 1, "X"), nil)
	if res.Status != http.StatusFound || rc.targets() != 0 {
		t.Fatalf("status %d, target hits %d", res.Status, rc.targets())
	}
}

func TestClassify(t *testing.T) {
	opErr := func(err error) error {
		return &url.Error{Op: "Post", URL: "http://h/?token=x", Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", err)}}
	}
	cases := []struct {
		err  error
		want delivery.ErrKind
	}{
		{nil, delivery.KindNone},
		{context.Canceled, delivery.KindCanceled},
		{context.DeadlineExceeded, delivery.KindTimeout},
		{&url.Error{Op: "Post", URL: "u", Err: os.ErrDeadlineExceeded}, delivery.KindTimeout},
		{&url.Error{Op: "Post", URL: "u", Err: &net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true}}, delivery.KindDNS},
		{opErr(syscall.ECONNREFUSED), delivery.KindRefused},
		{opErr(syscall.ECONNRESET), delivery.KindReset},
		{opErr(syscall.EPIPE), delivery.KindReset},
		{&url.Error{Op: "Post", URL: "u", Err: io.EOF}, delivery.KindEOF},
		{&url.Error{Op: "Post", URL: "u", Err: io.ErrUnexpectedEOF}, delivery.KindEOF},
		{&url.Error{Op: "Post", URL: "u", Err: tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}}, delivery.KindTLS},
		{fmt.Errorf("reading: %w: status line %q", delivery.ErrMalformed, "SSH-2.0"), delivery.KindMalformed},
		{errors.New("something else"), delivery.KindOther},
	}
	for _, c := range cases {
		if got := delivery.Classify(c.err); got != c.want {
			t.Errorf("Classify(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

// Connections are reused across attempts, also after failures with bodies
// to drain: a load test depends on it.
func TestNewClientReusesConnections(t *testing.T) {
	var conns atomic.Int32
	var n atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1)%2 == 0 {
			w.WriteHeader(500)
			_, _ = io.WriteString(w, strings.Repeat("e", 20<<10))
			return
		}
		_, _ = io.WriteString(w, strings.Repeat("o", 1<<10))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	client := delivery.NewClient(time.Second, 1)
	tg, err := delivery.NewTarget(srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		tg.Send(context.Background(), client, payload(1, 1, "X"))
	}
	if got := conns.Load(); got != 1 {
		t.Fatalf("%d connections for 20 sequential attempts, want 1", got)
	}
}

func BenchmarkSend(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	client := delivery.NewClient(5*time.Second, 1)
	tg, err := delivery.NewTarget(srv.URL+"/hook?token=s3cret", nil)
	if err != nil {
		b.Fatal(err)
	}
	tg.BodyLimit = 0
	body := payload(1, 1, "PROJECT_CREATED")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if res := tg.Send(ctx, client, body); !res.Acked() {
			b.Fatalf("not acked: %+v", res)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// cutShortServer answers 200 with a Content-Length of 100 (or chunked,
// without the last chunk), writes six bytes and hangs up.
func cutShortServer(t *testing.T, chunked bool) string {
	t.Helper()
	if chunked {
		return rawServer(t, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n{\"ok\":\r\n")
	}
	return rawServer(t, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"ok\":")
}

// rawServer reads each request and answers it with answer, byte for byte,
// then hangs up.
func rawServer(t *testing.T, answer string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString(answer)
		_ = buf.Flush()
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/hook?token=s3cret"
}

// A 2xx whose body ends before its stated length is no acknowledgement:
// Coperniq's HTTP client sees an error and retries.
func TestSendCutShort(t *testing.T) {
	for _, c := range []struct {
		name    string
		chunked bool
		want    string
	}{
		{"content-length", false, "the answer was cut short after 6 of 100 bytes"},
		{"chunked", true, "the answer was cut short after 6 bytes, before its last chunk"},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := cutShortServer(t, c.chunked)
			for _, limit := range []int{0, delivery.DefaultBodyLimit} {
				target, err := delivery.NewTarget(u, nil)
				if err != nil {
					t.Fatal(err)
				}
				target.BodyLimit = limit
				res := target.Send(context.Background(), delivery.NewClient(time.Second, 1), payload(1, 1, "TASK_CREATED"))
				if res.Acked() || res.ErrKind != delivery.KindCutShort || res.Status != 200 || res.Err == nil {
					t.Fatalf("body limit %d: %+v, want a failed attempt of kind %s", limit, res, delivery.KindCutShort)
				}
				if !strings.Contains(res.Err.Error(), c.want) || strings.Contains(res.Err.Error(), "s3cret") {
					t.Errorf("error %q lacks %q", res.Err, c.want)
				}
				if res.Outcome() != string(delivery.KindCutShort) {
					t.Errorf("outcome %q", res.Outcome())
				}
			}
		})
	}
}

// The engine, behind scenario run and replay, does not count a cut-short
// 2xx as acknowledged either: the event is retried.
func TestEngineRetriesCutShort(t *testing.T) {
	target, err := delivery.NewTarget(cutShortServer(t, false), nil)
	if err != nil {
		t.Fatal(err)
	}
	var attempts []delivery.Attempt
	eng, err := delivery.New(target,
		delivery.WithPolicy(delivery.Policy{Attempts: 2, Timeout: time.Second, Backoff: delivery.Fixed{Wait: time.Millisecond}}),
		delivery.WithObserver(func(a delivery.Attempt) { attempts = append(attempts, a) }))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := delivery.MessageFromPayload(payload(1, 1, "TASK_CREATED"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := eng.Run(context.Background(), []delivery.Message{msg})
	if err != nil {
		t.Fatal(err)
	}
	if len(attempts) != 2 || attempts[0].Acked() || attempts[1].State != delivery.StateDead || !strings.Contains(attempts[1].Err, "cut short after 6 of 100 bytes") {
		t.Errorf("attempts %+v", attempts)
	}
	if sum.Acked != 0 {
		t.Errorf("summary counts %d acked", sum.Acked)
	}
}

// A body that breaks its chunked framing is no acknowledgement either, but
// it was not cut short: the error says what it was.
func TestSendMalformedChunk(t *testing.T) {
	target, err := delivery.NewTarget(rawServer(t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{\"ok\":true}\r\n0\r\n\r\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	res := target.Send(context.Background(), delivery.NewClient(time.Second, 1), payload(1, 1, "TASK_CREATED"))
	if res.Acked() || res.Err == nil {
		t.Fatalf("%+v, want a failed attempt", res)
	}
	var cs *delivery.CutShortError
	if msg := res.Err.Error(); !strings.Contains(msg, "the answer's body was malformed after 0 bytes (") || strings.Contains(msg, "cut short") || !errors.As(res.Err, &cs) || !cs.Malformed() {
		t.Errorf("error %q, want it to say the body was malformed, not cut short", msg)
	}
}

// An answer HTTP cannot read came from a receiver that was there and
// spoke: its kind says so (malformed), not "other", wherever kinds are
// counted or shown.
func TestSendMalformedAnswerKind(t *testing.T) {
	for _, c := range []struct{ name, answer string }{
		{"status code not a number", "HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok"},
		{"not http", "SSH-2.0-OpenSSH_9.6\r\n\r\n"},
		{"bad version", "HTTP/x.y 200 OK\r\nContent-Length: 2\r\n\r\nok"},
		{"bad content-length", "HTTP/1.1 200 OK\r\nContent-Length: banana\r\n\r\n"},
		{"bad header line", "HTTP/1.1 200 OK\r\nno colon here\r\nContent-Length: 2\r\n\r\nok"},
	} {
		t.Run(c.name, func(t *testing.T) {
			target := mustTarget(t, rawServer(t, c.answer))
			res := target.Send(context.Background(), delivery.NewClient(time.Second, 1), payload(1, 1, "TASK_CREATED"))
			if res.Acked() || res.ErrKind != delivery.KindMalformed || res.Outcome() != "malformed" {
				t.Fatalf("%+v (outcome %s), want kind %s", res, res.Outcome(), delivery.KindMalformed)
			}
			if err := target.Acknowledged(res); err == nil || !strings.Contains(err.Error(), "answered no readable HTTP") {
				t.Errorf("verdict %v, want it to say the answer was no readable HTTP", err)
			}
		})
	}
}
