package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/api"
)

func TestCheck(t *testing.T) {
	t0 := time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	get := func(seq, ms int, ev int64) api.Call {
		return api.Call{Seq: seq, Method: "GET", Path: "/projects/1", Auth: "ok", Status: 200, Time: at(ms), AnsweredAt: at(ms + 5), AfterEvent: ev}
	}
	limited := func(c api.Call) api.Call { c.Status, c.Fault, c.RetryAfter = 429, "429", 1; return c }
	for _, c := range []struct {
		name  string
		calls []api.Call
		rules api.Rules
		want  []string // rules broken, in order
	}{
		{"no calls", nil, api.Rules{MaxCallsPerEvent: 1}, nil},
		{"a good client", []api.Call{get(1, 0, 7), limited(get(2, 100, 8)), get(3, 1200, 8)}, api.Rules{MaxCallsPerEvent: 1}, nil},
		{"no key", []api.Call{func() api.Call { c := get(1, 0, 7); c.Auth, c.Status = "missing", 401; return c }()}, api.Rules{}, []string{"key"}},
		{"wrong key", []api.Call{func() api.Call { c := get(1, 0, 7); c.Auth, c.Status = "wrong", 401; return c }()}, api.Rules{}, []string{"key"}},
		{"retried at once after a 429", []api.Call{limited(get(1, 0, 7)), get(2, 50, 7)}, api.Rules{}, []string{"retry-after"}},
		{"retried just in time", []api.Call{limited(get(1, 0, 7)), get(2, 1000, 7)}, api.Rules{}, nil},
		{"another path is not a retry", []api.Call{limited(get(1, 0, 7)), func() api.Call { c := get(2, 50, 7); c.Path = "/projects/2"; return c }()}, api.Rules{}, nil},
		{"three calls for one event", []api.Call{get(1, 0, 7), get(2, 10, 7), get(3, 20, 7), get(4, 30, 8)}, api.Rules{MaxCallsPerEvent: 2}, []string{"calls-per-event"}},
		{"faults do not count against the bound", []api.Call{limited(get(1, 0, 7)), get(2, 1100, 7)}, api.Rules{MaxCallsPerEvent: 1}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, f := range api.Check(c.calls, c.rules) {
				got = append(got, f.Rule)
				if f.Detail == "" || f.Seq == 0 {
					t.Errorf("finding without a detail or call: %+v", f)
				}
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("findings %v, want %v", got, c.want)
			}
		})
	}
}
