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
//	GET    /_mock/summary             the totals (Totals)
//	GET    /_mock/healthz             200 once the server answers
//
// The inspection API shows real customers' data when real Coperniq traffic
// comes in, typically through a tunnel (ngrok, cloudflared) to the same
// address. So by default it answers only requests made directly on this
// machine, and refuses the others with 403 and a JSON error saying why and
// how to allow them: a request with a header that proxies and tunnels add
// (X-Forwarded-For, Forwarded, X-Real-IP, Via, Cf-Connecting-Ip,
// Ngrok-Skip-Browser-Warning, ...), from an address that is not loopback nor
// the one the connection was accepted on, or addressed (Host) to a name
// other than localhost or those addresses. The address alone would not do:
// a tunnel's agent runs here and connects from 127.0.0.1. This is a
// heuristic for the common case of a tunnel on the delivery address;
// [InspectToken] is the sure way, and lets inspection through tunnels too:
// with a token, every inspection request must carry "Authorization: Bearer
// token" (401 otherwise) and may come from anywhere. [PublicInspect] lifts
// the restriction for anyone who reaches the address. /_mock/healthz is
// always answered. Deliveries themselves are accepted from anywhere: they
// are what Coperniq sends.
//
// # Memory
//
// Deliveries are kept in memory, payload included, until cleared, within
// bounds that a sender cannot push: the newest [DefaultMaxDeliveries]
// ([MaxDeliveries]), whose payloads and violations take at most
// [DefaultMaxBytes] together ([MaxBytes]: beyond it the oldest deliveries
// lose their payload and keep their metadata, marked PayloadDropped), and
// attempt counts for the [DefaultMaxEventIDs] most recently delivered
// eventIds ([MaxEventIDs]: an eventId forgotten starts again at attempt 1).
// What a sender chooses is cut when absurdly long (paths, triggerKeys), and
// Totals.ByTrigger counts at most [MaxUnknownTriggers] distinct keys outside
// the catalog, the rest under [OtherTriggers]. The totals count every
// delivery regardless, and the [Output] has every one in full. 0 lifts
// MaxDeliveries, MaxBytes and MaxEventIDs, for as long as memory lasts.
//
// The package never prints and never exits: deliveries are reported through
// the Observer and the inspection methods, failures through returned errors
// and [Receiver.Err].
package receiver
