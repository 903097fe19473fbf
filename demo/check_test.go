package demo_test

import (
	"testing"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/demo"
	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// The demo's claim that every event was retried after its 503 is checked
// on the receiver's deliveries, and the check can fail.
func TestCheckFailFirst(t *testing.T) {
	seq := 0
	d := func(id int64, status int, injected string) receiver.Delivery {
		seq++
		return receiver.Delivery{Seq: seq, EventID: &id, Status: status, Injected: injected}
	}
	ff := func(id int64) receiver.Delivery { return d(id, 503, receiver.InjectedFailFirst) }
	ok := func(id int64) receiver.Delivery { return d(id, 200, "") }
	sent := func(id int64, attempts, dups int) delivery.EventResult {
		return delivery.EventResult{Message: delivery.Message{Identity: schemas.Identity{EventID: id}}, State: delivery.StateAcked, Attempts: attempts, Duplicates: dups}
	}
	cases := []struct {
		name string
		ds   []receiver.Delivery
		sent []delivery.EventResult
		bad  map[int64]string // eventId -> what the problem says it got
	}{
		{"as promised, interleaved", []receiver.Delivery{ff(1), ff(2), ok(2), ok(1)}, []delivery.EventResult{sent(1, 2, 0), sent(2, 2, 0)}, nil},
		{"a duplicate after the ack", []receiver.Delivery{ff(1), ok(1), ok(1)}, []delivery.EventResult{sent(1, 2, 1)}, nil},
		{"a concurrent duplicate took the 503", []receiver.Delivery{ff(1), ok(1)}, []delivery.EventResult{sent(1, 1, 1)}, nil},
		{"never failed", []receiver.Delivery{ok(1), ff(2), ok(2)}, []delivery.EventResult{sent(1, 1, 0), sent(2, 2, 0)},
			map[int64]string{1: "200"}},
		{"failed twice", []receiver.Delivery{ff(1), d(1, 503, receiver.InjectedFailFirst), ok(1)}, []delivery.EventResult{sent(1, 3, 0)},
			map[int64]string{1: "503 (fail-first), 503 (fail-first), 200"}},
		{"a 503 not from fail-first", []receiver.Delivery{d(1, 503, receiver.InjectedFailRate), ok(1)}, []delivery.EventResult{sent(1, 2, 0)},
			map[int64]string{1: "503 (fail-rate), 200"}},
		{"retry answered 500", []receiver.Delivery{ff(1), d(1, 500, "")}, []delivery.EventResult{sent(1, 5, 0)},
			map[int64]string{1: "503 (fail-first), 500"}},
		{"retry never arrived", []receiver.Delivery{ff(1)}, []delivery.EventResult{sent(1, 2, 0)},
			map[int64]string{1: "503 (fail-first)"}},
		{"a retry the sender didn't make", []receiver.Delivery{ff(1), ok(1), ok(1)}, []delivery.EventResult{sent(1, 2, 0)},
			map[int64]string{1: "503 (fail-first), 200, 200"}},
		{"never arrived", nil, []delivery.EventResult{sent(1, 2, 0)}, map[int64]string{1: "no delivery"}},
		{"arrived unsent", []receiver.Delivery{ff(1), ok(1), ff(9), ok(9)}, []delivery.EventResult{sent(1, 2, 0)},
			map[int64]string{9: "503 (fail-first), 200"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := demo.CheckFailFirst(tc.ds, tc.sent)
			if len(got) != len(tc.bad) {
				t.Fatalf("problems %+v, want events %v", got, tc.bad)
			}
			for _, p := range got {
				if want, ok := tc.bad[p.EventID]; !ok || p.Got != want {
					t.Errorf("problem %+v, want got %q", p, want)
				}
			}
		})
	}
}
