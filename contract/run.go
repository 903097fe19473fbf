package contract

import (
	"errors"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the Ginkgo DSL reads as prose only dot-imported
	"github.com/onsi/ginkgo/v2/types"
)

// RunConfig is how Run runs the suite: Ginkgo's own settings, as the CLI
// exposes them.
type RunConfig struct {
	// Focus and Skip are regular expressions on the spec names, as
	// ginkgo --focus and --skip take them.
	Focus, Skip []string
	// JUnitReport and JSONReport are files to write, or empty.
	JUnitReport, JSONReport string
	// Verbose prints every spec as it runs, not only the failures.
	Verbose bool
	// NoColor drops the ANSI colours (for logs that show them raw).
	NoColor bool
}

// SuiteDescription names the suite in Ginkgo's output and in reports.
const SuiteDescription = "Coperniq receiver contract"

var ran atomic.Bool

// noTestingT is the GinkgoTestingT of a suite run outside `go test`: the
// outcome is read from RunSpecs' result and the report, not from Fail.
type noTestingT struct{}

func (noTestingT) Fail() {}

// Run runs the contract specs against target outside `go test`, as `verify`
// does: Ginkgo's default reporter prints to stdout, the reports of cfg are
// written, and the Summary says what happened. Ginkgo keeps its suite in
// globals, so Run works once per process (a second call is an error), and
// the process must not have registered other specs.
func Run(target Target, cfg RunConfig) (Summary, error) {
	t, err := target.withDefaults()
	if err != nil {
		return Summary{}, err
	}
	if !ran.CompareAndSwap(false, true) {
		return Summary{}, errors.New("contract: Run works once per process (Ginkgo's suite is global)")
	}
	DescribeReceiver(target)
	var report types.Report
	ReportAfterSuite("contract summary", func(r Report) { report = r })

	sc := types.NewDefaultSuiteConfig()
	sc.FocusStrings, sc.SkipStrings = cfg.Focus, cfg.Skip
	// The order of the specs is fixed by the tree; the seed only shows up
	// in Ginkgo's header, where the payload seed is less confusing than a
	// clock reading.
	sc.RandomSeed = int64(t.Seed % (1 << 62))
	rc := types.NewDefaultReporterConfig()
	rc.JUnitReport, rc.JSONReport = cfg.JUnitReport, cfg.JSONReport
	rc.Verbose, rc.NoColor = cfg.Verbose, cfg.NoColor
	// A row of S for specs left out by --focus drowns the output; the
	// summary lists every skip with its reason instead.
	rc.SilenceSkips = !cfg.Verbose

	passed := RunSpecs(noTestingT{}, SuiteDescription, sc, rc)
	s := Summarize(report)
	s.Succeeded = passed && s.Failed == 0
	return s, nil
}
