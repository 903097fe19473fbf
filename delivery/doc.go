// Package delivery delivers webhook events the way Coperniq does: one JSON
// event per POST, acknowledged only by a 2xx, retried on anything else
// (3xx included: redirects are never followed), with the identical body on
// every attempt.
//
// The building blocks are usable alone: [Send] makes one attempt (the CLI's
// one-shot send), [NewClient] builds the HTTP client every attempt should use,
// [MaskURL] hides the token customers put in their webhook URL. The [Engine]
// adds what a real sender does around attempts: a retry [Policy], a bounded
// worker pool, per-record ordering, and deliberate misbehaviour (duplicate
// deliveries, reordering, jitter) so that receivers can be tested against it.
//
// Time: waits (backoff, jitter) go through a [Clock]. A virtual clock divides
// every wait by its scale, yet every time the engine records is placed on the
// virtual timeline, so a run with a 5-minute schedule at scale 1000 finishes
// in a third of a second while its log reads as if it took 5 minutes. Network
// time (request latency, the per-attempt timeout, the shutdown grace period)
// is never scaled: it is spent by a real receiver, and a timeout divided by
// 1000 would fail every attempt.
//
// Order: the events are started in the order given to [Engine.Run] (after
// [WithReorder]'s shuffle), at most [WithConcurrency] attempts at once: when a
// slot is free, of the attempts that may go, the one of the earliest event
// starts. With [WithRecordOrder] an event may go only once its record's
// previous event is acked or dead and that event's duplicate, if any, is
// answered; meanwhile later events of other records go ahead of it. A retry
// may go once its backoff has passed, a first attempt once its [WithJitter]
// delay has. So with one attempt at a time and a receiver that acknowledges
// every first attempt, the receiver gets the events in exactly the order
// given; with more, attempts in flight together may arrive in any order.
//
// Accounting: every event ends acked, dead (attempts exhausted) or, when the
// run is interrupted, pending. [Outcome.Check] verifies that events = acked +
// dead + pending and that nothing is in flight, and every summary prints that
// equation first.
//
// Secrets: every URL the package writes into an error, a log line, an
// [Attempt] or an [Outcome] goes through [MaskURL] first, and response excerpts
// in the log are scrubbed of the URL's secret values.
//
// The package never prints and never exits; progress is reported through
// [WithObserver] and [WithLog].
package delivery
