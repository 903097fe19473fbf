package demo

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

// Findings is what Check found. Each field is one of the demo's claims;
// Problems counts the broken ones.
type Findings struct {
	Summary    receiver.Totals
	Deliveries []receiver.Delivery
	// Sent is how many events the engine sent; Lost reports that a
	// different number of unique events arrived.
	Sent int
	Lost bool
	// Invalid is how many deliveries failed validation or were unreadable.
	Invalid int
	// FailFirst lists the events not answered 503 once then 200.
	FailFirst []FailFirstProblem
	// Invariants are the world invariants broken by what arrived.
	Invariants []error
	// ReceiverErr is the receiver's own error, if any.
	ReceiverErr error
}

// Check compares what rc recorded with what was sent.
func Check(rc *receiver.Receiver, sent []delivery.EventResult) *Findings {
	f := &Findings{Summary: rc.Summary(), Deliveries: rc.Deliveries(), Sent: len(sent)}
	f.Lost = f.Summary.UniqueEvents != f.Sent
	f.Invalid = f.Summary.Invalid + f.Summary.Unreadable
	f.FailFirst = CheckFailFirst(f.Deliveries, sent)
	payloads := make([][]byte, 0, len(f.Deliveries))
	for _, d := range f.Deliveries {
		if d.Payload != nil {
			payloads = append(payloads, d.Payload)
		}
	}
	f.Invariants = scenarios.CheckSequence(payloads)
	if err := rc.Err(); err != nil && !errors.Is(err, io.EOF) {
		f.ReceiverErr = err
	}
	return f
}

// Problems is how many of the demo's claims are broken.
func (f *Findings) Problems() int {
	n := 0
	for _, broken := range []bool{f.Lost, f.Invalid > 0, len(f.FailFirst) > 0, len(f.Invariants) > 0, f.ReceiverErr != nil} {
		if broken {
			n++
		}
	}
	return n
}

// NotRetried lists the events of FailFirst, by eventId.
func (f *Findings) NotRetried() []int64 {
	ids := make([]int64, len(f.FailFirst))
	for i, p := range f.FailFirst {
		ids[i] = p.EventID
	}
	return ids
}

// Err is the demo's verdict: nil when every claim holds, else what broke,
// naming the events not retried as promised.
func (f *Findings) Err() error {
	problems := f.Problems()
	if ids := f.NotRetried(); len(ids) > 0 {
		msg := fmt.Sprintf("%d of %d events weren't answered 503 (fail-first) and then 200 on the retry: eventId %s",
			len(ids), f.Sent, idList(ids, 10))
		if problems > 1 {
			msg += fmt.Sprintf("; and %d other problem(s), listed above", problems-1)
		}
		return errors.New(msg)
	}
	if problems > 0 {
		return fmt.Errorf("the receiver's view shows %d problem(s), listed above", problems)
	}
	return nil
}

// FailFirstProblem is an event the receiver didn't answer as the demo
// promises: Got and Want are its answers, in arrival order.
type FailFirstProblem struct {
	EventID   int64
	Got, Want string
}

// CheckFailFirst checks, from the receiver's deliveries, the demo's claim
// that every event was retried after its 503: each event sent must have
// arrived first to a 503 from fail-first, exactly once, and then to a 200
// for every further request the sender made for it (its retry, and any
// duplicate the scenario asks for). It returns the events where that does
// not hold, and any event that arrived without being sent, by eventId.
func CheckFailFirst(ds []receiver.Delivery, sent []delivery.EventResult) []FailFirstProblem {
	byID := map[int64][]receiver.Delivery{}
	for _, d := range ds {
		if d.EventID != nil {
			byID[*d.EventID] = append(byID[*d.EventID], d)
		}
	}
	var out []FailFirstProblem
	isSent := map[int64]bool{}
	for _, r := range sent {
		isSent[r.EventID] = true
		got := byID[r.EventID]
		slices.SortStableFunc(got, func(a, b receiver.Delivery) int { return cmp.Compare(a.Seq, b.Seq) })
		// A 200 for the retry and one for each duplicate; but a
		// duplicate sent alongside the first attempt may be the one that
		// got the 503, and then the first attempt is acked without a
		// retry.
		oks := 1 + r.Duplicates
		if r.Attempts == 1 && r.Duplicates > 0 {
			oks = r.Duplicates
		}
		good := len(got) == 1+oks && isFailFirst(got[0])
		for _, d := range got[min(1, len(got)):] {
			good = good && d.Status == http.StatusOK && !d.Reset
		}
		if !good {
			want := fmt.Sprintf("%d (%s), then %d", receiver.FailStatus, receiver.InjectedFailFirst, http.StatusOK)
			if r.Duplicates > 0 {
				want += fmt.Sprintf(" x%d (%d of them duplicates)", oks, r.Duplicates)
			}
			out = append(out, FailFirstProblem{EventID: r.EventID, Got: answers(got), Want: want})
		}
	}
	var extra []int64
	for id := range byID {
		if !isSent[id] {
			extra = append(extra, id)
		}
	}
	slices.Sort(extra)
	for _, id := range extra {
		out = append(out, FailFirstProblem{EventID: id, Got: answers(byID[id]), Want: "nothing: the demo never sent it"})
	}
	slices.SortStableFunc(out, func(a, b FailFirstProblem) int { return cmp.Compare(a.EventID, b.EventID) })
	return out
}

func isFailFirst(d receiver.Delivery) bool {
	return d.Status == receiver.FailStatus && d.Injected == receiver.InjectedFailFirst
}

// answers lists the answers an event's deliveries got, in arrival order.
func answers(ds []receiver.Delivery) string {
	if len(ds) == 0 {
		return "no delivery"
	}
	var parts []string
	for _, d := range ds {
		switch {
		case d.Reset:
			parts = append(parts, "reset")
		case d.Injected != "":
			parts = append(parts, fmt.Sprintf("%d (%s)", d.Status, d.Injected))
		default:
			parts = append(parts, fmt.Sprint(d.Status))
		}
	}
	return strings.Join(parts, ", ")
}

// idList prints at most n ids, and how many more there are.
func idList(ids []int64, n int) string {
	var parts []string
	for i, id := range ids {
		if i == n {
			parts = append(parts, fmt.Sprintf("and %d more", len(ids)-n))
			break
		}
		parts = append(parts, fmt.Sprint(id))
	}
	return strings.Join(parts, ", ")
}
