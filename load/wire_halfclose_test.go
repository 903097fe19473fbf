package load

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestWireRedialsAConnectionHalfClosedWhileIdle: a receiver that ends a
// kept-alive connection with a FIN while it is idle, but keeps its socket
// open (a half close: it still reads, so no reset comes back), has said
// so before the next request is written. The writer must see the EOF and
// redial at once, as net/http's pool would, not wait for a readiness edge
// that came before its wait was armed (and time out).
func TestWireRedialsAConnectionHalfClosedWhileIdle(t *testing.T) {
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
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				length := 0
				for {
					line, err := br.ReadString('\n')
					if err != nil {
						return
					}
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
				_, _ = io.WriteString(c, ok200)
				_ = c.(*net.TCPConn).CloseWrite()
				_, _ = io.Copy(io.Discard, br) // still reading: no reset
			}()
		}
	}()
	w, dials := newTestWire(t, "http://"+ln.Addr().String()+"/hook", 3*time.Second, http.Header{})
	for i := range 3 {
		began := time.Now()
		res := w.send([]byte(`{}`), time.Now())
		if !res.Acked() || time.Since(began) > time.Second {
			t.Fatalf("send %d: %+v after %v, want acked at once", i, res, time.Since(began))
		}
		time.Sleep(20 * time.Millisecond) // let the FIN arrive while idle
	}
	if dials.Load() != 3 {
		t.Errorf("dialled %d, want 3", dials.Load())
	}
}
