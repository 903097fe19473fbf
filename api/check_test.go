package api_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/api"
)

func TestCheck(t *testing.T) {
	t0 := time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	// get is a call that came at ms, once sent webhooks had been sent,
	// the last of them eventId 100+sent.
	get := func(seq, ms, sent int) api.Call {
		c := api.Call{Seq: seq, Method: "GET", Path: "/projects/1", Auth: "ok", Status: 200, Time: at(ms), AnsweredAt: at(ms + 5), WebhooksSent: sent}
		if sent > 0 {
			c.AfterEvent = int64(100 + sent)
		}
		return c
	}
	limited := func(c api.Call) api.Call { c.Status, c.Fault, c.RetryAfter = 429, "429", 1; return c }
	// queued is a receiver that acknowledged sent webhooks at once and
	// made per calls for each from its queue after the last was sent.
	queued := func(sent, per int) []api.Call {
		var out []api.Call
		for i := range sent * per {
			out = append(out, get(i+1, 1000+10*i, sent))
		}
		return out
	}
	for _, c := range []struct {
		name  string
		calls []api.Call
		rules api.Rules
		want  []string // rules broken, in order
		say   string   // in the first finding's detail
	}{
		{"no calls", nil, api.Rules{MaxCallsPerEvent: 1}, nil, ""},
		{"a good client", []api.Call{get(1, 0, 1), limited(get(2, 100, 2)), get(3, 1200, 2)}, api.Rules{MaxCallsPerEvent: 1}, nil, ""},
		{"no key", []api.Call{func() api.Call { c := get(1, 0, 1); c.Auth, c.Status = "missing", 401; return c }()}, api.Rules{}, []string{"key"}, "without the x-api-key"},
		{"wrong key", []api.Call{func() api.Call { c := get(1, 0, 1); c.Auth, c.Status = "wrong", 401; return c }()}, api.Rules{}, []string{"key"}, "wrong x-api-key"},
		{"retried at once after a 429", []api.Call{limited(get(1, 0, 1)), get(2, 50, 1)}, api.Rules{}, []string{"retry-after"}, "Retry-After was 1 s"},
		{"retried just in time", []api.Call{limited(get(1, 0, 1)), get(2, 1000, 1)}, api.Rules{}, nil, ""},
		{"another path is not a retry", []api.Call{limited(get(1, 0, 1)), func() api.Call { c := get(2, 50, 1); c.Path = "/projects/2"; return c }()}, api.Rules{}, nil, ""},
		{"three calls for the first webhook", []api.Call{get(1, 0, 1), get(2, 10, 1), get(3, 20, 1), get(4, 30, 2)}, api.Rules{MaxCallsPerEvent: 2},
			[]string{"calls-per-event"}, "3 answered calls came by the time 1 webhook had been sent"},
		{"faults do not count against the bound", []api.Call{limited(get(1, 0, 1)), get(2, 1100, 1)}, api.Rules{MaxCallsPerEvent: 1}, nil, ""},
		{"calls before any webhook are not the webhooks'", []api.Call{get(1, 0, 0), get(2, 10, 0), get(3, 20, 1)}, api.Rules{MaxCallsPerEvent: 1}, nil, ""},
		// A receiver that acknowledges first and works from a queue makes
		// every call after the last webhook: one call per webhook is
		// within a bound of 1, however late.
		{"a queue, one call per webhook", queued(7, 1), api.Rules{MaxCallsPerEvent: 1}, nil, ""},
		{"a queue, five calls per webhook, bound 5", queued(7, 5), api.Rules{MaxCallsPerEvent: 5}, nil, ""},
		{"a queue, ten calls per webhook, bound 5", queued(7, 10), api.Rules{MaxCallsPerEvent: 5},
			[]string{"calls-per-event"}, "36 answered calls came by the time 7 webhooks had been sent, more than 5 per webhook; in all, 70 answered calls, the last when 7 webhooks had been sent"},
		// Calls a webhook made early are its, whatever came later: the
		// run's total within the bound does not excuse them.
		{"a burst before the second webhook", append([]api.Call{get(1, 0, 1), get(2, 10, 1), get(3, 20, 1)}, func() []api.Call {
			var later []api.Call
			for i := range 5 {
				later = append(later, get(4+i, 100+10*i, 10))
			}
			return later
		}()...), api.Rules{MaxCallsPerEvent: 2}, []string{"calls-per-event"}, "3 answered calls came by the time 1 webhook had been sent"},
		// The log is in answer order; a slow answer is logged after calls
		// that came later.
		{"answer order is not arrival order", []api.Call{get(1, 0, 1), get(2, 30, 2), get(3, 10, 1)}, api.Rules{MaxCallsPerEvent: 1},
			[]string{"calls-per-event"}, "2 answered calls came by the time 1 webhook had been sent"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			findings := api.Check(c.calls, c.rules)
			for _, f := range findings {
				got = append(got, f.Rule)
				if f.Detail == "" || f.Seq == 0 {
					t.Errorf("finding without a detail or call: %+v", f)
				}
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Fatalf("findings %v, want %v", findings, c.want)
			}
			if len(findings) > 0 && !strings.Contains(findings[0].Detail, c.say) {
				t.Errorf("detail %q, want it to say %q", findings[0].Detail, c.say)
			}
		})
	}
}

// Each call logs how many webhooks Handler.Transport had sent when it came,
// the webhooks Check may charge it to: a redelivery is the same webhook.
func TestCallsCountWebhooksSent(t *testing.T) {
	tl, events := world(t)
	h, err := api.NewHandler(tl, api.WithKey("k"), api.WithQuota(0, 0), api.WithTime(tl.Start().Add(-time.Millisecond)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	defer receiver.Close()
	client := &http.Client{Transport: h.Transport(nil, events)}
	for _, step := range []struct {
		name string
		send int // the index of the event sent before the call; -1 none
		want int
	}{
		{"before any webhook", -1, 0},
		{"after the first", 0, 1},
		{"after the first again, redelivered", 0, 1},
		{"after the second", 1, 2},
		{"after the fifth, out of order", 4, 3},
	} {
		if step.send >= 0 {
			resp, err := client.Post(receiver.URL, "application/json", bytes.NewReader(events[step.send].Body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
		call(t, "GET", srv.URL+"/projects", "k", nil)
		calls := h.Calls()
		if got := calls[len(calls)-1].WebhooksSent; got != step.want {
			t.Errorf("%s: webhooksSent %d, want %d", step.name, got, step.want)
		}
	}
}

// MostCalled names the paths called most, most first, a tie in the order
// of method and path, and how many more there are past most.
func TestMostCalled(t *testing.T) {
	call := func(method, path string) api.Call { return api.Call{Method: method, Path: path} }
	calls := []api.Call{call("GET", "/projects/9"), call("GET", "/projects/7"), call("PATCH", "/projects/7"), call("GET", "/projects/7"), call("GET", "/accounts/2"), call("GET", "/projects/9")}
	for _, tc := range []struct {
		name  string
		calls []api.Call
		most  int
		want  string
	}{
		{"none", nil, 3, ""},
		{"all shown", calls, 5, "GET /projects/7 (2), GET /projects/9 (2), GET /accounts/2 (1), PATCH /projects/7 (1)"},
		{"the rest counted", calls, 2, "GET /projects/7 (2), GET /projects/9 (2), and 2 more paths"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := api.MostCalled(tc.calls, tc.most); got != tc.want {
				t.Errorf("MostCalled:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}
