// Package receiver is a capture receiver for Coperniq webhooks: the other end
// of the wire from a sender, real Coperniq or this project's delivery engine.
// It is what `coperniq-mock listen` runs.
//
// A [Receiver] is an [http.Handler]. Every POST to any path outside /_mock/ is
// a delivery: it is validated against the schemas (contract level, or strict
// with [WithLevel]), recorded in memory, written as one JSON line to an optional
// [WithOutput], reported to an optional [WithObserver], and answered. Use [Start] to
// serve it on an address of its own (httptest style: [Server.URL], Close), or
// mount the Receiver in any server, an httptest.Server included.
//
// # Answers
//
// A delivery that parses as JSON is acknowledged with 200 (or the [WithStatus]
// code) even when it violates the schema: a user pointing real Coperniq
// traffic here wants to see the violations, not to make Coperniq retry a
// payload that will never change. The violations are recorded, returned in
// the answer's body and shown by the inspection API. Only bodies that are not
// JSON (400, with the line and column) or too large (413, see [WithBodyLimit])
// are refused; another method than POST gets 405.
//
// To exercise a sender's retries, the receiver misbehaves on request:
// [WithFailFirst] fails each event's first attempts, [WithFailRate] a random fraction
// of attempts, [WithResetRate] drops the connection without an answer, and
// [WithLatency] delays every answer. Random choices are drawn from the [WithSeed] and
// the event's id and attempt number, not from arrival order, so a run is
// reproducible however concurrent the sender is.
//
// An attempt is counted per event.eventId, since a retry re-sends the same
// event. A payload without a usable eventId (absent, not an integer) is still
// recorded and answered, without an attempt number, and WithFailFirst leaves it
// alone: it could never tell a retry from a new event, and would fail it
// forever.
//
// # Inspection
//
//	GET    /_mock/deliveries          every delivery, oldest first (JSON array of Delivery)
//	DELETE /_mock/deliveries          forget every delivery, attempt count and total (Summary); Seq goes on, RunSummary and the Output keep the whole run
//	GET    /_mock/events/{eventId}    the deliveries of one event and its payload (404 if never received)
//	GET    /_mock/summary             the totals (Totals)
//	GET    /_mock/healthz             200 once the server answers
//
// The inspection API shows real customers' data when real Coperniq traffic
// comes in, typically through a tunnel to the delivery address. A request
// through a TCP-level tunnel (ssh -R, ngrok tcp, kubectl port-forward) comes
// from 127.0.0.1, addressed to localhost, with whatever headers the sender
// chose: nothing tells it from a local one. So the delivery handler
// (ServeHTTP) does not serve the inspection API: it answers
// /_mock/healthz and refuses the rest of /_mock/ with 403 and a JSON error
// saying where inspection is. [Receiver.InspectHandler] serves it, and
// [Start] serves that on its own loopback address ([WithInspectAddr],
// [Server.InspectURL]), which a tunnel to the delivery address does not
// reach. [WithInspectToken] serves it on the delivery address too, to
// requests carrying "Authorization: Bearer token" (401 otherwise);
// [WithPublicInspect] serves it there to anyone. Deliveries themselves are
// accepted from anywhere: they are what Coperniq sends.
//
// # Hostile senders
//
// A delivery line is published (Output, Observer) once its answer is
// settled, with what happened on the wire: Delivery.Wire says when the
// sender left before the answer or the write failed. Start's server keeps
// at most [WithMaxConnections] connections open, and bodies being read hold
// at most [WithMaxInFlight] bytes beyond the first 16 KiB of each; beyond
// either, a request is answered 503 with Retry-After, unread, and counted in
// Summary.Refused, so that senders stalling mid-body cannot make memory grow
// with their number. An answer not taken within [WithWriteTimeout] of its
// writing closes the connection (WireWriteFailed), so that a sender that
// never reads does not hold up the publishing of later deliveries.
//
// # Memory
//
// Deliveries are kept in memory, payload included, until cleared, within
// bounds that a sender cannot push: the newest [DefaultMaxDeliveries]
// ([WithMaxDeliveries]), whose payloads and violations take at most
// [DefaultMaxBytes] together ([WithMaxBytes]: beyond it the oldest deliveries
// lose their payload and keep their metadata, marked PayloadDropped), and
// attempt counts for the [DefaultMaxEventIDs] most recently delivered
// eventIds ([WithMaxEventIDs]: an eventId forgotten starts again at attempt 1).
// What a sender chooses is cut when absurdly long (paths, triggerKeys), and
// Totals.ByTrigger counts at most [MaxUnknownTriggers] distinct keys outside
// the catalog, the rest under [OtherTriggers]. The totals count every
// delivery regardless, and the [WithOutput] has every one in full. 0 lifts
// MaxDeliveries, MaxBytes and MaxEventIDs, for as long as memory lasts.
//
// The package never prints and never exits: deliveries are reported through
// the Observer and the inspection methods, failures through returned errors
// and [Receiver.Err].
package receiver
