package contract

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// TestWorldStateIsNewestVersion: the expected state the final-state specs
// take from the world (its Timeline after the last event) is what a
// receiver keeping the newest updatedAt / modifiedAt ends in whatever the
// order: else a correct receiver would fail them.
func TestWorldStateIsNewestVersion(t *testing.T) {
	for _, info := range scenarios.Builtin() {
		sc, err := scenarios.Load(info.Name)
		if err != nil {
			t.Fatal(err)
		}
		// The last two: the renderings of a run (--seed 17377729) in which
		// request-lost ended with three events of one updatedAt, the first
		// of them with the older stage.
		for _, seed := range []uint64{1, 2, 77, 17377729500, 17377729501} {
			t.Run(fmt.Sprintf("%s/seed%d", info.Name, seed), func(t *testing.T) {
				tl := scenarios.NewTimeline()
				events, err := sc.Render(seed, scenarios.WithTimeline(tl))
				if err != nil {
					t.Fatal(err)
				}
				world := wantFromTimeline(tl, events)
				var bodies [][]byte
				for i := len(events) - 1; i >= 0; i-- { // backwards: order must not matter
					bodies = append(bodies, events[i].Body)
				}
				folded, err := wantFromBodies(bodies)
				if err != nil {
					t.Fatal(err)
				}
				if len(world) == 0 {
					t.Fatal("no records expected")
				}
				for id, w := range world {
					f := folded[id]
					if w.status != f.status && !f.anyStatus || w.stageID != f.stageID && !f.anyStage {
						t.Errorf("record %d: world %+v, newest versions of the events %+v", id, w, f)
					}
					for wo, st := range w.workOrders {
						if f.workOrders[wo] != st && !f.anyWorkOrder[wo] {
							t.Errorf("record %d work order %d: world %s, newest version %s", id, wo, st, f.workOrders[wo])
						}
					}
					if len(w.workOrders) != len(f.workOrders) {
						t.Errorf("record %d: %d work orders in the world, %d in the events", id, len(w.workOrders), len(f.workOrders))
					}
				}
				if len(folded) != len(world) {
					t.Errorf("%d records in the events, %d in the world", len(folded), len(world))
				}
			})
		}
	}
}

func TestParseRecordState(t *testing.T) {
	str := func(s string) *string { return &s }
	cases := []struct {
		name, in string
		want     *RecordState
		err      string
	}{
		{"everything", `{"record": {"status": "ACTIVE", "stage": {"id": 16651, "name": "Installation"}}, "workOrders": {"8812": {"status": "COMPLETED"}}}`,
			&RecordState{Status: str("ACTIVE"), StageID: str("16651"), WorkOrders: map[int64]string{8812: "COMPLETED"}}, ""},
		{"stage id as a string", `{"record": {"stage": {"id": "16651"}}}`, &RecordState{StageID: str("16651")}, ""},
		{"no stage", `{"record": {"status": null, "stage": null}}`, &RecordState{Status: str("null"), StageID: str("null")}, ""},
		{"work orders only", `{"workOrders": {}}`, &RecordState{WorkOrders: map[int64]string{}}, ""},
		{"nothing comparable", `{"record": {"title": "x"}}`, nil, "nothing to compare"},
		{"not JSON", `<html>`, nil, "no JSON object"},
		{"bad work order key", `{"workOrders": {"wo-1": {"status": "X"}}}`, nil, `"wo-1"`},
		{"work order without status", `{"workOrders": {"1": {}}}`, nil, `without a "status"`},
		{"status an object", `{"record": {"status": {}}}`, nil, `"record.status" is not a string or a number`},
		{"record not an object", `{"record": 3}`, nil, `not an object`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseRecordState([]byte(c.in))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want one with %q", err, c.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}

func FuzzParseRecordState(f *testing.F) {
	f.Add([]byte(`{"record": {"status": "ACTIVE", "stage": {"id": 1}}, "workOrders": {"2": {"status": "X"}}}`))
	f.Add([]byte(`{"workOrders": null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseRecordState(data)
		if err == nil && (st == nil || !st.comparable()) {
			t.Fatalf("accepted %q with nothing comparable", data)
		}
	})
}

func TestCompareLooksOnlyAtWhatIsKept(t *testing.T) {
	str := func(s string) *string { return &s }
	want := wantRecord{status: "ACTIVE", stageID: "7", workOrders: map[int64]string{1: "COMPLETED"}}
	cases := []struct {
		name string
		got  *RecordState
		kept keptValues
		n    int
	}{
		{"same", &RecordState{Status: str("ACTIVE"), StageID: str("7"), WorkOrders: map[int64]string{1: "COMPLETED"}}, keptValues{true, true, true}, 0},
		{"status only", &RecordState{Status: str("ACTIVE")}, keptValues{status: true}, 0},
		{"stale work order", &RecordState{WorkOrders: map[int64]string{1: "WORKING"}}, keptValues{workOrders: true}, 1},
		{"missing and extra work order", &RecordState{WorkOrders: map[int64]string{2: "X"}}, keptValues{workOrders: true}, 2},
		{"nothing on the record, status kept", nil, keptValues{status: true}, 1},
		{"nothing on it, every answer 404", nil, keptValues{}, 1},
	}
	for _, c := range cases {
		if got := compare(5, want, c.got, c.kept); len(got) != c.n {
			t.Errorf("%s: %v, want %d mismatches", c.name, got, c.n)
		}
	}
	// A receiver keeping only work orders has nothing on a record without.
	if got := compare(5, wantRecord{status: "A"}, nil, keptValues{workOrders: true}); len(got) != 0 {
		t.Errorf("work-order-only receiver, record without work orders: %v", got)
	}
}

// TestReorderedStateSpecsTellArrivalOrder: on lifecycles whose records
// change more than once, the reordered final-state specs are, for every
// seed, able to fail a receiver that applies events in arrival order. A
// seed that drew a harmless order once let such a receiver pass (a false
// PASS in CI), and updatedAt ties hid stage changes from the comparison.
func TestReorderedStateSpecsTellArrivalOrder(t *testing.T) {
	for seed := uint64(1); seed <= 150; seed++ {
		tg := Target{Seed: seed, Scenarios: []string{"request-lost", "work-order-lifecycle", "residential-solar"}}
		states, err := planStates(tg, tg.Scenarios)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range states {
			if s.reorder > 0 && !s.tellsArrivalOrder(s.schedule()) {
				t.Errorf("seed %d: %s %q cannot fail an arrival-order receiver", seed, s.name, s.spec)
			}
		}
	}
}

// TestStateHookServerErrorsAreAskedAgain: a state hook that answers 5xx
// now and then (its database busy) is asked again within the timeout, as
// one that cannot be reached is; only one that never answers 200 or 404
// within it leaves the run unjudged, and the error says it was asked
// again.
func TestStateHookServerErrorsAreAskedAgain(t *testing.T) {
	var asked, failFirst atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if asked.Add(1) <= failFirst.Load() {
			http.Error(w, "database busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `{"record": {"status": "ACTIVE"}}`)
	}))
	defer srv.Close()
	hook, err := StateURL(srv.URL + "/records/{recordId}")
	if err != nil {
		t.Fatal(err)
	}
	want := wantState{7: {status: "ACTIVE", anyStage: true}}
	for _, c := range []struct {
		name      string
		failFirst int32
		wantErr   string
	}{
		{name: "5xx now and then", failFirst: 3},
		{name: "5xx every time", failFirst: 1 << 30, wantErr: "answered 503 Service Unavailable, not 200 or 404"},
	} {
		t.Run(c.name, func(t *testing.T) {
			asked.Store(0)
			failFirst.Store(c.failFirst)
			res, err := checkState(context.Background(), hook, want, 400*time.Millisecond)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("a hook answering 503 %d times, then 200, left the run unjudged: %v", c.failFirst, err)
			case c.wantErr == "" && len(res.mismatches) != 0:
				t.Fatalf("mismatches: %v", res.mismatches)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), "asked again for 400ms")):
				t.Fatalf("a hook answering 503 every time: %v", err)
			case c.wantErr != "" && asked.Load() < 2:
				t.Fatalf("asked %d times, want asked again", asked.Load())
			}
		})
	}
}

// TestStateHookTimeoutNamesTheLimit: a state hook slower than the limit on
// one question is said to have not answered within it, not to be out of
// reach.
func TestStateHookTimeoutNamesTheLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		fmt.Fprint(w, `{"record": {"status": "ACTIVE"}}`)
	}))
	defer srv.Close()
	hook, err := StateURL(srv.URL + "/records/{recordId}")
	if err != nil {
		t.Fatal(err)
	}
	hook.(*stateURL).client = delivery.NewClient(100*time.Millisecond, 4)
	_, err = hook.State(context.Background(), 7)
	if err == nil || !strings.Contains(err.Error(), "did not answer within 100ms") || strings.Contains(err.Error(), "could not be reached") {
		t.Fatalf("a hook slower than one question's limit: %v", err)
	}
}

// TestStateHintsFitWhatWasSeen: the final-state failure blames arrival
// order only for a value an older event carried; a record the receiver
// has nothing on, or a value no event carried, gets its own hint.
func TestStateHintsFitWhatWasSeen(t *testing.T) {
	body := func(eventID int64, status, wo string) message {
		b := fmt.Sprintf(`{"event":{"eventId":%d,"recordId":5,"triggerKey":"TASK_STATUS_MOVEMENT","firedAt":"2026-03-31T17:04:22.000Z"},`+
			`"record":{"id":5,"status":%q,"stage":{"id":16651},"updatedAt":"2026-03-31T17:04:22.000Z"},`+
			`"workOrder":{"id":8812,"status":%q,"modifiedAt":"2026-03-31T17:04:22.000Z"}}`, eventID, status, wo)
		return message{id: schemas.Identity{EventID: eventID, RecordID: 5, TriggerKey: "TASK_STATUS_MOVEMENT"}, body: []byte(b)}
	}
	events := []message{body(1, "ACTIVE", "WORKING"), body(2, "ON_HOLD", "COMPLETED")}
	for _, c := range []struct {
		name string
		ms   []mismatch
		want []string
	}{
		{"an older work order status", []mismatch{{5, "work order 8812 status", "COMPLETED", "WORKING"}}, []string{hintState}},
		{"an older record status", []mismatch{{5, "record.status", "ON_HOLD", "ACTIVE"}}, []string{hintState}},
		{"nothing on the record", []mismatch{{5, "state", "status ON_HOLD, stage 16651", "(none: the hook answered that the receiver has nothing on it)"}}, []string{hintNothing}},
		{"a work order missing", []mismatch{{5, "work order 8812 status", "COMPLETED", "(missing)"}}, []string{hintNothing}},
		{"a value no event carried", []mismatch{{5, "record.status", "ON_HOLD", "on_hold"}}, []string{hintForeign}},
		{"stale and missing", []mismatch{{5, "record.status", "ON_HOLD", "ACTIVE"}, {5, "work order 8812 status", "COMPLETED", "(missing)"}}, []string{hintState, hintNothing}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := stateHints(c.ms, events); !reflect.DeepEqual(got, c.want) {
				t.Errorf("hints:\n%q\nwant:\n%q", got, c.want)
			}
		})
	}
}

// TestStateFailureTellsTheReceiversOwnOrder: a stale value kept though
// the record's events arrived in the order they fired is the receiver's
// own reordering (parallel workers), not arrival order: the failure says
// so.
func TestStateFailureTellsTheReceiversOwnOrder(t *testing.T) {
	ev := func(eventID int64, wo string) message {
		b := fmt.Sprintf(`{"event":{"eventId":%d,"recordId":5,"triggerKey":"TASK_STATUS_MOVEMENT","firedAt":"2026-03-31T17:04:2%d.000Z"},`+
			`"record":{"id":5,"status":"ACTIVE","stage":{"id":16651},"updatedAt":"2026-03-31T17:04:22.000Z"},`+
			`"workOrder":{"id":8812,"status":%q,"modifiedAt":"2026-03-31T17:04:2%d.000Z"}}`, eventID, eventID, wo, eventID)
		return message{id: schemas.Identity{EventID: eventID, RecordID: 5, TriggerKey: "TASK_STATUS_MOVEMENT"}, body: []byte(b)}
	}
	events := []message{ev(1, "WORKING"), ev(2, "COMPLETED")}
	stale := stateCheck{records: 1, answered: true, mismatches: []mismatch{{5, "work order 8812 status", "COMPLETED", "WORKING"}}}
	for _, c := range []struct {
		name     string
		arrivals []int64
		want     string
	}{
		{"arrived in order", []int64{1, 2, 2}, hintOwnOrder},
		{"arrived newest first", []int64{2, 1}, hintState},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := &delivered{events: events}
			for _, id := range c.arrivals {
				d.arrivals = append(d.arrivals, events[id-1].id)
			}
			msg := stateFailure("s", "in order", stale, d, time.Second)
			other := map[string]string{hintOwnOrder: hintState, hintState: hintOwnOrder}[c.want]
			if !strings.Contains(msg, c.want) || strings.Contains(msg, other) {
				t.Errorf("the failure does not give the hint wanted:\n%s", msg)
			}
		})
	}
}

// TestLateAdviceSaysTheBracket: an event asked again only at the end of a
// long run was applied somewhere between its timeout and when it was
// found: the advice says so rather than give the finding as its lag.
func TestLateAdviceSaysTheBracket(t *testing.T) {
	for _, c := range []struct {
		name          string
		found, within float64
		want, timeout string
	}{
		{"found long after its timeout", 72273, 5000, "(when asked again: its lag is between 5s, the timeout it was not applied within, and that: it was not asked in between)", "rerun with --inspect-timeout 2m"},
		{"found soon after its timeout", 7500, 5000, "(when asked again: an upper bound)", "rerun with --inspect-timeout 10s"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := LateApplications{{Spec: "s", EventID: 1, AppliedAfterMS: c.found, NotWithinMS: c.within}}.LateAdvice()
			if !strings.Contains(got, c.want) || !strings.Contains(got, c.timeout) {
				t.Errorf("advice:\n%s\nwant %q and %q", got, c.want, c.timeout)
			}
		})
	}
}
