package api_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/api"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// TestLearn: a payload from outside the world (every trigger, every
// profile) makes its record and work order answer 200, as the document's
// schemas say, with the payload's values; the world's own records keep the
// world's.
func TestLearn(t *testing.T) {
	tl, events := world(t)
	srv := api.NewServer(tl, api.WithQuota(0, 0))
	defer srv.Close()
	paths := map[string]string{"PROJECT": "/projects/{projectId}", "DEAL": "/opportunities/{opportunityId}", "ACCOUNT": "/accounts/{accountId}"}
	n := 0
	for _, prof := range generator.Profiles() {
		g := generator.New(11, generator.WithProfile(prof))
		for _, key := range schemas.TriggerKeys() {
			body, err := g.JSON(key)
			if err != nil {
				t.Fatal(err)
			}
			var p struct {
				Record *struct {
					ID   int64  `json:"id"`
					UID  int64  `json:"uid"`
					Type string `json:"type"`
				} `json:"record"`
				WorkOrder *struct {
					ID int64 `json:"id"`
				} `json:"workOrder"`
			}
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatal(err)
			}
			if p.Record == nil {
				continue
			}
			doc, ok := paths[p.Record.Type]
			if !ok {
				t.Fatalf("%s %s: record type %q", prof, key, p.Record.Type)
			}
			url := fmt.Sprintf("%s/%s/%d", srv.URL, map[string]string{"PROJECT": "projects", "DEAL": "opportunities", "ACCOUNT": "accounts"}[p.Record.Type], p.Record.ID)
			switch a := call(t, "GET", url, srv.Key, nil); a.status {
			case 200:
				continue // a record of the world's (ids meet): the world's stands
			case 404:
			default:
				t.Fatalf("%s %s: record %d answered %d before its payload was learned", prof, key, p.Record.ID, a.status)
			}
			srv.Learn(body)
			a := call(t, "GET", url, srv.Key, nil)
			if a.status != 200 {
				t.Errorf("%s %s: GET %s: %d %s", prof, key, url, a.status, a.body)
				continue
			}
			validate(t, "GET", doc, a)
			var got struct {
				ID     int64 `json:"id"`
				Number int64 `json:"number"`
			}
			decode(t, a.body, &got)
			if got.ID != p.Record.ID || got.Number != p.Record.UID {
				t.Errorf("%s %s: id %d number %d, want %d %d (record.uid is the API's number)", prof, key, got.ID, got.Number, p.Record.ID, p.Record.UID)
			}
			if p.WorkOrder != nil {
				a := call(t, "GET", fmt.Sprintf("%s/work-orders/%d", srv.URL, p.WorkOrder.ID), srv.Key, nil)
				if a.status != 200 {
					t.Errorf("%s %s: work order %d: %d %s", prof, key, p.WorkOrder.ID, a.status, a.body)
				} else {
					validate(t, "GET", "/work-orders/{workOrderId}", a)
				}
			}
			n++
		}
	}
	if n < 40 {
		t.Fatalf("only %d payloads with a record", n)
	}

	// A world record is the world's, whatever a payload says of it.
	e := events[len(events)-1]
	var before map[string]any
	if err := srv.Get(fmt.Sprintf("/projects/%d", e.RecordID), &before); err != nil {
		t.Skipf("the world's last event is not about a project: %v", err)
	}
	g := generator.New(12)
	body, _ := g.JSON("PROJECT_STATUS_MOVEMENT")
	var v map[string]any
	json.Unmarshal(body, &v)
	v["record"].(map[string]any)["id"] = e.RecordID
	v["record"].(map[string]any)["title"] = "not the world's"
	body, _ = json.Marshal(v)
	srv.Learn(body)
	var after map[string]any
	if err := srv.Get(fmt.Sprintf("/projects/%d", e.RecordID), &after); err != nil {
		t.Fatal(err)
	}
	if after["title"] == "not the world's" || after["title"] != before["title"] {
		t.Errorf("a payload changed the world's record: title %v, was %v", after["title"], before["title"])
	}
}

func FuzzLearn(f *testing.F) {
	tl, _ := world(f)
	h, err := api.NewHandler(tl)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"event":{"firedAt":"x"},"record":{"id":5,"type":"PROJECT","stage":{"id":"a"}}}`))
	f.Add([]byte(`{"record":{"id":7,"type":"DEAL"},"workOrder":{"id":1,"startDate":"2026-01-01"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		h.Learn(b) // must not panic
	})
}

// TestLearnAppointment: an appointment webhook from outside the world
// (minimal and edge payloads, with and without record) makes its
// appointment answer 200 with the payload's dueDate: a correct receiver
// that fetches /appointments/{id} for it was refused 404 by verify's mock.
func TestLearnAppointment(t *testing.T) {
	tl, _ := world(t)
	n := 0
	for _, prof := range generator.Profiles() {
		for seed := range uint64(6) {
			g := generator.New(20+seed, generator.WithProfile(prof))
			for _, key := range []string{"APPOINTMENT_CREATED", "APPOINTMENT_RESCHEDULED"} {
				t.Run(fmt.Sprintf("%s/%d/%s", prof, seed, key), func(t *testing.T) {
					body, err := g.JSON(key)
					if err != nil {
						t.Fatal(err)
					}
					var p struct {
						Event struct {
							AppointmentID int64  `json:"appointmentId"`
							DueDate       string `json:"dueDate"`
						} `json:"event"`
					}
					if err := json.Unmarshal(body, &p); err != nil || p.Event.AppointmentID == 0 {
						t.Skipf("no appointmentId to read: %v", err)
					}
					// A server each: edge payloads share ids (2^53-1).
					srv := api.NewServer(tl, api.WithQuota(0, 0))
					defer srv.Close()
					srv.Learn(body)
					a := call(t, "GET", fmt.Sprintf("%s/appointments/%d", srv.URL, p.Event.AppointmentID), srv.Key, nil)
					if a.status != 200 {
						t.Fatalf("GET /appointments/%d: %d %s", p.Event.AppointmentID, a.status, a.body)
					}
					validate(t, "GET", "/appointments/{appointmentId}", a)
					var got struct {
						ID      int64  `json:"id"`
						DueDate string `json:"dueDate"`
					}
					decode(t, a.body, &got)
					if got.ID != p.Event.AppointmentID {
						t.Errorf("id %d, want %d", got.ID, p.Event.AppointmentID)
					}
					if p.Event.DueDate != "" && !sameInstant(got.DueDate, p.Event.DueDate) {
						t.Errorf("dueDate %s, want the payload's %s", got.DueDate, p.Event.DueDate)
					}
					n++
				})
			}
		}
	}
	if n == 0 {
		t.Fatal("no appointment payload was learned")
	}
}

func sameInstant(a, b string) bool {
	x, err1 := time.Parse(time.RFC3339Nano, a)
	y, err2 := time.Parse(time.RFC3339Nano, b)
	return err1 == nil && err2 == nil && x.Equal(y)
}
