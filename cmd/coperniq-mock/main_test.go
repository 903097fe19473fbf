package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// binary is the real coperniq-mock, built once for the whole package: CLI
// behaviour (exit codes, stdout vs stderr, pipes) is tested on what users run,
// built as make builds it (-trimpath: no path of this checkout in its output).
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "coperniq-mock-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "coperniq-mock")
	if out, err := exec.Command("go", "build", "-trimpath", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the binary: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startPiped starts cmd with its stdout piped to the test (set its stdin
// and stderr before); a process still running at cleanup is killed and
// reaped.
func startPiped(t *testing.T, cmd *exec.Cmd) io.ReadCloser {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return stdout
}

// running is a program started in the background, its stdout read line
// by line as a script reading it would.
type running struct {
	cmd    *exec.Cmd
	lines  chan string // stdout, line by line; closed at EOF
	stderr *bytes.Buffer
}

// background starts cmd (set its stdin before) and reads its stdout; a
// process still running at cleanup is killed and reaped.
func background(t *testing.T, cmd *exec.Cmd) *running {
	t.Helper()
	p := &running{cmd: cmd, lines: make(chan string, 100), stderr: &bytes.Buffer{}}
	cmd.Stderr = p.stderr
	stdout := startPiped(t, cmd)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	return p
}

// start runs the binary with args in the background.
func start(t *testing.T, args ...string) *running {
	t.Helper()
	return background(t, exec.Command(binary, args...))
}

// read is the next line the program prints; ok is false at the end of its
// output.
func (p *running) read(t *testing.T) (line string, ok bool) {
	t.Helper()
	select {
	case line, ok = <-p.lines:
		return line, ok
	case <-time.After(20 * time.Second):
		t.Fatalf("no line from %v within 20s; stderr:\n%s", p.cmd.Args, p.stderr)
	}
	return "", false
}

// next is the next line the program prints.
func (p *running) next(t *testing.T) string {
	t.Helper()
	line, ok := p.read(t)
	if !ok {
		t.Fatalf("%v ended early; stderr:\n%s", p.cmd.Args, p.stderr)
	}
	return line
}

// nextWith skips to the first line with the prefix.
func (p *running) nextWith(t *testing.T, prefix string) string {
	t.Helper()
	for {
		if line := p.next(t); strings.HasPrefix(line, prefix) {
			return line
		}
	}
}

// stop signals the process and returns the rest of its output and its exit
// code.
func (p *running) stop(t *testing.T, sig os.Signal) (string, int) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	var rest []string
	for line, ok := p.read(t); ok; line, ok = p.read(t) {
		rest = append(rest, line)
	}
	code := exitStatus(t, p.cmd.Wait())
	if strings.Contains(p.stderr.String(), "panic:") {
		t.Fatalf("%v panicked:\n%s", p.cmd.Args, p.stderr)
	}
	return strings.Join(rest, "\n"), code
}

// exitStatus is the exit code a process ended with (cmd.Wait's or
// cmd.Run's error); one that could not run at all fails the test.
func exitStatus(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

type result struct {
	stdout, stderr string
	code           int
}

// cli runs the binary with stdin and returns what it printed and its exit code.
func cli(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runCLI(t, stdin, nil, args)
}

// cliEnv is cli with extra environment variables.
func cliEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return runCLI(t, "", env, args)
}

func runCLI(t *testing.T, stdin string, env, args []string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	code := exitStatus(t, cmd.Run())
	r := result{out.String(), errb.String(), code}
	// No input may ever produce a Go panic or stack trace.
	for _, bad := range []string{"panic:", "goroutine ", ".go:"} {
		if strings.Contains(r.stderr, bad) {
			t.Fatalf("%v printed a stack trace:\n%s", args, r.stderr)
		}
	}
	return r
}

func (r result) want(t *testing.T, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	return r
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/coperniq-mock -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (refresh with -update if intended):\n%s", name, got)
	}
}

func TestTriggers(t *testing.T) {
	r := cli(t, "", "triggers").want(t, 0)
	golden(t, "triggers.golden", r.stdout)
	if n := strings.Count(r.stdout, "\n"); n != 19 {
		t.Errorf("table has %d lines, want a header and 18 triggers", n)
	}

	r = cli(t, "", "triggers", "--output", "json").want(t, 0)
	var ts []struct {
		TriggerKey     string `json:"triggerKey"`
		Family         string `json:"family"`
		NameDocumented *bool  `json:"nameDocumented"`
		ExtraFields    []struct {
			Name             string
			ValuesDocumented *bool `json:"valuesDocumented"`
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &ts); err != nil || len(ts) != 18 {
		t.Fatalf("json output: %d triggers, %v", len(ts), err)
	}
	if ts[2].TriggerKey != "TASK_STATUS_MOVEMENT" || len(ts[2].ExtraFields) != 3 {
		t.Errorf("unexpected third trigger %+v", ts[2])
	}
	// Coperniq publishes one triggerName, Work Order Status Movement; the
	// JSON says which names are guesses, and which value lists.
	for _, tr := range ts {
		if tr.NameDocumented == nil || *tr.NameDocumented != (tr.TriggerKey == "TASK_STATUS_MOVEMENT") {
			t.Errorf("%s: nameDocumented %v", tr.TriggerKey, tr.NameDocumented)
		}
		for _, f := range tr.ExtraFields {
			if f.Name == "phaseType" && (f.ValuesDocumented == nil || *f.ValuesDocumented) {
				t.Errorf("%s: phaseType values marked documented", tr.TriggerKey)
			}
		}
	}

	r = cli(t, "", "triggers", "--output", "yml").want(t, 2)
	if !strings.Contains(r.stderr, `--output "yml" isn't one of [table json]`) {
		t.Errorf("bad --output error: %s", r.stderr)
	}
}

func TestGenerateOneDocumentOrNDJSON(t *testing.T) {
	one := cli(t, "", "generate", "PROJECT_CREATED").want(t, 0)
	var doc map[string]any
	if err := json.Unmarshal([]byte(one.stdout), &doc); err != nil {
		t.Fatalf("one payload is not one JSON document: %v", err)
	}
	if _, ok := doc["workOrder"]; ok {
		t.Error("PROJECT_CREATED carries a workOrder key")
	}

	many := cli(t, "", "generate", "TASK_CREATED", "CALL_UPSERTED", "--count", "3").want(t, 0)
	lines := strings.Split(strings.TrimSpace(many.stdout), "\n")
	if len(lines) != 6 {
		t.Fatalf("got %d NDJSON lines, want 6", len(lines))
	}
	for i, l := range lines {
		var p struct{ Event struct{ TriggerKey string } }
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		want := "TASK_CREATED"
		if i >= 3 {
			want = "CALL_UPSERTED"
		}
		if p.Event.TriggerKey != want {
			t.Errorf("line %d is %s, want %s", i+1, p.Event.TriggerKey, want)
		}
	}

	all := cli(t, "", "generate", "all").want(t, 0)
	if n := strings.Count(all.stdout, "\n"); n != 18 {
		t.Errorf("generate all printed %d lines, want 18", n)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	a := cli(t, "", "generate", "all", "--seed", "42", "--count", "2").want(t, 0)
	b := cli(t, "", "generate", "all", "--seed", "42", "--count", "2").want(t, 0)
	c := cli(t, "", "generate", "all", "--seed", "43", "--count", "2").want(t, 0)
	if a.stdout != b.stdout {
		t.Error("the same seed gave different output")
	}
	if a.stdout == c.stdout {
		t.Error("different seeds gave the same output")
	}
	pretty := cli(t, "", "generate", "TASK_STATUS_MOVEMENT", "--seed", "7", "--pretty").want(t, 0)
	golden(t, "generate-seed7.golden", pretty.stdout)
}

// The definition of done: generated payloads pass strict validation.
func TestGeneratePipesIntoStrictValidate(t *testing.T) {
	gen := cli(t, "", "generate", "all", "--count", "100", "--seed", "7").want(t, 0)
	r := cli(t, gen.stdout, "validate", "--strict", "-").want(t, 0)
	if !strings.Contains(r.stdout, "1800 payloads: 1800 valid, 0 invalid, 0 unreadable") {
		t.Errorf("unexpected totals:\n%s", lastLine(r.stdout))
	}
	// Pretty streams are read too.
	gen = cli(t, "", "generate", "all", "--pretty", "--profile", "minimal").want(t, 0)
	r = cli(t, gen.stdout, "validate", "--strict", "--quiet").want(t, 0)
	if !strings.Contains(r.stdout, "18 payloads: 18 valid") {
		t.Errorf("pretty stream: %s", r.stdout)
	}
}

func TestGenerateProfilesValidate(t *testing.T) {
	for _, p := range []string{"realistic", "minimal", "maximal", "edge"} {
		t.Run(p, func(t *testing.T) {
			gen := cli(t, "", "generate", "all", "--count", "5", "--profile", p).want(t, 0)
			cli(t, gen.stdout, "validate", "--quiet").want(t, 0)
		})
	}
}

func TestGenerateBadInput(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown trigger", []string{"generate", "TASK_DONE"},
			[]string{`trigger "TASK_DONE" isn't one of [`, "did you mean TASK_COMPLETED?"}},
		{"unknown trigger after a good one", []string{"generate", "PROJECT_CREATED", "PROJECT_CRATED"},
			[]string{"did you mean PROJECT_CREATED?"}},
		{"bad profile", []string{"generate", "all", "--profile", "maximum"},
			[]string{`"maximum"`, "did you mean maximal?"}},
		{"bad set path", []string{"generate", "PROJECT_CREATED", "--set", "record.stage.nmae=Design"},
			[]string{"record.stage.nmae", "record.stage.name"}},
		{"set without =", []string{"generate", "PROJECT_CREATED", "--set", "record.stage.name"},
			[]string{"--set", "record.stage.name"}},
		{"invalid override", []string{"generate", "PROJECT_CREATED", "--set", "record.id=\"abc\""},
			[]string{"/record/id", "--allow-invalid"}},
		{"number where a string is wanted", []string{"generate", "PROJECT_CREATED", "--set", "record.title=12345"},
			[]string{"/record/title: want string, got number", `--set 'record.title="..."'`}},
		{"zero count", []string{"generate", "all", "--count", "0"}, []string{"--count 0"}},
		{"no trigger", []string{"generate"}, []string{"requires at least 1 arg"}},
		{"missing merge file", []string{"generate", "PROJECT_CREATED", "--merge", "/nonexistent/patch.json"},
			[]string{"--merge", "/nonexistent/patch.json"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", tc.args...).want(t, 2)
			if r.stdout != "" {
				t.Errorf("bad input printed payloads:\n%s", r.stdout)
			}
			has(t, "stderr", r.stderr, tc.want...)
			if n := strings.Count(strings.TrimSpace(r.stderr), "\n"); n > 2 {
				t.Errorf("error should be short, got %d lines:\n%s", n+1, r.stderr)
			}
		})
	}
}

func TestGenerateOverrides(t *testing.T) {
	r := cli(t, "", "generate", "TASK_STATUS_MOVEMENT", "--set", "record.id=4242", "--set", "/record/stage/name=Permitting").want(t, 0)
	var p struct {
		Event  struct{ RecordID int64 }
		Record struct {
			ID    int64
			Stage struct{ Name string }
		}
		WorkOrder struct{ RecordID int64 }
	}
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatal(err)
	}
	if p.Record.ID != 4242 || p.Event.RecordID != 4242 || p.WorkOrder.RecordID != 4242 || p.Record.Stage.Name != "Permitting" {
		t.Errorf("overrides not applied in step: %+v", p)
	}
	patch := filepath.Join(t.TempDir(), "patch.json")
	os.WriteFile(patch, []byte(`{"record":{"customFields":{"panelCount":24}}}`), 0o644)
	r = cli(t, "", "generate", "PROJECT_CREATED", "--merge", patch).want(t, 0)
	if !strings.Contains(r.stdout, `"panelCount":24`) {
		t.Errorf("merge patch not applied: %s", r.stdout)
	}
	// Deliberately invalid payloads for a receiver's rejection path.
	r = cli(t, "", "generate", "PROJECT_CREATED", "--set", `record.id="abc"`, "--allow-invalid").want(t, 0)
	cli(t, r.stdout, "validate").want(t, 1)
}

func TestValidate(t *testing.T) {
	// The one payload Coperniq documents, as copied into the repository (a
	// clean clone has no shared/ folder beside it).
	example, err := os.ReadFile("../../schemas/testdata/documented-example.json")
	if err != nil {
		t.Fatalf("the documented example: %v", err)
	}
	cli(t, string(example), "validate", "--strict").want(t, 0)

	file := filepath.Join(t.TempDir(), "example.json")
	os.WriteFile(file, example, 0o644)
	r := cli(t, "", "validate", file).want(t, 0)
	if !strings.Contains(r.stdout, file+":1: ok TASK_STATUS_MOVEMENT") {
		t.Errorf("per-payload line missing:\n%s", r.stdout)
	}

	broken := strings.Replace(compact(t, example), `"id":16651`, `"id":"16651"`, 1)
	stream := compact(t, example) + "\n" + broken + "\n"
	r = cli(t, stream, "validate", "-").want(t, 1)
	if !strings.Contains(r.stdout, "-:2: invalid TASK_STATUS_MOVEMENT") || !strings.Contains(r.stdout, "/record/stage/id:") {
		t.Errorf("violation not located:\n%s", r.stdout)
	}

	r = cli(t, stream, "validate", "--output", "json").want(t, 1)
	var js struct {
		Payloads, Valid, Invalid int
		Results                  []struct {
			Line       int
			Valid      bool
			Violations []map[string]any
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &js); err != nil {
		t.Fatalf("json output: %v\n%s", err, r.stdout)
	}
	if js.Payloads != 2 || js.Invalid != 1 || js.Results[1].Line != 2 || len(js.Results[1].Violations) == 0 {
		t.Errorf("json verdicts wrong: %+v", js)
	}

	// Malformed JSON: exit 2, line and column in the stream, and the good
	// payload after it is still validated.
	r = cli(t, compact(t, example)+"\n{\"event\": }\n"+compact(t, example)+"\n", "validate").want(t, 2)
	if !strings.Contains(r.stdout, "-:2: unreadable: line 2, column 11") || !strings.Contains(r.stdout, "-:3: ok") {
		t.Errorf("malformed line not located, or later payload lost:\n%s", r.stdout)
	}

	cli(t, "", "validate", "/nonexistent/file.json").want(t, 2)
	cli(t, "", "validate").want(t, 2) // empty input
}

func TestSchemaCommands(t *testing.T) {
	r := cli(t, "", "schema", "show", "TASK_STATUS_MOVEMENT", "--strict").want(t, 0)
	var s map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil || s["$schema"] == nil {
		t.Fatalf("schema show: %v", err)
	}
	cli(t, "", "schema", "show", "TASK_DONE").want(t, 2)

	dir := t.TempDir()
	cli(t, "", "schema", "export", "--out", dir).want(t, 0)
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !strings.Contains(strings.Join(names, " "), "PROJECT_CREATED.json") {
		t.Errorf("export wrote %v", names)
	}
	cli(t, "", "schema", "export").want(t, 2)
}

func TestSend(t *testing.T) {
	var hits atomic.Int32
	var got []byte
	var gotType string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/ok":
			got, _ = io.ReadAll(r.Body)
			gotType = r.Header.Get("Content-Type")
			w.Write([]byte(`{"received":true}`))
		case "/redirect":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		case "/elsewhere":
			t.Error("send followed a redirect")
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()

	r := cli(t, "", "send", "PROJECT_CREATED", "--seed", "3", "--to", srv.URL+"/ok?token=s3cret").want(t, 0)
	if !strings.Contains(r.stdout, "200 OK") || !strings.Contains(r.stdout, `{"received":true}`) {
		t.Errorf("send output:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout+r.stderr, "s3cret") {
		t.Errorf("the token leaked into the output:\n%s%s", r.stdout, r.stderr)
	}
	want := cli(t, "", "generate", "PROJECT_CREATED", "--seed", "3").want(t, 0)
	if string(got)+"\n" != want.stdout || gotType != "application/json" {
		t.Errorf("send did not POST the generated payload as JSON (%q)", gotType)
	}

	r = cli(t, "", "send", "PROJECT_CREATED", "--to", srv.URL+"/redirect").want(t, 1)
	if !strings.Contains(r.stderr, "302") || !strings.Contains(r.stderr, "redirect") {
		t.Errorf("redirect verdict:\n%s", r.stderr)
	}
	r = cli(t, "", "send", "PROJECT_CREATED", "--to", srv.URL+"/fail").want(t, 1)
	if !strings.Contains(r.stderr, "500") {
		t.Errorf("500 verdict:\n%s", r.stderr)
	}

	// A port nothing listens on.
	closed := httptest.NewServer(http.NotFoundHandler())
	url := closed.URL
	closed.Close()
	r = cli(t, "", "send", "PROJECT_CREATED", "--to", url+"/hook?token=s3cret").want(t, 2)
	if !strings.Contains(r.stderr, "could not reach") || strings.Contains(r.stderr, "s3cret") {
		t.Errorf("unreachable verdict:\n%s", r.stderr)
	}
	cli(t, "", "send", "PROJECT_CREATED", "--to", "ftp://example").want(t, 2)
	cli(t, "", "send", "PROJECT_CREATED").want(t, 2)
}

func TestCompletionAndHelp(t *testing.T) {
	r := cli(t, "", "__complete", "generate", "TASK_").want(t, 0)
	for _, w := range []string{"TASK_CREATED", "TASK_STATUS_MOVEMENT", "all"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("completion lacks %s:\n%s", w, r.stdout)
		}
	}
	r = cli(t, "", "__complete", "generate", "all", "--profile", "").want(t, 0)
	if !strings.Contains(r.stdout, "maximal") {
		t.Errorf("profile completion:\n%s", r.stdout)
	}
	for _, c := range []string{"generate", "validate", "send", "triggers"} {
		r = cli(t, "", c, "--help").want(t, 0)
		if !strings.Contains(r.stdout, "Examples:") {
			t.Errorf("%s --help has no examples", c)
		}
	}
	cli(t, "", "completion", "bash").want(t, 0)
	r = cli(t, "", "completion", "fsh").want(t, 2)
	if !strings.Contains(r.stderr, `unknown command "fsh"`) {
		t.Errorf("unknown shell: %s", r.stderr)
	}
}

func compact(t *testing.T, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndex(s, "\n")+1:]
}

func TestValidateInputShapes(t *testing.T) {
	gen := cli(t, "", "generate", "PROJECT_CREATED", "CALL_UPSERTED").want(t, 0)
	lines := strings.Split(strings.TrimSpace(gen.stdout), "\n")

	t.Run("array of payloads", func(t *testing.T) {
		r := cli(t, "["+lines[0]+",\n"+lines[1]+"]\n", "validate", "--strict").want(t, 0)
		if !strings.Contains(r.stdout, "-:1[0]: ok PROJECT_CREATED") || !strings.Contains(r.stdout, "-:1[1]: ok CALL_UPSERTED") {
			t.Errorf("array elements not validated one by one:\n%s", r.stdout)
		}
	})
	t.Run("listen capture lines", func(t *testing.T) {
		capture := `{"seq":1,"time":"2026-03-31T17:04:22Z","payload":` + lines[0] + "}\n" +
			`{"seq":2,"time":"2026-03-31T17:04:23Z","unreadable":"not JSON: line 1, column 2"}` + "\n"
		r := cli(t, capture, "validate").want(t, 2)
		if !strings.Contains(r.stdout, "-:1: ok PROJECT_CREATED") || !strings.Contains(r.stdout, "-:2: unreadable: captured body: not JSON") {
			t.Errorf("capture lines not unwrapped:\n%s", r.stdout)
		}
	})
	t.Run("byte order mark", func(t *testing.T) {
		cli(t, "\xef\xbb\xbf"+lines[0]+"\n", "validate", "--strict").want(t, 0)
	})
	t.Run("a line cut inside a string loses nothing after it", func(t *testing.T) {
		bad := strings.Replace(lines[1], `"uid":`, `"uid":"oops","formerUid":`, 1)
		in := lines[0][:300] + "\n" + lines[0] + "\n" + bad + "\n"
		r := cli(t, in, "validate").want(t, 2)
		if !strings.Contains(r.stdout, "3 payloads: 1 valid, 1 invalid, 1 unreadable") {
			t.Errorf("payloads after the cut line were dropped:\n%s", r.stdout)
		}
	})
}

func TestSendTimeoutIsAFailedDelivery(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer srv.Close()
	defer close(release)
	r := cli(t, "", "send", "CALL_UPSERTED", "--to", srv.URL, "--timeout", "200ms").want(t, 1)
	if !strings.Contains(r.stderr, "no answer") || !strings.Contains(r.stderr, "timeout") {
		t.Errorf("timeout verdict:\n%s", r.stderr)
	}
	cli(t, "", "send", "CALL_UPSERTED", "--to", srv.URL, "--timeout", "0s").want(t, 2)
}
