package contract_test

import (
	"fmt"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/contract"
)

// A CI script reads the JSON report of `verify --json-report` and lists
// why each failed spec failed.
func ExampleReadJSONReport() {
	data := []byte(`{"formatVersion": 1, "target": "http://127.0.0.1:8080/hook", "seed": 1,
		"verdict": {"exit": 1, "message": "the receiver breaks the contract: 1 of 12 specs failed"},
		"specs": [{"name": "work order triggers TASK_CREATED acknowledges its realistic payload with a 2xx",
			"group": "work order triggers", "trigger": "TASK_CREATED", "verdict": "failed",
			"reason": "TASK_CREATED (realistic, seed 1) was not acknowledged: 500 Internal Server Error"}]}`)
	rep, err := contract.ReadJSONReport(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range rep.Specs {
		if s.Verdict == contract.SpecFailed {
			fmt.Printf("%s: %s\n", s.Trigger, s.Reason)
		}
	}
	fmt.Println("exit", rep.Verdict.Exit)
	// Output:
	// TASK_CREATED: TASK_CREATED (realistic, seed 1) was not acknowledged: 500 Internal Server Error
	// exit 1
}

func TestReadJSONReportRefusesOtherVersions(t *testing.T) {
	for _, data := range []string{`{"formatVersion": 2}`, `{}`, `[]`, `{"formatVersion": "1"}`} {
		if _, err := contract.ReadJSONReport([]byte(data)); err == nil {
			t.Errorf("%s was read", data)
		}
	}
}

func FuzzReadJSONReport(f *testing.F) {
	f.Add([]byte(`{"formatVersion": 1, "specs": [{"verdict": "failed", "deliveries": [{"eventId": 1}]}]}`))
	f.Add([]byte(`{"formatVersion": 1, "totals": {"total": -1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := contract.ReadJSONReport(data)
		if err == nil && rep.FormatVersion != contract.JSONFormatVersion {
			t.Errorf("read a report of formatVersion %d", rep.FormatVersion)
		}
	})
}
