package receiver

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is an Output safe to read while the Receiver writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestShutdownWaitsForAResetDeliveryToBePublished: http.Server.Shutdown
// does not wait for a handler whose connection it hijacked (a reset), and
// that handler publishes after the reset (its line, a large payload, takes
// a while to encode). Shutdown must still return only once every recorded
// delivery is in the Output, as it does for the others: the caller closes
// the --out file next.
func TestShutdownWaitsForAResetDeliveryToBePublished(t *testing.T) {
	var out lockedBuffer
	s, err := Start("127.0.0.1:0", WithResetRate(1), WithBodyLimit(64<<20), WithOutput(&out))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	big := edit(t, example(t), func(p map[string]any) { p["padding"] = strings.Repeat("x", 24<<20) })
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	if res, err := c.Post(s.URL, "application/json", bytes.NewReader(big)); err == nil {
		res.Body.Close()
		t.Fatalf("answered %d, want a reset", res.StatusCode)
	}
	if n := s.Summary().Deliveries; n != 1 {
		t.Fatalf("recorded %d deliveries, want 1", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\n"); n != 1 {
		t.Errorf("Output after Shutdown returned: %d lines, want the reset delivery's 1", n)
	}
}
