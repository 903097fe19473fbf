package delivery_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// readLogFile reads a log from a real file, as replay does.
func readLogFile(t *testing.T, content string) (*delivery.Log, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "run.jsonl")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return delivery.ReadLog(f)
}

const (
	runLine   = `{"type":"run","version":1,"target":"http://h/","events":1}`
	eventLine = `{"type":"event","eventId":1,"triggerKey":"X","recordId":2,"body":"{}"}`
)

// TestReadLogByteOrderMark holds item 8: a log saved by an editor that adds
// a byte order mark is read like any other (validate reads such files too).
func TestReadLogByteOrderMark(t *testing.T) {
	l, err := readLogFile(t, "\xef\xbb\xbf"+runLine+"\r\n"+eventLine+"\r\n")
	if err != nil || len(l.Events) != 1 {
		t.Fatalf("a log with a byte order mark: %v", err)
	}
}

// TestReadLogCaps holds item 8's replay caps: a body over MaxLogBody, or a
// line no log could hold, is refused with the line and the cap, without
// holding the rest of the input.
func TestReadLogCaps(t *testing.T) {
	big := strings.Repeat("x", delivery.MaxLogBody+1)
	_, err := readLogFile(t, runLine+"\n"+fmt.Sprintf(`{"type":"event","eventId":1,"triggerKey":"X","recordId":2,"body":"%s"}`, big)+"\n")
	if err == nil || !strings.Contains(err.Error(), "line 2: event 1's body of 16777217 bytes is over the 16 MiB cap per body") {
		t.Errorf("a body over the cap: %v", err)
	}

	// A 200 MB line: refused once the cap is passed, far from 200 MB held.
	huge := strings.Repeat("y", 200<<20)
	p := filepath.Join(t.TempDir(), "huge.jsonl")
	if err := os.WriteFile(p, []byte(runLine+"\n"+`{"type":"event","body":"`+huge+`"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	huge = ""
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = delivery.ReadLog(f)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "line 2 is over 32 MiB") {
		t.Errorf("a 200 MB line: %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 128<<20 {
		t.Errorf("reading a 200 MB line allocated %d MiB before refusing it", alloc>>20)
	}
}

// FuzzReadLog: a log of unknown origin never makes ReadLog panic, and what
// it reads stays within the caps.
func FuzzReadLog(f *testing.F) {
	for _, s := range []string{
		runLine + "\n" + eventLine + "\n",
		"\xef\xbb\xbf" + runLine + "\r\n" + eventLine,
		runLine + "\n" + `{"type":"attempt","eventId":1,"attempt":1}`,
		runLine + "\n" + eventLine + "\n" + `{"type":"result","eventId":1,"state":"acked"}` + "\n",
		`{"type":"run","vers`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		l, err := delivery.ReadLog(strings.NewReader(string(in)))
		if err != nil {
			return
		}
		for _, e := range l.Events {
			if len(e.Body) == 0 || len(e.Body) > delivery.MaxLogBody {
				t.Fatalf("event %d with a body of %d bytes", e.EventID, len(e.Body))
			}
		}
	})
}
