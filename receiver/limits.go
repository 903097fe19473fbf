package receiver

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Memory under many slow senders: a body is read into memory as it comes,
// and a sender that sends most of a large body and stalls holds that memory
// for as long as bodyTimeout lets it. So every body's first bodyAllowance
// bytes are free (a Coperniq payload weighs a few KiB: it never waits for
// anyone), and what bodies take beyond it, all requests together, is
// bounded by WithMaxInFlight: a request that would go over is answered 503
// unread, as a busy receiver does, and Coperniq retries it. Connections are
// bounded by WithMaxConnections. Together: at most MaxConnections x
// (bodyAllowance + per-connection buffers) + MaxInFlight, whatever senders
// do.
const bodyAllowance = 16 << 10

var (
	errBusy   = errors.New("receiver busy: bodies in flight at the cap")
	errTooBig = errors.New("body over the limit")
)

// readBody reads a body of at most the body limit. Its buffer grows as
// bytes arrive, never ahead of them (a Content-Length alone costs nothing),
// and its growth beyond bodyAllowance is charged to the in-flight bytes
// first. It returns what it charged, for the caller to give back.
func (rc *Receiver) readBody(body io.Reader, contentLength int64) (data []byte, charged int64, err error) {
	limit := rc.cfg.bodyLimit
	if contentLength > limit {
		return nil, 0, errTooBig
	}
	// One byte past the expected end lets Read report io.EOF without
	// another growth.
	end := limit + 1
	if contentLength >= 0 {
		end = contentLength + 1
	}
	buf := make([]byte, 0, min(end, 4<<10))
	for {
		if len(buf) == cap(buf) {
			size := min(max(2*int64(cap(buf)), 4<<10), end, limit+1)
			if size <= int64(cap(buf)) {
				size = limit + 1 // a body longer than its Content-Length claimed
			}
			if need := max(size-bodyAllowance, 0) - charged; need > 0 {
				if !rc.reserve(need) {
					return buf, charged, errBusy
				}
				charged += need
			}
			grown := make([]byte, len(buf), size)
			copy(grown, buf)
			buf = grown
		}
		n, rerr := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return buf, charged, errTooBig
		}
		switch {
		case rerr == io.EOF:
			return buf, charged, nil
		case rerr != nil:
			return buf, charged, rerr
		}
	}
}

// reserve takes n bytes of the in-flight budget, if that many are left.
func (rc *Receiver) reserve(n int64) bool {
	if rc.cfg.maxInFlight == 0 {
		rc.inFlight.Add(n)
		return true
	}
	for {
		cur := rc.inFlight.Load()
		if cur+n > rc.cfg.maxInFlight {
			return false
		}
		if rc.inFlight.CompareAndSwap(cur, cur+n) {
			return true
		}
	}
}

// capListener accepts at most max connections at a time; beyond, it answers
// each new one 503 itself and closes it, so that a sender hears it is busy
// rather than waiting in the backlog.
type capListener struct {
	net.Listener
	slots  chan struct{}
	refuse func(net.Conn)
}

func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.slots <- struct{}{}:
			return &slotConn{Conn: c, slots: l.slots}, nil
		default:
			go l.refuse(c)
		}
	}
}

// slotConn gives its slot back when closed, hijacked ones included.
type slotConn struct {
	net.Conn
	slots chan struct{}
	once  sync.Once
}

func (c *slotConn) Close() error {
	c.once.Do(func() { <-c.slots })
	return c.Conn.Close()
}

// refuseConn answers a connection over the cap without reading its request.
func (rc *Receiver) refuseConn(c net.Conn) {
	rc.countRefused()
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	body := fmt.Sprintf(`{"error": "receiver busy: %d connections open, the cap (listen --max-connections, receiver.WithMaxConnections); retry"}`+"\n", rc.cfg.maxConns)
	_, _ = fmt.Fprintf(c, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nRetry-After: 1\r\nConnection: close\r\n\r\n%s",
		http.StatusServiceUnavailable, http.StatusText(http.StatusServiceUnavailable), len(body), body)
}
