package receiver

import (
	"fmt"
	"strings"
	"testing"
)

// Replay holds every event it reads: an input past its cap is refused,
// naming the file and what to do, capture and delivery log alike, rather
// than read until the machine's memory runs out; one just under it is read.
func TestReplayRefusesAnInputOverItsCap(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, `{"seq":%d,"time":"2026-12-03T10:00:00Z","path":"/hook","status":200,"eventId":%d,"triggerKey":"TASK_CREATED","payload":{"event":{"eventId":%d,"recordId":7,"triggerKey":"TASK_CREATED"}}}`+"\n", i, i, i)
	}
	capture := b.String()
	line := capture[:strings.Index(capture, "\n")+1]
	for _, tc := range []struct {
		name  string
		limit int64
		over  bool
	}{
		{"under the cap", int64(len(capture)), false},
		{"one byte over the cap", int64(len(capture)) - 1, true},
		{"far over the cap", int64(len(line)) * 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func(old int64) { maxReplayInput = old }(maxReplayInput)
			maxReplayInput = tc.limit
			_, err := ReadReplay(strings.NewReader(capture), "big.jsonl", ReplayOnly{})
			switch {
			case tc.over && (err == nil || !strings.Contains(err.Error(), "big.jsonl is over") || !strings.Contains(err.Error(), "replay it in parts")):
				t.Errorf("err %v; want big.jsonl refused as over the cap", err)
			case !tc.over && err != nil:
				t.Errorf("err %v; want it read", err)
			}
		})
	}
}
