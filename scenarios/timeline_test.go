package scenarios

import (
	"encoding/json"
	"testing"
	"time"
)

// The timeline must agree with the webhooks: at each event's firedAt, the
// event's record and work order are what the timeline shows.
func TestTimelineAgreesWithPayloads(t *testing.T) {
	for _, name := range []string{"residential-solar", "request-won", "concurrent-projects"} {
		t.Run(name, func(t *testing.T) {
			tl, events := renderTimeline(t, name, 7)
			if !tl.Start().Equal(events[0].FiredAt) || !tl.End().Equal(events[len(events)-1].FiredAt) {
				t.Fatalf("timeline spans %s..%s, events %s..%s", tl.Start(), tl.End(), events[0].FiredAt, events[len(events)-1].FiredAt)
			}
			for _, ev := range events {
				var p struct {
					Record struct {
						ID     int64   `json:"id"`
						Status *string `json:"status"`
						Stage  *struct {
							ID int64 `json:"id"`
						} `json:"stage"`
						UpdatedAt time.Time `json:"updatedAt"`
					} `json:"record"`
					WorkOrder *struct {
						ID     int64  `json:"id"`
						Status string `json:"status"`
					} `json:"workOrder"`
				}
				if err := json.Unmarshal(ev.Body, &p); err != nil {
					t.Fatal(err)
				}
				snap := tl.At(ev.FiredAt)
				var found bool
				for _, r := range snap.Records {
					if r.ID != p.Record.ID {
						continue
					}
					found = true
					if !r.UpdatedAt.Equal(p.Record.UpdatedAt) {
						t.Errorf("event %d: record %d updatedAt %s, timeline %s", ev.EventID, r.ID, p.Record.UpdatedAt, r.UpdatedAt)
					}
					if p.Record.Stage != nil && (r.Stage == nil || r.Stage.ID != p.Record.Stage.ID) {
						t.Errorf("event %d: record %d stage %d, timeline %+v", ev.EventID, r.ID, p.Record.Stage.ID, r.Stage)
					}
				}
				if !found {
					t.Fatalf("event %d: record %d not in the timeline at its firedAt", ev.EventID, p.Record.ID)
				}
				if p.WorkOrder != nil {
					var ok bool
					for _, wo := range snap.WorkOrders {
						if wo.ID == p.WorkOrder.ID {
							ok = wo.Status == p.WorkOrder.Status
						}
					}
					if !ok {
						t.Errorf("event %d: work order %d %s not so in the timeline", ev.EventID, p.WorkOrder.ID, p.WorkOrder.Status)
					}
				}
				// A millisecond earlier the record of a creation event does not exist yet.
				if ev.TriggerKey == "PROJECT_CREATED" || ev.TriggerKey == "REQUEST_CREATED" {
					for _, r := range tl.At(ev.FiredAt.Add(-time.Millisecond)).Records {
						if r.ID == p.Record.ID {
							t.Errorf("event %d: record %d exists before it was created", ev.EventID, r.ID)
						}
					}
				}
			}
		})
	}
}

func TestTimelinePhases(t *testing.T) {
	tl, events := renderTimeline(t, "residential-solar", 1)
	started := map[int64]bool{}
	for _, ev := range events {
		var p struct {
			Event struct {
				PhaseInstanceID int64  `json:"phaseInstanceId"`
				Status          string `json:"status"`
			} `json:"event"`
		}
		if ev.TriggerKey != "PROJECT_PHASE_STARTED" && ev.TriggerKey != "PROJECT_PHASE_COMPLETED" {
			continue
		}
		json.Unmarshal(ev.Body, &p)
		started[p.Event.PhaseInstanceID] = true
		var got string
		for _, r := range tl.At(ev.FiredAt).Records {
			for _, ph := range r.Phases {
				if ph.InstanceID == p.Event.PhaseInstanceID {
					got = ph.Status
				}
			}
		}
		if got != p.Event.Status {
			t.Errorf("%s: phase instance %d is %q in the timeline, %q in the event", ev.TriggerKey, p.Event.PhaseInstanceID, got, p.Event.Status)
		}
	}
	if len(started) < 3 {
		t.Fatalf("only %d phase instances seen", len(started))
	}
}

// Accounts, which fire no event, appear as of their creation; calls get
// ids, an update keeps the call's id; AtEach shows one record ahead of
// the rest.
func TestTimelineAccountsCallsAndAtEach(t *testing.T) {
	tl, events := renderTimeline(t, "call-logged", 1)
	end := tl.At(tl.End())
	var account, project *RecordState
	for i := range end.Records {
		switch end.Records[i].Type {
		case "ACCOUNT":
			account = &end.Records[i]
		case "PROJECT":
			project = &end.Records[i]
		}
	}
	if account == nil || project == nil || project.AccountID != account.ID {
		t.Fatalf("records at the end: %+v", end.Records)
	}
	if got := tl.At(account.CreatedAt.Add(-time.Millisecond)).Records; len(got) != 0 {
		t.Errorf("before the account was created: %+v", got)
	}
	if len(end.Calls) != 2 {
		t.Fatalf("calls: %+v", end.Calls)
	}
	welcome := end.Calls[0]
	if welcome.RecordID != project.ID || !welcome.UpdatedAt.After(welcome.CreatedAt) || end.Calls[1].RecordID != account.ID {
		t.Errorf("calls: %+v", end.Calls)
	}
	// As of the first event, with the account as of the last: the
	// project's call is logged but not updated, the account's is there.
	first := events[0].FiredAt
	each := tl.AtEach(first, map[int64]time.Time{account.ID: tl.End()})
	if len(each.Calls) != 1 || each.Calls[0].RecordID != account.ID {
		t.Errorf("AtEach calls: %+v", each.Calls)
	}
}

func renderTimeline(t *testing.T, name string, seed uint64) (*Timeline, []Rendered) {
	t.Helper()
	sc, err := Load(name)
	if err != nil {
		t.Fatal(err)
	}
	tl := NewTimeline()
	events, err := sc.Render(seed, WithTimeline(tl))
	if err != nil {
		t.Fatal(err)
	}
	return tl, events
}
