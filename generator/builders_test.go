package generator

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

func validStrict(t *testing.T, p *Payload) {
	t.Helper()
	b := p.AppendJSON(nil)
	res, err := schemas.Validate(b, schemas.Strict)
	if err != nil || !res.Valid() {
		t.Fatalf("invalid: %v %v\n%s", err, res.Violations, b)
	}
}

// TestBuildersRenderALifecycle walks a project through its workflow the way
// a scenario would: a work order created, moved, completed, phases started
// and completed, every payload valid at the strict level.
func TestBuildersRenderALifecycle(t *testing.T) {
	for _, profile := range []Profile{Realistic, Minimal} {
		g := New(21, WithProfile(profile))
		rec := g.Record("PROJECT")
		if rec.Type != "PROJECT" || rec.UpdatedAt.After(g.Epoch()) || rec.CreatedAt.After(rec.UpdatedAt) {
			t.Fatalf("record %+v", rec)
		}
		now := g.Epoch().Add(time.Hour)
		step := func() time.Time { now = now.Add(3*time.Hour + 1234*time.Millisecond); return now }

		wo := g.WorkOrder(rec)
		if wo.Status != "QUEUED" || wo.RecordID != rec.ID || wo.CreatedAt.Before(rec.CreatedAt) {
			t.Fatalf("work order %+v", wo)
		}
		at := step()
		wo.CreatedAt, wo.ModifiedAt = at, at
		rec.UpdatedAt = at
		p, err := g.PayloadFor("TASK_CREATED", at, rec, wo)
		if err != nil {
			t.Fatal(err)
		}
		validStrict(t, p)
		if p.Event.PreviousStatus.Valid || p.Event.WorkOrderID != wo.ID || p.Event.RecordID != rec.ID {
			t.Fatalf("event %+v", p.Event)
		}

		for _, status := range []string{"ASSIGNED", "SCHEDULED", "IN_PROGRESS", "COMPLETED"} {
			at := step()
			wo.Status, wo.ModifiedAt = status, at
			if status == "COMPLETED" {
				wo.CompletionDate = Some(at)
			}
			p, err := g.PayloadFor("TASK_STATUS_MOVEMENT", at, rec, wo)
			if err != nil {
				t.Fatal(err)
			}
			validStrict(t, p)
			if p.Event.CurrentStatus != status || p.Event.PreviousStatus.V == status {
				t.Fatalf("statuses %+v", p.Event)
			}
			// The payload holds copies.
			title := wo.Title
			wo.Title = "changed"
			if p.WorkOrder.Title != title {
				t.Fatal("payload shares the work order")
			}
			wo.Title = title
		}

		startStage := rec.Stage
		for rec.AdvanceStage() {
			at := step()
			rec.UpdatedAt = at
			p, err := g.PayloadFor("PROJECT_PHASE_STARTED", at, rec, nil)
			if err != nil {
				t.Fatal(err)
			}
			validStrict(t, p)
			if s := stageByID[p.Record.Stage.ID]; s.phaseType != p.Event.PhaseType || s.templateID != p.Event.PhaseTemplateID {
				t.Fatalf("phase %s does not match stage %v", p.Event.PhaseType, p.Record.Stage)
			}
		}
		if startStage != nil && rec.Stage.ID == startStage.ID {
			t.Error("AdvanceStage did not move the stage")
		}
	}
}

func TestNewPayload(t *testing.T) {
	g := New(4)
	rec := g.Record("DEAL")
	wo := g.WorkOrder(rec)
	fired := g.Epoch().Add(time.Minute)
	p, err := NewPayload("TASK_COMPLETED", 777, fired, rec, wo)
	if err != nil {
		t.Fatal(err)
	}
	if p.Event.EventID != 777 || p.Event.TriggerName != "Work Order Completed" || p.Event.WorkOrderID != wo.ID || !p.Event.FiredAt.Equal(fired) {
		t.Fatalf("event %+v", p.Event)
	}
	if _, err := NewPayload("PROJECT_CREATED", 1, fired, rec, wo); err == nil || !strings.Contains(err.Error(), "no work order") {
		t.Errorf("work order on a project trigger: %v", err)
	}
	if _, err := NewPayload("TASK_CREATED", 1, fired, rec, nil); err == nil || !strings.Contains(err.Error(), "need a work order") {
		t.Errorf("missing work order: %v", err)
	}
	if _, err := g.PayloadFor("NOPE", fired, rec, nil); !errors.As(err, new(*schemas.UnknownTriggerError)) {
		t.Errorf("unknown trigger: %v", err)
	}
	for _, rt := range schemas.RecordTypes {
		if r := g.Record(rt); r.Type != rt || r.Title == "" {
			t.Errorf("Record(%s) = %+v", rt, r)
		}
	}
}

func TestWithEpoch(t *testing.T) {
	epoch := time.Date(2027, 7, 4, 0, 0, 0, 0, time.UTC)
	g := New(1, WithEpoch(epoch))
	for range 50 {
		p, _ := g.Payload("PROJECT_STATUS_MOVEMENT")
		if f := p.Event.FiredAt; f.Before(epoch.Add(-3*day)) || f.After(epoch.Add(2*day)) {
			t.Fatalf("firedAt %v not around %v", f, epoch)
		}
	}
}

// TestAppendJSONAllocations guards the fast path: no allocation at all once
// the arena and buffer are warm (AppendJSON empties its arena every call),
// in every profile, the edge one's long titles included.
func TestAppendJSONAllocations(t *testing.T) {
	for _, p := range Profiles() {
		g := New(1, WithProfile(p))
		buf := make([]byte, 0, 8192)
		keys := schemas.TriggerKeys()
		i := 0
		allocs := testing.AllocsPerRun(5000, func() {
			buf, _ = g.AppendJSON(buf[:0], keys[i%len(keys)])
			i++
		})
		if allocs != 0 {
			t.Errorf("%s: AppendJSON allocates %.4f times per payload", p, allocs)
		}
	}
}

// Values Payload and the builders return keep their strings while
// AppendJSON, which empties its own arena every call, runs on the same
// generator in between.
func TestPayloadValuesOutliveAppendJSON(t *testing.T) {
	for _, p := range Profiles() {
		g := New(3, WithProfile(p))
		keys := schemas.TriggerKeys()
		var kept []*Payload
		var want []string
		var buf []byte
		for i := range 200 {
			pl, err := g.Payload(keys[i%len(keys)])
			if err != nil {
				t.Fatal(err)
			}
			kept, want = append(kept, pl), append(want, string(pl.AppendJSON(nil)))
			for j := range 5 {
				buf, _ = g.AppendJSON(buf[:0], keys[(i+j)%len(keys)])
			}
		}
		for i, pl := range kept {
			if got := string(pl.AppendJSON(nil)); got != want[i] {
				t.Fatalf("%s: payload %d changed after later AppendJSON calls:\n%s\nwas\n%s", p, i, got, want[i])
			}
		}
	}
}
