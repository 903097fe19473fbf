package api

import (
	"fmt"
	"sort"
	"time"
)

// Rules are what Check holds a receiver's API calls to.
type Rules struct {
	// MaxCallsPerEvent bounds the calls answered after one webhook (by
	// Call.AfterEvent; meaningful when events are delivered one at a
	// time). Zero: no bound.
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
// Retry-After, and no webhook costs more than MaxCallsPerEvent calls
// that were answered (faults and refusals aside). No calls, no findings.
func Check(calls []Call, r Rules) []Finding {
	if r.Slack == 0 {
		r.Slack = DefaultSlack
	}
	var out []Finding
	// The earliest a call may repeat, per method and path, after a 429.
	notBefore := map[string]Call{}
	perEvent := map[int64][]int{}
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
		if c.Auth == "ok" && c.Fault == "" && c.AfterEvent != 0 {
			perEvent[c.AfterEvent] = append(perEvent[c.AfterEvent], c.Seq)
		}
	}
	if r.MaxCallsPerEvent > 0 {
		ids := make([]int64, 0, len(perEvent))
		for id := range perEvent {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, id := range ids {
			if seqs := perEvent[id]; len(seqs) > r.MaxCallsPerEvent {
				out = append(out, Finding{"calls-per-event", seqs[r.MaxCallsPerEvent], fmt.Sprintf("%d calls after event %d, more than %d", len(seqs), id, r.MaxCallsPerEvent)})
			}
		}
	}
	return out
}
