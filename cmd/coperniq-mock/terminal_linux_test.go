//go:build linux

package main

import (
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
)

// openPTY opens a pseudo-terminal pair: what the command writes to tty is
// read from pty. It skips the test where there is none (/dev/ptmx).
func openPTY(t *testing.T) (pty, tty *os.File) {
	t.Helper()
	pty, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { pty.Close() })
	ioctl := func(req uintptr, arg unsafe.Pointer) {
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, pty.Fd(), req, uintptr(arg)); e != 0 {
			t.Skipf("pseudo-terminal ioctl %#x: %v", req, e)
		}
	}
	var n uint32
	ioctl(syscall.TIOCGPTN, unsafe.Pointer(&n))
	var unlock int32
	ioctl(syscall.TIOCSPTLCK, unsafe.Pointer(&unlock))
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("opening the pseudo-terminal's tty: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	return pty, tty
}

// onTerminal runs the binary with stdout and stderr on a pseudo-terminal
// and env added, and returns what it wrote there, whatever its exit status.
func onTerminal(t *testing.T, env []string, args ...string) string {
	t.Helper()
	pty, tty := openPTY(t)
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = tty, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the child's copy stays: reading ends when it exits
	out := make(chan string)
	go func() {
		b, _ := io.ReadAll(pty) // ends with EIO once the child is gone
		out <- string(b)
	}()
	exitStatus(t, cmd.Wait()) // any exit status: the output is what is checked
	return <-out
}

// On a terminal, scenario run redraws its progress line in place (\r, then
// erase to the end of the line) and verify colours a failure. Under
// TERM=dumb, which can do neither, neither does; under NO_COLOR the colour
// goes and the redrawing stays.
func TestTerminalHonoursTermDumbAndNoColor(t *testing.T) {
	ok := httptest.NewServer(testreceivers.New(testreceivers.Config{}))
	defer ok.Close()
	failing := httptest.NewServer(testreceivers.New(testreceivers.Config{Fault: testreceivers.RejectUnknownTrigger}))
	defer failing.Close()
	// The terminal turns each \n into \r\n: a redraw is a \r before the
	// totals.
	redraw := regexp.MustCompile(`\r\d+/\d+ events done|\x1b\[K`)
	for _, c := range []struct {
		name           string
		env            []string
		redraw, colour bool
	}{
		{"a terminal", []string{"TERM=xterm-256color", "NO_COLOR="}, true, true},
		{"NO_COLOR", []string{"TERM=xterm-256color", "NO_COLOR=1"}, true, false},
		{"TERM=dumb", []string{"TERM=dumb", "NO_COLOR="}, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := onTerminal(t, c.env, "scenario", "run", "residential-solar", "--target", ok.URL+"/hook")
			if got := redraw.MatchString(out); got != c.redraw {
				t.Errorf("scenario run redraws: %v, want %v:\n%q", got, c.redraw, out)
			}
			out = onTerminal(t, c.env, "verify", "--target", failing.URL+"/hook", "--focus", contract.SpecUnknownTrigger, "--seed", "1")
			if got := strings.Contains(out, "\x1b["); got != c.colour {
				t.Errorf("verify colours: %v, want %v:\n%q", got, c.colour, out)
			}
		})
	}
}
