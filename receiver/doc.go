// Package receiver is a capture receiver for Coperniq webhooks: the other end
// of the wire from a sender, real Coperniq or this project's delivery engine.
// It is what `coperniq-mock listen` runs.
//
// A [Receiver] is an [http.Handler]. Every POST to any path outside /_mock/ is
// a delivery: it is validated against the schemas (contract level, or strict
// with [Level]), recorded in memory, written as one JSON line to an optional
// [Output], reported to an optional [Observer], and answered. Use [Start] to
// serve it on an address of its own (httptest style: [Server.URL], Close), or
// mount the Receiver in any server, an httptest.Server included.
//
// # Answers
//
// A delivery that parses as JSON is acknowledged with 200 (or the [Status]
// code) even when it violates the schema: a user pointing real Coperniq
// traffic here wants to see the violations, not to make Coperniq retry a
// payload that will never change. The violations are recorded, returned in
// the answer's body and shown by the inspection API. Only bodies that are not
// JSON (400, with the line and column) or too large (413, see [BodyLimit])
// are refused; another method than POST gets 405.
//
// To exercise a sender's retries, the receiver misbehaves on request:
// [FailFirst] fails each event's first attempts, [FailRate] a random fraction
// of attempts, [ResetRate] drops the connection without an answer, and
// [Latency] delays every answer. Random choices are drawn from the [Seed] and
// the event's id and attempt number, not from arrival order, so a run is
// reproducible however concurrent the sender is.
//
// An attempt is counted per event.eventId, since a retry re-sends the same
// event. A payload without a usable eventId (absent, not an integer) is still
// recorded and answered, without an attempt number, and FailFirst leaves it
// alone: it could never tell a retry from a new event, and would fail it
// forever.
//
// # Inspection
//
//	GET    /_mock/deliveries          every delivery, oldest first (JSON array of Delivery)
//	DELETE /_mock/deliveries          forget every delivery, attempt count and total
//	GET    /_mock/events/{eventId}    the deliveries of one event and its payload (404 if never received)
//	GET    /_mock/summary             the totals (Summary)
//	GET    /_mock/healthz             200 once the server answers
//
// # Memory
//
// Every delivery is kept, payload included, until cleared: a capture session
// is expected to be short (at the 1 MiB default limit, a thousand maximal
// payloads is at most a GiB, typical ones a few MiB). [MaxDeliveries] keeps
// only the newest n; the totals and the attempt counts (a map entry per
// distinct eventId) are kept regardless.
//
// The package never prints and never exits: deliveries are reported through
// the Observer and the inspection methods, failures through returned errors
// and [Receiver.Err].
package receiver
