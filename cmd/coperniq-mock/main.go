// Command coperniq-mock stands in for Coperniq's webhook sender: it generates,
// validates and sends realistic payloads for every Coperniq automation trigger.
//
// The command is a thin layer over the library packages: it parses flags,
// calls one library function, prints, and chooses the exit code: 0 ok,
// 1 a failure was found (an invalid payload, a non-2xx answer), 2 bad usage
// or unreadable input.
package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// Caught rather than ignored: an ignored SIGPIPE would be inherited by
	// the commands verify runs (--inspect-cmd), a caught one is reset at
	// exec. Caught, a write to a closed stdout returns EPIPE (os/signal),
	// which pipeOut turns into a reader that left.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	os.Exit(run(os.Args[1:], os.Stdin, &pipeOut{f: os.Stdout}, &pipeOut{f: os.Stderr}))
}

// run executes the CLI and returns the exit code, so that tests can drive the
// cobra tree in-process exactly as main does.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	logs := catchStdLog(stderr)
	defer logs.release()
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	logs.report()
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	if !isSilent(err) {
		fmt.Fprintf(stderr, "coperniq-mock: %s\n", inFlags(cmd, err))
	}
	return code
}
