// Package contract holds the Ginkgo specs that tell a receiver team whether
// their webhook endpoint handles Coperniq correctly: every trigger's payloads
// acknowledged with a 2xx, unknown fields and future triggers tolerated,
// answers within the deadline, no redirects, the URL token enforced, and
// duplicates, retries after a timeout and out-of-order lifecycles applied
// exactly once.
//
// Coperniq retries every delivery that is not answered with a 2xx, sends
// duplicates, promises no order and signs nothing (customers put a token in
// the URL). A receiver that gets any of that wrong loses events or applies
// them twice, usually in production. The specs send what Coperniq sends,
// generated from a seed, so every failure names a command that sends the
// same bytes again:
//
//	coperniq-mock send TRIGGER --seed S --profile P --set event.eventId=N --target URL
//
// # Three ways to run them
//
//   - The CLI: `coperniq-mock verify --target URL` runs the suite inside the
//     binary (see Run); no Ginkgo installation is needed.
//   - A Go team's own Ginkgo suite: DescribeReceiver registers the same
//     specs, so a Go receiver can be verified in-process against an
//     httptest server (see the sample suite in contract/sample).
//   - `go test ./contract -args -target=URL` (plus -inspect, -inspect-cmd,
//     -token-param, -deadline, -burst, -seed).
//
// # The inspect protocol
//
// Whether an event was applied once can only be told by the receiver, so the
// idempotency and lifecycle specs ask it through an inspect hook, and are
// reported as skipped (never as passed) without one. InspectURL polls a GET
// endpoint that answers 200 with {"applied": N}, or 404 when the event was
// never applied; InspectCommand runs a command with COPERNIQ_EVENT_ID,
// COPERNIQ_RECORD_ID and COPERNIQ_TRIGGER_KEY in its environment and reads N
// from its stdout. A receiver that decides to ignore an event still counts
// it as applied once: "applied" means its handling of the event ran to the
// end. The suite polls until each event's count appears, for at most
// Target.InspectTimeout after its acknowledgement, since receivers may apply
// events asynchronously; the specs that count duplicates then keep watching
// for Target.Settle (by default MinSettle, or twice the time the count took
// to appear when longer) to catch a duplicate applied late. Those specs (the
// duplicate and retry specs, every lifecycle replay) are delivered together,
// in one batch, all at once, and watched at once: the settle windows
// overlap, so a run costs one window rather than one per spec. The payload
// specs run ahead together too, a few at a time, as Coperniq delivers
// concurrently: a receiver that answers in a second or two is verified in
// a minute or two, not ten. Each spec still judges only its own events.
// RunConfig.Progress reports where a long run stands. The hook is asked
// about each event from its acknowledgement on, sooner at first (see
// MinPollGap), and the apply times reported are upper bounds that state
// their own uncertainty.
//
// What the verdicts say is true of the receiver: an event whose count did
// not appear in time fails its spec as "not applied within" the inspect
// timeout, and is asked about again, before the next spec that counts (a
// drain, so that one spec's backlog does not fail the next, within
// Target.DrainBudget for the whole run) and at the end of the run, window
// after window while the receiver applies some of them, which reports it
// "found applied when asked again N s after it was acknowledged", "far
// behind, not known lost" (the budget ran out while the receiver was still
// applying, or the event is younger than the slowest lag of those found
// applied), or "never applied" (none applied for a whole window, and older
// than that lag: only then is it lost). Apply times, from acknowledgement
// to count, are reported like answer times.
//
// Before the first count, the hook is asked about eventIds no run sends: a
// hook that says one was applied does not count per event, a setup problem.
//
// With a hook, the payload specs (realistic, minimal, maximal, edge, unknown
// trigger) count too: each event must be applied once, since a receiver that
// acknowledges and then drops an event in its worker loses it. Their events
// already applied before they were sent are stale state, as the counting
// specs' are. When the
// receiver acknowledged every counted event but nothing in the run was ever
// counted as applied, the failure is the hook's (a wrong hook URL answers 404,
// "never applied", to everything), and after a few such checks the rest are
// not waited out. The end of the run waits, on what is left of the drain
// budget, for any of the run's events to be counted: a receiver behind for
// the whole run applied nothing before. One is, and an EntryRelabel takes
// back those specs' marks (a final-state spec's once the state hook answers
// for a record): Summarize and the reports judge them as the receiver's
// lateness.
//
// The run fails fast: after Target.MaxLate deliveries in a row without an
// answer within the deadline (answered late or not at all), or
// Target.MaxLateTotal in all (a receiver late some of the time), it stops,
// with a verdict that measures how late the receiver answers; after HookHungAfter
// questions in a row that the hook left unanswered within the inspect
// timeout it stops too, blaming the hook. A response cut short (a 2xx whose
// body ends before its Content-Length) is a failed delivery, as it is to
// Coperniq's HTTP client.
//
// The receiver's state is not reset between specs, so each spec that counts
// applications uses events no other spec of the run delivers, and asks the
// hook about them before the first delivery: an event already applied (the
// state of an earlier run with the same seed, or a hook that does not count)
// fails the spec as a setup problem, since a receiver that dropped every
// event would otherwise pass. Runs with different seeds count different
// events, their eventIds above a base the seed picks (one of 1023 below
// 2^31); without a Target.Seed each run draws its own (Findings.Title
// prints it with the flag that repeats it), and a spec that meets the
// events of an earlier run at the same base counts others, at another
// base, instead of failing. A hook that answers outside the protocol fails the spec as a setup
// problem too, naming the hook, never the receiver (see EntryProblem); the
// CLI exits 2 when every failure is one. An InspectCommand is never shown in
// messages: it may hold a password.
//
// # The state protocol
//
// Applying every event exactly once is not enough: Coperniq promises no
// order, and a receiver that applies events in arrival order ends with a
// stale status. The final-state specs (GroupState; statespecs.go) deliver
// each lifecycle scenario in order, newest first within windows of
// StateReorder events, and shuffled with duplicates, with the ci retries,
// then ask a state hook what the receiver believes each record looks like,
// and compare it with the world's state after the scenario's last event.
// StateURL polls a GET endpoint that answers 200 with
// {"record": {"status": S, "stage": {"id": N}}, "workOrders": {"ID":
// {"status": S}}}, or 404 for a record the receiver has nothing on;
// StateCommand runs a command with COPERNIQ_RECORD_ID set and reads that
// JSON from its stdout. Every key is optional: what the receiver returns is
// compared, as text, exactly, and it must return at least one value. A
// receiver converges by keeping, per record and work order, the version
// with the newest record.updatedAt / workOrder.modifiedAt (see
// contract/sample). Without a state hook these specs are skipped.
//
// # Chaos runs
//
// RunChaos makes seeded runs outside the specs, each a random mix of
// lifecycle scenarios delivered with random faults (reordering windows,
// sequential and concurrent duplicates, give-up-and-resend, delays; ci
// retries after a non-2xx) and fresh ids derived from the seed, judged by
// both hooks; the first failing run is shrunk to a 1-minimal schedule
// (shrink.go), written as a ChaosFile that ReplayChaos delivers again.
//
// The package never prints: results go through Ginkgo's reporters, Summarize
// turns a Ginkgo report into the Findings the CLI prints, and
// Findings.Verdict says what they mean to CI (the exit status and why).
package contract
