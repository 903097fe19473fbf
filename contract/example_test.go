package contract_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
)

// A Go receiver verified in-process, in the team's own Ginkgo suite: serve
// the handler with httptest and register the specs before RunSpecs. The
// inspect hook may read the receiver's state directly. contract/sample holds
// the complete suite.
func ExampleDescribeReceiver() {
	rc := testreceivers.New(testreceivers.Config{Token: "token=s3cret"})
	srv := httptest.NewServer(rc)
	// Close the server after RunSpecs, e.g. with defer in the Test function.

	contract.DescribeReceiver(contract.Target{
		URL:        srv.URL + "/webhooks/coperniq",
		TokenParam: "token=s3cret",
		Inspect: contract.InspectFunc(func(_ context.Context, ev contract.Event) (int, error) {
			return rc.Applied(ev.ID), nil
		}),
		Deadline: 2 * time.Second,
	})
	// RegisterFailHandler(Fail); RunSpecs(t, "my receiver")
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
