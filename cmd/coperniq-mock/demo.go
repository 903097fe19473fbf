package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/spf13/cobra"
)

// demoShown is how many deliveries the receiver's view lists at each end.
const demoShown = 4

func newDemoCmd() *cobra.Command {
	var (
		seed     uint64
		scenario string
		log      string
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "See the whole tool work in one command: a scenario delivered to an in-process receiver",
		Long: `Start a capture receiver on a free loopback port that fails the first attempt
of every event (503, as 'listen --fail-first 1' does), play the residential
solar scenario (a project from sale to permission to operate), deliver its
events to the receiver with the ci retry preset, then print the delivery
summary and what the receiver saw: deliveries, unique events, strict-schema
verdicts, and a few of the deliveries. Finally the world invariants are
checked on what arrived (ids agree, previousStatus follows, phases complete
after their work orders, ...).

Nothing to install, nothing left running. Exit status: 0 every event acked,
valid and consistent; 1 otherwise (so the demo can't hide a failure).`,
		Example: `  coperniq-mock demo
  make demo
  coperniq-mock demo --scenario request-won --seed 7`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.OutOrStdout(), scenario, seed, log)
		},
	}
	fl := cmd.Flags()
	fl.Uint64Var(&seed, "seed", generator.DefaultSeed, "seed of the scenario and the delivery")
	fl.StringVar(&scenario, "scenario", "residential-solar", "the built-in scenario (or scenario file) to run")
	fl.StringVar(&log, "log", "", "also write the delivery log to this file")
	_ = cmd.RegisterFlagCompletionFunc("scenario", completeScenarios(true))
	return cmd
}

// runDemo runs the demo. Tests pass receiver options after the demo's own
// (a later option wins) to see that a receiver that doesn't answer as
// promised fails the demo.
func runDemo(out io.Writer, name string, seed uint64, logPath string, rcOpts ...receiver.Option) error {
	sc, err := scenarios.Load(name)
	if err != nil {
		return usage(fmt.Errorf("--scenario: %w", err))
	}
	events, err := sc.Render(seed)
	if err != nil {
		return usage(err)
	}
	if err := checkSomeEvents(sc, seed, events); err != nil {
		return err
	}
	// Every delivery is kept: the checks below need all of them.
	rcOpts = append([]receiver.Option{receiver.FailFirst(1), receiver.Level(schemas.Strict), receiver.MaxDeliveries(0)}, rcOpts...)
	srv, err := receiver.Start("127.0.0.1:0", rcOpts...)
	if err != nil {
		return usage(fmt.Errorf("starting the capture receiver: %w", err))
	}
	defer srv.Close()
	target := srv.URL + "/webhooks/coperniq"
	ci, _ := delivery.ParsePreset("ci")
	fmt.Fprintf(out, "capture receiver on %s: strict validation, 503 to the first attempt of every event\n", target)
	fmt.Fprintf(out, "scenario %s: %d events, seed %d, retry preset ci\n", sc.Name, len(events), seed)
	fmt.Fprintln(out)

	// The scenario's own delivery block (duplicates, reordering) applies;
	// the retry policy is always ci, so the demo is quick.
	opts := []delivery.Option{delivery.WithPolicy(ci), delivery.WithSeed(seed)}
	if d := sc.Delivery; d.Duplicate > 0 {
		mode := delivery.DupAfter
		if d.DuplicateMode != "" {
			mode = delivery.DupMode(d.DuplicateMode)
		}
		opts = append(opts, delivery.WithDuplicate(d.Duplicate, mode))
	}
	if d := sc.Delivery; d.Reorder > 0 {
		opts = append(opts, delivery.WithReorder(d.Reorder))
	}
	if d := sc.Delivery; d.Concurrency > 0 {
		opts = append(opts, delivery.WithConcurrency(d.Concurrency))
	}
	dt, err := delivery.NewTarget(target, nil)
	if err != nil {
		return usage(err)
	}
	summary, runErr := deliver(out, dt, opts, scenarios.Messages(events), logPath)
	if summary == nil {
		return runErr
	}
	srv.Close() // every answer is in: the view below is final
	fmt.Fprintln(out)
	problems, notRetried := printReceiverView(out, srv.Receiver, summary.Results)
	if runErr != nil {
		return runErr
	}
	if len(notRetried) > 0 {
		msg := fmt.Sprintf("%d of %d events weren't answered 503 (fail-first) and then 200 on the retry: eventId %s",
			len(notRetried), len(events), idList(notRetried, 10))
		if problems > 1 {
			msg += fmt.Sprintf("; and %d other problem(s), listed above", problems-1)
		}
		return failureError{msg: msg}
	}
	if problems > 0 {
		return failureError{msg: fmt.Sprintf("the receiver's view shows %d problem(s), listed above", problems)}
	}
	fmt.Fprintln(out, "\ndemo ok: every event delivered, retried after its 503, valid and consistent")
	return nil
}

// printReceiverView prints what the receiver recorded and checks it
// against what was sent, and returns how many problems it found and the
// events that weren't failed once then acknowledged (see checkFailFirst).
func printReceiverView(out io.Writer, rc *receiver.Receiver, sent []delivery.EventResult) (problems int, notRetried []int64) {
	sum := rc.Summary()
	ds := rc.Deliveries()
	want := len(sent)
	fmt.Fprintln(out, "what the receiver saw:")
	fmt.Fprintf(out, "  %d deliveries of %d unique events: %d valid, %d invalid, %d unreadable (strict schema)\n",
		sum.Deliveries, sum.UniqueEvents, sum.Valid, sum.Invalid, sum.Unreadable)
	fmt.Fprintf(out, "  answered: %s\n", answeredCounts(sum))
	var byTrigger []string
	for _, k := range schemas.TriggerKeys() {
		if n := sum.ByTrigger[k]; n > 0 {
			byTrigger = append(byTrigger, fmt.Sprintf("%s %d", k, n))
		}
	}
	fmt.Fprintf(out, "  by trigger (deliveries): %s\n", strings.Join(byTrigger, ", "))
	fmt.Fprintln(out, "  deliveries:")
	for i, d := range ds {
		if i == demoShown && len(ds) > 2*demoShown {
			fmt.Fprintf(out, "    … %d more …\n", len(ds)-2*demoShown)
		}
		if i < demoShown || i >= len(ds)-demoShown {
			fmt.Fprintf(out, "    %s\n", deliveryLine(d))
		}
	}
	if sum.UniqueEvents != want {
		fmt.Fprintf(out, "  PROBLEM: %d unique events arrived, %d were sent\n", sum.UniqueEvents, want)
		problems++
	}
	if sum.Invalid+sum.Unreadable > 0 {
		fmt.Fprintf(out, "  PROBLEM: %d deliveries failed validation\n", sum.Invalid+sum.Unreadable)
		problems++
	}
	if bad := checkFailFirst(ds, sent); len(bad) == 0 {
		fmt.Fprintf(out, "  fail-first: every event answered 503 once, then 200 on its retry (%d events checked)\n", len(sent))
	} else {
		fmt.Fprintf(out, "  PROBLEM: %d events not answered 503 (fail-first) once, then 200 on the retry:\n", len(bad))
		for i, b := range bad {
			notRetried = append(notRetried, b.EventID)
			if i < 10 {
				fmt.Fprintf(out, "    eventId %d: got %s; want %s\n", b.EventID, b.Got, b.Want)
			}
		}
		if len(bad) > 10 {
			fmt.Fprintf(out, "    … %d more\n", len(bad)-10)
		}
		problems++
	}
	payloads := make([][]byte, 0, len(ds))
	for _, d := range ds {
		if d.Payload != nil {
			payloads = append(payloads, d.Payload)
		}
	}
	errs := scenarios.CheckSequence(payloads)
	if len(errs) == 0 {
		fmt.Fprintf(out, "  world invariants on what arrived: ok (%d events checked in eventId order)\n", sum.UniqueEvents)
	} else {
		fmt.Fprintf(out, "  PROBLEM: world invariants broken:\n")
		for _, e := range errs {
			fmt.Fprintf(out, "    %v\n", e)
		}
		problems++
	}
	if err := rc.Err(); err != nil && !errors.Is(err, io.EOF) {
		fmt.Fprintf(out, "  PROBLEM: receiver: %v\n", err)
		problems++
	}
	return problems, notRetried
}

// failFirstProblem is an event the receiver didn't answer as the demo
// promises: Got and Want are its answers, in arrival order.
type failFirstProblem struct {
	EventID   int64
	Got, Want string
}

// checkFailFirst checks, from the receiver's deliveries, the demo's claim
// that every event was retried after its 503: each event sent must have
// arrived first to a 503 from fail-first, exactly once, and then to a 200
// for every further request the sender made for it (its retry, and any
// duplicate the scenario asks for). It returns the events where that does
// not hold, and any event that arrived without being sent, by eventId.
func checkFailFirst(ds []receiver.Delivery, sent []delivery.EventResult) []failFirstProblem {
	byID := map[int64][]receiver.Delivery{}
	for _, d := range ds {
		if d.EventID != nil {
			byID[*d.EventID] = append(byID[*d.EventID], d)
		}
	}
	var out []failFirstProblem
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
			out = append(out, failFirstProblem{EventID: r.EventID, Got: answers(got), Want: want})
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
		out = append(out, failFirstProblem{EventID: id, Got: answers(byID[id]), Want: "nothing: the demo never sent it"})
	}
	slices.SortStableFunc(out, func(a, b failFirstProblem) int { return cmp.Compare(a.EventID, b.EventID) })
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
