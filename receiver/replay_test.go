package receiver_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/receiver"
)

func TestReadReplay(t *testing.T) {
	event := func(seq, id int) string {
		return fmt.Sprintf(`{"seq":%d,"time":"2026-01-01T00:00:00Z","path":"/hook","size":2,"eventId":%d,"status":200,"valid":true,"violations":[],"payload":{"event":{"eventId":%d,"triggerKey":"PROJECT_CREATED","recordId":1}}}`+"\n", seq, id, id)
	}
	capture := event(1, 7) + event(2, 7) + event(3, 8)
	// edited is a line whose metadata says one event and whose payload
	// another: a hand edit that listen never writes.
	edited := func(seq int, meta, payload string) string {
		return fmt.Sprintf(`{"seq":%d,"time":"2026-01-01T00:00:00Z","path":"/hook","size":2,%s"status":200,"valid":true,"violations":[],"payload":{"event":{%s"triggerKey":"PROJECT_CREATED","recordId":1}}}`+"\n", seq, meta, payload)
	}
	big := fmt.Sprintf(`{"seq":3,"time":"2026-01-01T00:00:00Z","path":"/hook","size":2,"eventId":9,"status":200,"valid":true,"violations":[],"payload":{"event":{"eventId":9,"triggerKey":"PROJECT_CREATED","recordId":1},"pad":"%s"}}`+"\n", strings.Repeat("x", delivery.MaxLogBody))
	for _, tc := range []struct {
		name   string
		in     string
		only   receiver.ReplayOnly
		events int
		errHas string
	}{
		{"a capture, every event once", capture, receiver.ReplayOnly{Written: "dead"}, 2, ""},
		{"a capture with --only", capture, receiver.ReplayOnly{Written: "acked", Given: true}, 0, "--only selects by a delivery log's final states"},
		{"a capture cut short is read up to its last line", capture + `{"seq":4,"ti`, receiver.ReplayOnly{}, 2, ""},
		{"neither a log nor a capture", "hello\n", receiver.ReplayOnly{}, 0, "write one with 'scenario run --log FILE'"},
		{"a payload's eventId edited", event(1, 6) + edited(2, `"eventId":7,`, `"eventId":9,`) + event(3, 7), receiver.ReplayOnly{}, 0,
			`f.jsonl: line 2: its "eventId" is 7 but its payload's event.eventId is 9`},
		{"a payload's eventId added", event(1, 6) + edited(2, "", `"eventId":9,`), receiver.ReplayOnly{}, 0,
			`line 2: its "eventId" is none but its payload's event.eventId is 9`},
		{"a payload's eventId removed", edited(1, `"eventId":7,`, ""), receiver.ReplayOnly{}, 0,
			`line 1: its "eventId" is 7 but its payload's event.eventId is none`},
		{"an eventId that is no integer, as listen writes it", event(1, 6) + edited(2, "", `"eventId":"9",`), receiver.ReplayOnly{}, 1, ""},
		{"a payload over the cap", capture + big, receiver.ReplayOnly{}, 0,
			fmt.Sprintf("f.jsonl: line 4: its payload of %d bytes is over the 16 MiB cap per body", delivery.MaxLogBody+len(`{"event":{"eventId":9,"triggerKey":"PROJECT_CREATED","recordId":1},"pad":""}`))},
		{"an empty input", "", receiver.ReplayOnly{}, 0,
			"f.jsonl is empty: replay reads a delivery log (written by 'scenario run --log FILE') or a capture (written by 'listen --out FILE')"},
		{"blank lines only", "\n \r\n", receiver.ReplayOnly{}, 0, "f.jsonl is empty: replay reads a delivery log"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := receiver.ReadReplay(strings.NewReader(tc.in), "f.jsonl", tc.only)
			if tc.errHas == "" && err != nil || tc.errHas != "" && !strings.Contains(fmt.Sprint(err), tc.errHas) {
				t.Fatalf("err %v, want one saying %q", err, tc.errHas)
			}
			if err == nil && (len(r.Events) != tc.events || r.Log != nil || !strings.Contains(r.From, "f.jsonl")) {
				t.Errorf("%d events from %q (log %v), want %d from the capture", len(r.Events), r.From, r.Log != nil, tc.events)
			}
		})
	}
	if _, err := receiver.ReadReplay(strings.NewReader("hello\n"), "f", receiver.ReplayOnly{}); !errors.Is(err, delivery.ErrNotLog) {
		t.Errorf("not a log: %v, want ErrNotLog wrapped", err)
	}
}
