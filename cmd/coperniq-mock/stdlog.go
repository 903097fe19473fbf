package main

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"strings"
	"sync"
)

// unsolicited starts the line net/http's Transport logs, through the
// standard logger, when a receiver sends bytes on a connection after its
// answer (a body on a 204 or 304, more than its Content-Length): the
// connection is closed, the answer before it stands.
const unsolicited = "Unsolicited response received on idle HTTP channel"

// stdLog takes the standard logger's lines, which only net/http writes
// here: printed as they come they had a date, the library's words, and
// broke progress lines in the middle. The line above is counted and told
// once, in this tool's words, at the end of the command; any other is
// printed as this tool's.
type stdLog struct {
	w io.Writer

	mu          sync.Mutex
	unsolicited int
	prevOut     io.Writer
	prevFlags   int
}

func catchStdLog(stderr io.Writer) *stdLog {
	l := &stdLog{w: stderr, prevOut: log.Writer(), prevFlags: log.Flags()}
	log.SetFlags(0)
	log.SetOutput(l)
	return l
}

// Write takes one log line (the log package writes each whole).
func (l *stdLog) Write(b []byte) (int, error) {
	line := string(bytes.TrimRight(b, "\n"))
	l.mu.Lock()
	defer l.mu.Unlock()
	if strings.HasPrefix(line, unsolicited) {
		l.unsolicited++
		return len(b), nil
	}
	fmt.Fprintf(l.w, "coperniq-mock: %s\n", line)
	return len(b), nil
}

// report tells what was counted, once.
func (l *stdLog) report() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.unsolicited == 0 {
		return
	}
	times := "once"
	if l.unsolicited > 1 {
		times = fmt.Sprintf("%d times", l.unsolicited)
	}
	fmt.Fprintf(l.w, "coperniq-mock: warning: the receiver sent bytes after its answer %s (a body on a 204 No Content or a 304, or more than its Content-Length), which HTTP forbids: the connection is closed once they are seen, and a request sent on it before that reads them as its answer (counted as malformed)\n", times)
	l.unsolicited = 0
}

func (l *stdLog) release() {
	log.SetOutput(l.prevOut)
	log.SetFlags(l.prevFlags)
}
