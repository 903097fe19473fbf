package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// `make demo` on a clean clone: the whole job in one command, exit 0.
func TestDemo(t *testing.T) {
	r := cli(t, "", "demo").want(t, 0)
	for _, w := range []string{
		"capture receiver on http://127.0.0.1:",
		"scenario residential-solar: 43 events, seed 1, retry preset ci",
		"\nevents 43 = acked 43 + dead 0\n",
		"retried 43, attempts 86, duplicates 0",
		"86 deliveries of 43 unique events: 86 valid, 0 invalid, 0 unreadable (strict schema)",
		"answered: 200 x43, 503 x43",
		"PROJECT_CREATED eventId=",
		"attempt=1 503 (fail-first) valid",
		"world invariants on what arrived: ok",
		"demo ok",
	} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("demo output lacks %q:\n%s", w, r.stdout)
		}
	}
	if !regexp.MustCompile(`\n  PROJECT_PHASE_SLA_VIOLATION +1 +1 +0\n`).MatchString(r.stdout) {
		t.Errorf("per-trigger table missing:\n%s", r.stdout)
	}
}

func TestDemoOtherScenarios(t *testing.T) {
	r := cli(t, "", "demo", "--scenario", "duplicate-delivery", "--seed", "3").want(t, 0)
	if !strings.Contains(r.stdout, "24 deliveries of 8 unique events: 24 valid") {
		t.Errorf("duplicates in the demo:\n%s", r.stdout)
	}
	r = cli(t, "", "demo", "--scenario", "residental-solar").want(t, 2)
	if !strings.Contains(r.stderr, "did you mean residential-solar?") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

// The demo can't hide a failure: an invalid or inconsistent delivery is a
// problem it counts (and exits 1 for).
func TestDemoViewCountsProblems(t *testing.T) {
	rc, err := receiver.New(receiver.Level(schemas.Strict))
	if err != nil {
		t.Fatal(err)
	}
	g := generator.New(1)
	good, _ := g.JSON("TASK_STATUS_MOVEMENT")
	bad := strings.Replace(string(good), `"recordId":`, `"recordId":"x`, 1)
	for _, body := range []string{string(good), bad} {
		rc.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body)))
	}
	var out bytes.Buffer
	if n := printReceiverView(&out, rc, 2); n < 2 {
		t.Errorf("%d problems found:\n%s", n, out.String())
	}
	if !strings.Contains(out.String(), "PROBLEM:") {
		t.Errorf("no problem shown:\n%s", out.String())
	}
}
