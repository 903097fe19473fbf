package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

// startReceiver runs a capture receiver in the test process for the binary
// to deliver to.
func startReceiver(t *testing.T, opts ...receiver.Option) *receiver.Server {
	t.Helper()
	srv, err := receiver.Start("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// closedPort is an address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestScenarioList(t *testing.T) {
	r := cli(t, "", "scenario", "list").want(t, 0)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != len(scenarios.Names())+1 || !strings.HasPrefix(lines[0], "NAME") {
		t.Fatalf("list:\n%s", r.stdout)
	}
	for i, name := range scenarios.Names() {
		if !strings.HasPrefix(lines[i+1], name+" ") {
			t.Errorf("line %d is %q, want %s first", i+2, lines[i+1], name)
		}
	}
	if !strings.Contains(r.stdout, "residential-solar        43 ") || !strings.Contains(r.stdout, "900 (projects=100)") {
		t.Errorf("event counts missing:\n%s", r.stdout)
	}
}

func TestScenarioShow(t *testing.T) {
	for _, name := range []string{"residential-solar", "concurrent-projects"} {
		r := cli(t, "", "scenario", "show", name).want(t, 0)
		src, _ := scenarios.Source(name)
		if r.stdout != string(src) {
			t.Errorf("show %s isn't the embedded file", name)
		}
	}
	r := cli(t, "", "scenario", "show", "residential-solr").want(t, 2)
	if !strings.Contains(r.stderr, "did you mean residential-solar?") {
		t.Errorf("show of a typo: %s", r.stderr)
	}
	cli(t, "", "scenario").want(t, 2)
}

// The promise: --dry-run payloads all pass validate --strict, for
// every built-in, and the same seed prints the same bytes.
func TestScenarioDryRunPipesIntoStrictValidate(t *testing.T) {
	for _, name := range scenarios.Names() {
		t.Run(name, func(t *testing.T) {
			args := []string{"scenario", "run", name, "--dry-run", "--seed", "5"}
			if name == "concurrent-projects" {
				args = append(args, "--projects", "7")
			}
			gen := cli(t, "", args...).want(t, 0)
			n := strings.Count(gen.stdout, "\n")
			r := cli(t, gen.stdout, "validate", "--strict", "-").want(t, 0)
			if want := fmt.Sprintf("%d payloads: %d valid, 0 invalid", n, n); !strings.Contains(r.stdout, want) {
				t.Errorf("validate: %s", lastLine(r.stdout))
			}
			if name == "concurrent-projects" && n != 7*9 {
				t.Errorf("--projects 7 gave %d events", n)
			}
			if again := cli(t, "", args...).want(t, 0); again.stdout != gen.stdout {
				t.Error("the same seed printed different payloads")
			}
		})
	}
	// A file: copied from show, and edited.
	src := cli(t, "", "scenario", "show", "call-logged").want(t, 0).stdout
	path := filepath.Join(t.TempDir(), "mine.yaml")
	os.WriteFile(path, []byte(strings.Replace(src, "name: call-logged", "name: mine", 1)), 0o644)
	gen := cli(t, "", "scenario", "run", path, "--dry-run").want(t, 0)
	cli(t, gen.stdout, "validate", "--strict").want(t, 0)
}

// zeroScenario is a valid scenario file that fires no events.
const zeroScenario = "name: zero\nsteps:\n  - repeat:\n      count: 0\n      steps:\n        - createProject: {name: p}\n"

func TestScenarioRunBadInput(t *testing.T) {
	dir := t.TempDir()
	zero := filepath.Join(dir, "zero.yaml")
	os.WriteFile(zero, []byte(zeroScenario), 0o644)
	noProjects := filepath.Join(dir, "none.yaml")
	os.WriteFile(noProjects, []byte(strings.Replace(cli(t, "", "scenario", "show", "concurrent-projects").want(t, 0).stdout, "projects: 100", "projects: 0", 1)), 0o644)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("steps:\n  - createProject: {name: home}\n  - startPhase: {project: hom}\n"), 0o644)
	impossible := filepath.Join(dir, "impossible.yaml")
	os.WriteFile(impossible, []byte("steps:\n  - createProject: {name: p}\n  - createWorkOrder: {project: p, name: w}\n  - startPhase: {project: p}\n  - completePhase: {project: p}\n"), 0o644)
	// The trial's two indentation mistakes: a step indented under the one
	// above it, and a delivery key indented one space less than the next.
	stepUnderStep := filepath.Join(dir, "m3.yaml")
	os.WriteFile(stepUnderStep, []byte("name: acme-roofing\nsteps:\n  - createRequest: {name: lead, trades: [Roofing]}\n    - startPhase: {request: lead}\n"), 0o644)
	keyOverIndented := filepath.Join(dir, "m3b.yaml")
	os.WriteFile(keyOverIndented, []byte("name: acme-roofing\ndelivery:\n retry: ci\n  duplicate: 0.3\nsteps:\n  - createRequest: {name: lead}\n"), 0o644)
	down := "http://" + closedPort(t) + "/hook"
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"a step indented under another", []string{"scenario", "run", stepUnderStep, "--dry-run"}, []string{
			stepUnderStep + ":4:5: YAML syntax: non-map value is specified: ", "likely wrong indentation",
			"indented 4 spaces, deeper than line 3 above it (2 spaces)", `(line 4: "    - startPhase: {request: lead}")`}},
		{"a key indented deeper than the one above", []string{"scenario", "run", keyOverIndented, "--dry-run"}, []string{
			keyOverIndented + ":4:3: YAML syntax: mapping value is not allowed in this context: likely wrong indentation",
			"indented 2 spaces, deeper than line 3 above it (1 space)", `(line 4: "  duplicate: 0.3")`}},
		{"no --target", []string{"scenario", "run", "residential-solar"}, []string{"--target URL is required", "--dry-run"}},
		{"unknown scenario", []string{"scenario", "run", "residental-solar", "--dry-run"}, []string{"did you mean residential-solar?"}},
		{"bad file", []string{"scenario", "run", bad, "--dry-run"}, []string{bad + ":3:27:", `no project named "hom"`, "did you mean home?"}},
		{"impossible lifecycle", []string{"scenario", "run", impossible, "--to", down}, []string{impossible + ":5:5:", "open work orders: w (QUEUED)"}},
		{"unknown preset", []string{"scenario", "run", "residential-solar", "--to", down, "--retry", "cii"}, []string{`--retry "cii" isn't one of [default ci none]`, "did you mean ci?"}},
		{"retry and schedule", []string{"scenario", "run", "residential-solar", "--to", down, "--retry", "ci", "--schedule", "1s"}, []string{"--retry and --schedule"}},
		{"bad schedule", []string{"scenario", "run", "residential-solar", "--to", down, "--schedule", "1s,later"}, []string{"--schedule", `"later"`}},
		{"bad time scale", []string{"scenario", "run", "residential-solar", "--to", down, "--time-scale", "0"}, []string{"--time-scale"}},
		{"bad duplicate mode", []string{"scenario", "run", "residential-solar", "--to", down, "--duplicate-mode", "later"}, []string{`--duplicate-mode "later" isn't one of [after concurrent]`}},
		{"bad duplicate", []string{"scenario", "run", "residential-solar", "--to", down, "--duplicate", "2"}, []string{"--duplicate"}},
		{"concurrency over the bound", []string{"scenario", "run", "residential-solar", "--to", down, "--concurrency", "2000"}, []string{"--concurrency 2000: must be between 1 and 1024"}},
		{"bad header", []string{"scenario", "run", "residential-solar", "--to", down, "--header", "nocolon"}, []string{`--header "nocolon"`}},
		{"projects on a scenario without", []string{"scenario", "run", "residential-solar", "--dry-run", "--projects", "3"}, []string{`coperniq-mock: scenario residential-solar has no parameter "projects" (it declares none)`}},
		{"projects 0", []string{"scenario", "run", "concurrent-projects", "--to", down, "--projects", "0"}, []string{"--projects 0: want at least 1"}},
		{"projects 0, dry run", []string{"scenario", "run", "concurrent-projects", "--dry-run", "--projects", "0"}, []string{"--projects 0: want at least 1"}},
		{"projects negative", []string{"scenario", "run", "concurrent-projects", "--dry-run", "--projects", "-3"}, []string{"--projects -3: want at least 1"}},
		{"negative event id offset", []string{"scenario", "run", "call-logged", "--dry-run", "--event-id-offset", "-1"}, []string{"--event-id-offset -1: want 0 to 9007199250546688"}},
		{"no events", []string{"scenario", "run", zero, "--to", down}, []string{"scenario zero renders to no events (seed 1): nothing to send"}},
		{"no events, dry run", []string{"scenario", "run", zero, "--dry-run", "--seed", "4"}, []string{"scenario zero renders to no events (seed 4)"}},
		{"a parameter's default of 0", []string{"scenario", "run", noProjects, "--dry-run"}, []string{"scenario concurrent-projects renders to no events", "parameter 0?"}},
		{"bad url", []string{"scenario", "run", "residential-solar", "--to", "ftp://example/x"}, []string{"ftp"}},
		{"unreachable", []string{"scenario", "run", "residential-solar", "--to", down + "?token=s3cret"}, []string{"could not reach the receiver", "token=***"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", tc.args...).want(t, 2)
			has(t, "stderr", r.stderr, tc.want...)
			if strings.Contains(r.stderr, "s3cret") {
				t.Errorf("the token leaked: %s", r.stderr)
			}
		})
	}
}

func TestScenarioRunDelivers(t *testing.T) {
	srv := startReceiver(t, receiver.WithFailFirst(1))
	logPath := filepath.Join(t.TempDir(), "run.jsonl")
	r := cli(t, "", "scenario", "run", "residential-solar", "--to", srv.URL+"/hook?token=s3cret", "--retry", "ci", "--log", logPath, "--seed", "9").want(t, 0)
	for _, w := range []string{
		"scenario residential-solar: 43 events, seed 9, to http://",
		"events 43 = acked 43 + dead 0\n",
		"retried 43, attempts 86, duplicates 0",
		"latency p50 ",
		"delivery log: " + logPath,
	} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
		}
	}
	if !regexp.MustCompile(`\n  PROJECT_PHASE_STARTED +8 +8 +0\n`).MatchString(r.stdout) {
		t.Errorf("per-trigger row missing:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "\r") || strings.Contains(r.stdout, "s3cret") {
		t.Errorf("a progress line on a pipe, or the token printed:\n%q", r.stdout)
	}
	// The events = acked + dead line comes first in the summary.
	if !strings.HasPrefix(strings.SplitN(r.stdout, "\n", 2)[1], "events 43 = acked 43 + dead 0") {
		t.Errorf("the accounting isn't the summary's first line:\n%s", r.stdout)
	}
	if s := srv.Summary(); s.Deliveries != 86 || s.UniqueEvents != 43 || s.Invalid != 0 {
		t.Errorf("receiver: %+v", s)
	}
	f, _ := os.Open(logPath)
	defer f.Close()
	l, err := delivery.ReadLog(f)
	if err != nil || len(l.Events) != 43 || len(l.Select(delivery.StateAcked)) != 43 {
		t.Fatalf("log: %v, %d events", err, len(l.Events))
	}
	// The scenario's delivery block applies: duplicate-delivery sends each
	// event twice unless a flag says otherwise.
	srv2 := startReceiver(t)
	r = cli(t, "", "scenario", "run", "duplicate-delivery", "--to", srv2.URL).want(t, 0)
	if !strings.Contains(r.stdout, "duplicates 8") || srv2.Summary().Deliveries != 16 {
		t.Errorf("duplicate-delivery: %d deliveries\n%s", srv2.Summary().Deliveries, r.stdout)
	}
	srv3 := startReceiver(t)
	cli(t, "", "scenario", "run", "duplicate-delivery", "--to", srv3.URL, "--duplicate", "0").want(t, 0)
	if n := srv3.Summary().Deliveries; n != 8 {
		t.Errorf("--duplicate 0 over the file's duplicate: 1 gave %d deliveries", n)
	}
}

func TestScenarioRunDeadExitsOne(t *testing.T) {
	srv := startReceiver(t, receiver.WithStatus(http.StatusInternalServerError))
	r := cli(t, "", "scenario", "run", "call-logged", "--to", srv.URL, "--retry", "none").want(t, 1)
	if !strings.Contains(r.stdout, "events 4 = acked 0 + dead 4") || !strings.Contains(r.stderr, "4 of 4 events dead") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	// A schedule at 1000x: 3 attempts each, waits scaled down.
	r = cli(t, "", "scenario", "run", "call-logged", "--to", srv.URL, "--schedule", "1s,2s", "--time-scale", "1000").want(t, 1)
	if !strings.Contains(r.stdout, "attempts 12") || !strings.Contains(r.stdout, "clock virtual x1000") {
		t.Errorf("schedule run:\n%s", r.stdout)
	}
}

// Ctrl-C stops new sends, lets in-flight attempts finish, and still
// reports every event: none unaccounted for.
func TestScenarioRunInterrupted(t *testing.T) {
	srv := startReceiver(t, receiver.WithLatency(100*time.Millisecond))
	r := interrupt(t, deliveredTo(srv), "scenario", "run", "residential-solar", "--to", srv.URL, "--retry", "ci").want(t, 1)
	stdout := r.stdout
	sc := bufio.NewScanner(strings.NewReader(stdout))
	var acct string
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "events 43 = ") {
			acct = sc.Text()
		}
	}
	if !strings.Contains(acct, "+ pending") || !strings.Contains(acct, "(interrupted)") || !strings.Contains(stdout, "PENDING") {
		t.Errorf("accounting after Ctrl-C: %q\nstdout:\n%s\nstderr:\n%s", acct, stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "interrupted") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

func TestIsTerminal(t *testing.T) {
	var buf bytes.Buffer
	if isTerminal(&buf) {
		t.Error("a buffer taken for a terminal")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a file taken for a terminal")
	}
}
