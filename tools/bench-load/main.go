// Command bench compares `coperniq-mock load` with vegeta on this machine,
// in one run, so that machine noise hits both alike: it finds the highest
// rate each sustains for a step (10 s) with < 1% errors — vegeta sending one
// static ~1.5 KB body, coperniq-mock a freshly generated payload per request
// — prints both and their ratio, then checks coperniq-mock at a constant
// 20,000/s (achieved ≥ 99.5%, corrected p99 ≤ 20 ms, ≤ 64 connections).
//
// Both tools run as child processes against one trivial receiver served by
// this process on 127.0.0.1. Vegeta is built with `go install
// github.com/tsenart/vegeta/v12@v12.13.0` into a temporary directory,
// outside this module, so it never becomes a dependency of the tool.
//
// Run it with `make bench-load` from the repository root.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/load"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

const vegetaPkg = "github.com/tsenart/vegeta/v12@v12.13.0"

var (
	step      = flag.Duration("step", 10*time.Second, "how long each tool sends at each rate")
	budget    = flag.Duration("budget", 3*time.Minute+30*time.Second, "stop the search after this long (the constant-rate check still runs)")
	startRate = flag.Float64("start", 5000, "first rate tried, per second")
	maxRate   = flag.Float64("max", 160000, "highest rate tried, per second")
	precision = flag.Float64("precision", 1.1, "stop bisecting when fail/pass is below this ratio")
	constRate = flag.Float64("const", 20000, "rate of the constant-rate check, per second (0 skips it)")
	inflight  = flag.Int("max-inflight", load.DefaultMaxInflight, "coperniq-mock's --max-inflight")
	rcvKind   = flag.String("receiver", "raw", "the receiver: raw (a minimal HTTP/1.1 responder, so that the tools are what is measured) or nethttp (Go's net/http server)")
	serveOnly = flag.Bool("serve", false, "only run the receiver and print its URL, for experiments by hand")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench-load:", err)
		os.Exit(1)
	}
}

func run() error {
	if *rcvKind != "raw" && *rcvKind != "nethttp" {
		return fmt.Errorf("-receiver %q isn't one of [raw nethttp]", *rcvKind)
	}
	if *serveOnly {
		rcv, err := startReceiver()
		if err != nil {
			return err
		}
		fmt.Println(rcv.url)
		select {}
	}
	tmp, err := os.MkdirTemp("", "bench-load")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	fmt.Println("== bench-load: coperniq-mock load vs vegeta, one run, one machine")
	machine()
	fmt.Println("building coperniq-mock and vegeta ...")
	ours := filepath.Join(tmp, "coperniq-mock")
	if out, err := exec.Command("go", "build", "-o", ours, "./cmd/coperniq-mock").CombinedOutput(); err != nil {
		return fmt.Errorf("building coperniq-mock (run from the repository root): %v\n%s", err, out)
	}
	vegeta, err := buildVegeta(tmp)
	if err != nil {
		return err
	}

	rcv, err := startReceiver()
	if err != nil {
		return err
	}
	defer rcv.close()
	body, err := staticBody(filepath.Join(tmp, "body.json"))
	if err != nil {
		return err
	}
	fmt.Printf("receiver %s (%s); vegeta's static body %d bytes; %s steps; criteria: achieved ≥ 99%% of the rate, < 1%% errors\n\n",
		rcv.url, *rcvKind, body, *step)

	tools := []*tool{
		{name: "vegeta", run: func(rate float64) (result, error) { return runVegeta(vegeta, tmp, rcv, rate) }},
		{name: "coperniq-mock", run: func(rate float64) (result, error) {
			return runOurs(ours, tmp, rcv, rate, "--max-lateness", "100ms")
		}},
	}
	fmt.Println("others: CPU used during the step by processes other than the tool and the receiver, in % of the machine")
	fmt.Printf("%-14s %9s %10s %9s %9s %7s %8s %7s  %s\n", "tool", "rate/s", "achieved", "success", "p99", "conns", "rss", "others", "verdict")
	began := time.Now()
	// Both searches advance in turn, so a noisy minute hits both.
	for !allDone(tools) && time.Since(began) < *budget {
		for _, t := range tools {
			if t.done() || time.Since(began) >= *budget {
				continue
			}
			rate := t.nextRate()
			// A step that failed while other processes took a fair share
			// of the machine is run once more before it counts.
			for try := 0; ; try++ {
				waitQuiet()
				m0, self0 := machineCPU(), selfCPU()
				res, err := t.run(rate)
				if err != nil {
					return fmt.Errorf("%s at %.0f/s: %w", t.name, rate, err)
				}
				res.others = othersShare(m0, self0, res.cpu)
				ok := res.sustained(rate)
				verdict := "sustained"
				if !ok {
					verdict = "NOT sustained"
				}
				retry := !ok && res.others > 0.15 && try == 0
				if retry {
					verdict += " (busy machine: once more)"
				}
				fmt.Printf("%-14s %9.0f %10.0f %8.2f%% %9s %7d %7.0fM %6.0f%%  %s\n", t.name, rate, res.achieved, 100*res.success,
					res.p99.Round(10*time.Microsecond), res.conns, float64(res.rssKB)/1024, 100*res.others, verdict)
				if !retry {
					t.record(rate, ok)
					break
				}
			}
		}
	}
	fmt.Println()
	v, o := tools[0].pass, tools[1].pass
	fmt.Printf("highest sustained rate: vegeta %.0f/s (static body), coperniq-mock %.0f/s (fresh payload per request)\n", v, o)
	if v > 0 {
		fmt.Printf("ratio coperniq-mock / vegeta: %.2f×\n", o/v)
	}
	for _, t := range tools {
		if !t.done() {
			fmt.Printf("note: %s's search was cut by the %s budget: its figure is a lower bound (first failure %.0f/s)\n", t.name, *budget, t.fail)
		}
	}

	if *constRate > 0 {
		fmt.Printf("\nconstant-rate check: coperniq-mock at %.0f/s for %s, fresh payloads\n", *constRate, *step)
		before := rcv.accepted.Load()
		rcv.peakOpen.Store(rcv.open.Load())
		waitQuiet()
		m0, self0 := machineCPU(), selfCPU()
		res, err := runOurs(ours, tmp, rcv, *constRate)
		if err != nil {
			return err
		}
		res.others = othersShare(m0, self0, res.cpu)
		accepted := rcv.accepted.Load() - before
		ach := res.achieved / *constRate
		checks := []struct {
			what string
			ok   bool
		}{
			{fmt.Sprintf("achieved %.0f/s = %.2f%% of target (goal ≥ 99.5%%)", res.achieved, 100*ach), ach >= 0.995},
			{fmt.Sprintf("corrected p99 %s, raw p99 %s (goal corrected ≤ 20ms)", res.p99.Round(10*time.Microsecond), res.rawP99.Round(10*time.Microsecond)), res.p99 <= 20*time.Millisecond},
			{fmt.Sprintf("connections: peak %d open at once (goal ≤ %d); %d opened by the tool, %d accepted by the receiver", rcv.peakOpen.Load(), *inflight, res.conns, accepted), rcv.peakOpen.Load() <= int64(*inflight)},
			{fmt.Sprintf("success %.3f%%, %d late, %d dropped, peak in-flight %d, max RSS %.0f MB; other processes used %.0f%% of the machine meanwhile",
				100*res.success, res.late, res.dropped, res.peak, float64(res.rssKB)/1024, 100*res.others), true},
		}
		for _, c := range checks {
			mark := "ok  "
			if !c.ok {
				mark = "FAIL"
			}
			fmt.Printf("  %s %s\n", mark, c.what)
		}
	}
	fmt.Printf("\nload average at the end: %s\n", loadavg())
	return nil
}

// tool is one side of the comparison and the state of its search: double
// the rate until a step fails, then bisect (geometrically) between the
// highest pass and the lowest failure.
type tool struct {
	name       string
	run        func(rate float64) (result, error)
	pass, fail float64
}

func (t *tool) nextRate() float64 {
	switch {
	case t.pass == 0 && t.fail == 0:
		return *startRate
	case t.fail == 0:
		return math.Min(t.pass*2, *maxRate)
	case t.pass == 0:
		return t.fail / 2
	}
	return math.Round(math.Sqrt(t.pass*t.fail)/100) * 100
}

func (t *tool) record(rate float64, ok bool) {
	if ok {
		t.pass = math.Max(t.pass, rate)
	} else if t.fail == 0 || rate < t.fail {
		t.fail = rate
	}
}

func (t *tool) done() bool {
	if t.fail == 0 {
		return t.pass >= *maxRate
	}
	if t.pass == 0 {
		return t.fail <= 100
	}
	next := math.Round(math.Sqrt(t.pass*t.fail)/100) * 100
	return t.fail/t.pass < *precision || next <= t.pass || next >= t.fail
}

func allDone(ts []*tool) bool {
	for _, t := range ts {
		if !t.done() {
			return false
		}
	}
	return true
}

type result struct {
	cpu               time.Duration // the tool's own CPU time
	others            float64       // share of the machine other processes used
	achieved, success float64
	p99, rawP99       time.Duration
	conns             int64
	late, dropped     int64
	peak              int64
	rssKB             int64
}

// sustained is the criterion for both tools: the requests were sent (at
// least 99% of rate × step) and fewer than 1% failed. Vegeta stops at the
// end of the step, so its falling behind shows as requests never sent. In
// the search coperniq-mock runs with --max-lateness 100ms, so a send more
// than 100 ms behind is dropped and counts as a failure: it cannot make up
// for falling behind later, as vegeta can mid-step.
func (r result) sustained(rate float64) bool {
	return r.achieved >= 0.99*rate && r.success > 0.99
}

func runOurs(bin, tmp string, rcv *receiver, rate float64, extra ...string) (result, error) {
	out := filepath.Join(tmp, "ours.json")
	cmd := exec.Command(bin, append([]string{"load", "--target", rcv.url, "--rate", fmt.Sprintf("%.0f/s", rate),
		"--duration", step.String(), "--max-inflight", fmt.Sprint(*inflight), "--progress", "none", "--out", out}, extra...)...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	rss, err := runWatched(cmd)
	if err != nil {
		return result{}, fmt.Errorf("%v: %s", err, stderr.String())
	}
	f, err := os.Open(out)
	if err != nil {
		return result{}, err
	}
	defer f.Close()
	rep, err := load.DecodeReport(f)
	if err != nil {
		return result{}, err
	}
	return result{
		achieved: rep.AchievedRate(), success: rep.SuccessRatio(),
		p99: rep.Corrected.Quantile(99), rawP99: rep.Raw.Quantile(99),
		conns: rep.Connections, late: rep.Late, dropped: rep.Dropped, peak: rep.PeakInflight,
		rssKB: rss, cpu: cpuOf(cmd),
	}, nil
}

func runVegeta(bin, tmp string, rcv *receiver, rate float64) (result, error) {
	results := filepath.Join(tmp, "vegeta.bin")
	before := rcv.accepted.Load()
	attack := exec.Command(bin, "attack", "-rate", fmt.Sprintf("%.0f/s", rate), "-duration", step.String(),
		"-body", filepath.Join(tmp, "body.json"), "-header", "Content-Type: application/json",
		"-timeout", "10s", "-output", results)
	attack.Stdin = strings.NewReader("POST " + rcv.url + "\n")
	var stderr bytes.Buffer
	attack.Stderr = &stderr
	rss, err := runWatched(attack)
	if err != nil {
		return result{}, fmt.Errorf("vegeta attack: %v: %s", err, stderr.String())
	}
	report := exec.Command(bin, "report", "-type", "json", results)
	out, err := report.Output()
	if err != nil {
		return result{}, fmt.Errorf("vegeta report: %w", err)
	}
	var rep struct {
		Latencies struct {
			P99 int64 `json:"99th"`
		} `json:"latencies"`
		Requests int64   `json:"requests"`
		Success  float64 `json:"success"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		return result{}, fmt.Errorf("vegeta report: %w", err)
	}
	// The same definition as ours: requests sent over the nominal
	// duration, not over however long the sending took.
	return result{
		achieved: float64(rep.Requests) / step.Seconds(), success: rep.Success,
		p99: time.Duration(rep.Latencies.P99), conns: rcv.accepted.Load() - before, rssKB: rss,
		cpu: cpuOf(attack) + cpuOf(report), // so that the others column leaves both out
	}, nil
}

func buildVegeta(tmp string) (string, error) {
	bin := filepath.Join(tmp, "bin")
	// go install pkg@version builds in a module context of its own: run
	// from the temporary directory, it cannot touch this module's go.mod.
	cmd := exec.Command("go", "install", vegetaPkg)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOBIN="+bin, "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building vegeta (%s) from the module proxy: %v\n%s", vegetaPkg, err, out)
	}
	return filepath.Join(bin, "vegeta"), nil
}

// staticBody writes a realistic payload of about 1.5 KB for vegeta.
func staticBody(path string) (int, error) {
	g := generator.New(1)
	var best []byte
	for i := 0; i < 200; i++ {
		b, err := g.JSON(schemas.TriggerKeys()[i%18])
		if err != nil {
			return 0, err
		}
		if best == nil || abs(len(b)-1536) < abs(len(best)-1536) {
			best = b
		}
	}
	return len(best), os.WriteFile(path, best, 0o644)
}

func abs(n int) int { return max(n, -n) }

// receiver is the trivial endpoint both tools hit: it reads each request
// whole and answers 200, and counts connections.
type receiver struct {
	url                      string
	close                    func() error
	accepted, open, peakOpen atomic.Int64
}

func (r *receiver) connOpened() {
	n := r.open.Add(1)
	r.accepted.Add(1)
	for p := r.peakOpen.Load(); n > p && !r.peakOpen.CompareAndSwap(p, n); p = r.peakOpen.Load() {
	}
}

func startReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{url: "http://" + ln.Addr().String() + "/webhooks/coperniq", close: ln.Close}
	if *rcvKind == "raw" {
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				r.connOpened()
				go func() {
					defer r.open.Add(-1)
					serveRaw(c)
				}()
			}
		}()
		return r, nil
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			_, _ = io.Copy(io.Discard, req.Body)
			w.WriteHeader(http.StatusOK)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, s http.ConnState) {
			switch s {
			case http.StateNew:
				r.connOpened()
			case http.StateClosed, http.StateHijacked:
				r.open.Add(-1)
			}
		},
	}
	r.close = srv.Close
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "receiver:", err)
		}
	}()
	return r, nil
}

var okResponse = []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

// serveRaw answers HTTP/1.1 requests on c with 200 and no body, reading
// each request's headers and Content-Length body (both tools send one),
// and nothing else: a receiver that costs next to no CPU, so that the
// tools compete for the machine, not with the receiver.
func serveRaw(c net.Conn) {
	defer c.Close()
	br := bufio.NewReaderSize(c, 32<<10)
	for {
		length := 0
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				return
			}
			if len(line) <= 2 {
				break
			}
			if k, v, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(bytes.TrimSpace(k), []byte("Content-Length")) {
				n, err := strconv.Atoi(string(bytes.TrimSpace(v)))
				if err != nil || n < 0 {
					return
				}
				length = n
			}
		}
		if _, err := br.Discard(length); err != nil {
			return
		}
		if _, err := c.Write(okResponse); err != nil {
			return
		}
	}
}

// runWatched runs cmd and returns its peak resident memory in KB, read
// from /proc while it runs. (The rusage of a child is no good here: Linux
// carries the parent's high-water mark across fork and exec, so every
// child would report at least this process's memory.)
func runWatched(cmd *exec.Cmd) (int64, error) {
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	var peak atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if b, err := os.ReadFile(status); err == nil {
				for _, line := range strings.Split(string(b), "\n") {
					var kb int64
					if _, err := fmt.Sscanf(line, "VmHWM: %d kB", &kb); err == nil && kb > peak.Load() {
						peak.Store(kb)
					}
				}
			}
			select {
			case <-t.C:
			case <-stop:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(stop)
	wg.Wait()
	return peak.Load(), err
}

func cpuOf(cmd *exec.Cmd) time.Duration {
	if cmd.ProcessState == nil {
		return 0
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

type cpuSample struct{ busy, total time.Duration }

// machineCPU is the busy and total time of all cores so far, from /proc/stat.
func machineCPU() cpuSample {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuSample{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	var ticks []int64
	for _, v := range f[1:] {
		var n int64
		fmt.Sscan(v, &n)
		ticks = append(ticks, n)
	}
	var sum int64
	for _, n := range ticks {
		sum += n
	}
	idle := ticks[3]
	if len(ticks) > 4 {
		idle += ticks[4] // iowait
	}
	tick := 10 * time.Millisecond // USER_HZ is 100 on Linux
	return cpuSample{time.Duration(sum-idle) * tick, time.Duration(sum) * tick}
}

// selfCPU is this process's CPU time: the receiver's.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// othersShare is the share of the machine that processes other than the
// tool (whose CPU time is tool) and the receiver used since m0, self0.
func othersShare(m0 cpuSample, self0, tool time.Duration) float64 {
	m1 := machineCPU()
	if m1.total <= m0.total {
		return 0
	}
	other := (m1.busy - m0.busy) - (selfCPU() - self0) - tool
	return max(float64(other)/float64(m1.total-m0.total), 0)
}

// waitQuiet waits (at most 20 s) for other processes to leave the
// machine mostly idle, so that a step measures the tools, not a neighbour's
// compile; a step that starts busy anyway shows it in the others column.
func waitQuiet() {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		a := machineCPU()
		time.Sleep(time.Second)
		b := machineCPU()
		if b.total <= a.total || float64(b.busy-a.busy)/float64(b.total-a.total) < 0.15 {
			return
		}
	}
}

func machine() {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	ver, _ := exec.CommandContext(context.Background(), "go", "env", "GOVERSION").Output()
	fmt.Printf("machine: %d cores (%s), %s/%s, %s; load average %s\n", runtime.NumCPU(), model, runtime.GOOS, runtime.GOARCH,
		strings.TrimSpace(string(ver)), loadavg())
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
