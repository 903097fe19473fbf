package receiver_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
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

// listenRate and listenFor are the load of BenchmarkListenStrictUnderLoad,
// issue #12's goal: `listen --strict` keeps up with `load` at 10,000
// deliveries/s.
const (
	listenRate = 10000
	listenFor  = 5 * time.Second
)

// BenchmarkListenStrictUnderLoad runs load's open model at listenRate for
// listenFor against, on loopback in this process: "trivial", a handler
// that reads the body and answers 200 (what the load side manages on its
// own on this machine), and "listen-strict", the capture receiver as
// `listen --strict` runs it. Both sides share the machine's cores, as they
// do when a user runs both on one machine. It reports the deliveries the
// receiver found valid per second of the window, and the load side's late
// sends (started more than load.DefaultLateAfter behind their time),
// slots dropped for lateness and corrected p99. Keeping up means: every
// slot sent and acknowledged, valid/s at the rate, and no late send beyond
// what the trivial receiver sees too. make bench-listen runs it once; it
// needs both cores to itself for figures worth quoting.
func BenchmarkListenStrictUnderLoad(b *testing.B) {
	b.Run("trivial", func(b *testing.B) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
		}))
		defer srv.Close()
		for b.Loop() {
			benchLoad(b, srv.URL, nil)
		}
	})
	b.Run("listen-strict", func(b *testing.B) {
		for b.Loop() {
			opts, pr := listenOptions()
			srv, err := receiver.Start("127.0.0.1:0", opts...)
			if err != nil {
				b.Fatal(err)
			}
			benchLoad(b, srv.URL, srv.Receiver)
			srv.Close()
			pr.Finish(time.Second, "")
		}
	})
}

func benchLoad(b *testing.B, url string, rc *receiver.Receiver) {
	b.Helper()
	target, err := delivery.NewTarget(url, nil)
	if err != nil {
		b.Fatal(err)
	}
	rep, err := load.Run(context.Background(), target, load.WithRate(listenRate, listenFor), load.WithSeed(1))
	if err != nil {
		b.Fatal(err)
	}
	window := time.Duration(rep.Window).Seconds()
	if rc != nil {
		s := rc.Summary()
		if s.Invalid != 0 || s.Unreadable != 0 {
			b.Errorf("the receiver found %d invalid and %d unreadable deliveries", s.Invalid, s.Unreadable)
		}
		b.ReportMetric(float64(s.Valid)/window, "valid/s")
	}
	b.ReportMetric(float64(rep.Acked)/window, "acked/s")
	b.ReportMetric(float64(rep.Late), "late")
	b.ReportMetric(float64(rep.DroppedLate), "dropped-late")
	b.ReportMetric(float64(rep.Scheduled-rep.Acked), "not-acked")
	if rep.Corrected != nil {
		b.ReportMetric(float64(rep.Corrected.Quantile(99))/1e6, "p99-ms")
	}
	b.Logf("%s: scheduled %d, sent %d, acked %d, late %d, dropped late %d, statuses %v, errors %v",
		url, rep.Scheduled, rep.Sent, rep.Acked, rep.Late, rep.DroppedLate, rep.Statuses, rep.Errors)
}
