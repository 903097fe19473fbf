// Package schemas holds the trigger catalog and the embedded JSON Schemas
// (draft 2020-12) of every Coperniq webhook payload, at two levels: contract
// (what a receiver must accept) and strict (what this tool emits), and the
// validator that checks payloads against them.
package schemas
