package demo_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/demo"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// The demo can't hide a failure: an invalid or inconsistent delivery is a
// problem it counts (and exits 1 for).
func TestReportCountsProblems(t *testing.T) {
	rc, err := receiver.New(receiver.WithLevel(schemas.Strict))
	if err != nil {
		t.Fatal(err)
	}
	g := generator.New(1)
	good, _ := g.JSON("TASK_STATUS_MOVEMENT")
	bad := strings.Replace(string(good), `"recordId":`, `"recordId":"x`, 1)
	for _, body := range []string{string(good), bad} {
		rc.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body)))
	}
	// Say the sender made two attempts of the good one; the receiver saw
	// one (the bad one is not JSON: it has no eventId).
	ev, err := delivery.MessageFromPayload(good)
	if err != nil {
		t.Fatal(err)
	}
	sent := []delivery.EventResult{{Message: ev, State: delivery.StateAcked, Attempts: 2}}
	var out bytes.Buffer
	f := demo.Check(rc, sent)
	f.WriteReport(&out)
	n, notRetried := f.Problems(), f.NotRetried()
	if n < 2 {
		t.Errorf("%d problems found:\n%s", n, out.String())
	}
	// Nothing failed its first attempt: it wasn't retried after a 503.
	if len(notRetried) != 1 || notRetried[0] != ev.EventID || !strings.Contains(out.String(), fmt.Sprintf("eventId %d: got 200; want 503 (fail-first), then 200", ev.EventID)) {
		t.Errorf("not retried: %v\n%s", notRetried, out.String())
	}
	if !strings.Contains(out.String(), "PROBLEM:") {
		t.Errorf("no problem shown:\n%s", out.String())
	}
}
