package contract_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
)

// BenchmarkVerify is the wall time of a full run (every spec, every built-in
// scenario, --settle auto, an inspect hook and a token) against the
// reference receiver, which applies synchronously: the figure the README
// quotes (`make bench-verify`). Each run is a child process, as in the
// harness, Ginkgo's suite being global.
func BenchmarkVerify(b *testing.B) {
	if *flagTarget != "" {
		b.Skip("-target given")
	}
	for b.Loop() {
		rc := testreceivers.New(testreceivers.Config{Token: harnessToken})
		srv := httptest.NewServer(rc)
		start := time.Now()
		run := runSuite(b, srv.URL+"/webhooks/coperniq",
			"-token-param="+harnessToken,
			"-inspect="+srv.URL+testreceivers.InspectPath+"{eventId}",
			"-seed=1")
		took := time.Since(start)
		srv.Close()
		if failed := run.failed(); run.exitCode != 0 || len(failed) > 0 {
			b.Fatalf("the reference receiver failed %q (exit %d):\n%s", failed, run.exitCode, run.output)
		}
		b.ReportMetric(took.Seconds(), "s/run")
	}
}

// BenchmarkSlowReceiver is the wall time of a full run against a correct
// receiver that answers every delivery in 1.2 s, under a 2 s deadline
// (testreceivers.AnswerAfter: it applies, then answers), with an inspect
// hook and a token: the figure the README quotes (`make
// bench-verify-slow`). Most of it is the longest lifecycle replay, 43
// events of one record delivered one at a time.
func BenchmarkSlowReceiver(b *testing.B) {
	if *flagTarget != "" {
		b.Skip("-target given")
	}
	for b.Loop() {
		rc := testreceivers.New(testreceivers.Config{Token: harnessToken, Fault: testreceivers.AnswerAfter, Delay: 1200 * time.Millisecond})
		srv := httptest.NewServer(rc)
		start := time.Now()
		run := runSuite(b, srv.URL+"/webhooks/coperniq",
			"-token-param="+harnessToken,
			"-inspect="+srv.URL+testreceivers.InspectPath+"{eventId}",
			"-deadline=2s", "-seed=1")
		took := time.Since(start)
		srv.Close()
		if failed := run.failed(); run.exitCode != 0 || len(failed) > 0 {
			b.Fatalf("a receiver that answers in 1.2 s failed %q (exit %d):\n%s", failed, run.exitCode, run.output)
		}
		b.ReportMetric(took.Seconds(), "s/run")
	}
}
