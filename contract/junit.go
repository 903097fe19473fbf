package contract

import (
	"encoding/xml"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

// The JUnit report (verify --junit-report) is written here rather than by
// Ginkgo's reporter, whose report CI systems show poorly: one classname for
// every spec, "[It]" in every name, the whole failure as the message, a
// timeline of every passed spec, the build's source paths and the specs
// left out by --focus. This one follows the common JUnit XSD (Jenkins'
// junit-10.xsd, which GitLab, GitHub test reporters and Jenkins read):
//
//   - one testsuite per group (a trigger family, "every delivery", ...), and
//     the group as every test case's classname;
//   - test case names below the group ("TASK_CREATED acknowledges ..."): the
//     group and name together are the spec's name, which --focus matches;
//   - a failure's first line as failure@message, the whole failure as its
//     text; a failure caused by the setup (the inspect hook, stale state) is
//     an <error>, not a <failure>: the receiver was not judged;
//   - nothing but the name and time for a passed spec;
//   - the specs left out by --focus/--skip omitted; skipped specs carry the
//     reason, those an abort or an interruption (Ctrl-C, SIGTERM) left
//     included ("not run: ..."), the one interrupted while it ran too: it
//     is not a failure; no "disabled" count, which the XSD does not have
//     (Ginkgo put its skips there, and they disagreed with "skipped");
//   - the run's target (masked), seed, warnings and an unverified
//     certificate as properties.

// Properties of every testsuite of the JUnit report.
const (
	PropertyTarget  = "coperniq.target"
	PropertySeed    = "coperniq.seed"
	PropertyWarning = "coperniq.warning"
	// PropertyInsecure is "true" when the receiver's TLS certificate was
	// not verified (--insecure), absent otherwise.
	PropertyInsecure = "coperniq.insecure"
	// PropertyFailure is a failure outside the specs (a report that could
	// not be written, a reason Ginkgo gives the suite), on the testsuite
	// "suite"; an interruption is not one.
	PropertyFailure = "coperniq.suite-failure"
)

// GroupSuite names the testsuite that holds failures outside the specs,
// present only when there are some.
const GroupSuite = "suite"

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	ID         int             `xml:"id,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitMessage `xml:"skipped"`
	Error     *junitMessage `xml:"error"`
	Failure   *junitMessage `xml:"failure"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }

// junitReport builds the JUnit report of a run.
func junitReport(r types.Report, f Findings) junitSuites {
	specs := results(r)
	props := runProperties(f.Target, f.Seed, f.Insecure)
	for _, w := range f.Warnings {
		props = append(props, junitProperty{PropertyWarning, w})
	}
	stamp := r.StartTime.UTC().Format("2006-01-02T15:04:05")
	out := junitSuites{Name: SuiteDescription, Time: seconds(r.RunTime)}
	for _, g := range groupOrder(specs) {
		suite := junitSuite{Name: g, Timestamp: stamp, Properties: props}
		var took time.Duration
		for _, s := range specs {
			if s.group != g {
				continue
			}
			name := s.leaf
			if s.subject != "" {
				name = s.subject + " " + s.leaf
			}
			c := junitCase{Name: name, Classname: g, Time: seconds(s.runTime)}
			switch {
			case s.verdict == SpecSkipped:
				c.Skipped = &junitMessage{Message: s.reason}
				suite.Skipped++
			case s.verdict == SpecFailed && s.setup != "":
				c.Error = &junitMessage{Message: s.reason, Type: s.setup, Text: s.detail}
				suite.Errors++
			case s.verdict == SpecFailed:
				c.Failure = &junitMessage{Message: s.reason, Type: SpecFailed, Text: s.detail}
				suite.Failures++
			}
			took += s.runTime
			suite.Cases = append(suite.Cases, c)
		}
		if len(suite.Cases) == 0 {
			continue
		}
		suite.Tests, suite.Time, suite.ID = len(suite.Cases), seconds(took), len(out.Suites)
		out.Suites = append(out.Suites, suite)
	}
	if len(f.SuiteFailures) > 0 {
		suite := junitSuite{Name: GroupSuite, Timestamp: stamp, Properties: props, Tests: 1, Errors: 1, Time: seconds(0), ID: len(out.Suites)}
		c := junitCase{Name: "run", Classname: GroupSuite, Time: seconds(0)}
		c.Error = &junitMessage{Message: fmt.Sprintf("%d failures outside the specs", len(f.SuiteFailures)), Type: GroupSuite}
		for _, sf := range f.SuiteFailures {
			c.Error.Text += sf + "\n"
		}
		suite.Cases = []junitCase{c}
		out.Suites = append(out.Suites, suite)
	}
	for _, s := range out.Suites {
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
	}
	return out
}

// runProperties are the properties of every testsuite that describe the
// run rather than its outcome.
func runProperties(target string, seed uint64, insecure bool) []junitProperty {
	props := []junitProperty{{PropertyTarget, target}, {PropertySeed, strconv.FormatUint(seed, 10)}}
	if insecure {
		props = append(props, junitProperty{PropertyInsecure, "true"})
	}
	return props
}

// writeJUnit writes the JUnit report of a run to path.
func writeJUnit(path string, r types.Report, f Findings) error {
	data, err := xml.MarshalIndent(junitReport(r, f), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte(xml.Header), append(data, '\n')...), 0o644)
}
