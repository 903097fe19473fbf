package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// The report's retry line states the timeout in force, so that a reader
// is not told of a timeout the run never used: --timeout 2s replaces the
// policy's 10 s.
func TestRetryLineShowsTheTimeoutInForce(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	defer srv.Close()
	tg, err := delivery.NewTarget(srv.URL+"/hook", nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), tg, WithRate(20, 100*time.Millisecond), WithPolicy(delivery.DefaultPolicy()), WithTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Retry, "2s timeout") || strings.Contains(rep.Retry, "10s") {
		t.Errorf("retry line %q, want the 2s timeout in force", rep.Retry)
	}
}
