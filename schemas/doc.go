// Package schemas holds the trigger catalog and the embedded JSON Schemas
// (draft 2020-12) of every Coperniq webhook payload, at two levels: contract
// (what a receiver must accept) and strict (what this tool emits), and the
// validator that checks payloads against them. It also owns a payload's
// [Identity] (eventId, recordId, triggerKey): [DecodeIdentity] is the one
// reader of it, and the other packages pass the value along.
package schemas
