package receiver

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// TestAppendAckMatchesEncodingJSON holds the answer's fast path to the
// bytes writeJSON gives the same ack, and to declining what it does not
// write (violations, an injected fault).
func TestAppendAckMatchesEncodingJSON(t *testing.T) {
	id, neg := int64(1_000_000_007), int64(-3)
	tests := []struct {
		name string
		a    ack
		fast bool
	}{
		{"valid first attempt", ack{Received: true, Seq: 1, EventID: &id, Attempt: 1, Valid: true}, true},
		{"no event id", ack{Received: true, Seq: 42, Valid: true}, true},
		{"no attempt, negative id", ack{Received: true, Seq: 7, EventID: &neg, Valid: false}, true},
		{"zero seq", ack{Received: true, EventID: &id, Attempt: 3}, true},
		{"violations", ack{Received: true, Seq: 2, EventID: &id, Attempt: 1, Violations: []string{`/title: "x" <bad>`}}, false},
		{"injected", ack{Received: true, Seq: 2, EventID: &id, Attempt: 1, Valid: true, Injected: "fail-first"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := httptest.NewRecorder()
			writeJSON(want, 200, tt.a)
			got, ok := appendAck(nil, &tt.a)
			if ok != tt.fast {
				t.Fatalf("appendAck ok = %v, want %v", ok, tt.fast)
			}
			if !ok {
				return
			}
			if !bytes.Equal(got, want.Body.Bytes()) {
				t.Errorf("appendAck wrote\n%s\nencoding/json\n%s", got, want.Body.Bytes())
			}
			rec := httptest.NewRecorder()
			writeBody(rec, 200, got)
			if rec.Header().Get("Content-Type") != want.Header().Get("Content-Type") ||
				rec.Header().Get("Content-Length") != want.Header().Get("Content-Length") {
				t.Errorf("headers %v, want %v", rec.Header(), want.Header())
			}
			var back ack
			if err := json.Unmarshal(got, &back); err != nil || back.Seq != tt.a.Seq {
				t.Errorf("decodes to %+v, %v", back, err)
			}
		})
	}
}
