package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/api"
)

func TestParseLatency(t *testing.T) {
	ms := time.Millisecond
	wantParsed(t, api.ParseLatency, map[string]parsed[time.Duration]{
		"":            {},
		"200ms":       {200 * ms, 200 * ms, ""},
		"50ms..300ms": {50 * ms, 300 * ms, ""},
		"fast":        {err: "want a duration"},
		"50ms..":      {err: "want a range"},
	})
}

func TestParseQuota(t *testing.T) {
	wantParsed(t, api.ParseQuota, map[string]parsed[int]{ // per second, per day
		"off":             {},
		"100/s,5000/day":  {100, 5000, ""},
		"2/day":           {0, 2, ""},
		" 7/s ":           {7, 0, ""},
		"0/s":             {err: "want off"},
		"5/min":           {err: `unit "min"`},
		"lots":            {err: "want off"},
		"100/s,,5000/day": {err: "want off"},
	})
}

// parsed is what a two-value parser must make of an input: the two
// values, or an error containing err.
type parsed[V comparable] struct {
	first, second V
	err           string
}

func wantParsed[V comparable](t *testing.T, parse func(string) (V, V, error), cases map[string]parsed[V]) {
	t.Helper()
	for in, want := range cases {
		first, second, err := parse(in)
		if want.err != "" {
			if err == nil || !strings.Contains(err.Error(), want.err) {
				t.Errorf("%q: error %v, want %q", in, err, want.err)
			}
			continue
		}
		if err != nil || first != want.first || second != want.second {
			t.Errorf("%q: %v, %v, %v; want %v, %v", in, first, second, err, want.first, want.second)
		}
	}
}

func TestParseTimeAndWorld(t *testing.T) {
	tl, _ := world(t)
	if at, err := api.ParseTime("end", tl); err != nil || !at.Equal(tl.End()) {
		t.Errorf("end: %s %v", at, err)
	}
	if at, err := api.ParseTime("start", tl); err != nil || !at.Before(tl.Start()) {
		t.Errorf("start: %s %v, want before %s", at, err, tl.Start())
	}
	if at, err := api.ParseTime("2026-03-31T17:04:22Z", tl); err != nil || at.Format(time.RFC3339) != "2026-03-31T17:04:22Z" {
		t.Errorf("RFC 3339: %s %v", at, err)
	}
	if _, err := api.ParseTime("yesterday", tl); err == nil {
		t.Error("yesterday: no error")
	}

	w, err := api.NewWorld("request-won", nil, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Events) == 0 || !w.Timeline.End().Equal(w.Events[len(w.Events)-1].FiredAt) {
		t.Errorf("%d events, timeline end %s", len(w.Events), w.Timeline.End())
	}
	if d := w.Describe(w.Timeline.End()); !strings.HasPrefix(d, "world: scenario request-won, seed 7, as of ") || !strings.Contains(d, "1 opportunities") {
		t.Errorf("Describe: %s", d)
	}
}

func TestRatesAddUp(t *testing.T) {
	tl, _ := world(t)
	_, err := api.NewHandler(tl, api.WithFailRate(0.6), api.WithRateLimit(0.5, time.Second))
	var re *api.RatesError
	if !errors.As(err, &re) || re.Fail != 0.6 || re.Limit != 0.5 {
		t.Fatalf("0.6 + 0.5: %v", err)
	}
	if _, err := api.NewHandler(tl, api.WithFailRate(0.5), api.WithRateLimit(0.5, time.Second)); err != nil {
		t.Errorf("0.5 + 0.5: %v", err)
	}
}

func TestSummaryAndWriteCalls(t *testing.T) {
	calls := []api.Call{
		{Seq: 1, Method: "GET", Path: "/projects", Operation: "list-projects", Status: 200},
		{Seq: 2, Method: "GET", Path: "/projects", Operation: "list-projects", Status: 429, Fault: "429"},
		{Seq: 3, Method: "GET", Path: "/nope", Status: 401},
	}
	s := api.Summary(calls)
	for _, want := range []string{"API: 3 calls, 1 answered 2xx, 1 faults injected, 1 refused for the key\n", "list-projects", "GET /nope"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in:\n%s", want, s)
		}
	}
	var b bytes.Buffer
	if err := api.WriteCalls(&b, calls); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	var c api.Call
	if len(lines) != 3 || json.Unmarshal([]byte(lines[2]), &c) != nil || c.Seq != 3 || c.Status != 401 {
		t.Errorf("call log:\n%s", b.String())
	}
	if l := api.OperationList(); !strings.Contains(l, "Implemented (") || !strings.Contains(l, "answer 501") {
		t.Errorf("operation list:\n%s", l)
	}
}
