package main

import (
	"errors"
	"io"
	"os"
	"sync/atomic"
	"syscall"
)

// pipeOut is standard output (or error) as every command writes it. A
// reader that has seen enough (| head -3) closes the pipe; SIGPIPE being
// caught (main), the write then fails with EPIPE instead of killing the
// process. That is no failure of the run: from then on writes to it are
// dropped as if made, so that the command goes on to write its files
// (--out, --html, --log, --junit-report, ...) and exits with the code of
// what it found, not with an error about a reader that left.
type pipeOut struct {
	f      *os.File
	closed atomic.Bool
}

func (p *pipeOut) Write(b []byte) (int, error) {
	if p.closed.Load() {
		return len(b), nil
	}
	n, err := p.f.Write(b)
	if err != nil && errors.Is(err, syscall.EPIPE) {
		p.closed.Store(true)
		return len(b), nil
	}
	return n, err
}

// Fd is the file's, so that a pipeOut on a terminal is seen as one
// (isTerminal).
func (p *pipeOut) Fd() uintptr { return p.f.Fd() }

// errReaderLeft ends a command whose only work is its output (generate):
// once nobody reads it, there is nothing left to do.
var errReaderLeft = errors.New("standard output was closed")

// untilClosed is w for a command that should stop once nobody reads its
// output: a write after the reader left fails with errReaderLeft.
func untilClosed(w io.Writer) io.Writer {
	if p, ok := w.(*pipeOut); ok {
		return stopOut{p}
	}
	return w
}

type stopOut struct{ p *pipeOut }

func (s stopOut) Write(b []byte) (int, error) {
	n, err := s.p.Write(b)
	if err == nil && s.p.closed.Load() {
		return 0, errReaderLeft
	}
	return n, err
}
