package receiver

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// stall opens a connection, sends headers announcing a body of size bytes
// and sent bytes of it, and leaves the connection open: a sender that
// stalls mid-body. The connection is closed at the test's end.
func stall(t *testing.T, addr string, size, sent int) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", size)
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	// The write may stop short once the receiver refuses and closes: that
	// is the point.
	_, _ = c.Write(make([]byte, sent))
	return c
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestSlowBodiesFromManyConnections holds listen's memory bound against
// slow senders (listen may sit behind a public tunnel): 500 senders
// each sending 1 MiB - 1 byte and stalling used to hold 500 MiB and more;
// now the bodies held stay within WithMaxInFlight plus 16 KiB each, the
// others are refused 503, and a real delivery is still answered.
func TestSlowBodiesFromManyConnections(t *testing.T) {
	s := start(t)
	before := heapInUse()
	const senders = 500
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stall(t, s.Addr, 1<<20, 1<<20-1)
		}()
	}
	wg.Wait()
	// Let the receiver read what was sent.
	time.Sleep(500 * time.Millisecond)
	held := heapInUse() - min(before, heapInUse())
	// MaxInFlight (32 MiB) + 500 x 16 KiB free + per-connection buffers,
	// with room for the Go heap's own slack.
	const bound = DefaultMaxInFlight + senders*(bodyAllowance+16<<10) + 16<<20
	if held > bound {
		t.Errorf("%d MiB held by %d stalled senders, want at most %d MiB", held>>20, senders, bound>>20)
	}
	t.Logf("heap in use with %d senders stalled after 1 MiB - 1 byte: %d MiB (bound %d MiB)", senders, held>>20, bound>>20)
	if res := post(t, s.URL+"/hook", example(t)); res.status != 200 {
		t.Errorf("a real delivery under the attack: %d %s", res.status, res.body)
	}
	if sum := s.Summary(); sum.Refused == 0 || sum.Deliveries != 1 {
		t.Errorf("summary %+v: the senders over the cap should be refused, not recorded", sum)
	}
}

// A body over the in-flight cap is refused 503 with Retry-After, unread.
func TestMaxInFlightRefusesWithRetryAfter(t *testing.T) {
	s := start(t, WithMaxInFlight(64<<10))
	stall(t, s.Addr, 1<<20, 200<<10) // holds the whole budget
	time.Sleep(200 * time.Millisecond)
	big := append(example(t)[:len(example(t))-2], []byte(`, "x": "`+strings.Repeat("x", 100<<10)+`"}`)...)
	res := post(t, s.URL+"/hook", big)
	if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" || !strings.Contains(string(res.body), "max-in-flight") {
		t.Errorf("a large body over the cap: %d %v %s", res.status, res.header, res.body)
	}
	if res := post(t, s.URL+"/hook", example(t)); res.status != 200 {
		t.Errorf("a payload within 16 KiB is never refused: %d", res.status)
	}
}

// TestMaxConnections answers a connection over the cap 503 at once.
func TestMaxConnections(t *testing.T) {
	s := start(t, WithMaxConnections(2))
	for range 2 {
		stall(t, s.Addr, 100, 10)
	}
	time.Sleep(100 * time.Millisecond)
	c, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 503") {
		t.Errorf("a third connection: %q %v", line, err)
	}
	if sum := s.Summary(); sum.Refused != 1 {
		t.Errorf("refused %d", sum.Refused)
	}
}

// TestClientLeftIsRecorded holds item 7: a sender that gives up during the
// latency wait was never answered, and the record says so.
func TestClientLeftIsRecorded(t *testing.T) {
	s := start(t, WithLatency(2*time.Second))
	impatient := &http.Client{Timeout: 200 * time.Millisecond}
	res, err := impatient.Post(s.URL+"/hook", "application/json", strings.NewReader(string(example(t))))
	if err == nil {
		res.Body.Close()
		t.Fatalf("answered %d within 200ms despite the latency", res.StatusCode)
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Summary().ClientLeft == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	ds := s.Deliveries()
	if sum := s.Summary(); sum.ClientLeft != 1 || len(ds) != 1 || ds[0].Wire != WireClientLeft {
		t.Fatalf("summary %+v, deliveries %+v", sum, ds)
	}
	// A patient sender's delivery is answered, and says nothing more.
	s2 := start(t, WithLatency(50*time.Millisecond))
	post(t, s2.URL+"/hook", example(t))
	s2.Close()
	if ds := s2.Deliveries(); len(ds) != 1 || ds[0].Wire != "" || s2.Summary().ClientLeft != 0 {
		t.Errorf("answered delivery: %+v", ds)
	}
}
