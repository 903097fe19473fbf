package scenarios

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/generator"
)

type timedPayload struct {
	Event struct {
		RecordID        int64      `json:"recordId"`
		TriggerKey      string     `json:"triggerKey"`
		FiredAt         time.Time  `json:"firedAt"`
		DueDate         *time.Time `json:"dueDate"`
		OverdueAt       *time.Time `json:"overdueAt"`
		SLAType         string     `json:"slaType"`
		PhaseTemplateID int64      `json:"phaseTemplateId"`
		AppointmentID   int64      `json:"appointmentId"`
		CurrentStatus   string     `json:"currentStatus"`
	} `json:"event"`
	Record struct {
		State        *string `json:"state"`
		PrimaryPhone *string `json:"primaryPhone"`
	} `json:"record"`
	WorkOrder *struct {
		ID              int64      `json:"id"`
		IsField         bool       `json:"isField"`
		StartDate       *time.Time `json:"startDate"`
		EndDate         *time.Time `json:"endDate"`
		StartDateAllDay bool       `json:"startDateAllDay"`
		EndDateAllDay   bool       `json:"endDateAllDay"`
	} `json:"workOrder"`
}

// TestScenarioLocalWorkingHours plays every built-in scenario with several
// seeds and checks what people do happens Monday to Friday, 7:00-19:00 in
// the site's time zone: every event but SLA violations (automations), work
// order visits, appointments. SLA violations are overdue whole days after
// their phase started, the same days for the same phase template and level.
func TestScenarioLocalWorkingHours(t *testing.T) {
	for _, name := range Names() {
		s, err := Load(name)
		if err != nil {
			t.Fatal(err)
		}
		slaDays := map[[2]any]time.Duration{}
		for seed := uint64(1); seed <= 12; seed++ {
			events, err := s.Render(seed)
			if err != nil {
				t.Fatalf("%s seed %d: %v", name, seed, err)
			}
			started := map[[2]int64]time.Time{}     // record, template -> phase start
			dues := map[int64]map[int64]time.Time{} // record -> appointment -> due
			for i, e := range events {
				var p timedPayload
				if err := json.Unmarshal(e.Body, &p); err != nil {
					t.Fatal(err)
				}
				rec := &generator.Record{}
				if p.Record.State != nil {
					rec.State = generator.Some(*p.Record.State)
				}
				if p.Record.PrimaryPhone != nil {
					rec.PrimaryPhone = generator.Some(*p.Record.PrimaryPhone)
				}
				loc := recordLocation(rec)
				where := func(what string, at time.Time) {
					lt := at.In(loc)
					c := clockOf(at, loc)
					if !workday(lt) || c < 7*hour || c > 19*hour {
						t.Errorf("%s seed %d event %d %s (line %d): %s at %s local (%s), outside Mon-Fri 7:00-19:00",
							name, seed, i, e.TriggerKey, e.Line, what, lt.Format("Mon 2006-01-02 15:04"), loc)
					}
				}
				ev := p.Event
				if !strings.HasSuffix(ev.TriggerKey, "_SLA_VIOLATION") {
					where("firedAt", ev.FiredAt)
				}
				if ev.DueDate != nil {
					where("dueDate", *ev.DueDate)
					if dues[ev.RecordID] == nil {
						dues[ev.RecordID] = map[int64]time.Time{}
					}
					dues[ev.RecordID][ev.AppointmentID] = *ev.DueDate
				}
				if wo := p.WorkOrder; wo != nil {
					for _, d := range []struct {
						what   string
						t      *time.Time
						allDay bool
					}{{"startDate", wo.StartDate, wo.StartDateAllDay}, {"endDate", wo.EndDate, wo.EndDateAllDay}} {
						switch {
						case d.t == nil:
						case d.allDay:
							if !workday(d.t.UTC()) {
								t.Errorf("%s seed %d event %d: all-day %s %s is a weekend", name, seed, i, d.what, d.t.Format("Mon 2006-01-02"))
							}
						default:
							where(d.what, *d.t)
						}
					}
					// A field visit scheduled while an appointment of its
					// record is ahead is the visit the appointment books.
					if ev.TriggerKey == "TASK_STATUS_MOVEMENT" && ev.CurrentStatus == "SCHEDULED" && wo.IsField && wo.StartDate != nil {
						ahead, match := false, false
						for _, due := range dues[ev.RecordID] {
							ahead = ahead || due.After(ev.FiredAt)
							match = match || due.Equal(*wo.StartDate)
						}
						if ahead && !match {
							t.Errorf("%s seed %d event %d: work order %d scheduled at %s, not at its record's appointment (%v)", name, seed, i, wo.ID, wo.StartDate, dues[ev.RecordID])
						}
					}
				}
				switch {
				case strings.HasSuffix(ev.TriggerKey, "_PHASE_STARTED"):
					started[[2]int64{ev.RecordID, ev.PhaseTemplateID}] = ev.FiredAt
				case strings.HasSuffix(ev.TriggerKey, "_SLA_VIOLATION"):
					st, ok := started[[2]int64{ev.RecordID, ev.PhaseTemplateID}]
					if !ok || ev.OverdueAt == nil {
						t.Errorf("%s seed %d event %d: SLA violation of a phase not started", name, seed, i)
						continue
					}
					d := ev.OverdueAt.Sub(st)
					if d <= 0 || d%(24*hour) != 0 || ev.OverdueAt.After(ev.FiredAt) {
						t.Errorf("%s seed %d event %d: overdueAt %s is not whole days after the phase started (%s) and before firedAt %s", name, seed, i, ev.OverdueAt, st, ev.FiredAt)
					}
					k := [2]any{ev.PhaseTemplateID, ev.SLAType}
					if prev, ok := slaDays[k]; ok && prev != d {
						t.Errorf("%s seed %d: template %d %s SLA is %v here, %v before", name, seed, ev.PhaseTemplateID, ev.SLAType, d, prev)
					}
					slaDays[k] = d
					if y, ok := slaDays[[2]any{ev.PhaseTemplateID, "YELLOW"}]; ok && ev.SLAType == "RED" && y >= d {
						t.Errorf("%s: template %d RED SLA %v is not after YELLOW %v", name, ev.PhaseTemplateID, d, y)
					}
				}
			}
		}
	}
}

// TestScenarioIDsFollowCreation checks ids increase in creation order per
// kind (records, work orders, phase instances, appointments) in every
// built-in scenario, and each uid is below its id.
func TestScenarioIDsFollowCreation(t *testing.T) {
	type payload struct {
		Event struct {
			TriggerKey      string `json:"triggerKey"`
			PhaseInstanceID int64  `json:"phaseInstanceId"`
			AppointmentID   int64  `json:"appointmentId"`
		} `json:"event"`
		Record struct {
			ID  int64 `json:"id"`
			UID int64 `json:"uid"`
		} `json:"record"`
		WorkOrder *struct {
			ID  int64 `json:"id"`
			UID int64 `json:"uid"`
		} `json:"workOrder"`
	}
	for _, name := range Names() {
		s, err := Load(name)
		if err != nil {
			t.Fatal(err)
		}
		eachRender(t, s, 6, func(seed uint64, events []Rendered) {
			last := map[string]int64{}
			seen := map[string]bool{}
			next := func(kind string, id int64, i int) {
				if seen[kind+fmt.Sprint(id)] {
					return
				}
				seen[kind+fmt.Sprint(id)] = true
				if id <= last[kind] {
					t.Errorf("%s seed %d event %d: %s id %d created after %d", name, seed, i, kind, id, last[kind])
				}
				last[kind] = id
			}
			for i, e := range events {
				var p payload
				if err := json.Unmarshal(e.Body, &p); err != nil {
					t.Fatal(err)
				}
				ev := p.Event
				switch {
				case strings.HasSuffix(ev.TriggerKey, "_CREATED") && ev.TriggerKey != "TASK_CREATED" && ev.TriggerKey != "APPOINTMENT_CREATED":
					next("record", p.Record.ID, i)
				case ev.TriggerKey == "TASK_CREATED":
					next("workOrder", p.WorkOrder.ID, i)
				case ev.TriggerKey == "APPOINTMENT_CREATED":
					next("appointment", ev.AppointmentID, i)
				case strings.HasSuffix(ev.TriggerKey, "_PHASE_STARTED"):
					next("phase", ev.PhaseInstanceID, i)
				}
				if p.Record.UID >= p.Record.ID || (p.WorkOrder != nil && p.WorkOrder.UID >= p.WorkOrder.ID) {
					t.Errorf("%s seed %d event %d: a uid is not below its id", name, seed, i)
				}
			}
		})
	}
}
