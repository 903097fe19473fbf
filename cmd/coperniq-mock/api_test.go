package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/api"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

// runAPI runs `coperniq-mock api` on a free port with args and returns
// its base URL, read from the line that announces it.
func runAPI(t *testing.T, args ...string) (string, *running) {
	t.Helper()
	p := start(t, append([]string{"api", "--addr", "127.0.0.1:0"}, args...)...)
	return apiURL(t, p.nextWith(t, "Coperniq API mock on")), p
}

// get GETs url with the API key, if any.
func get(t *testing.T, url, key string) (*http.Response, []byte) {
	t.Helper()
	header := map[string]string{}
	if key != "" {
		header["x-api-key"] = key
	}
	return getWith(t, url, header)
}

// apiURL reads the base URL from the api command's first line.
func apiURL(t *testing.T, line string) string {
	t.Helper()
	f := strings.Fields(line)
	for _, w := range f {
		if strings.HasPrefix(w, "http://") {
			return w
		}
	}
	t.Fatalf("no URL in %q", line)
	return ""
}

// Faults and the call log, over loopback, with the real binary.
func TestAPICommandFaultsAndCallLog(t *testing.T) {
	calls := filepath.Join(t.TempDir(), "calls.jsonl")
	base, p := runAPI(t, "--api-key", "k", "--api-429-rate", "1", "--api-retry-after", "2s", "--api-calls", calls)
	resp, body := get(t, base+"/projects", "k")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" || !strings.Contains(string(body), "Retry-After") {
		t.Fatalf("429 rate 1: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if resp, body := get(t, base+"/projects", "wrong"); resp.StatusCode != 401 || !strings.Contains(string(body), "not valid") {
		t.Fatalf("wrong key: %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, base+"/_mock/api-calls", "")
	var log struct{ Calls []api.Call }
	if err := json.Unmarshal(body, &log); err != nil || resp.StatusCode != 200 {
		t.Fatalf("call log: %d %s", resp.StatusCode, body)
	}
	if len(log.Calls) != 2 || log.Calls[0].Fault != "429" || log.Calls[0].Operation != "list-projects" || log.Calls[1].Auth != "wrong" || log.Calls[1].Status != 401 {
		t.Errorf("call log: %+v", log.Calls)
	}
	out, code := p.stop(t, os.Interrupt)
	if code != 0 || !strings.Contains(out, "API: 2 calls") || !strings.Contains(out, "API misuse: key (call 2)") {
		t.Errorf("after Ctrl-C: exit %d, %s", code, out)
	}
	b, err := os.ReadFile(calls)
	if err != nil || strings.Count(string(b), "\n") != 2 || !strings.Contains(string(b), `"fault":"429"`) {
		t.Errorf("--api-calls file: %v %s", err, b)
	}

	// The per-key quota.
	base, _ = runAPI(t, "--api-quota", "2/day")
	for i := range 3 {
		resp, body := get(t, base+"/projects", api.DefaultKey)
		if want := map[bool]int{true: 200, false: 429}[i < 2]; resp.StatusCode != want {
			t.Errorf("--api-quota 2/day, call %d: %d %s", i+1, resp.StatusCode, body)
		}
	}

	// Fail rate 1 and latency.
	base, _ = runAPI(t, "request-won", "--api-fail-rate", "1", "--api-latency", "300ms")
	start := time.Now()
	resp, body = get(t, base+"/opportunities", api.DefaultKey)
	if resp.StatusCode != 500 || !strings.Contains(string(body), "api-fail-rate") {
		t.Errorf("fail rate 1: %d %s", resp.StatusCode, body)
	}
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("--api-latency 300ms answered in %s", took)
	}
}

// A script that reads the address line and sends Ctrl-C at once gets the
// summary and exit 0: the handler is installed before the line is printed
// (it was after, and 1 run in 4 died of the signal).
func TestAPICommandCtrlCRightAfterTheAddressLine(t *testing.T) {
	for i := range 20 {
		_, p := runAPI(t)
		if out, code := p.stop(t, os.Interrupt); code != 0 || !strings.Contains(out, "API: 0 calls") {
			t.Fatalf("run %d: Ctrl-C right after the address line: exit %d, %s", i+1, code, out)
		}
	}
}

func TestAPICommandWorldAndHelp(t *testing.T) {
	base, _ := runAPI(t, "request-won", "--at", "start")
	if resp, body := get(t, base+"/opportunities", api.DefaultKey); resp.StatusCode != 200 || string(body) != "[]\n" {
		t.Errorf("--at start: %d %s, want an empty world", resp.StatusCode, body)
	}
	var clock struct{ Now, Start, End time.Time }
	if _, body := get(t, base+"/_mock/clock", ""); json.Unmarshal(body, &clock) != nil || !clock.Now.Before(clock.Start) || !clock.End.After(clock.Start) {
		t.Errorf("/_mock/clock at start: %+v", clock)
	}
	// --at a time between: the request exists, the project it becomes not yet.
	mid := clock.Start.Add(time.Hour).Format(time.RFC3339)
	base, _ = runAPI(t, "request-won", "--at", mid)
	_, opps := get(t, base+"/v1/opportunities", api.DefaultKey)
	_, projects := get(t, base+"/projects", api.DefaultKey)
	if strings.Count(string(opps), `"number"`) != 1 || string(projects) != "[]\n" {
		t.Errorf("--at %s: opportunities %s; projects %s", mid, opps, projects)
	}
	if resp, body := get(t, base+"/_mock/api-calls?since=x", ""); resp.StatusCode != 400 || !strings.Contains(string(body), "since") {
		t.Errorf("since=x: %d %s", resp.StatusCode, body)
	}
	r := cli(t, "", "api", "--help").want(t, 0)
	for _, want := range []string{"answer 501", "DELETE /projects/{projectId}", "POST   /projects", "GET    /projects/{projectId}", "PATCH  /projects/{projectId}/work-orders/{workOrderId}"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("api --help lacks %q", want)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"api", "--api-fail-rate", "2"}, "--api-fail-rate"},
		{[]string{"api", "--api-429-rate", "0.6", "--api-fail-rate", "0.6"}, "more than 1"},
		{[]string{"api", "--api-latency", "fast"}, "--api-latency"},
		{[]string{"api", "--at", "noon"}, "--at"},
		{[]string{"api", "--api-quota", "100/min"}, "--api-quota"},
		{[]string{"api", "--api-quota", "fast"}, "--api-quota"},
		{[]string{"api", "--api-key", ""}, "--api-key"},
		{[]string{"api", "--api-retry-after", "-1s"}, "--api-retry-after: Retry-After -1s is negative"},
		{[]string{"api", "no-such-scenario"}, "no-such-scenario"},
		{[]string{"scenario", "run", "residential-solar", "--to", "http://127.0.0.1:1/", "--api", "127.0.0.1:0", "--api-fail-rate", "-1"}, "--api-fail-rate"},
		{[]string{"scenario", "run", "residential-solar", "--to", "http://127.0.0.1:1/", "--api-fail-rate", "0.5"}, "only --api ADDR"},
		{[]string{"scenario", "run", "residential-solar", "--dry-run", "--api", "127.0.0.1:0"}, "--dry-run"},
	} {
		r := cli(t, "", c.args...).want(t, 2)
		if !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: stderr %q lacks %q", c.args, r.stderr, c.want)
		}
	}
}

// The sample receiver (Python, standard library) fetches the project
// from the API after each webhook and stores its phases; run against
// 'scenario run residential-solar --api' with 429s and 500s injected, its
// stored state is the world's, and every fetch saw the phase the webhook
// announced.
func TestScenarioRunAPIWithPythonReceiver(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	dir := t.TempDir()
	statePath := filepath.Join(dir, "state.json")
	callsPath := filepath.Join(dir, "calls.jsonl")
	apiAddr := closedPort(t)
	rcv := background(t, exec.Command(py, "../../api/testdata/receiver.py", "--port", "0", "--api", "http://"+apiAddr, "--key", "k", "--state", statePath))
	port := strings.TrimSpace(strings.TrimPrefix(rcv.next(t), "listening on "))

	r := cli(t, "", "scenario", "run", "residential-solar", "--to", "http://127.0.0.1:"+port+"/hook", "--retry", "ci",
		"--api", apiAddr, "--api-key", "k", "--api-429-rate", "0.15", "--api-retry-after", "0s", "--api-fail-rate", "0.1", "--api-calls", callsPath)
	r.want(t, 0)
	if !strings.Contains(r.stdout, "API mock on http://"+apiAddr) || !strings.Contains(r.stdout, "get-project") {
		t.Errorf("stdout:\n%s", r.stdout)
	}

	// The world, as the Go API has it at the end.
	sc, _ := scenarios.Load("residential-solar")
	tl := scenarios.NewTimeline()
	events, err := sc.Render(generator.DefaultSeed, scenarios.WithTimeline(tl))
	if err != nil {
		t.Fatal(err)
	}
	srv := api.NewServer(tl)
	defer srv.Close()
	type phase struct {
		ID     int64  `json:"id"`
		Name   string `json:"name"`
		Status string `json:"status"`
	}
	var stored struct {
		Projects map[string]struct {
			Number int64   `json:"number"`
			Status string  `json:"status"`
			Phases []phase `json:"phases"`
		} `json:"projects"`
		Fetches []struct {
			EventID int64   `json:"eventId"`
			Phases  []phase `json:"phases"`
		} `json:"fetches"`
	}
	b, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatalf("%v; receiver stderr: %s", err, rcv.stderr)
	}
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	if len(stored.Projects) != 1 {
		t.Fatalf("the receiver stored %d projects", len(stored.Projects))
	}
	for id, got := range stored.Projects {
		var want struct {
			Number         int64   `json:"number"`
			Status         string  `json:"status"`
			PhaseInstances []phase `json:"phaseInstances"`
		}
		if err := srv.Get("/projects/"+id, &want); err != nil {
			t.Fatal(err)
		}
		if got.Number != want.Number || got.Status != want.Status || fmt.Sprint(got.Phases) != fmt.Sprint(want.PhaseInstances) {
			t.Errorf("the receiver stored %+v;\nthe world has %+v", got, want)
		}
		if len(want.PhaseInstances) != 8 || want.PhaseInstances[7].Status != "COMPLETED" {
			t.Errorf("the world's project: %+v", want)
		}
	}
	// Each fetch saw what its webhook announced.
	byID := map[int64][]byte{}
	for _, e := range events {
		byID[e.EventID] = e.Body
	}
	phaseEvents := 0
	for _, f := range stored.Fetches {
		var p struct {
			Event struct {
				PhaseInstanceID int64  `json:"phaseInstanceId"`
				Status          string `json:"status"`
			} `json:"event"`
		}
		json.Unmarshal(byID[f.EventID], &p)
		if p.Event.PhaseInstanceID == 0 {
			continue
		}
		phaseEvents++
		ok := false
		for _, ph := range f.Phases {
			ok = ok || (ph.ID == p.Event.PhaseInstanceID && ph.Status == p.Event.Status)
		}
		if !ok {
			t.Errorf("event %d announced phase instance %d %s; the receiver's fetch saw %+v", f.EventID, p.Event.PhaseInstanceID, p.Event.Status, f.Phases)
		}
	}
	if phaseEvents != 16 {
		t.Errorf("%d phase events fetched, want 16", phaseEvents)
	}
	// The call log: every fetch used the key; the faults were injected
	// and retried.
	cb, _ := os.ReadFile(callsPath)
	var faults, ok int
	answered := map[int64]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(cb)), "\n") {
		var c api.Call
		if err := json.Unmarshal([]byte(l), &c); err != nil {
			t.Fatal(err)
		}
		if c.Auth != "ok" || c.Operation != "get-project" {
			t.Errorf("call %+v", c)
		}
		if c.AfterEvent == 0 {
			t.Errorf("call %+v: no afterEvent; every call follows a webhook", c)
		}
		if c.Fault != "" {
			faults++
		} else if c.Status == 200 {
			ok++
			answered[c.AfterEvent] = true
		}
	}
	// One project, its events one at a time: each event's fetch follows it.
	for _, e := range events {
		if !answered[e.EventID] {
			t.Errorf("no answered API call after event %d (%s)", e.EventID, e.TriggerKey)
		}
	}
	if faults == 0 || ok < 43 {
		t.Errorf("call log: %d faults, %d answered; want some faults and at least one answer per event (43)", faults, ok)
	}
}

// The README shows the sample receiver the end-to-end test runs: the two
// must not drift apart.
func TestReadmeShowsTheSampleReceiver(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rcv, err := os.ReadFile("../../api/testdata/receiver.py")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```python\n"+string(rcv)+"```") {
		t.Error("README.md's python block is not api/testdata/receiver.py; copy the file into it")
	}
}

// getTwice is a receiver's API client that calls twice per webhook, with
// no pause.
func getTwice(base string) {
	for range 2 {
		req, _ := http.NewRequest("GET", base+"/projects", nil)
		req.Header.Set("x-api-key", api.DefaultKey)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
}

// queueReceiver acknowledges every webhook at once and applies them from
// a queue: once all n have come, per webhook it waits a little, then GETs
// the webhook's record per times from the API at base. done closes when
// the queue is worked off.
func queueReceiver(t *testing.T, base string, n, per int) (url string, done <-chan struct{}) {
	t.Helper()
	queue := make(chan []byte, n)
	finished := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case queue <- b:
		default: // a redelivery past the n expected: already queued
		}
	}))
	t.Cleanup(srv.Close)
	go func() {
		defer close(finished)
		var held [][]byte
		for len(held) < n {
			held = append(held, <-queue)
		}
		for _, b := range held {
			var p struct {
				Event struct {
					RecordID int64 `json:"recordId"`
				} `json:"event"`
			}
			json.Unmarshal(b, &p)
			time.Sleep(20 * time.Millisecond)
			for range per {
				req, _ := http.NewRequest("GET", fmt.Sprintf("%s/projects/%d", base, p.Event.RecordID), nil)
				req.Header.Set("x-api-key", api.DefaultKey)
				if resp, err := http.DefaultClient.Do(req); err == nil {
					resp.Body.Close()
				}
			}
		}
	}()
	return srv.URL, finished
}

// A receiver that acknowledges first and calls the API from its queue,
// after later webhooks were sent, is judged by the calls it made per
// webhook, not by which webhook each call came after: one call per
// webhook passes a bound of 1; ten per webhook fail a bound of 5, with
// the figures.
func TestScenarioRunAPIQueueReceiver(t *testing.T) {
	const events = 4 // call-logged's
	for _, c := range []struct {
		name  string
		per   int
		flags []string
		code  int
		want  []string // in stdout
	}{
		{"one call per webhook, one at a time", 1, []string{"--api-max-calls", "1", "--concurrency", "1"}, 0, []string{"API: 4 calls"}},
		{"one call per webhook, in parallel", 1, []string{"--api-max-calls", "1"}, 0, []string{"API: 4 calls"}},
		{"ten calls per webhook", 10, []string{"--api-max-calls", "5", "--concurrency", "1"}, 1,
			[]string{"API misuse: calls-per-event (call 21): 21 answered calls came by the time 4 webhooks had been sent, more than 5 per webhook", "in all, 40 answered calls, the last when 4 webhooks had been sent"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			apiAddr := closedPort(t)
			url, done := queueReceiver(t, "http://"+apiAddr, events, c.per)
			args := append([]string{"scenario", "run", "call-logged", "--to", url, "--retry", "none", "--api", apiAddr, "--api-linger", "2s"}, c.flags...)
			r := cli(t, "", args...)
			select {
			case <-done:
			default:
				t.Fatalf("the receiver's queue was not worked off while the API lingered; the verdict is on part of its calls:\n%s", r.stdout)
			}
			r.want(t, c.code)
			for _, w := range c.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s\nstderr:\n%s", w, r.stdout, r.stderr)
				}
			}
			if c.code == 0 && strings.Contains(r.stdout, "API misuse") {
				t.Errorf("a receiver within the bound was found misusing the API:\n%s", r.stdout)
			}
		})
	}
}

// Ctrl-C or SIGTERM ends --api-linger at once, whether it comes while the
// API lingers for late calls or while the events are still delivered (then
// there is no linger at all): the run prints the calls' report and exits 1,
// as an interrupted run does. A linger waited out would outlast the wait
// for the process's next line and fail the test.
func TestScenarioRunAPILingerInterrupted(t *testing.T) {
	acks := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer acks.Close()
	release := make(chan struct{})
	hangs := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) {
		select {
		case <-req.Context().Done():
		case <-release:
		}
	}))
	defer hangs.Close()
	defer close(release) // before Close, which waits for the handlers
	for _, c := range []struct {
		name   string
		url    string
		sig    os.Signal
		before string // the line after which the signal goes
		stderr string // in the error printed
	}{
		{"Ctrl-C while lingering", acks.URL, os.Interrupt, "target ", "interrupted while the API mock waited for late calls (--api-linger 10m0s)"},
		{"SIGTERM while lingering", acks.URL, syscall.SIGTERM, "target ", "interrupted while the API mock waited for late calls (--api-linger 10m0s)"},
		{"Ctrl-C while delivering", hangs.URL, os.Interrupt, "scenario call-logged:", "interrupted: 0 of 4 events acked"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := start(t, "scenario", "run", "call-logged", "--to", c.url, "--retry", "none", "--api", closedPort(t), "--api-linger", "10m")
			p.nextWith(t, c.before)
			stdout, code := p.stop(t, c.sig)
			if code != 1 {
				t.Errorf("exit %d, want 1 (an interrupted run)\nstderr:\n%s", code, p.stderr)
			}
			if !strings.Contains(stdout, "API: 0 calls") {
				t.Errorf("no calls' report after the interruption:\n%s", stdout)
			}
			if !strings.Contains(p.stderr.String(), c.stderr) {
				t.Errorf("stderr lacks %q:\n%s", c.stderr, p.stderr)
			}
		})
	}
}

// A receiver that misuses the API fails the run (exit 1), each misuse
// named: a call without the key, a retry before Retry-After, too many
// calls for one webhook.
func TestScenarioRunAPIMisuse(t *testing.T) {
	for _, c := range []struct {
		name  string
		flags []string
		calls func(base string) // what the receiver does per webhook
		want  string
	}{
		{"no key", nil, func(base string) { http.Get(base + "/projects") }, "key (call"},
		{"retry before Retry-After", []string{"--api-429-rate", "1", "--api-retry-after", "2s"}, getTwice, "retry-after (call"},
		{"too many calls per event", []string{"--api-max-calls", "1", "--concurrency", "1"}, getTwice, "calls-per-event (call"},
	} {
		t.Run(c.name, func(t *testing.T) {
			apiAddr := closedPort(t)
			receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				c.calls("http://" + apiAddr)
			}))
			defer receiver.Close()
			args := append([]string{"scenario", "run", "call-logged", "--to", receiver.URL, "--retry", "none", "--api", apiAddr}, c.flags...)
			r := cli(t, "", args...).want(t, 1)
			if !strings.Contains(r.stdout, "API misuse: "+c.want) || !strings.Contains(r.stderr, "broke") {
				t.Errorf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			}
		})
	}
}
