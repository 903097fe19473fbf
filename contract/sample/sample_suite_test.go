package sample_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/sample"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// TestVerifyReceiverContract is how a Go team verifies its receiver in-process:
// serve the handler with httptest, register the contract specs for it, and
// let the inspect and state hooks read the store directly.
func TestVerifyReceiverContract(t *testing.T) {
	store := sample.NewStore()
	srv := httptest.NewServer(sample.Handler("s3cret", store))
	defer srv.Close()

	contract.DescribeReceiver(contract.Target{
		URL:        srv.URL + "/webhooks/coperniq",
		TokenParam: "token=s3cret",
		Inspect: contract.InspectFunc(func(_ context.Context, ev schemas.Identity) (int, error) {
			return store.Applied(ev.EventID), nil
		}),
		// The state hook reads the store too: the final-state specs compare
		// each record with the world's after the scenario's last event.
		State: contract.StateFunc(func(_ context.Context, recordID int64) (*contract.RecordState, error) {
			rec, ok := store.Record(strconv.FormatInt(recordID, 10))
			if !ok {
				return nil, nil
			}
			st := &contract.RecordState{Status: rec.Status, StageID: &rec.StageID, WorkOrders: map[int64]string{}}
			if rec.StageID == "" {
				null := "null"
				st.StageID = &null
			}
			if st.Status == nil {
				null := "null"
				st.Status = &null
			}
			for id, wo := range rec.WorkOrders {
				n, _ := strconv.ParseInt(id, 10, 64)
				st.WorkOrders[n] = wo.Status
			}
			return st, nil
		}),
		Burst:    20,
		Deadline: 2 * time.Second,
		Settle:   50 * time.Millisecond,
	})

	RegisterFailHandler(Fail)
	RunSpecs(t, "sample receiver")
}
