package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The hostile-client suite for listen: `listen` sits behind a
// public tunnel, so anyone on the internet is a client. Each test runs the
// real binary.

// procStatus reads a field of /proc/PID/status, in kB.
func procStatus(t *testing.T, pid int, field string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	m := regexp.MustCompile(`(?m)^` + field + `:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		t.Skipf("no %s in /proc/%d/status", field, pid)
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n
}

// cpuTime is the CPU time a process used so far, from /proc/PID/stat.
func cpuTime(t *testing.T, pid int) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	// Fields after the command name (which may hold spaces) in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// TestListenBlockedStdout holds item 1: with stdout piped into a reader
// that stops reading, every delivery is still answered at once, lines
// beyond the queue are dropped and counted, --out has every delivery, and
// SIGINT stops it with the summary.
func TestListenBlockedStdout(t *testing.T) {
	out := filepath.Join(t.TempDir(), "captured.jsonl")
	cmd := exec.Command(binary, "listen", "--addr", "127.0.0.1:0", "--out", out)
	stdout := startPiped(t, cmd)
	br := bufio.NewReaderSize(stdout, 256) // reads the address line, then nothing
	first, err := br.ReadString('\n')
	m := listeningLine.FindStringSubmatch(strings.TrimSpace(first))
	if err != nil || m == nil {
		t.Fatalf("first line %q: %v", first, err)
	}
	url := m[1]

	// More deliveries than the pipe (64 KiB, some 600 lines) and the
	// queue (4096 lines) hold together.
	const n = 6000
	payload := documentedExample(t)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	var failed atomic.Int64
	var wg sync.WaitGroup
	next := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				res, err := client.Post(url+"/hook", "application/json", bytes.NewReader(payload))
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					failed.Add(1)
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if f := failed.Load(); f > 0 {
		t.Errorf("%d of %d deliveries not answered 200 while stdout was blocked", f, n)
	}

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	// The reader wakes up only once listen has queued its summary behind
	// a full queue: the summary must wait for room, not be dropped.
	time.Sleep(time.Second)
	rest, _ := io.ReadAll(br)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%.2000s", err, rest)
	}
	printed := strings.Count(string(rest), " TASK_STATUS_MOVEMENT eventId=")
	dropped := regexp.MustCompile(`not printed: (\d+) delivery lines`).FindSubmatch(rest)
	if dropped == nil {
		t.Fatalf("no count of the lines not printed:\n%s", lastLines(string(rest), 6))
	}
	nd, _ := strconv.Atoi(string(dropped[1]))
	if printed+nd != n || !bytes.Contains(rest, []byte(fmt.Sprintf("summary: %d deliveries", n))) {
		t.Errorf("%d printed + %d dropped != %d, or no summary:\n%s", printed, nd, n, lastLines(string(rest), 6))
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if lines := bytes.Count(data, []byte("\n")); lines != n {
		t.Errorf("--out has %d lines, want %d", lines, n)
	}
}

// A stdout never read again does not keep SIGINT from stopping listen.
func TestListenStopsWithStdoutBlocked(t *testing.T) {
	cmd := exec.Command(binary, "listen", "--addr", "127.0.0.1:0")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd.Stdout = w
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	defer cmd.Process.Kill()
	first, _ := bufio.NewReaderSize(r, 256).ReadString('\n')
	m := listeningLine.FindStringSubmatch(strings.TrimSpace(first))
	if m == nil {
		t.Fatalf("first line %q", first)
	}
	big := bytes.Repeat([]byte("x"), 1000) // long unreadable lines fill the pipe fast
	for range 1000 {                       // some 300 KB of lines: more than the pipe holds
		if res, err := http.Post(m[1]+"/hook", "text/plain", bytes.NewReader(append([]byte("\x1b[2J"), big...))); err == nil {
			res.Body.Close()
		}
	}
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if exitStatus(t, err) != 1 || !strings.Contains(stderr.String(), "stdout blocked") {
			t.Errorf("exit %v, stderr %q", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("SIGINT did not stop listen while its stdout was blocked")
	}
}

// TestListenSlowBodiesMemory holds item 3 on the real process: 500 senders
// each sending 1 MiB - 1 byte and stalling, and a real delivery still
// answered. The peak resident memory is the README's figure.
func TestListenSlowBodiesMemory(t *testing.T) {
	l := listen(t)
	l.next(t)
	pid := l.cmd.Process.Pid
	base := procStatus(t, pid, "VmRSS")
	const senders = 500
	var wg sync.WaitGroup
	conns := make(chan net.Conn, senders)
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", strings.TrimPrefix(l.url, "http://"))
			if err != nil {
				return
			}
			conns <- c
			fmt.Fprintf(c, "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", 1<<20)
			_ = c.SetWriteDeadline(time.Now().Add(10 * time.Second))
			_, _ = c.Write(make([]byte, 1<<20-1))
		}()
	}
	wg.Wait()
	close(conns)
	defer func() {
		for c := range conns {
			c.Close()
		}
	}()
	time.Sleep(500 * time.Millisecond)
	if s := postJSON(t, l.url+"/hook", documentedExample(t)); s != 200 {
		t.Errorf("a real delivery under the attack: %d", s)
	}
	peak := procStatus(t, pid, "VmHWM")
	t.Logf("listen's peak RSS with %d senders stalled after 1 MiB - 1 byte: %d MiB (at start %d MiB)", senders, peak>>10, base>>10)
	if peak > 160<<10 {
		t.Errorf("peak RSS %d MiB, want at most 160 MiB", peak>>10)
	}
}

// TestListenHugeNumbers holds item 2 on the real process: payloads whose
// numbers are written 1e999999 (10 of them: 5.4 CPU-seconds before) cost
// about what ordinary ones do.
func TestListenHugeNumbers(t *testing.T) {
	l := listen(t, "--strict")
	l.next(t)
	payload := documentedExample(t)
	for _, k := range []string{`"eventId": `, `"recordId": `, `"id": `} {
		payload = bytes.Replace(payload, []byte(k), []byte(k+`1e999999, "x-`+strings.Trim(k, `": `)+`": `), 1)
	}
	before := cpuTime(t, l.cmd.Process.Pid)
	for range 10 {
		if s := postJSON(t, l.url+"/hook", payload); s != 200 {
			t.Errorf("answered %d", s)
		}
		l.next(t)
	}
	used := cpuTime(t, l.cmd.Process.Pid) - before
	t.Logf("10 payloads with numbers written 1e999999: %v of CPU", used)
	// Ordinary payloads cost well under a millisecond each; the bound is
	// loose so that a shared machine does not make it flaky.
	if used > time.Second {
		t.Errorf("10 hostile payloads took %v of CPU", used)
	}
}

// TestListenClientLeft holds item 7: with --latency 2s, a sender that gave
// up after 300ms was never answered, and listen says so.
func TestListenClientLeft(t *testing.T) {
	l := listen(t, "--latency", "2s")
	l.next(t)
	impatient := &http.Client{Timeout: 300 * time.Millisecond}
	if res, err := impatient.Post(l.url+"/hook", "application/json", bytes.NewReader(documentedExample(t))); err == nil {
		res.Body.Close()
		t.Fatalf("answered %d before the latency", res.StatusCode)
	}
	if line := l.next(t); !strings.Contains(line, "200 (client left: not answered)") {
		t.Errorf("line %q", line)
	}
	rest, code := l.stop(t, os.Interrupt)
	if code != 0 || !strings.Contains(rest, "never reached the sender x1 (client left 1") {
		t.Errorf("exit %d:\n%s", code, rest)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

// echoing answers 500 with the request line it got (the URL's token in it),
// an error page quoting it, and terminal escape sequences: what a hostile or
// careless receiver sends back.
func echoing() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Echo", r.URL.RawQuery)
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "%s %s %s\r\n\x1b[2J\x1b[31mgot token %s\x1b[0m\u202e", r.Method, r.URL.RequestURI(), r.Proto, r.URL.Query().Get("token"))
	}))
}

// TestReceiverBytesAreMaskedAndEscaped holds item 5: what a receiver
// answers is printed with the URL's secrets masked and nothing that could
// drive the terminal, by send and by verify.
func TestReceiverBytesAreMaskedAndEscaped(t *testing.T) {
	srv := echoing()
	defer srv.Close()
	const secret = "s3cr3t-t0ken-value"
	target := srv.URL + "/hook?token=" + secret
	check := func(name, out string) {
		t.Helper()
		if strings.Contains(out, secret) {
			t.Errorf("%s printed the token:\n%s", name, out)
		}
		if strings.ContainsAny(out, "\x1b\x07\r\u202e") {
			t.Errorf("%s printed terminal control characters: %q", name, out)
		}
		if !strings.Contains(out, `\x1b[2J`) {
			t.Errorf("%s did not show the escape sequence escaped:\n%s", name, out)
		}
	}
	r := cli(t, "", "send", "PROJECT_CREATED", "--to", target).want(t, 1)
	check("send", r.stdout+r.stderr)
	r = cli(t, "", "verify", "--target", target, "--focus", "acknowledges", "--deadline", "2s")
	if r.code != 1 {
		t.Fatalf("verify against a 500 receiver: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	check("verify", r.stdout+r.stderr)
}
