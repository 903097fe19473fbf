package contract

import (
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the Ginkgo DSL reads as prose only dot-imported
	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/coperniq-mock/coperniq-mock/delivery"
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
// written, and the Findings says what happened. Ginkgo keeps its suite in
// globals, so Run works once per process (a second call is an error), and
// the process must not have registered other specs.
func Run(target Target, cfg RunConfig) (Findings, error) {
	r := newRun(target, SuiteDescription)
	if r.err != nil {
		return Findings{}, r.err
	}
	t := r.t
	if !ran.CompareAndSwap(false, true) {
		return Findings{}, errors.New("contract: Run works once per process (Ginkgo's suite is global)")
	}
	describe(r)
	var report types.Report
	var reportErrs []string
	// The reports are written here rather than by Ginkgo: Ginkgo would
	// list this node as one more test case, and could not carry the
	// run's warnings (a slow p99), which only the summary computes.
	ReportAfterSuite("contract summary", func(r Report) {
		report = r
		warnings := Summarize(r).Warnings
		if cfg.JUnitReport != "" {
			if err := writeJUnit(r, cfg.JUnitReport, warnings); err != nil {
				reportErrs = append(reportErrs, fmt.Sprintf("writing the JUnit report: %v", err))
			}
		}
		if cfg.JSONReport != "" {
			if err := reporters.GenerateJSONReport(withSummaryNode(r, warnings), cfg.JSONReport); err != nil {
				reportErrs = append(reportErrs, fmt.Sprintf("writing the JSON report: %v", err))
			}
		}
	})

	sc := types.NewDefaultSuiteConfig()
	sc.FocusStrings, sc.SkipStrings = cfg.Focus, cfg.Skip
	// The order of the specs is fixed by the tree; the seed only shows up
	// in Ginkgo's header, where the payload seed is less confusing than a
	// clock reading.
	sc.RandomSeed = int64(t.Seed % (1 << 62))
	rc := types.NewDefaultReporterConfig()
	rc.Verbose, rc.NoColor = cfg.Verbose, cfg.NoColor
	// A row of S for specs left out by --focus drowns the output; the
	// summary lists every skip with its reason instead.
	rc.SilenceSkips = !cfg.Verbose

	passed := RunSpecs(noTestingT{}, SuiteDescription, sc, rc)
	s := Summarize(report)
	s.Seed, s.SeedRandom, s.Target = t.Seed, target.Seed == 0, delivery.MaskURL(t.URL)
	s.SuiteFailures = append(s.SuiteFailures, reportErrs...)
	s.ReportErrors = reportErrs
	s.Succeeded = passed && s.Failed == 0 && len(reportErrs) == 0
	return s, nil
}

// PropertyWarning names the JUnit testsuite property of each warning of the
// run (the slow-answer one, say): CI shows properties, not the console.
const PropertyWarning = "coperniq.warning"

// writeJUnit writes Ginkgo's JUnit report of r with a property per warning
// on the test suite, and each warning in its system-out.
func writeJUnit(r types.Report, path string, warnings []string) error {
	// Ginkgo ignores its write errors (a full disk gave a silent exit 0):
	// it writes a temporary file, and this copy checks every error.
	tmp, err := os.CreateTemp("", "coperniq-mock-junit-*.xml")
	if err != nil {
		return err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	if err := reporters.GenerateJUnitReportWithConfig(r, tmp.Name(), reporters.JunitReportConfig{}); err != nil {
		return err
	}
	data, err := os.ReadFile(tmp.Name())
	if err != nil {
		return err
	}
	if len(warnings) == 0 {
		return os.WriteFile(path, data, 0o644)
	}
	var suites reporters.JUnitTestSuites
	if err := xml.Unmarshal(data, &suites); err != nil {
		return err
	}
	for i := range suites.TestSuites {
		for _, w := range warnings {
			suites.TestSuites[i].Properties.Properties = append(suites.TestSuites[i].Properties.Properties,
				reporters.JUnitProperty{Name: PropertyWarning, Value: w})
		}
	}
	out, err := xml.MarshalIndent(suites, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte(xml.Header), append(out, '\n')...), 0o644)
}

// withSummaryNode is r with the summary node that Ginkgo's own JSON report
// would list, carrying the run's warnings as EntryWarning entries, so that
// Summarize of the JSON report read back finds them.
func withSummaryNode(r types.Report, warnings []string) types.Report {
	node := types.SpecReport{
		LeafNodeType: types.NodeTypeReportAfterSuite,
		LeafNodeText: "contract summary",
		State:        types.SpecStatePassed,
		StartTime:    r.EndTime,
		EndTime:      r.EndTime,
	}
	for _, w := range warnings {
		node.ReportEntries = append(node.ReportEntries, types.ReportEntry{
			Name:       EntryWarning,
			Time:       r.EndTime,
			Visibility: types.ReportEntryVisibilityAlways,
			Value:      types.WrapEntryValue(w),
		})
	}
	r.SpecReports = append(slices.Clone(r.SpecReports), node)
	return r
}
