// Package docgen writes the documentation a team publishes for the
// integrators of its Coperniq webhook receiver, all from one source: the
// trigger catalog and the committed JSON Schema files of package schemas,
// with example payloads from package generator that are validated against
// those schemas as they are written.
//
// Write produces, in one directory:
//
//	README.md                 index of every trigger, grouped by family (markdown)
//	triggers/<TRIGGER>.md     one page per trigger (markdown)
//	index.html                the same content as one self-contained page (html)
//	asyncapi.yaml             AsyncAPI 3.0: Coperniq sends one message per trigger (asyncapi)
//	openapi.yaml              OpenAPI 3.1: one webhooks entry per trigger (openapi)
//	schemas/contract/, schemas/strict/   the JSON Schema files (schema)
//
// Output is deterministic: the same seed gives the same bytes, so a
// repository can commit it and a test can tell when it is stale.
package docgen
