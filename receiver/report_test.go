package receiver

import (
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

func TestAddressLine(t *testing.T) {
	const in = "http://127.0.0.1:41235"
	for _, tc := range []struct{ bound, url, inspect, want string }{
		{"127.0.0.1:8080", "http://127.0.0.1:8080", in,
			"listening on http://127.0.0.1:8080 (inspect: http://127.0.0.1:41235/_mock/deliveries)"},
		{"0.0.0.0:41234", "http://127.0.0.1:41234", in,
			"listening on all interfaces (0.0.0.0:41234); locally http://127.0.0.1:41234 (inspect: http://127.0.0.1:41235/_mock/deliveries)"},
		{"[::]:8080", "http://127.0.0.1:8080", in,
			"listening on all interfaces ([::]:8080); locally http://127.0.0.1:8080 (inspect: http://127.0.0.1:41235/_mock/deliveries)"},
		{"192.0.2.1:8080", "http://192.0.2.1:8080", "",
			"listening on http://192.0.2.1:8080 (no inspection address)"},
	} {
		if got := AddressLine(tc.bound, tc.url, tc.inspect); got != tc.want {
			t.Errorf("bound on %s:\n got %s\nwant %s", tc.bound, got, tc.want)
		}
	}
}

func TestDeliveryLine(t *testing.T) {
	id, rec := int64(48291), int64(10423)
	at := time.Date(2026, 3, 31, 17, 4, 22, 123e6, time.UTC)
	for name, tc := range map[string]struct {
		d    Delivery
		want string
	}{
		"valid": {Delivery{Time: at, TriggerKey: "TASK_STATUS_MOVEMENT", EventID: &id, RecordID: &rec, Attempt: 1, Status: 200, Valid: true},
			"17:04:22.123 TASK_STATUS_MOVEMENT eventId=48291 recordId=10423 attempt=1 200 valid"},
		"no ids, reset": {Delivery{Time: at, Reset: true, Injected: InjectedResetRate, Valid: true},
			"17:04:22.123 - eventId=- recordId=- attempt=- reset (" + InjectedResetRate + ") valid"},
		"invalid, two errors and a warning": {Delivery{Time: at, TriggerKey: "X\nY", Status: 200, Violations: []schemas.Violation{
			{Location: "/a", Message: "want string"}, {Location: "/b", Message: "w", Warning: true}, {Location: "/c", Message: "missing"}}},
			`17:04:22.123 X\nY eventId=- recordId=- attempt=- 200 invalid: /a: want string (+1 more)`},
		"invalid without a violation": {Delivery{Time: at, Status: 200},
			"17:04:22.123 - eventId=- recordId=- attempt=- 200 invalid: no violation given"},
		"unreadable, client left": {Delivery{Time: at, Status: 400, Unreadable: "line 1, column 2: bad", Wire: WireClientLeft},
			"17:04:22.123 - eventId=- recordId=- attempt=- 400 (client left: not answered) unreadable: line 1, column 2: bad"},
	} {
		if got := tc.d.Line(); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, tc.want)
		}
	}
}

func TestTotalsText(t *testing.T) {
	empty := Totals{}.Text()
	if empty != "summary: 0 deliveries, 0 unique events: 0 valid, 0 invalid, 0 unreadable\n" {
		t.Errorf("empty: %q", empty)
	}
	got := Totals{Deliveries: 3, UniqueEvents: 1, Valid: 3, Resets: 1, ClientLeft: 1, Refused: 2,
		ByStatus: map[int]int{503: 1, 200: 1}, ByTrigger: map[string]int{"B": 1, "A": 2}}.Text()
	for _, want := range []string{
		"summary: 3 deliveries, 1 unique event: 3 valid",
		"refused busy: 2 requests answered 503 unread",
		"answered: 200 x1, 503 x1, reset x1, of which never reached the sender x1 (client left 1, write failed 0)\n",
		"by trigger: A 2, B 1\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

func TestPrinterDropsAndCounts(t *testing.T) {
	r, w := blockedPipe()
	p := NewPrinter(w, 2)
	for range 10 {
		p.Line("x")
	}
	if p.Dropped() < 7 {
		t.Errorf("dropped %d of 10 lines with a queue of 2 and a writer that blocks", p.Dropped())
	}
	if p.Finish(50*time.Millisecond, "summary") {
		t.Error("Finish reported success on a writer that never reads")
	}
	close(r)
}

// blockedPipe is a writer that blocks until the returned channel is closed.
func blockedPipe() (chan struct{}, blockWriter) {
	c := make(chan struct{})
	return c, blockWriter(c)
}

type blockWriter chan struct{}

func (b blockWriter) Write(p []byte) (int, error) { <-b; return len(p), nil }
