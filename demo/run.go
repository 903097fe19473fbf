package demo

import (
	"context"
	"fmt"
	"io"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Run is the demo: a capture receiver on a free loopback port that fails
// the first attempt of every event, the scenario name (a built-in or a
// file) delivered to it with seed and the ci retry preset, then the summary,
// what the receiver saw, and the world invariants checked on what arrived.
// Everything is written to out; the delivery log to logPath when set.
// Receiver options rcOpts come after the demo's own (a later option wins),
// so a test can make the receiver break its promise and see the demo fail.
//
// A receiver or a delivery that fails the demo is a *delivery.FailedError;
// other errors are the setup's: a scenario that cannot be played is a
// *schemas.FieldError on Scenario (its one setting a person names), no
// free port is the listener's error.
func Run(ctx context.Context, out io.Writer, live bool, name string, seed uint64, logPath string, rcOpts ...receiver.Option) error {
	play, err := scenarios.NewPlay(name, nil, seed)
	if err != nil {
		return &schemas.FieldError{Field: "Scenario", Want: err.Error(), Err: err}
	}
	// Every delivery is kept: the checks below need all of them.
	rcOpts = append([]receiver.Option{receiver.WithFailFirst(1), receiver.WithLevel(schemas.Strict), receiver.WithMaxDeliveries(0)}, rcOpts...)
	srv, err := receiver.Start("127.0.0.1:0", rcOpts...)
	if err != nil {
		return fmt.Errorf("starting the capture receiver: %w", err)
	}
	defer srv.Close()
	target, err := delivery.NewTarget(srv.URL+"/webhooks/coperniq", nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "capture receiver on %s: strict validation, 503 to the first attempt of every event\n", target)
	fmt.Fprintf(out, "%s, retry preset ci\n", play)
	fmt.Fprintln(out)

	// The scenario's own delivery block (duplicates, reordering) applies;
	// the retry policy is always ci, so the demo is quick.
	r := delivery.Reported{Out: out, Info: out, LogPath: logPath, Live: live}
	summary, runErr := r.Run(ctx, target, Settings(play.Scenario), seed, scenarios.Messages(play.Events))
	if summary == nil {
		return runErr
	}
	srv.Close() // every answer is in: the view below is final
	fmt.Fprintln(out)
	findings := Check(srv.Receiver, summary.Results)
	findings.WriteReport(out)
	if runErr != nil {
		return runErr
	}
	if err := findings.Err(); err != nil {
		return &delivery.FailedError{Err: err}
	}
	fmt.Fprintln(out, "\ndemo ok: every event delivered, retried after its 503, valid and consistent")
	return nil
}
