package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
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
		"fail-first: every event answered 503 once, then 200 on its retry (43 events checked)",
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
	if !strings.Contains(r.stdout, "24 deliveries of 8 unique events: 24 valid") || !strings.Contains(r.stdout, "fail-first: every event answered 503 once") {
		t.Errorf("duplicates in the demo:\n%s", r.stdout)
	}
	r = cli(t, "", "demo", "--scenario", "residental-solar").want(t, 2)
	if !strings.Contains(r.stderr, "coperniq-mock: --scenario: scenario \"residental-solar\" is neither") || !strings.Contains(r.stderr, "did you mean residential-solar?") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

// A receiver that doesn't answer 503 then 200 fails the demo, which names
// the events.
func TestDemoFailsWhenNotRetriedAfterOne503(t *testing.T) {
	sc, err := scenarios.Load("call-logged")
	if err != nil {
		t.Fatal(err)
	}
	events, err := sc.Render(generator.DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		failFirst int
		got       string
	}{
		{2, "got 503 (fail-first), 503 (fail-first), 200; want 503 (fail-first), then 200"},
		{0, "got 200; want 503 (fail-first), then 200"},
	} {
		var out bytes.Buffer
		err := runDemo(&out, "call-logged", generator.DefaultSeed, "", receiver.WithFailFirst(tc.failFirst))
		if exitCode(err) != exitFailure || err == nil {
			t.Fatalf("fail-first %d: err %v\n%s", tc.failFirst, err, out.String())
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("%d of %d events weren't answered 503 (fail-first) and then 200", len(events), len(events))) {
			t.Errorf("fail-first %d: %v", tc.failFirst, err)
		}
		for _, e := range events {
			id := e.EventID
			if !strings.Contains(err.Error(), fmt.Sprint(id)) || !strings.Contains(out.String(), fmt.Sprintf("eventId %d: %s", id, tc.got)) {
				t.Errorf("fail-first %d: event %d not named:\n%v\n%s", tc.failFirst, id, err, out.String())
			}
		}
		if strings.Contains(out.String(), "demo ok") {
			t.Errorf("fail-first %d: demo ok printed:\n%s", tc.failFirst, out.String())
		}
	}
}

// A scenario that fires no events is refused rather than "delivered".
func TestDemoZeroEvents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "zero.yaml")
	os.WriteFile(path, []byte(zeroScenario), 0o644)
	r := cli(t, "", "demo", "--scenario", path).want(t, 2)
	if !strings.Contains(r.stderr, "scenario zero renders to no events (seed 1): nothing to send") {
		t.Errorf("stderr: %s", r.stderr)
	}
}
