package receiver

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestUnreadAnswersTimeOut: a sender that pipelines requests and never
// reads the answers used to hold its handler forever, blocked writing an
// answer, and with it the publishing of every later delivery (published in
// arrival order). With a write timeout the answer's write fails within the
// bound, the connection is closed, the delivery is kept and published as
// write-failed, and the other senders' deliveries are answered and
// published.
func TestUnreadAnswersTimeOut(t *testing.T) {
	const timeout = 200 * time.Millisecond
	var (
		mu        sync.Mutex
		published = map[int]Delivery{}
		failed    = make(chan Delivery, 1)
	)
	s, err := Start("127.0.0.1:0", WithWriteTimeout(timeout), WithObserver(func(d Delivery) {
		mu.Lock()
		published[d.Seq] = d
		mu.Unlock()
		if d.Wire == WireWriteFailed {
			select {
			case failed <- d:
			default:
			}
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	c, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// "{}" is answered with its violation, some 230 bytes with the headers:
	// the kernel buffers (4 MiB for the receiver's sends here) hold some
	// 18,000 answers.
	const sent = 100_000
	req := []byte("POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
	go func() {
		for range sent {
			// Blocks once the receiver stops reading; ends when c is closed.
			if _, err := c.Write(req); err != nil {
				return
			}
		}
	}()

	// The bound: the timeout once the receiver is stuck, and ample time
	// to get there (a few thousand requests) on a loaded machine.
	bound := time.After(timeout + 20*time.Second)
	var stuck Delivery
	select {
	case stuck = <-failed:
	case <-bound:
		t.Fatalf("no answer's write failed: %d deliveries recorded, %d answers failed; the unread connection holds its handler",
			s.Summary().Deliveries, s.Summary().WriteFailed)
	}

	// Another sender is answered and its delivery published, behind the
	// stuck one's.
	res, err := http.Post(s.URL+"/hook", "application/json", strings.NewReader(string(example(t))))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("another sender answered %d, want 200", res.StatusCode)
	}

	// The stuck connection was closed: reading it now ends (EOF, or a
	// reset for the requests left unread) rather than getting answers
	// to all it sent.
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := io.Copy(io.Discard, c)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the connection is still open after its answer's write failed (%d bytes read)", n)
	}
	if got := s.Summary().Deliveries; got >= sent+1 {
		t.Errorf("%d deliveries recorded: the receiver kept reading the connection", got)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	sum := s.Summary()
	if sum.WriteFailed < 1 {
		t.Errorf("Summary.WriteFailed %d, want 1 or more", sum.WriteFailed)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(published) != sum.Deliveries {
		t.Errorf("%d deliveries published of %d recorded", len(published), sum.Deliveries)
	}
	kept := false
	for _, d := range s.Deliveries() {
		if d.Seq == stuck.Seq {
			kept = d.Wire == WireWriteFailed
		}
	}
	if !kept {
		t.Errorf("delivery %d, whose answer was not taken, is not kept as %s", stuck.Seq, WireWriteFailed)
	}
	t.Logf("%d deliveries recorded, %d answers failed", sum.Deliveries, sum.WriteFailed)
}
