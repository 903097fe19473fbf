//go:build unix

package load

import (
	"io"
	"os"
	"syscall"
)

// rawIO: the descriptor's own system calls serve connReader (the raw
// write inside the read, the idle check).
const rawIO = true

// rawStep is called by the runtime with the connection's descriptor, once
// to write the request and again each time the socket may be readable; it
// is done (true) when it read something, met an error, or the request
// must wait for room in the socket's buffer.
func (r *connReader) rawStep(fd uintptr) bool {
	if r.check {
		// Idle for over wireIdleCheck: a FIN that came meanwhile raised
		// its edge before the runtime cleared it, so it is read now.
		r.check = false
		if r.err = idleState(fd, r.p, 0); r.err != nil {
			r.err = r.wordErr(r.err)
			return true
		}
	}
	wrote := len(r.out) > 0
	for len(r.out) > 0 {
		n, err := syscall.Write(int(fd), r.out)
		if n > 0 {
			r.out = r.out[n:]
		}
		switch {
		case err == nil || err == syscall.EINTR:
		case err == syscall.EAGAIN:
			return true
		default:
			r.err = r.opError("write", err)
			return true
		}
	}
	if wrote {
		// Sent: the answer cannot have come yet, and the wait comes first.
		r.sent = true
		return false
	}
	for {
		n, err := syscall.Read(int(fd), r.p)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return false
		case err != nil:
			r.err = r.opError("read", err)
		case n == 0 && len(r.p) > 0:
			r.err = io.EOF
		default:
			r.n = n
		}
		return true
	}
}

func (r *connReader) peekStep(fd uintptr) {
	if err := idleState(fd, r.one[:], syscall.MSG_PEEK); err != nil {
		r.err = r.wordErr(err)
	}
}

// idleState reads (or peeks at) a socket that should have nothing to read:
// nil if so, io.EOF if the receiver closed it, errIdleData if bytes came.
func idleState(fd uintptr, p []byte, flags int) error {
	for {
		n, _, err := syscall.Recvfrom(int(fd), p, flags|syscall.MSG_DONTWAIT)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return nil
		case err != nil:
			return os.NewSyscallError("read", err)
		case n == 0:
			return io.EOF
		default:
			return errIdleData
		}
	}
}
