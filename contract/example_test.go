package contract_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// A Go receiver verified in-process, in the team's own Ginkgo suite: serve
// the handler with httptest, and let the inspect hook read the receiver's
// state directly. The Target goes to DescribeReceiver before RunSpecs
// (contract/sample holds the complete suite); here the hook is asked by
// hand, around one delivery and its duplicate.
func ExampleInspectFunc() {
	rc := testreceivers.New(testreceivers.Config{Token: "token=s3cret"})
	srv := httptest.NewServer(rc)
	defer srv.Close()

	target := contract.Target{
		URL:        srv.URL + "/webhooks/coperniq",
		TokenParam: "token=s3cret",
		Inspect: contract.InspectFunc(func(_ context.Context, ev schemas.Identity) (int, error) {
			return rc.Applied(ev.EventID), nil
		}),
	}
	// In the suite: contract.DescribeReceiver(target); RunSpecs(t, "my receiver")

	ev := schemas.Identity{EventID: 58640, RecordID: 7, TriggerKey: "TASK_STATUS_MOVEMENT"}
	applied := func() int { n, _ := target.Inspect.Applied(context.Background(), ev); return n }
	deliver := func() string {
		body := fmt.Sprintf(`{"event":{"eventId":%d,"recordId":%d,"triggerKey":%q}}`, ev.EventID, ev.RecordID, ev.TriggerKey)
		resp, err := http.Post(target.URL+"?"+target.TokenParam, "application/json", strings.NewReader(body))
		if err != nil {
			return err.Error()
		}
		resp.Body.Close()
		return resp.Status
	}
	fmt.Println("before:", applied())
	fmt.Println(deliver(), "then", applied())
	fmt.Println(deliver(), "then", applied(), "(a duplicate is acknowledged, not applied)")
	// Output:
	// before: 0
	// 200 OK then 1
	// 200 OK then 1 (a duplicate is acknowledged, not applied)
}

// The inspect protocol over HTTP: a GET per event, 200 {"applied": N} or 404.
func ExampleInspectURL() {
	insp, err := contract.InspectURL("http://127.0.0.1:8080/_state/events/{eventId}?type={triggerKey}")
	fmt.Println(insp != nil, err)

	_, err = contract.InspectURL("http://127.0.0.1:8080/_state/{id}")
	fmt.Println(err)
	// Output:
	// true <nil>
	// inspect URL http://127.0.0.1:8080/_state/{id}: unknown placeholder {id}; want {eventId}, {recordId} or {triggerKey}
}
