package api

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Rules are what Check holds a receiver's API calls to.
type Rules struct {
	// MaxCallsPerEvent bounds the answered calls per webhook. A call is
	// charged to none in particular: it can be for any webhook sent
	// before it came (Call.WebhooksSent), so a receiver that works from a
	// queue, or handles webhooks in parallel, is judged by what it called,
	// not by when. Zero: no bound.
	MaxCallsPerEvent int
	// Slack is how much earlier than Retry-After a retry may come and
	// still count as respecting it (clocks and scheduling are not exact).
	Slack time.Duration
}

// DefaultSlack is the Rules.Slack Check uses when none is given.
const DefaultSlack = 20 * time.Millisecond

// Finding is one way a receiver's API calls broke the rules.
type Finding struct {
	// Rule is key, retry-after or calls-per-event.
	Rule   string `json:"rule"`
	Seq    int    `json:"seq"` // the call that broke it
	Detail string `json:"detail"`
}

func (f Finding) String() string { return fmt.Sprintf("%s (call %d): %s", f.Rule, f.Seq, f.Detail) }

// Check judges a receiver's API calls (a call log, oldest first): every
// call carries the key, a call answered 429 is not repeated before its
// Retry-After, and the calls that were answered (faults and refusals
// aside) cost no more than MaxCallsPerEvent per webhook. No calls, no
// findings.
func Check(calls []Call, r Rules) []Finding {
	if r.Slack == 0 {
		r.Slack = DefaultSlack
	}
	var out []Finding
	// The earliest a call may repeat, per method and path, after a 429.
	notBefore := map[string]Call{}
	var answered []Call
	for _, c := range calls {
		key := c.Method + " " + c.Path
		switch c.Auth {
		case "missing":
			out = append(out, Finding{"key", c.Seq, fmt.Sprintf("%s without the x-api-key header", key)})
		case "wrong":
			out = append(out, Finding{"key", c.Seq, fmt.Sprintf("%s with a wrong x-api-key", key)})
		}
		if prev, ok := notBefore[key]; ok {
			due := prev.AnsweredAt.Add(time.Duration(prev.RetryAfter) * time.Second)
			if c.Time.Add(r.Slack).Before(due) {
				out = append(out, Finding{"retry-after", c.Seq, fmt.Sprintf("%s came %s after the 429 of call %d, whose Retry-After was %d s",
					key, c.Time.Sub(prev.AnsweredAt).Round(time.Millisecond), prev.Seq, prev.RetryAfter)})
			}
			delete(notBefore, key)
		}
		if c.Status == 429 {
			notBefore[key] = c
		}
		// A call before any webhook (the receiver starting up) is no
		// webhook's.
		if c.Auth == "ok" && c.Fault == "" && c.WebhooksSent > 0 {
			answered = append(answered, c)
		}
	}
	if r.MaxCallsPerEvent > 0 {
		if f, ok := overBound(answered, r.MaxCallsPerEvent); ok {
			out = append(out, f)
		}
	}
	return out
}

// overBound finds calls that cannot all be charged to webhooks sent before
// them at most n per webhook: the first call that is the n*k+1st of those
// that came when k webhooks or fewer had been sent. Short of that, some
// way of matching calls to webhooks keeps each at n, so none is found
// over, however late the receiver made its calls.
func overBound(calls []Call, n int) (Finding, bool) {
	byArrival := slices.Clone(calls)
	slices.SortStableFunc(byArrival, func(a, b Call) int {
		return cmp.Or(cmp.Compare(a.WebhooksSent, b.WebhooksSent), a.Time.Compare(b.Time), cmp.Compare(a.Seq, b.Seq))
	})
	for i, c := range byArrival {
		if i+1 <= n*c.WebhooksSent {
			continue
		}
		last := byArrival[len(byArrival)-1].WebhooksSent
		return Finding{"calls-per-event", c.Seq, fmt.Sprintf("%d answered calls came by the time %s had been sent, more than %d per webhook; in all, %d answered calls, the last when %s had been sent (most called: %s). "+
			"Each call is counted against the webhooks sent before it came, whichever it was for, so a receiver that queues its work is judged by what it called: fetch what a webhook needs once",
			i+1, schemas.Plural(c.WebhooksSent, "webhook"), n, len(calls), schemas.Plural(last, "webhook"), MostCalled(calls, 3))}, true
	}
	return Finding{}, false
}

// MostCalled names the most methods and paths called most, with counts,
// most first: "GET /projects/7 (3), GET /accounts/2 (1), and 4 more paths".
func MostCalled(calls []Call, most int) string {
	counts := CountCalls(calls, func(c Call) string { return c.Method + " " + c.Path })
	var parts []string
	for i, c := range counts {
		if i == most {
			parts = append(parts, fmt.Sprintf("and %d more paths", len(counts)-i))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%d)", c.Key, c.N))
	}
	return strings.Join(parts, ", ")
}

// CallCount is how many calls share a key (CountCalls).
type CallCount struct {
	Key string
	N   int
}

// CountCalls counts calls by key(call), most first, a tie in the order of
// the keys: the one count of calls that messages about them are built on
// (MostCalled's by path, verify's by answer), so that they all rank alike.
func CountCalls(calls []Call, key func(Call) string) []CallCount {
	n := map[string]int{}
	for _, c := range calls {
		n[key(c)]++
	}
	out := make([]CallCount, 0, len(n))
	for k, v := range n {
		out = append(out, CallCount{k, v})
	}
	slices.SortFunc(out, func(x, y CallCount) int { return cmp.Or(y.N-x.N, strings.Compare(x.Key, y.Key)) })
	return out
}
