package schemas

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestDecodeIdentity(t *testing.T) {
	id, err := DecodeIdentity(documentedBytes(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Identity{EventID: 48291, RecordID: 10423, TriggerKey: "TASK_STATUS_MOVEMENT"}); id != want {
		t.Fatalf("documented example: got %+v, want %+v", id, want)
	}

	for _, tc := range []struct {
		name, in string
		want     Identity
		err      string   // substring of the error; "" for none
		lacks    []string // fields Lacks must report
	}{
		{name: "integral float ids", in: `{"event":{"eventId":4.8291e4,"recordId":7.0,"triggerKey":"X"}}`, want: Identity{48291, 7, "X"}},
		{name: "spaces around values", in: ` { "event" : { "eventId" : 1 , "recordId" : 2 , "triggerKey" : "K" } } `, want: Identity{1, 2, "K"}},
		{name: "not JSON", in: `nope`, err: "not a Coperniq event", lacks: []string{FieldEventID, FieldRecordID, FieldTriggerKey}},
		{name: "no event", in: `{"record":{}}`, err: `no "event" object`, lacks: []string{FieldEventID}},
		{name: "event null", in: `{"event":null}`, err: `no "event" object`, lacks: []string{FieldTriggerKey}},
		{name: "array", in: `[1]`, err: `no "event" object`, lacks: []string{FieldRecordID}},
		{name: "empty event", in: `{"event":{}}`, err: "missing event.eventId, event.triggerKey, event.recordId", lacks: []string{FieldEventID, FieldRecordID, FieldTriggerKey}},
		{name: "no recordId", in: `{"event":{"eventId":1,"triggerKey":"X"}}`, want: Identity{EventID: 1, TriggerKey: "X"}, err: "missing event.recordId", lacks: []string{FieldRecordID}},
		{name: "string eventId", in: `{"event":{"eventId":"1","triggerKey":"X","recordId":2}}`, want: Identity{RecordID: 2, TriggerKey: "X"}, err: `not a Coperniq event: event.eventId is "1", want an integer`, lacks: []string{FieldEventID}},
		{name: "fractional recordId", in: `{"event":{"eventId":1,"triggerKey":"X","recordId":2.5}}`, want: Identity{EventID: 1, TriggerKey: "X"}, err: "event.recordId is 2.5", lacks: []string{FieldRecordID}},
		{name: "wrong type and absent", in: `{"event":{"eventId":true,"triggerKey":"X"}}`, want: Identity{TriggerKey: "X"}, err: "event.eventId is true, want an integer; missing event.recordId", lacks: []string{FieldEventID, FieldRecordID}},
		{name: "null triggerKey", in: `{"event":{"eventId":1,"triggerKey":null,"recordId":2}}`, want: Identity{EventID: 1, RecordID: 2}, err: "event.triggerKey is null, want a string", lacks: []string{FieldTriggerKey}},
		{name: "empty triggerKey", in: `{"event":{"eventId":1,"triggerKey":"","recordId":2}}`, want: Identity{EventID: 1, RecordID: 2}, err: "missing event.triggerKey", lacks: []string{FieldTriggerKey}},
		{name: "keys match exactly", in: `{"event":{"EventID":1,"triggerKey":"X","recordId":2}}`, want: Identity{RecordID: 2, TriggerKey: "X"}, err: "missing event.eventId", lacks: []string{FieldEventID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := DecodeIdentity([]byte(tc.in))
			if id != tc.want {
				t.Errorf("got %+v, want %+v", id, tc.want)
			}
			if tc.err == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var ie *IdentityError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error %v, want an *IdentityError containing %q", err, tc.err)
			}
			for _, f := range tc.lacks {
				if !ie.Lacks(f) {
					t.Errorf("Lacks(%s) = false", f)
				}
			}
			for _, f := range []string{FieldEventID, FieldRecordID, FieldTriggerKey} {
				var read bool
				switch f {
				case FieldEventID:
					read = id.EventID != 0
				case FieldRecordID:
					read = id.RecordID != 0
				case FieldTriggerKey:
					read = id.TriggerKey != ""
				}
				if read && ie.Lacks(f) {
					t.Errorf("Lacks(%s) = true, but it was read", f)
				}
			}
		})
	}
	if (*IdentityError)(nil).Lacks(FieldEventID) {
		t.Error("a nil *IdentityError lacks a field")
	}
}

// FuzzDecodeIdentity checks that DecodeIdentity never panics, that it
// accepts exactly what has the three fields with their types, and that
// what it reads is what encoding/json reads.
func FuzzDecodeIdentity(f *testing.F) {
	f.Add(documentedBytes(f))
	f.Add([]byte(`{"event":{"eventId":1,"recordId":2,"triggerKey":"K"}}`))
	f.Add([]byte(`{"event":{"eventId":1e3,"recordId":-2,"triggerKey":""}}`))
	f.Add([]byte(`{"event":[]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		id, err := DecodeIdentity(in)
		if err != nil {
			var ie *IdentityError
			if !errors.As(err, &ie) {
				t.Fatalf("error %T %v is not an *IdentityError", err, err)
			}
			if !ie.Lacks(FieldEventID) && !ie.Lacks(FieldRecordID) && !ie.Lacks(FieldTriggerKey) {
				t.Fatalf("error %v lacks nothing", err)
			}
			return
		}
		var top map[string]any
		if err := json.Unmarshal(in, &top); err != nil {
			t.Fatalf("DecodeIdentity accepted what encoding/json refuses: %v", err)
		}
		event, _ := top["event"].(map[string]any)
		key, _ := event["triggerKey"].(string)
		ev, _ := event["eventId"].(float64)
		rec, _ := event["recordId"].(float64)
		if key != id.TriggerKey || key == "" {
			t.Fatalf("triggerKey %q, encoding/json reads %q", id.TriggerKey, key)
		}
		// float64 holds ids exactly up to 2^53.
		if (id.EventID < 1<<53 && id.EventID > -1<<53 && float64(id.EventID) != ev) ||
			(id.RecordID < 1<<53 && id.RecordID > -1<<53 && float64(id.RecordID) != rec) {
			t.Fatalf("ids %d %d, encoding/json reads %v %v", id.EventID, id.RecordID, ev, rec)
		}
	})
}
