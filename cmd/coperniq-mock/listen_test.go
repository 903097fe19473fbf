package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// listener is a running `coperniq-mock listen`.
type listener struct {
	*running
	url     string
	inspect string // the inspection API's base URL
}

var listeningLine = regexp.MustCompile(`^listening on (http://127\.0\.0\.1:\d+) \(inspect: (http://127\.0\.0\.1:\d+)/_mock/deliveries\)$`)

// listen starts the binary on a free port and reads the address from its
// first line, as a script would.
func listen(t *testing.T, args ...string) *listener {
	t.Helper()
	l := &listener{running: start(t, append([]string{"listen", "--addr", "127.0.0.1:0"}, args...)...)}
	first := l.next(t)
	m := listeningLine.FindStringSubmatch(first)
	if m == nil || m[1] == m[2] {
		t.Fatalf("first line %q doesn't give the address and a separate inspection address", first)
	}
	l.url, l.inspect = m[1], m[2]
	return l
}

func documentedExample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "receiver", "testdata", "documented-example.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func postJSON(t *testing.T, url string, body []byte) int {
	t.Helper()
	res, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

func TestListen(t *testing.T) {
	out := filepath.Join(t.TempDir(), "captured.jsonl")
	if err := os.WriteFile(out, []byte("an older capture, replaced\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l := listen(t, "--out", out)
	if line := l.next(t); !strings.Contains(line, "contract level") {
		t.Errorf("second line %q doesn't say what the receiver does", line)
	}

	example := documentedExample(t)
	invalid := bytes.Replace(example, []byte(`"id": 16651`), []byte(`"id": "16651"`), 1)
	if s := postJSON(t, l.url+"/webhooks/coperniq?token=s3cret", example); s != 200 {
		t.Fatalf("valid payload answered %d", s)
	}
	if s := postJSON(t, l.url+"/webhooks/coperniq", invalid); s != 200 {
		t.Fatalf("invalid payload answered %d (should be acked and recorded)", s)
	}
	for i, want := range []string{
		`^\d\d:\d\d:\d\d\.\d{3} TASK_STATUS_MOVEMENT eventId=48291 recordId=10423 attempt=1 200 valid$`,
		`^\d\d:\d\d:\d\d\.\d{3} TASK_STATUS_MOVEMENT eventId=48291 recordId=10423 attempt=2 200 invalid: /record/stage/id: want integer, got string$`,
	} {
		if line := l.next(t); !regexp.MustCompile(want).MatchString(line) {
			t.Errorf("delivery line %d:\n got %q\nwant %s", i+1, line, want)
		}
	}

	res, err := http.Get(l.inspect + "/_mock/deliveries")
	if err != nil {
		t.Fatal(err)
	}
	var ds []struct {
		EventID    int64 `json:"eventId"`
		Attempt    int
		Status     int
		Valid      bool
		Violations []any
		Payload    json.RawMessage
	}
	err = json.NewDecoder(res.Body).Decode(&ds)
	res.Body.Close()
	if err != nil || len(ds) != 2 {
		t.Fatalf("/_mock/deliveries: %d deliveries, %v", len(ds), err)
	}
	if !ds[0].Valid || ds[1].Valid || len(ds[1].Violations) != 1 || ds[1].Attempt != 2 || len(ds[0].Payload) == 0 {
		t.Errorf("/_mock/deliveries: %+v", ds)
	}

	rest, code := l.stop(t, os.Interrupt)
	if code != 0 {
		t.Errorf("exit code %d after SIGINT, want 0; stderr:\n%s", code, l.stderr)
	}
	for _, want := range []string{
		"summary: 2 deliveries, 1 unique event: 1 valid, 1 invalid, 0 unreadable",
		"answered: 200 x2",
		"by trigger: TASK_STATUS_MOVEMENT 2",
	} {
		if !strings.Contains(rest, want) {
			t.Errorf("summary lacks %q:\n%s", want, rest)
		}
	}
	if l.stderr.Len() != 0 {
		t.Errorf("stderr: %s", l.stderr)
	}

	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("--out has %d lines, want 2:\n%s", len(lines), data)
	}
	for i, line := range lines {
		var d struct {
			Seq     int
			Payload json.RawMessage
		}
		if err := json.Unmarshal([]byte(line), &d); err != nil || d.Seq != i+1 || len(d.Payload) == 0 {
			t.Errorf("--out line %d (%v): %s", i+1, err, line)
		}
	}
	if bytes.Contains(data, []byte("s3cret")) {
		t.Error("the URL's token was captured")
	}
}

// send against listen: the sender sees the 503 FailFirst injects, then an
// acknowledgement for the same event.
func TestListenFailFirstWithSend(t *testing.T) {
	l := listen(t, "--fail-first", "1", "--status", "202")
	l.next(t)
	r := cli(t, "", "send", "PROJECT_CREATED", "--seed", "5", "--to", l.url+"/hook").want(t, 1)
	if !strings.Contains(r.stderr, "503") {
		t.Errorf("first attempt:\n%s", r.stderr)
	}
	if line := l.next(t); !strings.Contains(line, "PROJECT_CREATED") || !strings.Contains(line, "attempt=1 503 (fail-first) valid") {
		t.Errorf("line %q", line)
	}
	cli(t, "", "send", "PROJECT_CREATED", "--seed", "5", "--to", l.url+"/hook").want(t, 0)
	if line := l.next(t); !strings.Contains(line, "attempt=2 202 valid") {
		t.Errorf("line %q", line)
	}
	rest, code := l.stop(t, syscall.SIGTERM)
	if code != 0 || !strings.Contains(rest, "answered: 202 x1, 503 x1") {
		t.Errorf("exit %d after SIGTERM:\n%s", code, rest)
	}
}

func TestListenBadFlags(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	out := filepath.Join(t.TempDir(), "never.jsonl")
	prev := filepath.Join(t.TempDir(), "previous.jsonl")
	if err := os.WriteFile(prev, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--fail-rate", "1.5"}, []string{"--fail-rate", "1.5"}},
		{[]string{"--reset-rate", "-0.5"}, []string{"--reset-rate", "-0.5"}},
		{[]string{"--status", "99"}, []string{"--status", "99"}},
		{[]string{"--status", "600"}, []string{"--status", "600"}},
		{[]string{"--fail-first", "-1"}, []string{"--fail-first", "-1"}},
		{[]string{"--latency", "-1s"}, []string{"--latency", "-1s"}},
		{[]string{"--body-limit", "0"}, []string{"--body-limit", "0"}},
		{[]string{"--max-bytes", "-1"}, []string{"--max-bytes", "-1"}},
		{[]string{"--max-deliveries", "-1"}, []string{"--max-deliveries", "-1"}},
		{[]string{"--inspect-token", "hunter2"}, []string{"--inspect-token", "too short"}},
		{[]string{"--latency", "soon"}, []string{"soon"}},
		{[]string{"--addr", "127.0.0.1"}, []string{"--addr 127.0.0.1", "missing port"}},
		{[]string{"--addr", busy.Addr().String(), "--out", out}, []string{"--addr " + busy.Addr().String(), "address already in use"}},
		{[]string{"--addr", busy.Addr().String(), "--out", prev}, []string{"address already in use"}},
		{[]string{"--addr", "127.0.0.1:0", "--inspect-addr", "nope"}, []string{"--inspect-addr nope:", "missing port"}},
		{[]string{"--addr", "127.0.0.1:0", "--inspect-addr", busy.Addr().String()}, []string{"--inspect-addr " + busy.Addr().String() + ":", "address already in use"}},
		{[]string{"--out", filepath.Join(t.TempDir(), "no", "such", "dir.jsonl")}, []string{"--out"}},
		{[]string{"extra-arg"}, []string{"extra-arg"}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := cli(t, "", append([]string{"listen"}, tc.args...)...).want(t, 2)
			if r.stdout != "" {
				t.Errorf("printed on stdout:\n%s", r.stdout)
			}
			if n := strings.Count(strings.TrimSpace(r.stderr), "\n"); n != 0 {
				t.Errorf("error is %d lines, want one:\n%s", n+1, r.stderr)
			}
			has(t, "stderr", r.stderr, tc.want...)
		})
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed start left %s behind (%v)", out, err)
	}
	if b, _ := os.ReadFile(prev); string(b) != "{}\n" {
		t.Errorf("a failed start clobbered the previous capture: %q", b)
	}
	if r := cli(t, "", "listen", "--help").want(t, 0); !strings.Contains(r.stdout, "Examples:") {
		t.Error("listen --help has no examples")
	}
}

// getWith GETs url with extra headers and returns the response and its
// body.
func getWith(t *testing.T, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// The inspection API shows real payloads. A TCP tunnel to the delivery
// address (ssh -R, ngrok tcp, kubectl port-forward) forwards requests that
// look local in every way: only its own loopback address serves it, unless
// a token or --public-inspect opens the delivery address too.
func TestListenInspectionThroughATunnel(t *testing.T) {
	const token = "5f0c8e2a9b7d4c1e8a6f3b2d"
	tunnel := map[string]string{"Host": "localhost"} // what ssh -R delivers: nothing to tell it by
	withToken := map[string]string{"Host": "localhost", "Authorization": "Bearer " + token}
	for _, tc := range []struct {
		args     []string
		describe string
		want     map[string]int // header set → status of GET /_mock/deliveries on the delivery address
	}{
		{nil, "/_mock/ on the inspection address only", map[string]int{"tunnel": 403, "token": 403}},
		{[]string{"--public-inspect"}, "open to anyone", map[string]int{"tunnel": 200}},
		{[]string{"--inspect-token", token}, "bearers of the token", map[string]int{"tunnel": 401, "token": 200}},
	} {
		t.Run(strings.Join(append([]string{"listen"}, tc.args...), " "), func(t *testing.T) {
			l := listen(t, tc.args...)
			if line := l.next(t); !strings.Contains(line, tc.describe) {
				t.Errorf("second line %q doesn't say %q", line, tc.describe)
			}
			postJSON(t, l.url+"/hook", documentedExample(t)) // through the tunnel or not, deliveries come in
			l.next(t)
			if res, body := getWith(t, l.inspect+"/_mock/deliveries", nil); res.StatusCode != 200 || !bytes.Contains(body, []byte("homeowner@example.com")) {
				t.Errorf("on the inspection address: %d %.200s", res.StatusCode, body)
			}
			headers := map[string]map[string]string{"tunnel": tunnel, "token": withToken}
			for name, want := range tc.want {
				res, body := getWith(t, l.url+"/_mock/deliveries", headers[name])
				status := res.StatusCode
				if status != want {
					t.Errorf("%s: %d, want %d: %s", name, status, want, body)
				}
				leaked := bytes.Contains(body, []byte("homeowner@example.com"))
				if leaked != (status == 200) {
					t.Errorf("%s: %d with the payload %v", name, status, leaked)
				}
				if status == 403 {
					var e struct{ Error, Hint string }
					if err := json.Unmarshal(body, &e); err != nil || !strings.Contains(e.Hint, "own loopback address") ||
						!strings.Contains(e.Hint, "--inspect-token") {
						t.Errorf("403 doesn't explain itself (%v): %s", err, body)
					}
				}
			}
			if res, _ := getWith(t, l.url+"/_mock/healthz", tunnel); res.StatusCode != 200 {
				t.Errorf("healthz through the tunnel: %d", res.StatusCode)
			}
			if rest, code := l.stop(t, os.Interrupt); code != 0 || !strings.Contains(rest, "summary: 1 delivery") {
				t.Errorf("exit %d:\n%s", code, rest)
			}
		})
	}
}

// DELETE /_mock/deliveries empties what the inspection API returns, not the
// run: seq stays unique in --out, and the summary at exit counts every
// delivery, as --out has them, saying that a clear happened.
func TestListenClearKeepsTheRunsCount(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want []string // in the output after the signal
	}{
		{"text", nil, []string{
			"summary: 3 deliveries, 1 unique event: 3 valid, 0 invalid, 0 unreadable",
			"answered: 200 x3",
			"cleared: 1 time, the last at ",
		}},
		{"json", []string{"-o", "json"}, []string{`"deliveries":3,"uniqueEvents":1,"valid":3`, `"clears":1,"lastClear":"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "captured.jsonl")
			l := listen(t, append([]string{"--out", out}, tc.args...)...)
			l.next(t)
			example := documentedExample(t)
			for range 2 {
				postJSON(t, l.url+"/hook", example)
				l.next(t)
			}
			req, err := http.NewRequest(http.MethodDelete, l.inspect+"/_mock/deliveries", nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			postJSON(t, l.url+"/hook", example)
			if line := l.next(t); !strings.Contains(line, "attempt=1 200 valid") {
				t.Errorf("after the clear, attempts start over: %q", line)
			}
			// The inspection API counts since the clear, and says so.
			_, body := getWith(t, l.inspect+"/_mock/summary", nil)
			var since struct {
				Deliveries, Clears int
			}
			if err := json.Unmarshal(body, &since); err != nil || since.Deliveries != 1 || since.Clears != 1 {
				t.Errorf("/_mock/summary after the clear (%v): %s", err, body)
			}

			rest, code := l.stop(t, os.Interrupt)
			if code != 0 {
				t.Errorf("exit code %d; stderr:\n%s", code, l.stderr)
			}
			has(t, "output at exit", rest, tc.want...)
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(data)), "\n")
			if len(lines) != 3 {
				t.Fatalf("--out has %d lines, want 3:\n%s", len(lines), data)
			}
			for i, line := range lines {
				var d struct{ Seq int }
				if err := json.Unmarshal([]byte(line), &d); err != nil || d.Seq != i+1 {
					t.Errorf("--out line %d has seq %d (%v), want %d: seq stays unique across a clear", i+1, d.Seq, err, i+1)
				}
			}
		})
	}
}
