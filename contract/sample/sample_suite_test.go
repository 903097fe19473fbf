package sample_test

import (
	"context"
	"net/http/httptest"
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
// let the inspect hook read the store directly.
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
		Burst:    20,
		Deadline: 2 * time.Second,
		Settle:   50 * time.Millisecond,
	})

	RegisterFailHandler(Fail)
	RunSpecs(t, "sample receiver")
}
