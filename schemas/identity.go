package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Identity is what every consumer of a payload needs from it before (or
// instead of) reading the rest: which event it is, which record it concerns
// and which trigger fired it. The delivery engine orders and deduplicates by
// it, the receiver counts attempts by it, contract suites match what
// arrived to what was sent by it. It is read once per payload, by
// DecodeIdentity or from the generator's own values, and passed along.
type Identity struct {
	EventID    int64  // event.eventId
	RecordID   int64  // event.recordId
	TriggerKey string // event.triggerKey
}

// The identity's fields as a user sees them in errors, in the order they
// are reported.
const (
	FieldEventID    = "event.eventId"
	FieldTriggerKey = "event.triggerKey"
	FieldRecordID   = "event.recordId"
)

// IdentityError is DecodeIdentity's error: the payload is not JSON, has no
// event object, or lacks some of the identity's fields.
type IdentityError struct {
	// Err is set when the payload is not a JSON object with an event
	// object, or a field has the wrong type.
	Err error
	// Missing lists the fields (FieldEventID, ...) that are absent, or
	// present with the wrong type, or an empty triggerKey.
	Missing []string
	noEvent bool
}

func (e *IdentityError) Error() string {
	switch {
	case e.noEvent:
		return `payload has no "event" object (want {"event": {"eventId", "triggerKey", "recordId", ...}, ...})`
	case e.Err != nil:
		return "payload is not a Coperniq event: " + e.Err.Error()
	}
	return "payload is missing " + strings.Join(e.Missing, ", ")
}

func (e *IdentityError) Unwrap() error { return e.Err }

// Lacks reports whether the payload did not give field (FieldEventID, ...).
// A nil *IdentityError lacks nothing, so that callers that keep what was
// there can ask it whatever DecodeIdentity returned.
func (e *IdentityError) Lacks(field string) bool {
	if e == nil {
		return false
	}
	if e.noEvent || (e.Err != nil && len(e.Missing) == 0) {
		return true
	}
	for _, m := range e.Missing {
		if m == field {
			return true
		}
	}
	return false
}

// DecodeIdentity reads event.eventId, event.recordId and event.triggerKey
// from a payload. Keys match exactly, as the schema's do (encoding/json's
// struct fields would take "EventID" for the eventId the schema finds
// missing), and ids are JSON Schema integers, so 48291.0 is 48291. On error
// the returned Identity holds the fields that were read; the error is an
// *IdentityError whose Lacks says which were not.
func DecodeIdentity(payload []byte) (Identity, error) {
	if id, ok := fastIdentity(payload); ok {
		return id, nil
	}
	return decodeIdentity(payload)
}

// decodeIdentity is DecodeIdentity the slow way, which words every error.
func decodeIdentity(payload []byte) (Identity, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(payload, &top); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return Identity{}, &IdentityError{noEvent: true}
		}
		return Identity{}, &IdentityError{Err: err}
	}
	var event map[string]json.RawMessage
	if raw, ok := top["event"]; !ok || json.Unmarshal(raw, &event) != nil || event == nil {
		return Identity{}, &IdentityError{noEvent: true}
	}
	var id Identity
	var missing, typeErrs []string
	var absent []string
	bad := func(field string, raw json.RawMessage, want string) {
		missing = append(missing, field)
		if raw != nil {
			typeErrs = append(typeErrs, wrongType(field, raw, want))
		} else {
			absent = append(absent, field)
		}
	}
	readInt := func(key, field string, to *int64) {
		raw, ok := event[key]
		if n, isInt := integer(raw); ok && isInt {
			*to = n
		} else {
			bad(field, raw, "an integer")
		}
	}
	readInt("eventId", FieldEventID, &id.EventID)
	if raw, ok := event["triggerKey"]; !ok {
		bad(FieldTriggerKey, nil, "")
	} else if err := json.Unmarshal(raw, &id.TriggerKey); err != nil || raw[0] != '"' {
		id.TriggerKey = ""
		bad(FieldTriggerKey, raw, "a string")
	} else if id.TriggerKey == "" {
		bad(FieldTriggerKey, nil, "")
	}
	readInt("recordId", FieldRecordID, &id.RecordID)
	switch {
	case len(typeErrs) > 0:
		if len(absent) > 0 {
			typeErrs = append(typeErrs, "missing "+strings.Join(absent, ", "))
		}
		return id, &IdentityError{Err: errors.New(strings.Join(typeErrs, "; ")), Missing: missing}
	case len(missing) > 0:
		return id, &IdentityError{Missing: missing}
	}
	return id, nil
}

func wrongType(field string, raw json.RawMessage, want string) string {
	shown := []rune(string(raw))
	if len(shown) > 40 {
		shown = append(shown[:40], '…')
	}
	return fmt.Sprintf("%s is %s, want %s", field, string(shown), want)
}

// integer reads a JSON integer, including the integral floats (48291.0,
// 4.8291e4) that JSON Schema counts as integers.
func integer(raw json.RawMessage) (int64, bool) {
	s := string(raw)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return 0, false // a string, object, null...
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}
