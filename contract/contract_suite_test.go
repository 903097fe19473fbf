package contract_test

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// The flags of `go test ./contract -args -target=URL ...`, the third way to
// run the specs (after `coperniq-mock verify` and DescribeReceiver). Ginkgo's
// own flags (-ginkgo.focus, -ginkgo.json-report, ...) work as usual.
var (
	flagTarget         = flag.String("target", "", "the receiver's webhook URL; without it the contract suite is skipped")
	flagInspect        = flag.String("inspect", "", "inspect hook URL template with {eventId}, {recordId}, {triggerKey}")
	flagInspectCmd     = flag.String("inspect-cmd", "", "inspect command: prints how many times $COPERNIQ_EVENT_ID was applied")
	flagTokenParam     = flag.String("token-param", "", "the receiver's URL token as NAME=VALUE")
	flagDeadline       = flag.Duration("deadline", contract.DefaultDeadline, "how long a delivery may wait for its answer")
	flagBurst          = flag.Int("burst", contract.DefaultBurst, "deliveries sent at once by the burst spec")
	flagSeed           = flag.Uint64("seed", 0, "payload seed (default: drawn at random, printed in every reproducer)")
	flagInspectTimeout = flag.Duration("inspect-timeout", contract.DefaultInspectTimeout, "how long to poll the inspect hook")
	flagSettle         = flag.Duration("settle", 0, "how long a reached count is watched for a late duplicate: 0 adapts it (at least 1s), negative skips the watch")
	flagMaxLate        = flag.Int("max-late", contract.DefaultMaxLate, "deliveries in a row without an answer within the deadline before the run stops")
	flagMaxLateTotal   = flag.Int("max-late-total", 0, "deliveries in all, in a row or not, without an answer within the deadline before the run stops (0: the default)")
	flagDrainBudget    = flag.Duration("drain-budget", contract.DefaultDrainBudget, "time the run may spend waiting for earlier specs' late events")
	flagScenarios      = flag.String("scenarios", "", "comma-separated lifecycle scenarios to replay (default: every built-in one)")
	// The state hook (state.go).
	flagState    = flag.String("state", "", "state hook URL template with {recordId}: the receiver's view of a record")
	flagStateCmd = flag.String("state-cmd", "", "state command: prints the JSON state of $COPERNIQ_RECORD_ID")
	// An https:// receiver's TLS settings, as verify's flags.
	flagCACert = flag.String("cacert", "", "PEM file of the CA certificates to trust for an https:// receiver")
	flagCert   = flag.String("cert", "", "PEM file of the client certificate, for a receiver that requires mutual TLS")
	flagKey    = flag.String("key", "", "PEM file of the client certificate's key")
)

func targetFromFlags() (contract.Target, error) {
	t := contract.Target{
		URL:            *flagTarget,
		TokenParam:     *flagTokenParam,
		Deadline:       *flagDeadline,
		Burst:          *flagBurst,
		Seed:           *flagSeed,
		InspectTimeout: *flagInspectTimeout,
		Settle:         *flagSettle,
		MaxLate:        *flagMaxLate,
		MaxLateTotal:   *flagMaxLateTotal,
		DrainBudget:    *flagDrainBudget,
		API:            apiFromFlags(), // api_harness_test.go
	}
	if *flagScenarios != "" {
		t.Scenarios = strings.Split(*flagScenarios, ",")
	}
	var err error
	if t.TLS, err = (delivery.TLS{CACert: *flagCACert, Cert: *flagCert, Key: *flagKey}).Config(); err != nil {
		return t, err
	}
	if t.State, err = hookFromFlags("state", *flagState, *flagStateCmd, contract.StateURL, contract.StateCommand); err != nil {
		return t, err
	}
	t.Inspect, err = hookFromFlags("inspect", *flagInspect, *flagInspectCmd, contract.InspectURL, contract.InspectCommand)
	return t, err
}

// hookFromFlags makes a hook from -name (a URL template) or -name-cmd (a
// command), which are exclusive; nil when neither is given.
func hookFromFlags[H any](name, url, command string, fromURL, fromCommand func(string) (H, error)) (H, error) {
	var none H
	switch {
	case url != "" && command != "":
		return none, fmt.Errorf("-%s and -%s-cmd are exclusive: give one", name, name)
	case url != "":
		return fromURL(url)
	case command != "":
		return fromCommand(command)
	}
	return none, nil
}

// TestContract verifies the receiver at -target. Without -target it is
// skipped, so that `go test ./...` in CI runs the harness tests only.
func TestContract(t *testing.T) {
	if *flagTarget == "" {
		t.Skip("no -target given: run `go test ./contract -run TestContract -args -target=URL` to verify a receiver")
	}
	target, err := targetFromFlags()
	if err != nil {
		t.Fatal(err)
	}
	if err := contract.CheckReachable(context.Background(), target.URL, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	RegisterFailHandler(Fail)
	contract.DescribeReceiver(target)
	RunSpecs(t, contract.SuiteDescription)
}
