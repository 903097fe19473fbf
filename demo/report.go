package demo

import (
	"fmt"
	"io"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Shown is how many deliveries WriteReport lists at each end.
const Shown = 4

// Settings are the demo's delivery settings for sc: the scenario's own
// delivery block (duplicates, reordering, concurrency) with the ci retry
// preset always, so that the demo is quick.
func Settings(sc *scenarios.Scenario) delivery.Settings {
	s := delivery.DefaultSettings()
	s.Retry = "ci"
	d := sc.Delivery
	s.Duplicate, s.DuplicateMode, s.Reorder, s.Concurrency = d.Duplicate, d.DuplicateMode, d.Reorder, d.Concurrency
	return s
}

// WriteReport writes what the receiver recorded and what Check found in
// it: counts, answers, a few deliveries from each end, then each claim, ok
// or PROBLEM.
func (f *Findings) WriteReport(out io.Writer) {
	sum, ds := f.Summary, f.Deliveries
	fmt.Fprintln(out, "what the receiver saw:")
	fmt.Fprintf(out, "  %d deliveries of %d unique events: %d valid, %d invalid, %d unreadable (strict schema)\n",
		sum.Deliveries, sum.UniqueEvents, sum.Valid, sum.Invalid, sum.Unreadable)
	fmt.Fprintf(out, "  answered: %s\n", sum.Answered())
	var byTrigger []string
	for _, k := range schemas.TriggerKeys() {
		if n := sum.ByTrigger[k]; n > 0 {
			byTrigger = append(byTrigger, fmt.Sprintf("%s %d", k, n))
		}
	}
	fmt.Fprintf(out, "  by trigger (deliveries): %s\n", strings.Join(byTrigger, ", "))
	fmt.Fprintln(out, "  deliveries:")
	for i, d := range ds {
		if i == Shown && len(ds) > 2*Shown {
			fmt.Fprintf(out, "    … %d more …\n", len(ds)-2*Shown)
		}
		if i < Shown || i >= len(ds)-Shown {
			fmt.Fprintf(out, "    %s\n", d.Line())
		}
	}
	if f.Lost {
		fmt.Fprintf(out, "  PROBLEM: %d unique events arrived, %d were sent\n", sum.UniqueEvents, f.Sent)
	}
	if f.Invalid > 0 {
		fmt.Fprintf(out, "  PROBLEM: %d deliveries failed validation\n", f.Invalid)
	}
	if bad := f.FailFirst; len(bad) == 0 {
		fmt.Fprintf(out, "  fail-first: every event answered 503 once, then 200 on its retry (%d events checked)\n", f.Sent)
	} else {
		fmt.Fprintf(out, "  PROBLEM: %d events not answered 503 (fail-first) once, then 200 on the retry:\n", len(bad))
		for _, b := range bad[:min(10, len(bad))] {
			fmt.Fprintf(out, "    eventId %d: got %s; want %s\n", b.EventID, b.Got, b.Want)
		}
		if len(bad) > 10 {
			fmt.Fprintf(out, "    … %d more\n", len(bad)-10)
		}
	}
	if len(f.Invariants) == 0 {
		fmt.Fprintf(out, "  world invariants on what arrived: ok (%d events checked in eventId order)\n", sum.UniqueEvents)
	} else {
		fmt.Fprintf(out, "  PROBLEM: world invariants broken:\n")
		for _, e := range f.Invariants {
			fmt.Fprintf(out, "    %v\n", e)
		}
	}
	if f.ReceiverErr != nil {
		fmt.Fprintf(out, "  PROBLEM: receiver: %v\n", f.ReceiverErr)
	}
}
