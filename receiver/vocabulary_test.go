package receiver_test

import (
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// TestDescribeNamesTheVocabulary: the start-up line says which vocabulary
// deliveries are checked against, so that a listen run with the wrong
// file (or none) is seen before its verdicts are read.
func TestDescribeNamesTheVocabulary(t *testing.T) {
	v, err := schemas.ParseVocabulary("team.yaml", []byte("workOrderStatuses: [QUEUED, ASSIGNED, WORKING, ON_HOLD, COMPLETED, CANCELLED]\nworkingStatus: WORKING\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		opts []receiver.Option
		says string
	}{
		{"built-in", []receiver.Option{receiver.WithLevel(schemas.Strict)}, "validating at the strict level, answering"},
		{"team file", []receiver.Option{receiver.WithLevel(schemas.Strict), receiver.WithVocabulary(v)}, "validating at the strict level of the vocabulary team.yaml, answering"},
		{"team file, contract level", []receiver.Option{receiver.WithVocabulary(v)}, "validating at the contract level (any names; the vocabulary team.yaml applies at the strict level), answering"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rc, err := receiver.New(c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if got := rc.Describe(""); !strings.Contains(got, c.says) {
				t.Errorf("Describe = %q, want it to say %q", got, c.says)
			}
		})
	}
}
