package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
	"github.com/coperniq-mock/coperniq-mock/receiver"
)

// malformedHTTP is a receiver that answers what HTTP cannot read.
func malformedHTTP(t *testing.T) string {
	return rawReceiver(t, func(c net.Conn) {
		_, _ = bufio.NewReader(c).ReadString('\n')
		fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Length: banana\r\n\r\n")
	})
}

// rawReceiver serves each connection with serve, over plain TCP, for a
// receiver that misbehaves below what net/http lets a handler do; it
// returns its webhook URL.
func rawReceiver(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/hook"
}

// TestExitCodes runs the binary once or more per row of exitTable: the
// same situation ends with the same code in every command, so that a CI
// script reads one exit code the same way whichever command it ran.
func TestExitCodes(t *testing.T) {
	example := string(documentedExample(t))
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer failing.Close()
	ok := startReceiver(t)
	good := httptest.NewServer(testreceivers.New(testreceivers.Config{}))
	defer good.Close()
	notFound := startReceiver(t, receiver.WithStatus(http.StatusNotFound))
	rows := map[string][]func(t *testing.T) result{
		"success": {
			func(t *testing.T) result { return cli(t, example, "validate", "-") },
			func(t *testing.T) result { return cli(t, "", "send", "PROJECT_CREATED", "--to", ok.URL+"/hook") },
		},
		"finding": {
			func(t *testing.T) result { return cli(t, `{"event":{}}`, "validate", "-") },
			func(t *testing.T) result { return cli(t, "", "send", "PROJECT_CREATED", "--to", failing.URL) },
			func(t *testing.T) result { return cli(t, "", "send", "PROJECT_CREATED", "--to", malformedHTTP(t)) },
			func(t *testing.T) result {
				return cli(t, "", "scenario", "run", "call-logged", "--to", malformedHTTP(t), "--retry", "none")
			},
		},
		"interrupted": {
			func(t *testing.T) result {
				return interrupt(t, deliveredTo(ok), "load", "--target", ok.URL+"/hook", "--rate", "50/s", "--duration", "1m")
			},
			func(t *testing.T) result {
				slow := startReceiver(t, receiver.WithLatency(200*time.Millisecond))
				return interrupt(t, deliveredTo(slow), "scenario", "run", "residential-solar", "--to", slow.URL+"/hook")
			},
		},
		"bad usage": {
			func(t *testing.T) result { return cli(t, "", "validate", "--no-such-flag") },
			func(t *testing.T) result { return cli(t, "", "validate", "/nonexistent/file.json") },
			func(t *testing.T) result { return cli(t, "", "replay", "/nonexistent/run.jsonl", "--to", ok.URL) },
		},
		"setup": {
			func(t *testing.T) result {
				return cli(t, "", "send", "PROJECT_CREATED", "--to", "http://"+closedPort(t)+"/hook")
			},
			func(t *testing.T) result {
				return cli(t, "", "load", "--target", notFound.URL+"/wrong/path", "--rate", "50/s", "--duration", "200ms", "--progress", "none")
			},
			func(t *testing.T) result {
				return cli(t, "", "scenario", "run", "call-logged", "--to", "http://"+closedPort(t)+"/hook")
			},
		},
		"not judged": {
			// No state hook: every final-state spec is skipped.
			func(t *testing.T) result {
				return cli(t, "", "verify", "--target", good.URL+"/hook", "--focus", "final state")
			},
		},
		"output": {
			func(t *testing.T) result {
				return cli(t, "", "verify", "--target", good.URL+"/hook", "--focus", "acknowledges", "--junit-report", "/dev/full")
			},
			func(t *testing.T) result {
				return cli(t, "", "verify", "--target", good.URL+"/hook", "--focus", "acknowledges", "--json-report", "/dev/full")
			},
			func(t *testing.T) result {
				return cli(t, "", "load", "--target", ok.URL+"/hook", "--rate", "20/s", "--duration", "200ms", "--out", "/dev/full")
			},
			func(t *testing.T) result {
				return cli(t, "", "scenario", "run", "call-logged", "--to", ok.URL+"/hook", "--log", "/dev/full")
			},
		},
	}
	want := map[string]int{"success": exitOK, "finding": exitFailure, "interrupted": exitFailure, "bad usage": exitUsage, "setup": exitUsage, "output": exitUsage, "not judged": exitUsage}
	if len(rows) != len(exitTable) {
		t.Fatalf("%d rows tested, exitTable has %d", len(rows), len(exitTable))
	}
	if _, err := os.Stat("/dev/full"); err != nil {
		delete(rows, "output")
	}
	for name, cases := range rows {
		t.Run(name, func(t *testing.T) {
			for i, run := range cases {
				if r := run(t); r.code != want[name] {
					t.Errorf("case %d: exit %d, want %d\nstdout: %.1500s\nstderr: %.1500s", i, r.code, want[name], r.stdout, r.stderr)
				}
			}
		})
	}
}

// interrupt starts the binary, sends SIGINT once underWay says the run is
// under way (its Ctrl-C handler is installed; a fixed sleep let a busy
// machine signal a binary still starting, which the signal killed), and
// returns what it printed and its exit code.
func interrupt(t *testing.T, underWay func() bool, args ...string) result {
	t.Helper()
	p := start(t, args...)
	var before []string // what it printed before the signal
	deadline := time.After(30 * time.Second)
	for !underWay() {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Errorf("%v exited before it was interrupted\n%s", args, p.stderr)
				return result{strings.Join(before, "\n"), p.stderr.String(), exitStatus(t, p.cmd.Wait())}
			}
			before = append(before, line)
		case <-deadline:
			t.Fatalf("%v was not under way after 30s\n%s", args, p.stderr)
		case <-time.After(5 * time.Millisecond):
		}
	}
	rest, code := p.stop(t, os.Interrupt)
	return result{strings.Join(append(before, rest), "\n"), p.stderr.String(), code}
}

// deliveredTo says the run is under way once rc has received a delivery
// from it.
func deliveredTo(rc *receiver.Server) func() bool {
	before := len(rc.Deliveries())
	return func() bool { return len(rc.Deliveries()) > before }
}

// TestExitCodeTableInREADME keeps the README's table the code's.
func TestExitCodeTableInREADME(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range exitTable {
		line := fmt.Sprintf("| %d | %s |", row.code, row.situation)
		if !strings.Contains(string(readme), line) {
			t.Errorf("README lacks the row\n%s", line)
		}
	}
	if !strings.Contains(string(readme), "\n"+exitClosedStdout+"\n") {
		t.Errorf("README lacks, under the table, the paragraph\n%s", exitClosedStdout)
	}
}

// TestEveryDeliveryRefusedAlike: a receiver answering 404 (a wrong path)
// or 401 (a missing token) to every request, nothing acknowledged: load,
// scenario run and replay end as verify does, exit 2 with its hint, since
// the receiver was not judged.
func TestEveryDeliveryRefusedAlike(t *testing.T) {
	ok := startReceiver(t)
	logPath := filepath.Join(t.TempDir(), "run.jsonl")
	cli(t, "", "scenario", "run", "call-logged", "--to", ok.URL+"/hook", "--log", logPath).want(t, 0)
	for _, tc := range []struct {
		name   string
		status int
		hint   string
	}{
		{name: "wrong path", status: http.StatusNotFound, hint: "every delivery was answered 404 Not Found: is --target the webhook's path?"},
		{name: "missing token", status: http.StatusUnauthorized, hint: "every delivery was answered 401 Unauthorized: does the receiver want a token in the URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := startReceiver(t, receiver.WithStatus(tc.status)).URL + "/wrong/path"
			for _, args := range [][]string{
				{"load", "--target", url, "--rate", "50/s", "--duration", "200ms", "--progress", "none"},
				{"scenario", "run", "call-logged", "--target", url, "--retry", "none"},
				{"replay", logPath, "--only", "all", "--target", url, "--retry", "none"},
			} {
				r := cli(t, "", args...)
				if r.code != exitUsage || !strings.Contains(r.stderr, "the receiver was not judged: "+tc.hint) {
					t.Errorf("%s: exit %d, want 2 with %q on stderr\nstdout: %.1500s\nstderr: %s", args[0], r.code, tc.hint, r.stdout, r.stderr)
				}
			}
		})
	}
}
