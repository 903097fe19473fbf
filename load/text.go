package load

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// InsecureMark follows the target in the text and HTML reports of a run
// whose target's certificate was not verified (Report.Insecure).
const InsecureMark = " [--insecure: TLS certificate NOT verified]"

// shownTarget is the target as the text and HTML reports name it: marked
// when its certificate was not verified.
func (r *Report) shownTarget() string {
	if r.Insecure {
		return r.Target + InsecureMark
	}
	return r.Target
}

// WriteText writes the report for a person: the load asked for and
// delivered, outcomes, latency (corrected and raw), and the per-trigger
// breakdown.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, a ...any) { fmt.Fprintf(tw, format, a...) }

	p("Target\t%s\n", r.shownTarget())
	if r.ClosedLoop {
		p("Load\trate max for %s: a closed loop, %d senders each sending its next event when its last answer came; shard %s, timeout %s\n", fmtDur(time.Duration(r.Planned)), r.MaxInflight, r.ShardsString(), fmtDur(time.Duration(r.Timeout)))
	} else {
		p("Load\t%s (%s), shard %s, max in-flight %d, timeout %s\n", r.Stages, fmtDur(time.Duration(r.Planned)), r.ShardsString(), r.MaxInflight, fmtDur(time.Duration(r.Timeout)))
	}
	seed := strconv.FormatUint(r.Seed, 10)
	if r.SeedRandom {
		seed += fmt.Sprintf(" (random; pass --seed %d to repeat this run)", r.Seed)
	}
	if r.Scenario != "" {
		p("Payloads\tscenario %s (whole lifecycles, event ids renumbered), seed %s\n", r.Scenario, seed)
	} else {
		p("Payloads\tprofile %s, seed %s, mix %s\n", r.Profile, seed, shortMix(r.Mix))
	}
	if len(r.Missing) > 0 && len(r.Shards) > 0 {
		p("Partial\t%s missing: this report covers %d of %d shards\n", formatShardSet(r.Missing, r.Shards[0].Count), len(r.Shards), r.Shards[0].Count)
	}
	if r.Interrupted {
		p("Interrupted\tafter %s of %s\n", fmtDur(time.Duration(r.Window)), fmtDur(time.Duration(r.Planned)))
	}
	if r.ClosedLoop {
		p("Requests\t%d sent (none scheduled, so none late or dropped)\n", r.Sent)
	} else {
		p("Requests\t%d scheduled, %d sent, %d dropped (%d more than %s behind), %d late (>%s)\n",
			r.Scheduled, r.Sent, r.Dropped, r.DroppedLate, fmtDur(time.Duration(r.MaxLateness)), r.Late, fmtDur(time.Duration(r.LateAfter)))
	}
	if r.GenErrors > 0 {
		p("Not generated\t%d slots left unsent: their payload could not be made\n", r.GenErrors)
	}
	if r.ClosedLoop {
		p("Rate\tsent as fast as the receiver answered over %d connections: %.1f/s\n", r.MaxInflight, r.AchievedRate())
	} else {
		p("Rate\ttarget %.1f/s, achieved %.1f/s (%.2f%%)", r.TargetRate(), r.AchievedRate(), pct(r.AchievedRate(), r.TargetRate()))
		if r.SentAfterWindow > 0 {
			p(" within the window; %d sends started after it, late, are left out", r.SentAfterWindow)
		}
		p("\n")
	}
	conns := "unknown"
	if r.Connections >= 0 {
		conns = strconv.FormatInt(r.Connections, 10)
	}
	opened := "connections opened"
	if r.Connections == 1 {
		opened = "connection opened"
	}
	if r.ClosedLoop {
		p("In flight\tpeak %d of %d; %s %s\n", r.PeakInflight, r.MaxInflight, conns, opened)
	} else {
		p("In flight\tpeak %d of %d; %d sends waited for a free worker; %s %s\n", r.PeakInflight, r.MaxInflight, r.CapWaits, conns, opened)
	}
	if r.Client != "" && r.Client != ClientWire {
		p("Client\t%s\n", r.Client)
	}
	p("Success\t%.2f%% of %s events acknowledged: %d acked, %d dead, %d pending", 100*r.SuccessRatio(), r.eventsCounted(), r.Acked, r.Dead, r.Pending)
	if m := r.MinSuccess; m != nil && *m > 0 {
		if r.SuccessPassed() {
			p("; at or above --min-success %s%%", strconv.FormatFloat(*m, 'g', -1, 64))
		} else {
			p("; below --min-success %s%%: exit status %d", strconv.FormatFloat(*m, 'g', -1, 64), r.exitStatus())
		}
	} else if r.notJudged() {
		p("; exit status 2 whatever --min-success (the setup's: see the verdict)")
	}
	p("\n")
	if len(r.Thresholds) > 0 {
		var parts []string
		for _, t := range r.Thresholds {
			verdict := "passed"
			if !t.Passed {
				verdict = "FAILED"
			}
			parts = append(parts, fmt.Sprintf("%s %s (%s)", t.Threshold, verdict, t.Actual))
		}
		p("Thresholds\t%s", strings.Join(parts, ", "))
		if len(r.FailedThresholds()) > 0 {
			p(": exit status %d", r.exitStatus())
		}
		p("\n")
	}
	p("Retries\t%d (%s)", r.Retries, r.Retry)
	if r.RetryOverflow > 0 {
		p("; %d events dead because the retry queue was full", r.RetryOverflow)
	}
	p("\n")
	p("Status codes\t%s\n", countList(r.Statuses, "none"))
	p("Errors\t%s\n", countList(r.Errors, "none"))
	for _, k := range sortedKeys(r.ErrorSamples) {
		p("\t%s, the first: %s\n", k, r.ErrorSamples[k])
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	p = func(format string, a ...any) { fmt.Fprintf(tw, format, a...) }
	p("Latency\tp50\tp90\tp99\tp99.9\tmax\t\n")
	rows := []struct {
		name string
		h    *Histogram
	}{{"corrected", r.Corrected}, {"raw", r.Raw}}
	if r.ClosedLoop {
		// Each event was due when it left: the two rows would be equal.
		rows = rows[1:]
	}
	for _, row := range rows {
		p("%s", row.name)
		for _, q := range quantiles {
			p("\t%s", fmtLat(row.h.Quantile(q.q)))
		}
		p("\t%s\t\n", fmtLat(row.h.Max()))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.ClosedLoop {
		fmt.Fprintln(w, "(raw: from when the request left; in a closed loop each event left when its sender was free, so corrected latency equals raw)")
		fmt.Fprintf(w, "(%d first attempts got no HTTP status (see Errors) and are left out", r.NoStatus)
	} else {
		fmt.Fprintln(w, "(corrected: from each event's scheduled time, so waiting counts; raw: from when the request left)")
		fmt.Fprintf(w, "(%d first attempts got no HTTP status (see Errors) and are left out of both rows", r.NoStatus)
	}
	if r.DroppedLate > 0 {
		fmt.Fprintf(w, "; %d corrected values are slots dropped more than %s late, recorded at their lateness when dropped: lower bounds", r.DroppedLate, fmtDur(time.Duration(r.MaxLateness)))
	}
	fmt.Fprintln(w, ")")

	if len(r.Triggers) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "Trigger\tsent\tacked\tdead\tp50\tp99\t\n")
		for _, k := range sortedKeys(r.Triggers) {
			t := r.Triggers[k]
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t\n", k, t.Sent, t.Acked, t.Dead, fmtLat(t.Corrected.within(r.Corrected, 50)), fmtLat(t.Corrected.within(r.Corrected, 99)))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w, r.triggerNote())
	}
	fmt.Fprintf(w, "\nVerdict: %s\n", r.Verdict())
	return nil
}

// eventsCounted names the events the success ratio is of: those scheduled,
// or in a closed loop, where nothing is, those sent.
func (r *Report) eventsCounted() string {
	if r.ClosedLoop {
		return "sent"
	}
	return "scheduled"
}

// countList prints a map of counts as "200: 9 500: 1", keys in numeric
// then alphabetical order.
func countList(m map[string]int64, empty string) string {
	if len(m) == 0 {
		return empty
	}
	keys := sortedKeys(m)
	slices.SortStableFunc(keys, func(a, b string) int {
		ai, errA := strconv.Atoi(a)
		bi, errB := strconv.Atoi(b)
		if errA == nil && errB == nil {
			return ai - bi
		}
		return 0
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, m[k])
	}
	return strings.Join(parts, "  ")
}

// shortMix keeps the default mix (every trigger once) from filling a line.
func shortMix(mix string) string {
	if mix == DefaultMix().String() {
		return "every trigger equally"
	}
	return mix
}

func pct(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return 100 * a / b
}

// fmtLat prints a latency with three significant digits.
func fmtLat(d time.Duration) string {
	switch {
	case d == 0:
		return "-"
	case d < time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Microsecond), 'f', 0, 64) + "µs"
	case d < time.Second:
		return sig3(float64(d)/float64(time.Millisecond)) + "ms"
	}
	return sig3(d.Seconds()) + "s"
}

// sig3 prints v with about three significant digits, never in e-notation.
func sig3(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func fmtDur(d time.Duration) string {
	if d >= time.Second {
		d = d.Round(100 * time.Millisecond)
	}
	return d.String()
}

// triggerNote says what the per-trigger p50 and p99 are of: a trigger's
// sent events only, so that beside the run's corrected row, which also
// holds the slots dropped for lateness, neither reads as a contradiction.
func (r *Report) triggerNote() string {
	if r.ClosedLoop {
		return "(trigger p50, p99: latency of the trigger's events that got an HTTP status)"
	}
	note := "(trigger p50, p99: corrected latency of the trigger's sent events that got an HTTP status"
	if r.DroppedLate > 0 {
		note += fmt.Sprintf("; the %d slots dropped are only in the corrected row above", r.DroppedLate)
	}
	return note + ")"
}
