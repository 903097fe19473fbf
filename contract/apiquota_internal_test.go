package contract

import (
	"net"
	"net/http"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/api"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// startAPIMock starts the API mock a run of scenario's worlds serves (in
// vocabulary v, nil for the built-in one) with the key "k", as the API
// specs do, and returns the specs and the mock's address; it stops when
// the test ends.
func startAPIMock(t *testing.T, scenario string, v *schemas.Vocabulary) (*apiSpecs, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r := &run{t: Target{API: &APIMock{Addr: addr, Key: "k"}, Scenarios: []string{scenario}, Vocabulary: v}, replayed: []string{scenario},
		plan: &plan{used: map[int64]bool{}}, client: &http.Client{}, patient: &http.Client{}}
	a := &apiSpecs{r: r}
	if err := a.plan(); err != nil {
		t.Fatal(err)
	}
	a.start()
	if a.err != nil {
		t.Fatal(a.err)
	}
	t.Cleanup(a.stop)
	return a, addr
}

// TestAPIMockNoQuotaDuringRun: the API mock verify serves while the other
// specs deliver must not throttle the receiver with the run's own volume.
// A receiver fetching once per webhook at verify's pace went over the
// default 100/s, then the 5,000/day, and every later call was 429 with a
// Retry-After of a day: deliveries crawled and the run hung.
func TestAPIMockNoQuotaDuringRun(t *testing.T) {
	_, addr := startAPIMock(t, "request-won", nil)
	calls := api.DefaultPerSecond + 20
	for i := range calls {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/projects", nil)
		req.Header.Set("x-api-key", "k")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			t.Fatalf("call %d of %d answered 429 (Retry-After %s): verify's own traffic hit the mock's quota", i+1, calls, resp.Header.Get("Retry-After"))
		}
	}
}
