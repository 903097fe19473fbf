// Package generator builds realistic, schema-valid Coperniq webhook payloads,
// deterministically from a seed: the same seed and options give byte-identical
// JSON on any machine and any run, so a payload that broke a receiver can be
// reproduced from (trigger, seed, profile) alone.
//
// A Generator draws from one seeded PCG stream. Its first payload depends only
// on the seed and options; later payloads continue the stream. Places come
// from an embedded gazetteer of real US cities, so city, state, ZIP code,
// coordinates, jurisdiction and phone area code agree with each other. A
// record's status, stage and the event agree too: work orders belong to the
// record's current stage, and phases, SLAs, work orders and appointments
// come only on projects that are ACTIVE or ON_HOLD and requests still open.
//
// The fast path is AppendJSON, which encodes by hand into the caller's buffer
// and allocates next to nothing. Payload returns Go values instead, for code
// (such as a scenario engine) that wants to inspect or change them; the
// entity builders Record, WorkOrder and PayloadFor let such code keep a world
// of records and work orders and render events from it.
//
// Overrides change fields of the JSON a Generator produces, by dotted path,
// JSON pointer or JSON Merge Patch; that path decodes and re-encodes each
// payload, so it is slower, and it is taken only when overrides are set.
package generator
