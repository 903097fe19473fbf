package receiver

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestObserverPanicsDoNotCrashTheProcess: net/http recovers a handler's
// panic, and publishing promises to pass the turn on when the observer
// panics. A delivery left early for the publisher before it must be
// published from where a panic of the observer is recovered too, not from
// a goroutine of its own whose panic ends the process. Run in a child
// process: the failure is a crash.
func TestObserverPanicsDoNotCrashTheProcess(t *testing.T) {
	if os.Getenv("RECEIVER_PANIC_CHILD") == "1" {
		observerPanicsChild(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestObserverPanicsDoNotCrashTheProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "RECEIVER_PANIC_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "panic:") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func observerPanicsChild(t *testing.T) {
	var srv atomic.Pointer[Server]
	s := start(t, WithObserver(func(d Delivery) {
		if d.Seq == 1 {
			// Hold the turn until the second delivery is left early.
			for srv.Load() == nil || srv.Load().Summary().Deliveries < 2 {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(50 * time.Millisecond)
		}
		panic("observer bug")
	}))
	srv.Store(s)
	payload := example(t)
	// A connection each: the first one's handler is busy publishing.
	send := func(id int64) {
		c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		res, err := c.Post(s.URL, "application/json", bytes.NewReader(withEventID(t, payload, id)))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	send(1)
	time.Sleep(20 * time.Millisecond) // the first is being published
	send(2)
	time.Sleep(300 * time.Millisecond) // the panics happen meanwhile
}
