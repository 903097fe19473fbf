package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/coperniq-mock/coperniq-mock/api"
	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

// A Go receiver's test: render a scenario with a timeline, serve the API
// from it, and check that the project a webhook names reads back with the
// status the webhook says (here as of the end of the scenario).
func ExampleNewServer() {
	sc, err := scenarios.Load("residential-solar")
	if err != nil {
		log.Fatal(err)
	}
	tl := scenarios.NewTimeline()
	events, err := sc.Render(1, scenarios.WithTimeline(tl))
	if err != nil {
		log.Fatal(err)
	}
	srv := api.NewServer(tl, api.WithKey("test-key"))
	defer srv.Close()

	last := events[len(events)-1]
	var project struct {
		Status         string `json:"status"`
		PhaseInstances []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"phaseInstances"`
	}
	if err := srv.Get(fmt.Sprintf("/projects/%d", last.RecordID), &project); err != nil {
		log.Fatal(err)
	}
	fmt.Println(last.TriggerKey, project.Status, len(project.PhaseInstances), "phases")
	fmt.Println(project.PhaseInstances[0].Name, project.PhaseInstances[0].Status)
	// Output:
	// PROJECT_STATUS_MOVEMENT COMPLETED 8 phases
	// Sales COMPLETED
}

// A Go receiver's test, webhook and API in one process: the delivery
// engine sends through the transport that moves the API's world time, so
// the receiver's GET sees what each webhook announced; srv.Calls() is what
// the receiver asked. README.md shows its code paragraphs as they are here
// (TestREADMEShowsTheTransportExample).
func ExampleHandler_Transport() {
	sc, err := scenarios.Load("residential-solar")
	if err != nil {
		log.Fatal(err)
	}
	tl := scenarios.NewTimeline()
	events, err := sc.Render(1, scenarios.WithTimeline(tl))
	if err != nil {
		log.Fatal(err)
	}
	// Just before the first event, no record exists yet: the API starts there
	// (by default it answers as of the end, every record already created).
	srv := api.NewServer(tl, api.WithKey("test-key"), api.WithTime(tl.Start().Add(-time.Millisecond)))
	defer srv.Close() // srv.URL: 127.0.0.1 on a free port; point your receiver's API client at it

	// The receiver under test: after each webhook it reads the project.
	stale := 0
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p struct {
			Record struct {
				ID        int64  `json:"id"`
				UpdatedAt string `json:"updatedAt"`
			} `json:"record"`
		}
		json.NewDecoder(r.Body).Decode(&p)
		var project struct {
			UpdatedAt string `json:"updatedAt"`
		}
		if err := srv.Get(fmt.Sprintf("/projects/%d", p.Record.ID), &project); err != nil || project.UpdatedAt != p.Record.UpdatedAt {
			stale++
		}
	}))
	defer receiver.Close()
	receiverURL := receiver.URL

	// Deliver through the transport that moves the API's world time as each event is sent.
	// An https:// receiver with its own CA: delivery.NewTLSClient(time.Second, 1, cfg) instead.
	client := delivery.NewClient(time.Second, 1)
	client.Transport = srv.Transport(client.Transport, events)
	target, err := delivery.NewTarget(receiverURL, nil)
	if err != nil {
		log.Fatal(err)
	}
	engine, err := delivery.New(target, delivery.WithClient(client), delivery.WithConcurrency(1))
	if err != nil {
		log.Fatal(err)
	}
	summary, err := engine.Run(context.Background(), scenarios.Messages(events))
	if summary == nil {
		log.Fatal(err) // the events were invalid
	}
	// Run's error is nil when events are dead: Verdict fails unless every one was acked.
	if err := summary.Verdict(err); err != nil {
		log.Fatal(err)
	}
	fmt.Println(summary.Accounting())

	fmt.Println(len(srv.Calls()), "API calls,", stale, "stale")
	// Output:
	// events 43 = acked 43 + dead 0
	// 43 API calls, 0 stale
}

// A payload from outside the world (here one the generator made, as
// `send` or the contract specs do): once learned, its record answers as
// the payload shows it, as Coperniq's API would answer for any webhook's
// record.
func ExampleHandler_Learn() {
	sc, _ := scenarios.Load("request-won")
	tl := scenarios.NewTimeline()
	if _, err := sc.Render(1, scenarios.WithTimeline(tl)); err != nil {
		log.Fatal(err)
	}
	srv := api.NewServer(tl, api.WithKey("test-key"))
	defer srv.Close()

	body := []byte(`{"event": {"eventId": 1, "recordId": 900001, "triggerKey": "PROJECT_CREATED", "firedAt": "2026-04-01T10:00:00Z"},
		"record": {"id": 900001, "uid": 77, "type": "PROJECT", "title": "1 Main St", "status": "ACTIVE",
		"createdAt": "2026-04-01T10:00:00Z", "updatedAt": "2026-04-01T10:00:00Z"}}`)
	fmt.Println(srv.Get("/projects/900001", &struct{}{}) != nil)
	srv.Learn(body)
	var project struct {
		Number int64  `json:"number"`
		Status string `json:"status"`
	}
	if err := srv.Get("/projects/900001", &project); err != nil {
		log.Fatal(err)
	}
	fmt.Println(project.Number, project.Status)
	// Output:
	// true
	// 77 ACTIVE
}
