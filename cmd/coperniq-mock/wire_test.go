package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
)

// closedPipe is the write end of a pipe whose reader has left, as
// '| head -1' leaves it once it has its line.
func closedPipe(t *testing.T) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	t.Cleanup(func() { w.Close() })
	return w
}

// nonEmpty fails the test unless every file exists with something in it.
func nonEmpty(t *testing.T, files ...string) {
	t.Helper()
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v, want it written whole", f, err)
		}
	}
}

// TestStdoutClosedEarly: a reader that stops reading (| head) neither
// kills a command (SIGPIPE: exit 141 from the shell) nor costs it its
// files: it writes them all and exits with what it found.
func TestStdoutClosedEarly(t *testing.T) {
	ok := startReceiver(t)
	good := httptest.NewServer(testreceivers.New(testreceivers.Config{}))
	defer good.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer failing.Close()
	dir := t.TempDir()
	file := func(name string) string { return filepath.Join(dir, name) }
	scenarioLog := file("scenario.jsonl")
	invalid := strings.Repeat(`{"event":{}}`+"\n", 2000)
	for _, c := range []struct {
		name  string
		stdin string
		args  []string
		code  int
		files []string
		check func(t *testing.T)
	}{
		{name: "load", args: []string{"load", "--target", ok.URL + "/hook", "--rate", "20/s", "--duration", "300ms", "--progress", "none", "--out", file("load.json"), "--html", file("load.html")},
			files: []string{file("load.json"), file("load.html")}, check: func(t *testing.T) { readLoadReport(t, file("load.json")) }},
		{name: "scenario run", args: []string{"scenario", "run", "call-logged", "--target", ok.URL + "/hook", "--retry", "ci", "--log", scenarioLog},
			files: []string{scenarioLog}},
		{name: "scenario run failing", args: []string{"scenario", "run", "call-logged", "--target", failing.URL + "/hook", "--retry", "none", "--log", file("dead.jsonl")},
			code: exitFailure, files: []string{file("dead.jsonl")}},
		{name: "replay", args: []string{"replay", scenarioLog, "--only", "all", "--target", ok.URL + "/hook", "--retry", "ci", "--log", file("replay.jsonl")},
			files: []string{file("replay.jsonl")}},
		{name: "verify", args: []string{"verify", "--target", good.URL + "/hook", "--focus", "acknowledges", "--junit-report", file("contract.xml"), "--json-report", file("contract.json")},
			files: []string{file("contract.xml"), file("contract.json")}, check: func(t *testing.T) { readReport(t, file("contract.json")) }},
		{name: "send failing", args: []string{"send", "PROJECT_CREATED", "--target", failing.URL + "/hook"}, code: exitFailure},
		// Nothing to do once nobody reads: it stops, however many were asked for.
		{name: "generate", args: []string{"generate", "all", "--count", "1000000"}},
		{name: "validate", stdin: invalid, args: []string{"validate", "-"}, code: exitFailure},
		{name: "docs", args: []string{"docs", "--out", file("docs")}, check: func(t *testing.T) {
			if entries, err := os.ReadDir(file("docs")); err != nil || len(entries) == 0 {
				t.Errorf("docs wrote nothing: %v", err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(binary, c.args...)
			cmd.Stdin = strings.NewReader(c.stdin)
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = closedPipe(t), &stderr
			code := exitStatus(t, cmd.Run())
			if code != c.code {
				t.Fatalf("exit %d, want %d (-1: killed by a signal)\nstderr:\n%s", code, c.code, stderr.String())
			}
			if strings.Contains(stderr.String(), "broken pipe") {
				t.Errorf("the closed stdout is reported as an error:\n%s", stderr.String())
			}
			nonEmpty(t, c.files...)
			if c.check != nil {
				c.check(t)
			}
		})
	}
}

// TestListenStdoutClosedEarly: listen whose reader left after the address
// line goes on capturing, and stops on SIGTERM with exit 0 and every
// delivery in --out.
func TestListenStdoutClosedEarly(t *testing.T) {
	out := filepath.Join(t.TempDir(), "captured.jsonl")
	cmd := exec.Command(binary, "listen", "--addr", "127.0.0.1:0", "--out", out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout := startPiped(t, cmd)
	first, err := bufio.NewReader(stdout).ReadString('\n')
	m := listeningLine.FindStringSubmatch(strings.TrimSpace(first))
	if err != nil || m == nil {
		t.Fatalf("first line %q: %v", first, err)
	}
	stdout.Close()
	payload := documentedExample(t)
	const n = 5
	for range n {
		if code := postJSON(t, m[1], payload); code != http.StatusOK {
			t.Fatalf("delivery answered %d", code)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := exitStatus(t, cmd.Wait()); code != exitOK {
		t.Fatalf("exit %d, want 0 (-1: killed by a signal)\nstderr:\n%s", code, stderr.String())
	}
	if got := bytes.Count(readFile(t, out), []byte("\n")); got != n {
		t.Errorf("%d deliveries captured, want %d", got, n)
	}
}

// bodyOn204 is a receiver that answers every request 204 No Content with a
// body, which HTTP forbids, on a kept-alive connection.
func bodyOn204(t *testing.T) string {
	return rawReceiver(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, req.Body)
			if _, err := io.WriteString(c, "HTTP/1.1 204 No Content\r\nContent-Length: 11\r\n\r\nhello there"); err != nil {
				return
			}
		}
	})
}

// TestBytesAfterTheAnswerAreOneWarning: net/http logs bytes after an
// answer (a body on a 204) through the standard logger, a dated line per
// connection in the middle of the command's output. The command says it
// once, in its own words, on stderr.
func TestBytesAfterTheAnswerAreOneWarning(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		code int
		// warned: the command is sure to have seen one before it ends
		// (net/http logs from the connection's own goroutine, which a
		// single send may outrun).
		warned bool
	}{
		{name: "send", args: []string{"send", "PROJECT_CREATED"}},
		{name: "scenario run", args: []string{"scenario", "run", "residential-solar", "--retry", "ci"}, warned: true},
		{name: "verify", args: []string{"verify", "--focus", "acknowledges", "--timeout", "2s"}, code: exitFailure},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := cli(t, "", append(c.args, "--target", bodyOn204(t))...)
			if c.name != "verify" {
				r.want(t, c.code)
			}
			if strings.Contains(r.stderr+r.stdout, "Unsolicited") || regexp.MustCompile(`(?m)^\d{4}/\d\d/\d\d `).MatchString(r.stderr+r.stdout) {
				t.Errorf("net/http's log lines are printed:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			}
			warning := regexp.MustCompile(`(?m)^coperniq-mock: warning: the receiver sent bytes after its answer (once|\d+ times) \(a body on a 204 No Content`)
			n := len(warning.FindAllString(r.stderr, -1))
			if n > 1 || (c.warned && n == 0) {
				t.Errorf("%d warnings, want one:\n%s", n, r.stderr)
			}
		})
	}
}

// TestMalformedAnswerIsNamed: an answer HTTP cannot read is of kind
// malformed wherever kinds are shown, not "other", and verify does not
// call it no answer.
func TestMalformedAnswerIsNamed(t *testing.T) {
	url := malformedHTTP(t)
	dir := t.TempDir()
	t.Run("scenario run", func(t *testing.T) {
		r := cli(t, "", "scenario", "run", "call-logged", "--target", url, "--retry", "none").want(t, exitFailure)
		if !regexp.MustCompile(`4 of 4 events dead: the receiver never acknowledged them \(their 4 attempts: malformed 4\)`).MatchString(r.stderr) {
			t.Errorf("the verdict does not say what the attempts got:\n%s", r.stderr)
		}
		r = cli(t, "", "scenario", "run", "call-logged", "--target", url, "--retry", "none", "-o", "json").want(t, exitFailure)
		if !strings.Contains(r.stdout, `"malformed": 4`) || strings.Contains(r.stdout, `"other"`) {
			t.Errorf("-o json errors:\n%s", r.stdout)
		}
	})
	t.Run("load", func(t *testing.T) {
		out := filepath.Join(dir, "load.json")
		r := cli(t, "", "load", "--target", url, "--rate", "20/s", "--duration", "300ms", "--progress", "none", "--out", out).want(t, exitFailure)
		rep := readLoadReport(t, out)
		if rep.Errors["malformed"] != rep.Sent || !strings.Contains(rep.ErrorSamples["malformed"], `Content-Length "banana"`) {
			t.Errorf("errors %v, samples %v of %d sent", rep.Errors, rep.ErrorSamples, rep.Sent)
		}
		if !strings.Contains(r.stdout, `malformed, the first: malformed HTTP response: Content-Length "banana"`) {
			t.Errorf("the console gives no sample:\n%s", r.stdout)
		}
	})
	t.Run("verify", func(t *testing.T) {
		report := filepath.Join(dir, "contract.json")
		r := cli(t, "", "verify", "--target", url, "--focus", "acknowledges its realistic", "--json-report", report)
		if strings.Contains(r.stdout, "got no answer") || !strings.Contains(r.stdout, "was answered with no readable HTTP: malformed (") {
			t.Errorf("verify's verdict:\n%s", r.stdout)
		}
		if rep := readReport(t, report); rep.AnswerTime.Malformed == 0 {
			t.Errorf("answer time counts %+v, want the malformed answers counted as such", rep.AnswerTime)
		}
	})
}
