package contract_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
)

// A receiver that applies work-order statuses in arrival order passes the
// count checks (every event applied once) and still fails chaos runs: the
// shrunk schedule is two status movements of one work order, the newer
// first.
func ExampleRunChaos() {
	srv := httptest.NewServer(testreceivers.NewState(testreceivers.LastArrivalWorkOrder))
	defer srv.Close()
	insp, _ := contract.InspectURL(srv.URL + testreceivers.InspectPath + "{eventId}")
	state, _ := contract.StateURL(srv.URL + testreceivers.StatePath + "{recordId}")
	rep, err := contract.RunChaos(context.Background(), contract.Target{
		URL: srv.URL + "/webhooks/coperniq", Inspect: insp, State: state,
		InspectTimeout: 200 * time.Millisecond,
	}, contract.ChaosOptions{Runs: 50, Seed: 7})
	if err != nil {
		fmt.Println(err)
		return
	}
	f := rep.Failure
	fmt.Printf("run %d of %d failed (%s), shrunk to %d deliveries, 1-minimal: %v\n", f.Run, len(rep.Runs), f.Kind, len(f.Schedule.Deliveries), f.Minimal)
	for _, d := range f.Schedule.Deliveries {
		fmt.Println(d.Trigger, "event", d.Event, "of", f.Schedule.Scenarios[d.Scenario].Name)
	}
	// Output:
	// run 5 of 5 failed (final state), shrunk to 2 deliveries, 1-minimal: true
	// TASK_STATUS_MOVEMENT event 15 of out-of-order-delivery
	// TASK_STATUS_MOVEMENT event 14 of out-of-order-delivery
}
