package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
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

func runDemo(out io.Writer, name string, seed uint64, logPath string) error {
	sc, err := scenarios.Load(name)
	if err != nil {
		return usage(fmt.Errorf("--scenario: %w", err))
	}
	events, err := sc.Render(seed)
	if err != nil {
		return usage(err)
	}
	srv, err := receiver.Start("127.0.0.1:0", receiver.FailFirst(1), receiver.Level(schemas.Strict))
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
	summary, runErr := deliver(out, target, opts, scenarios.DeliveryEvents(events), logPath)
	if summary == nil {
		return runErr
	}
	srv.Close() // every answer is in: the view below is final
	fmt.Fprintln(out)
	problems := printReceiverView(out, srv.Receiver, len(events))
	if runErr != nil {
		return runErr
	}
	if problems > 0 {
		return failureError{msg: fmt.Sprintf("the receiver's view shows %d problem(s), listed above", problems)}
	}
	fmt.Fprintln(out, "\ndemo ok: every event delivered, retried after its 503, valid and consistent")
	return nil
}

// printReceiverView prints what the receiver recorded and checks it, and
// returns how many problems it found.
func printReceiverView(out io.Writer, rc *receiver.Receiver, want int) int {
	sum := rc.Summary()
	ds := rc.Deliveries()
	problems := 0
	fmt.Fprintln(out, "what the receiver saw:")
	fmt.Fprintf(out, "  %d deliveries of %d unique events: %d valid, %d invalid, %d unreadable (strict schema)\n",
		sum.Deliveries, sum.UniqueEvents, sum.Valid, sum.Invalid, sum.Unreadable)
	codes := make([]int, 0, len(sum.ByStatus))
	for c := range sum.ByStatus {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var answered []string
	for _, c := range codes {
		answered = append(answered, fmt.Sprintf("%d x%d", c, sum.ByStatus[c]))
	}
	fmt.Fprintf(out, "  answered: %s\n", strings.Join(answered, ", "))
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
	return problems
}
