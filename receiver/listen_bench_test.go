package receiver_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/load"
	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// listenOptions are the receiver's options as `listen --strict` sets them
// (every delivery validated at the strict level and printed as a line, here
// to io.Discard), and the printer to finish.
func listenOptions() ([]receiver.Option, *receiver.Printer) {
	pr := receiver.NewPrinter(io.Discard, 0)
	return []receiver.Option{
		receiver.WithLevel(schemas.Strict),
		receiver.WithObserver(func(d receiver.Delivery) { pr.Line(d.Line()) }),
	}, pr
}

// BenchmarkHandleStrict is the capture receiver's cost per delivery on one
// core (make bench runs it with -cpu 1): a realistic payload of each
// trigger in turn through the handler, validated at the strict level,
// recorded, printed and answered, with no network in between. cpu-µs/delivery
// is the process's CPU time per delivery (Linux), which a busy machine does
// not inflate; the test harness's request building is in it.
func BenchmarkHandleStrict(b *testing.B) {
	g := generator.New(7)
	var payloads [][]byte
	for range 10 {
		for _, key := range schemas.TriggerKeys() {
			p, err := g.JSON(key)
			if err != nil {
				b.Fatal(err)
			}
			payloads = append(payloads, p)
		}
	}
	opts, pr := listenOptions()
	defer pr.Finish(time.Second, "")
	rc, err := receiver.New(opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu0, cpuOK := processCPU()
	i := 0
	for b.Loop() {
		w := httptest.NewRecorder()
		rc.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(payloads[i%len(payloads)])))
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
		i++
	}
	if s := rc.Summary(); s.Invalid != 0 || s.Valid == 0 {
		b.Fatalf("valid %d, invalid %d", s.Valid, s.Invalid)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
	if cpu1, ok := processCPU(); ok && cpuOK && cpu1 > cpu0 {
		b.ReportMetric(float64(cpu1-cpu0)/1e3/float64(b.N), "cpu-µs/delivery")
	}
}

// listenRate and listenFor are the load of BenchmarkListenStrictUnderLoad:
// `listen --strict` must keep up with `load` at 10,000 deliveries/s, or a
// load test through it would measure listen rather than the receiver.
const (
	listenRate = 10000
	listenFor  = 5 * time.Second
)

// BenchmarkListenStrictUnderLoad runs load's open model at listenRate for
// listenFor on loopback against three receivers:
//
//   - "trivial": a net/http handler that reads the body and answers 200, in
//     a process of its own (this test binary, run again): what the load
//     side manages on its own on this machine;
//   - "listen-strict": the real binary, `coperniq-mock listen --strict`,
//     built for the benchmark and run as a user runs it, in a process of
//     its own beside the load;
//   - "listen-strict-one-process": the capture receiver as listen --strict
//     runs it, in this process, sharing one Go runtime with the load side
//     (the benchmark as it was before): its garbage collections and its
//     scheduler's queue are the load side's too, which makes the load side
//     late where two processes are not.
//
// The load side is load.Run in this process. It reports the deliveries the
// receiver found valid per second of the window, the load side's late
// sends (started more than load.DefaultLateAfter behind their time), slots
// dropped for lateness and corrected p99, and the CPU time per delivery of
// the receiver's process and of the load side's (where they are apart).
// Keeping up means: every slot sent and acknowledged, valid/s at the rate,
// and no late send. make bench-listen runs it once; it needs both cores to
// itself for figures worth quoting.
func BenchmarkListenStrictUnderLoad(b *testing.B) {
	b.Run("trivial", func(b *testing.B) {
		for b.Loop() {
			child := startChild(b, exec.Command(os.Args[0]), trivialEnv+"=1")
			benchLoad(b, child.url)
			child.stop(b, nil)
		}
	})
	b.Run("listen-strict", func(b *testing.B) {
		bin := buildBinary(b)
		for b.Loop() {
			child := startChild(b, exec.Command(bin, "listen", "--strict", "--addr", "127.0.0.1:0", "-o", "json"))
			rep := benchLoad(b, child.url)
			var sum struct {
				Summary receiver.Totals `json:"summary"`
			}
			child.stop(b, &sum)
			reportReceiver(b, sum.Summary, rep)
			if cpu := child.cpu; cpu > 0 && rep.Sent > 0 {
				b.ReportMetric(float64(cpu.Microseconds())/float64(rep.Sent), "rcv-cpu-µs/delivery")
			}
		}
	})
	b.Run("listen-strict-one-process", func(b *testing.B) {
		for b.Loop() {
			opts, pr := listenOptions()
			srv, err := receiver.Start("127.0.0.1:0", opts...)
			if err != nil {
				b.Fatal(err)
			}
			rep := benchLoad(b, srv.URL)
			srv.Close()
			pr.Finish(time.Second, "")
			reportReceiver(b, srv.Receiver.Summary(), rep)
		}
	})
}

// trivialEnv makes this test binary serve the trivial receiver instead of
// running tests (see TestMain): the benchmark's receiver in a process of
// its own.
const trivialEnv = "COPERNIQ_MOCK_BENCH_TRIVIAL_RECEIVER"

func TestMain(m *testing.M) {
	if os.Getenv(trivialEnv) != "" {
		serveTrivial()
		return
	}
	os.Exit(m.Run())
}

// serveTrivial answers 200 to every request on a loopback port, after
// reading its body, until stdin closes; the first line printed is the
// address.
func serveTrivial() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
}

// buildBinary builds coperniq-mock into a temporary directory.
func buildBinary(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "coperniq-mock")
	out, err := exec.Command("go", "build", "-o", bin, filepath.Join("..", "cmd", "coperniq-mock")).CombinedOutput()
	if err != nil {
		b.Fatalf("building coperniq-mock: %v\n%s", err, out)
	}
	return bin
}

// child is a receiver in a process of its own.
type child struct {
	cmd   *exec.Cmd
	url   string
	stdin io.Closer
	done  chan struct{} // closed when stdout is drained
	last  string        // the last line of stdout, once done
	cpu   time.Duration // its user and system time, once stopped
}

// startChild starts cmd and reads the delivery URL from its first line
// ("listening on URL ...").
func startChild(b *testing.B, cmd *exec.Cmd, env ...string) *child {
	b.Helper()
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, done: make(chan struct{})}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	if !sc.Scan() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		b.Fatalf("%s printed no address: %v", cmd.Path, sc.Err())
	}
	f := strings.Fields(sc.Text())
	if len(f) < 3 || !strings.HasPrefix(f[2], "http://") {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		b.Fatalf("%s: first line %q has no address", cmd.Path, sc.Text())
	}
	c.url = f[2] + "/webhooks/coperniq"
	// Drain stdout as a terminal would, keeping the last line (listen's
	// summary).
	go func() {
		defer close(c.done)
		for sc.Scan() {
			c.last = sc.Text()
		}
	}()
	return c
}

// stop ends the child (SIGTERM, as Ctrl-C would; closing stdin for the
// trivial one) and decodes its last line into summary unless nil.
func (c *child) stop(b *testing.B, summary any) {
	b.Helper()
	_ = c.stdin.Close()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	<-c.done
	err := c.cmd.Wait()
	if st := c.cmd.ProcessState; st != nil {
		c.cpu = st.UserTime() + st.SystemTime()
	}
	if summary == nil {
		return
	}
	if err != nil {
		b.Fatalf("%s: %v", c.cmd.Path, err)
	}
	if err := json.Unmarshal([]byte(c.last), summary); err != nil {
		b.Fatalf("%s: last line %q is not its JSON summary: %v", c.cmd.Path, c.last, err)
	}
}

func reportReceiver(b *testing.B, s receiver.Totals, rep *load.Report) {
	b.Helper()
	if s.Invalid != 0 || s.Unreadable != 0 {
		b.Errorf("the receiver found %d invalid and %d unreadable deliveries", s.Invalid, s.Unreadable)
	}
	if s.Valid == 0 {
		b.Errorf("the receiver found no valid delivery: %+v", s)
	}
	b.ReportMetric(float64(s.Valid)/time.Duration(rep.Window).Seconds(), "valid/s")
}

// benchLoad runs the load against url and reports the load side's figures.
func benchLoad(b *testing.B, url string) *load.Report {
	b.Helper()
	target, err := delivery.NewTarget(url, nil)
	if err != nil {
		b.Fatal(err)
	}
	cpu0, cpuOK := processCPU()
	rep, err := load.Run(context.Background(), target, load.WithRate(listenRate, listenFor), load.WithSeed(1))
	if err != nil {
		b.Fatal(err)
	}
	cpu1, _ := processCPU()
	window := time.Duration(rep.Window).Seconds()
	b.ReportMetric(float64(rep.Acked)/window, "acked/s")
	b.ReportMetric(float64(rep.Late), "late")
	// Of which no worker was free (all max-inflight sends waiting for the
	// receiver's answers): the receiver answering late. The rest were
	// released late, the load side's own process stalled.
	b.ReportMetric(float64(rep.CapWaits), "late-no-worker")
	b.ReportMetric(float64(rep.DroppedLate), "dropped-late")
	b.ReportMetric(float64(rep.Scheduled-rep.Acked), "not-acked")
	if rep.Corrected != nil {
		b.ReportMetric(float64(rep.Corrected.Quantile(99))/1e6, "p99-ms")
	}
	if cpuOK && rep.Sent > 0 {
		b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(rep.Sent), "cpu-µs/delivery")
	}
	b.Logf("%s: scheduled %d, sent %d, acked %d, late %d (%d with no worker free; lateness p99 %s, max %s), dropped late %d, peak in flight %d, statuses %v, errors %v",
		url, rep.Scheduled, rep.Sent, rep.Acked, rep.Late, rep.CapWaits, lateQ(rep, 99), lateQ(rep, 100), rep.DroppedLate, rep.PeakInflight, rep.Statuses, rep.Errors)
	return rep
}

// lateQ is the q-th percentile of how late the sends started.
func lateQ(rep *load.Report, q float64) time.Duration {
	if rep.Lateness == nil {
		return 0
	}
	if q >= 100 {
		return rep.Lateness.Max()
	}
	return rep.Lateness.Quantile(q)
}
