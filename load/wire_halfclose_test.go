package load

import (
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
	s := newRawServer(t, rawAnswer{text: ok200, halfClose: true})
	w, dials := newTestWire(t, s.url(), 3*time.Second, nil)
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
