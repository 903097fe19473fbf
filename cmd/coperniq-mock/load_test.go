package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/load"
)

func loadReceiver(t *testing.T) string {
	t.Helper()
	url, _ := countingReceiver(t)
	return url + "/webhooks/coperniq?token=s3cret-token"
}

// countingReceiver acknowledges every request with a 204 and counts them;
// it returns its base URL and the count.
func countingReceiver(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		n.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

func readLoadReport(t *testing.T, path string) *load.Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := load.DecodeReport(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rep
}

func TestLoadBadFlags(t *testing.T) {
	url := "http://127.0.0.1:9/hook"
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"load", "--rate", "5/s"}, "--target URL is required"},
		{[]string{"load", "--target", url}, "give --rate (like 500/s) and --duration, or --stages"},
		{[]string{"load", "--target", url, "--rate", "fast"}, `--rate: rate "fast": "fast" isn't a number`},
		{[]string{"load", "--target", url, "--rate", "5/week"}, `unit "week" isn't s, m, h or a duration`},
		{[]string{"load", "--target", url, "--rate", "0/s"}, "--rate: rate 0/s must be more than 0"},
		{[]string{"load", "--target", url, "--stages", "0/s..500/s"}, `has no :DURATION; want comma-separated RATE:DURATION`},
		{[]string{"load", "--target", url, "--stages", "10/s:1s", "--rate", "5/s"}, "--stages replaces --rate and --duration"},
		{[]string{"load", "--target", url, "--rate", "5/s", "--shard", "4/4"}, `--shard: shard "4/4": index must be 0..3`},
		{[]string{"load", "--target", url, "--rate", "5/s", "--shard", "two"}, `shard "two" isn't i/n; want i/n with 0 ≤ i < n, like 0/4`},
		{[]string{"load", "--target", url, "--rate", "5/s", "--mix", "TASK_DONE=3"}, "did you mean TASK_COMPLETED"},
		{[]string{"load", "--target", url, "--rate", "5/s", "--retry", "sometimes"}, `--retry "sometimes" isn't one of [default ci none]`},
		{[]string{"load", "--target", url, "--rate", "5/s", "--profile", "loud"}, `--profile "loud" isn't one of [realistic minimal maximal edge]`},
		{[]string{"load", "--target", url, "--rate", "5/s", "--max-inflight", "0"}, "--max-inflight: max in-flight 0 must be 1..16384"},
		{[]string{"load", "--target", url, "--rate", "5/s", "--scenario", "residential-solr"}, "did you mean residential-solar?"},
		{[]string{"load", "--target", url, "--rate", "5/s", "--scenario", "call-logged", "--mix", "all"}, "give --scenario or --mix, not both"},
		{[]string{"load", "--target", "ftp://x/y", "--rate", "5/s"}, "--target"},
		{[]string{"load", "--target", url, "--rate", "5/s", "--progress", "loud"}, `--progress "loud" isn't one of [auto bar plain none]`},
		{[]string{"load", "merge"}, "requires at least 1 arg"},
		{[]string{"load", "--target", url, "--rate", "5/s", "--shard", "1/2"}, "--shard needs --seed so every shard draws from the same run"},
		{[]string{"load", "--target", url, "--rate", "5/s", "--threshold", "latency<5ms"}, `--threshold: threshold "latency<5ms": metric "latency" isn't one of`},
		{[]string{"load", "--target", url, "--rate", "max", "--stages", "10/s:1s"}, "--stages does not apply to --rate max: a closed loop follows no load profile"},
		{[]string{"load", "--target", url, "--rate", "max", "--max-lateness", "1s"}, "--max-lateness does not apply to --rate max: a closed loop schedules nothing, so no send is ever late or dropped"},
		{[]string{"load", "--target", url, "--rate", "max", "--threshold", "achieved>=99%"}, "--threshold achieved>=99% does not apply to a closed loop (rate max): it asks for no rate"},
		{[]string{"load", "--target", url, "--stages", "0/s..max:10s"}, `--stages: stage 1 "0/s..max:10s": a stage's rate cannot be max`},
		{[]string{"load", "--target", url, "--rate", "max", "--duration", "0s"}, "--duration: duration 0s must be more than 0"},
	}
	for _, c := range cases {
		r := cli(t, "", c.args...).want(t, 2)
		if !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: stderr %q, want it to contain %q", c.args, r.stderr, c.want)
		}
	}
}

func TestLoadRunWritesReports(t *testing.T) {
	url := loadReceiver(t)
	dir := t.TempDir()
	out, html := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.html")
	r := cli(t, "", "load", "--target", url, "--rate", "300/s", "--duration", "1s", "--mix", "TASK_CREATED=2,PROJECT_CREATED",
		"--retry", "ci", "--max-lateness", "1m", "--out", out, "--html", html, "--progress", "bar").want(t, 0)
	for _, want := range []string{"300 scheduled, 300 sent, 0 dropped", "204: 300", "corrected", "TASK_CREATED", "Verdict: ", "token=***"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout has no %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout+r.stderr, "s3cret") {
		t.Error("the URL's token was printed")
	}
	if !strings.Contains(r.stderr, "█") && !strings.Contains(r.stderr, "░") {
		t.Errorf("--progress bar drew no bar: %q", r.stderr)
	}
	rep := readLoadReport(t, out)
	if rep.Sent != 300 || rep.Acked != 300 || len(rep.Triggers) != 2 || rep.Timeout != load.Duration(2*time.Second) {
		t.Errorf("report: sent %d acked %d triggers %d timeout %v", rep.Sent, rep.Acked, len(rep.Triggers), time.Duration(rep.Timeout))
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	lower := strings.ToLower(string(page))
	if !strings.Contains(lower, "<svg") || strings.Contains(lower, `src="http`) || strings.Contains(lower, `href="http`) || strings.Contains(lower, "<script") {
		t.Error("--html page is not self-contained with inline plots")
	}

	// --out - puts the JSON on stdout and the text on stderr.
	r = cli(t, "", "load", "--target", url, "--rate", "50/s", "--duration", "200ms", "--out", "-", "--progress", "none").want(t, 0)
	if _, err := load.DecodeReport(strings.NewReader(r.stdout)); err != nil || !strings.Contains(r.stderr, "Verdict") {
		t.Errorf("--out -: %v\nstdout %.200s\nstderr %.200s", err, r.stdout, r.stderr)
	}
}

func TestLoadShardsMerge(t *testing.T) {
	url := loadReceiver(t)
	dir := t.TempDir()
	files := []string{filepath.Join(dir, "results-0.json"), filepath.Join(dir, "results-1.json")}
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cli(t, "", "load", "--target", url, "--rate", "400/s", "--duration", "1s", "--shard", []string{"0/2", "1/2"}[i], "--seed", "7", "--max-lateness", "1m",
				"--out", f, "--progress", "none").want(t, 0)
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	merged := filepath.Join(dir, "merged.json")
	r := cli(t, "", "load", "merge", files[0], files[1], "--out", merged, "--html", filepath.Join(dir, "m.html")).want(t, 0)
	if !strings.Contains(r.stdout, "400 scheduled, 400 sent") || !strings.Contains(r.stdout, "shard 0-1/2") {
		t.Errorf("merged report:\n%s", r.stdout)
	}
	if rep := readLoadReport(t, merged); rep.Sent != 400 || rep.Corrected.Count() != 400 {
		t.Errorf("merged JSON: sent %d, %d latencies", rep.Sent, rep.Corrected.Count())
	}

	r = cli(t, "", "load", "merge", files[0]).want(t, 2)
	if !strings.Contains(r.stderr, "shard 1 of 2 missing") || !strings.Contains(r.stderr, "--allow-partial") || r.stdout != "" {
		t.Errorf("merging one shard of two: stdout %q stderr %q", r.stdout, r.stderr)
	}
	r = cli(t, "", "load", "merge", files[1], "--allow-partial").want(t, 0)
	if !strings.Contains(r.stdout, "Partial       shard 0 of 2 missing") || !strings.Contains(r.stdout, "Verdict: partial: shard 0 of 2 missing") {
		t.Errorf("--allow-partial:\n%s", r.stdout)
	}
	r = cli(t, "", "load", "merge", files[0], files[0]).want(t, 2)
	if !strings.Contains(r.stderr, "shard 0/2 appears twice") {
		t.Errorf("merging a shard twice: %q", r.stderr)
	}
	r = cli(t, "", "load", "merge", filepath.Join(dir, "missing.json")).want(t, 2)
	if !strings.Contains(r.stderr, "missing.json") {
		t.Errorf("missing file: %q", r.stderr)
	}
	bad := filepath.Join(dir, "bad.json")
	_ = os.WriteFile(bad, []byte(`{"hello": 1}`), 0o644)
	r = cli(t, "", "load", "merge", bad).want(t, 2)
	if !strings.Contains(r.stderr, "bad.json") || !strings.Contains(r.stderr, "version") {
		t.Errorf("not a report: %q", r.stderr)
	}
}

// TestLoadInterruptStillReports sends SIGINT to a running load, as Ctrl-C
// would: the run ends early, and the full report is printed and written.
// The signal goes once the receiver has seen 100 events (the run is under
// way, its handler installed), not after a fixed sleep: a busy CI machine
// may take longer than that to start the binary.
func TestLoadInterruptStillReports(t *testing.T) {
	base, seen := countingReceiver(t)
	out := filepath.Join(t.TempDir(), "r.json")
	const rate = 200
	started := time.Now()
	var before int64 // what the receiver saw when the signal was sent
	r := interrupt(t, func() bool {
		before = seen.Load()
		return before >= 100
	}, "load", "--target", base+"/hook", "--rate", fmt.Sprintf("%d/s", rate), "--duration", "1m", "--out", out, "--progress", "plain")
	r.want(t, 1) // as every interrupted run (see exitTable)
	ran := time.Since(started)
	// A slot that fell due as the signal came is dropped, unsent, and the
	// verdict then leads with the events not acknowledged.
	rep := readLoadReport(t, out)
	verdict := "Verdict: interrupted after "
	if rep.Dropped > 0 {
		verdict = fmt.Sprintf("Verdict: only %.2f%% of events acknowledged: %d dropped; interrupted after ", 100*rep.SuccessRatio(), rep.Dropped)
	}
	if !strings.Contains(r.stdout, "Interrupted") || !strings.Contains(r.stdout, verdict) {
		t.Errorf("stdout lacks %q:\n%s", verdict, r.stdout)
	}
	// Everything the receiver saw before the signal was sent, and nothing
	// past the schedule up to the exit: the run stopped when interrupted,
	// not at the end of its minute.
	if !rep.Interrupted || rep.Sent < before || rep.Sent > int64(rate*ran.Seconds())+1 || rep.Acked != rep.Sent || rep.Acked != seen.Load() {
		t.Errorf("report: interrupted %v, sent %d, acked %d; the receiver saw %d before the signal, %d in all, over %s",
			rep.Interrupted, rep.Sent, rep.Acked, before, seen.Load(), ran)
	}
}

func TestLoadScenario(t *testing.T) {
	url := loadReceiver(t)
	r := cli(t, "", "load", "--target", url, "--scenario", "call-logged", "--rate", "40/s", "--duration", "500ms", "--progress", "none", "--max-lateness", "1m").want(t, 0)
	for _, want := range []string{"scenario call-logged", "20 scheduled, 20 sent", "CALL_UPSERTED"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout has no %q:\n%s", want, r.stdout)
		}
	}
	if r.stderr != "" {
		t.Errorf("a scenario without a delivery: block: stderr %q", r.stderr)
	}

	// A file's delivery: block is scenario run's: load says once that it
	// does not apply it, and how to get its retries.
	roof := filepath.Join(t.TempDir(), "roof.yaml")
	if err := os.WriteFile(roof, []byte("name: roof\ndelivery:\n  retry: ci\n  duplicate: 0.3\n  reorder: 6\nsteps:\n  - createProject: {name: home, workflow: solar}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = cli(t, "", "load", "--target", url, "--scenario", roof, "--rate", "40/s", "--duration", "200ms", "--progress", "none", "--max-lateness", "1m").want(t, 0)
	want := "coperniq-mock: warning: the scenario's delivery: block (retry ci, duplicate 0.3, reorder 6) is not used by load: each event is sent once, in its order, retried as --retry says (none); `scenario run` applies the block; for its retries give --retry ci\n"
	if r.stderr != want {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
}

// TestLoadRandomSeedByDefault: two runs without --seed send different
// event ids (a deduplicating receiver sees new events), and each report
// prints its seed and how to repeat it.
func TestLoadRandomSeedByDefault(t *testing.T) {
	srv := startReceiver(t)
	var seeds []string
	for range 2 {
		r := cli(t, "", "load", "--target", srv.URL, "--rate", "100/s", "--duration", "200ms", "--progress", "none", "--max-lateness", "1m").want(t, 0)
		m := regexp.MustCompile(`seed (\d+) \(random; pass --seed (\d+) to repeat this run\)`).FindStringSubmatch(r.stdout)
		if m == nil || m[1] != m[2] {
			t.Fatalf("report does not print the random seed:\n%s", r.stdout)
		}
		seeds = append(seeds, m[1])
	}
	if seeds[0] == seeds[1] {
		t.Errorf("both runs used seed %s", seeds[0])
	}
	ids := map[int64]int{}
	for _, d := range srv.Deliveries() {
		if d.EventID != nil {
			ids[*d.EventID]++
		}
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("eventId %d sent %d times over two runs", id, n)
		}
	}
	if len(ids) != 40 {
		t.Errorf("%d distinct event ids, want 40", len(ids))
	}
	r := cli(t, "", "load", "--target", srv.URL, "--rate", "100/s", "--duration", "100ms", "--seed", "5", "--progress", "none").want(t, 0)
	if !strings.Contains(r.stdout, "seed 5, mix") {
		t.Errorf("--seed 5: %s", r.stdout)
	}
}

// TestLoadFailsWhenNothingIsAcknowledged: an unreachable target is bad
// usage (exit 2), a receiver answering 404 to everything is a wrong path
// (exit 2, as verify) with a verdict that leads with it, even with
// --min-success 0 or thresholds it meets (a setup problem is no pass mark's
// question), and one answering 503 to everything fails the run (exit 1).
func TestLoadFailsWhenNothingIsAcknowledged(t *testing.T) {
	r := cli(t, "", "load", "--target", "http://127.0.0.1:9/h", "--rate", "100/s", "--duration", "200ms", "--progress", "none").want(t, 2)
	if !strings.Contains(r.stderr, "target http://127.0.0.1:9/h is unreachable: connection refused") || strings.Contains(r.stdout, "Verdict") {
		t.Errorf("unreachable target: stdout %q stderr %q", r.stdout, r.stderr)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	html, out := filepath.Join(dir, "r.html"), filepath.Join(dir, "r.json")
	// --max-lateness 1m: no event is dropped when the machine stalls, so
	// all 20 are answered 404.
	r = cli(t, "", "load", "--target", srv.URL, "--rate", "100/s", "--duration", "200ms", "--progress", "none", "--html", html,
		"--max-lateness", "1m", "--out", out).want(t, 2)
	// Whether it kept up is this machine's doing (one send in 20 more than
	// 10ms late is not keeping up): the verdict says what the report says,
	// after the acknowledgement failure it leads with.
	rep := readLoadReport(t, out)
	if !rep.KeptUp() {
		t.Logf("a busy machine: %d of %d sends late", rep.Late, rep.Sent)
	}
	has(t, "stdout", r.stdout,
		"Verdict: the receiver was not judged: every delivery was answered 404 Not Found: is --target the webhook's path? (only 0.00% of events acknowledged: 20 answered 404; ",
		"Verdict: "+rep.Verdict(),
		"below --min-success 99%: exit status 2",
		"got no HTTP status (see Errors) and are left out",
	)
	if r.stderr != "coperniq-mock: the receiver was not judged: every delivery was answered 404 Not Found: is --target the webhook's path?\n" {
		t.Errorf("stderr: %q", r.stderr)
	}
	page, _ := os.ReadFile(html)
	if !strings.Contains(string(page), `class="verdict bad"`) {
		t.Error("HTML verdict of an all-404 run is not marked bad")
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"no success mark", []string{"--min-success", "0"}},
		{"a threshold met", []string{"--min-success", "0", "--threshold", "max<1m"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", append([]string{"load", "--target", srv.URL, "--rate", "100/s", "--duration", "100ms", "--progress", "none", "--max-lateness", "1m"}, tc.args...)...).want(t, 2)
			has(t, "stdout", r.stdout, "Verdict: the receiver was not judged: every delivery was answered 404 Not Found: is --target the webhook's path? (only 0.00% of events acknowledged")
			if r.stderr != "coperniq-mock: the receiver was not judged: every delivery was answered 404 Not Found: is --target the webhook's path?\n" {
				t.Errorf("stderr: %q", r.stderr)
			}
		})
	}
	cli(t, "", "load", "--target", srv.URL, "--rate", "100/s", "--min-success", "101").want(t, 2)

	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(failing.Close)
	r = cli(t, "", "load", "--target", failing.URL, "--rate", "100/s", "--duration", "200ms", "--progress", "none").want(t, 1)
	has(t, "stdout", r.stdout, "Verdict: only 0.00% of events acknowledged: ", "below --min-success 99%: exit status 1")
}

// TestLoadThresholdsGateTheRun: a met threshold exits 0, a missed one exits
// 1 naming it, and the JSON report carries both verdicts.
func TestLoadThresholdsGateTheRun(t *testing.T) {
	target := loadReceiver(t)
	out := filepath.Join(t.TempDir(), "r.json")
	r := cli(t, "", "load", "--target", target, "--rate", "100/s", "--duration", "300ms", "--progress", "none",
		"--threshold", "p99<10s", "--threshold", "success>=99%", "--out", out).want(t, 0)
	if !strings.Contains(r.stdout, "Thresholds    p99<10s passed (") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	r = cli(t, "", "load", "--target", target, "--rate", "100/s", "--duration", "300ms", "--progress", "none",
		"--threshold", "p99<10s", "--threshold", "raw.max<1ns", "--out", out).want(t, 1)
	if !strings.Contains(r.stderr, "threshold failed: raw.max<1ns") || !strings.Contains(r.stdout, "raw.max<1ns FAILED (") {
		t.Errorf("stdout:\n%s\nstderr: %s", r.stdout, r.stderr)
	}
	rep := readLoadReport(t, out)
	if len(rep.Thresholds) != 2 || !rep.Thresholds[0].Passed || rep.Thresholds[1].Passed {
		t.Errorf("report thresholds: %+v", rep.Thresholds)
	}
}

// load --out writes each duration again as a number with its unit in the
// key (docs/reports/load-report.md), and load merge still reads a file
// written before those numbers existed.
func TestLoadOutDurationsAsNumbers(t *testing.T) {
	url := loadReceiver(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "r.json")
	cli(t, "", "load", "--target", url, "--rate", "100/s", "--duration", "1s", "--timeout", "1500ms", "--mix", "TASK_CREATED", "--out", out, "--progress", "none").want(t, 0)
	data := readFile(t, out)
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	sum, _ := doc["summary"].(map[string]any)
	for key, want := range map[string]float64{"plannedSeconds": 1, "windowSeconds": 1, "intervalSeconds": 1, "timeoutMs": 1500} {
		if got, ok := sum[key].(float64); !ok || got != want {
			t.Errorf("summary.%s = %v, want %v", key, sum[key], want)
		}
	}
	elapsed, err := time.ParseDuration(doc["elapsed"].(string))
	if got, ok := sum["elapsedSeconds"].(float64); err != nil || !ok || got != elapsed.Seconds() || got <= 0 {
		t.Errorf("summary.elapsedSeconds = %v, elapsed %q", sum["elapsedSeconds"], doc["elapsed"])
	}
	trig, _ := sum["triggersCorrectedMs"].(map[string]any)
	if q, _ := trig["TASK_CREATED"].(map[string]any); q["p99"] == nil || q["max"] == nil {
		t.Errorf("summary.triggersCorrectedMs = %v", sum["triggersCorrectedMs"])
	}
	timeline, _ := doc["timeline"].([]any)
	if len(timeline) == 0 {
		t.Fatal("no timeline")
	}
	for i, p := range timeline {
		if at, ok := p.(map[string]any)["atSeconds"].(float64); !ok || at != float64(i) {
			t.Errorf("timeline[%d].atSeconds = %v", i, p.(map[string]any)["atSeconds"])
		}
	}

	// The file as older versions wrote it: no numbers beside the strings.
	delete(doc, "summary")
	for _, p := range timeline {
		delete(p.(map[string]any), "atSeconds")
	}
	old, _ := json.Marshal(doc)
	oldPath := filepath.Join(dir, "old.json")
	if err := os.WriteFile(oldPath, old, 0o644); err != nil {
		t.Fatal(err)
	}
	r := cli(t, "", "load", "merge", oldPath).want(t, 0)
	if !strings.Contains(r.stdout, "100 scheduled, 100 sent") {
		t.Errorf("merging an older file:\n%s", r.stdout)
	}
}

// TestLoadRateMax runs the closed loop through the binary: two shards
// with their own senders, their reports merged (the rates add up), the
// progress bar, and the pass marks that apply to it.
func TestLoadRateMax(t *testing.T) {
	base, got := countingReceiver(t)
	dir := t.TempDir()
	files := []string{filepath.Join(dir, "max-0.json"), filepath.Join(dir, "max-1.json")}
	outs := make([]result, 2)
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i] = cli(t, "", "load", "--target", base+"/hook", "--rate", "max", "--duration", "700ms", "--max-inflight", []string{"2", "3"}[i],
				"--shard", []string{"0/2", "1/2"}[i], "--seed", "11", "--threshold", "p99<10s", "--threshold", "success>=99%",
				"--out", f, "--progress", "bar").want(t, 0)
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for i, want := range []string{"over 2 connections: ", "over 3 connections: "} {
		for _, w := range []string{"rate max for 700ms: a closed loop", want, "sent (none scheduled, so none late or dropped)", "Thresholds    p99<10s passed", "Verdict: the receiver answered "} {
			if !strings.Contains(outs[i].stdout, w) {
				t.Errorf("shard %d: stdout has no %q:\n%s", i, w, outs[i].stdout)
			}
		}
		if !strings.Contains(outs[i].stderr, "as fast as answered") || strings.Contains(outs[i].stderr, "dropped") {
			t.Errorf("shard %d: progress %q", i, outs[i].stderr)
		}
	}
	a, b := readLoadReport(t, files[0]), readLoadReport(t, files[1])
	if !a.ClosedLoop || a.Sent+b.Sent != got.Load() || a.Late+b.Late+a.Dropped+b.Dropped != 0 {
		t.Errorf("reports: closed %v, sent %d+%d, the receiver got %d", a.ClosedLoop, a.Sent, b.Sent, got.Load())
	}
	merged := filepath.Join(dir, "merged.json")
	r := cli(t, "", "load", "merge", files[0], files[1], "--out", merged, "--threshold", "raw.p99<10s").want(t, 0)
	m := readLoadReport(t, merged)
	sum := a.AchievedRate() + b.AchievedRate()
	if !m.ClosedLoop || m.Sent != a.Sent+b.Sent || m.MaxInflight != 5 || m.AchievedRate() < sum*0.999 || m.AchievedRate() > sum*1.001 {
		t.Errorf("merged: closed %v, sent %d, max in-flight %d, rate %v (shards add to %v)", m.ClosedLoop, m.Sent, m.MaxInflight, m.AchievedRate(), sum)
	}
	if !strings.Contains(r.stdout, "sent as fast as the receiver answered over 5 connections: ") || !strings.Contains(r.stdout, "shard 0-1/2") {
		t.Errorf("merged report:\n%s", r.stdout)
	}
	r = cli(t, "", "load", "merge", files[0], files[1], "--threshold", "achieved>=90%").want(t, 2)
	if !strings.Contains(r.stderr, "achieved>=90% does not apply to a closed loop") {
		t.Errorf("merge --threshold achieved: %q", r.stderr)
	}
}
