package api_test

import (
	"fmt"
	"log"

	"github.com/coperniq-mock/coperniq-mock/api"
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
