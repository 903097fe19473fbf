// Package api is a mock of Coperniq's REST API (the Partner API a webhook
// receiver calls back, e.g. GET /projects/{projectId}) that answers from
// the same world a scenario renders its webhooks from.
//
// A scenario rendered with scenarios.WithTimeline leaves a Timeline: every
// record, phase, work order, appointment and call in each version an event
// showed. The API answers as of a world time: a record not created yet is
// 404, and once the event announcing a status change has been sent, GET
// shows that status. Handler.Transport moves the time as a delivery engine
// sends events; Handler.Advance moves it by hand.
//
// Paths, parameters, response shapes, status codes and error bodies come
// from Coperniq's published OpenAPI 3.1 document, embedded as Document.
// The read paths a receiver calls (projects, opportunities, accounts, work
// orders, appointments, calls, notes, and the /search variants) and the
// write paths it may call back (PATCH of a project or work order, posting
// a note) are implemented; every other documented operation answers 501
// with a body naming it. Every call needs the x-api-key and counts
// against Coperniq's per-key limits; faults (500s, 429 with Retry-After,
// latency) are injected on request, and every call is logged for tests to
// read (Handler.Calls, GET /_mock/api-calls).
//
// Where the webhook and the API name one thing differently, the mapping
// follows the document: the webhook's record uid is the API's number,
// dealValue is value, a work order's completionDate is completedAt, its
// status string is the object {id, label}, and the one-line address is an
// array holding it. A work order's uid is its own in both. What the
// document leaves open is the mock's assumption, marked "ours" where it is
// decided.
//
// NewServer starts the mock on a loopback port for Go tests, the way
// httptest.NewServer does.
//
// The package never prints and never exits.
package api
