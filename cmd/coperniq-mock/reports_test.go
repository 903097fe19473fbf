package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
)

// junitRules are the common JUnit XSD's (junit-10.xsd of Jenkins' xUnit
// plugin, which GitLab and the GitHub test-report actions also read)
// elements and attributes: the children each element may have, and its
// attributes, required ones marked with a trailing "!".
var junitRules = map[string]struct{ children, attrs []string }{
	"testsuites": {[]string{"testsuite"}, []string{"name", "time", "tests", "failures", "errors"}},
	"testsuite": {[]string{"testsuite", "properties", "testcase", "system-out", "system-err"},
		[]string{"name!", "tests!", "failures!", "errors!", "group", "time", "skipped", "timestamp", "hostname", "id", "package", "file", "log", "url"}},
	"properties": {[]string{"property"}, nil},
	"property":   {nil, []string{"name!", "value!"}},
	"testcase": {[]string{"skipped", "error", "failure", "rerunFailure", "rerunError", "flakyFailure", "flakyError", "system-out", "system-err"},
		[]string{"name!", "time", "classname", "group"}},
	"skipped":    {nil, []string{"type", "message"}},
	"error":      {nil, []string{"type", "message"}},
	"failure":    {nil, []string{"type", "message"}},
	"system-out": {nil, nil},
	"system-err": {nil, nil},
}

// surefireTime is the XSD's pattern for a time attribute.
var surefireTime = regexp.MustCompile(`^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?$`)

// junitCase is a test case as checkJUnit reads it.
type junitCase struct {
	suite, classname, name string
	failure, errorMsg      string // the message attributes
	failureText            string
	skipped                bool
	skipMsg                string // the skipped element's message: why
}

// checkJUnit checks a JUnit report against the XSD's rules (element and
// attribute names, required attributes, numbers where numbers go) and that
// its counts add up, and returns its test cases.
func checkJUnit(t *testing.T, data []byte) []junitCase {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []string
	var cases []junitCase
	type counts struct{ tests, failures, errors, skipped int }
	var total, sum, suite, inSuite counts
	var suiteName string
	attrInt := func(el string, a xml.Attr) int {
		n, err := strconv.Atoi(a.Value)
		if err != nil || n < 0 {
			t.Errorf("<%s %s=%q>: not a count", el, a.Name.Local, a.Value)
		}
		return n
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("JUnit report is not XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			name := el.Name.Local
			rule, known := junitRules[name]
			switch {
			case !known:
				t.Errorf("element <%s> is not in the JUnit XSD", name)
			case len(stack) == 0 && name != "testsuites":
				t.Errorf("root element <%s>, want <testsuites>", name)
			case len(stack) > 0 && !slices.Contains(junitRules[stack[len(stack)-1]].children, name):
				t.Errorf("<%s> inside <%s>", name, stack[len(stack)-1])
			}
			got := map[string]string{}
			for _, a := range el.Attr {
				got[a.Name.Local] = a.Value
				if !slices.Contains(rule.attrs, a.Name.Local) && !slices.Contains(rule.attrs, a.Name.Local+"!") {
					t.Errorf("<%s> has attribute %s, not in the JUnit XSD", name, a.Name.Local)
				}
				switch a.Name.Local {
				case "time":
					if _, err := strconv.ParseFloat(a.Value, 64); err != nil || !surefireTime.MatchString(a.Value) {
						t.Errorf("<%s time=%q>: not a time in seconds as the XSD has it", name, a.Value)
					}
				case "tests", "failures", "errors":
					if name == "testsuites" {
						*map[string]*int{"tests": &total.tests, "failures": &total.failures, "errors": &total.errors}[a.Name.Local] = attrInt(name, a)
					}
				}
			}
			for _, a := range rule.attrs {
				if strings.HasSuffix(a, "!") {
					if _, ok := got[strings.TrimSuffix(a, "!")]; !ok {
						t.Errorf("<%s> lacks the required attribute %s", name, strings.TrimSuffix(a, "!"))
					}
				}
			}
			switch name {
			case "testsuite":
				suite, inSuite, suiteName = counts{}, counts{}, got["name"]
				for _, a := range el.Attr {
					switch a.Name.Local {
					case "tests":
						suite.tests = attrInt(name, a)
					case "failures":
						suite.failures = attrInt(name, a)
					case "errors":
						suite.errors = attrInt(name, a)
					case "skipped":
						suite.skipped = attrInt(name, a)
					}
				}
			case "testcase":
				inSuite.tests++
				cases = append(cases, junitCase{suite: suiteName, classname: got["classname"], name: got["name"]})
			case "failure":
				inSuite.failures++
				cases[len(cases)-1].failure = got["message"]
			case "error":
				inSuite.errors++
				cases[len(cases)-1].errorMsg = got["message"]
			case "skipped":
				inSuite.skipped++
				cases[len(cases)-1].skipped = true
				cases[len(cases)-1].skipMsg = got["message"]
			}
			stack = append(stack, name)
		case xml.CharData:
			if len(stack) > 0 && stack[len(stack)-1] == "failure" {
				cases[len(cases)-1].failureText += string(el)
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			if el.Name.Local == "testsuite" {
				if suite != inSuite {
					t.Errorf("testsuite %q says %+v, holds %+v", suiteName, suite, inSuite)
				}
				sum.tests += suite.tests
				sum.failures += suite.failures
				sum.errors += suite.errors
				sum.skipped += suite.skipped
			}
		}
	}
	// <testsuites> has no skipped attribute in the XSD.
	sum.skipped = 0
	if total != sum {
		t.Errorf("<testsuites> says %+v, its suites add up to %+v", total, sum)
	}
	for _, c := range cases {
		if c.classname != c.suite || strings.Contains(c.name, "[It]") || c.name == "" {
			t.Errorf("test case %q (classname %q) in suite %q", c.name, c.classname, c.suite)
		}
		if strings.Contains(c.failure+c.errorMsg, "\n") {
			t.Errorf("test case %q: the failure message is not one line: %q", c.name, c.failure+c.errorMsg)
		}
	}
	return cases
}

// checkJSONReport validates a JSON report against the schema published in
// docs/ and returns it decoded.
func checkJSONReport(t *testing.T, data []byte) contract.JSONReport {
	t.Helper()
	schemaPath, err := filepath.Abs("../../docs/reports/verify-report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	schema, err := c.Compile(schemaPath)
	if err != nil {
		t.Fatalf("the published schema: %v", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the JSON report is not JSON: %v", err)
	}
	if err := schema.Validate(doc); err != nil {
		t.Errorf("the JSON report does not validate against docs/reports/verify-report.schema.json: %#v", err)
	}
	// The schema allows unknown fields (readers ignore them), so a field
	// the report gained without the schema describing it passes Validate.
	var published struct{ Properties map[string]any }
	if text, err := os.ReadFile(schemaPath); err != nil || json.Unmarshal(text, &published) != nil {
		t.Fatalf("the published schema: %v", err)
	}
	for key := range doc.(map[string]any) {
		if _, ok := published.Properties[key]; !ok {
			t.Errorf("the JSON report's field %q is not described in docs/reports/verify-report.schema.json", key)
		}
	}
	rep, err := contract.ReadJSONReport(data)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// checkNoCheckoutPath fails when an output names a path of this checkout
// (the binary is built with -trimpath: Ginkgo's code locations would show
// it otherwise) or, besides, any of the strings in also.
func checkNoCheckoutPath(t *testing.T, outputs map[string]string, also ...string) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range outputs {
		for _, p := range append([]string{root}, also...) {
			if strings.Contains(out, p) {
				i := strings.Index(out, p)
				t.Errorf("%s shows %q: ...%s...", name, p, out[max(0, i-80):min(len(out), i+80)])
			}
		}
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// A failing run: the console, the JUnit and the JSON report name the
// failing specs with a one-line reason, leave out the specs --focus did not
// select, agree on the counts and show no path of the checkout.
func TestVerifyFailingRunReports(t *testing.T) {
	rc := testreceivers.New(testreceivers.Config{Token: verifyToken, Fault: testreceivers.Fail500ForTrigger, Trigger: "TASK_CREATED"})
	srv := httptest.NewServer(rc)
	defer srv.Close()
	dir := t.TempDir()
	junit, jsonPath := filepath.Join(dir, "contract.xml"), filepath.Join(dir, "contract.json")
	r := cli(t, "", verifyArgs(srv, "--focus", "work order", "--junit-report", junit, "--json-report", jsonPath)...).want(t, 1)

	header := fmt.Sprintf("Coperniq contract of %s/webhooks/coperniq (seed 1)\nrunning 12 of ", srv.URL)
	if !strings.HasPrefix(r.stdout, header) || !strings.Contains(r.stdout, " specs (") || !strings.Contains(r.stdout, " not selected by --focus/--skip)\n") {
		t.Errorf("stdout does not start with our header %q:\n%s", header, r.stdout[:min(len(r.stdout), 400)])
	}
	for _, internal := range []string{"Running Suite", "Random Seed", "Will run", "[It]", "[FAILED]", "In [It] at"} {
		if strings.Contains(r.stdout, internal) {
			t.Errorf("stdout shows Ginkgo's %q without --verbose", internal)
		}
	}
	realistic := "TASK_CREATED " + contract.SpecRealistic
	if !strings.Contains(r.stdout, "FAIL work order triggers "+realistic+" (") {
		t.Errorf("stdout does not name the failed spec:\n%s", r.stdout)
	}

	xmlData := readFile(t, junit)
	cases := checkJUnit(t, xmlData)
	if len(cases) != 12 {
		t.Errorf("the JUnit report lists %d test cases, want the 12 selected", len(cases))
	}
	failed := map[string]junitCase{}
	for _, c := range cases {
		if c.failure != "" {
			failed[c.name] = c
		}
	}
	c, ok := failed[realistic]
	if len(failed) != 4 || !ok || c.classname != "work order triggers" {
		t.Fatalf("JUnit failures %v, want the 4 TASK_CREATED specs", failed)
	}
	if want := "TASK_CREATED (realistic, seed 1) was not acknowledged: 500 Internal Server Error"; c.failure != want {
		t.Errorf("failure@message %q, want %q", c.failure, want)
	}
	if !strings.Contains(c.failureText, "reproduce:\n  coperniq-mock send TASK_CREATED --seed 1 --profile realistic") {
		t.Errorf("the failure's text lacks the reproducer:\n%s", c.failureText)
	}

	jsonData := readFile(t, jsonPath)
	rep := checkJSONReport(t, jsonData)
	total := rep.Totals.Total
	if want := fmt.Sprintf("running 12 of %d specs (%d not selected by --focus/--skip)\n", total, total-12); !strings.Contains(r.stdout, want) {
		t.Errorf("the header does not say %q", want)
	}
	if rep.Verdict.Exit != 1 || rep.Totals != (contract.JSONCounts{Total: total, Passed: 8, Failed: 4, NotSelected: total - 12}) || len(rep.Specs) != 12 {
		t.Errorf("JSON verdict %+v, totals %+v, %d specs", rep.Verdict, rep.Totals, len(rep.Specs))
	}
	for _, s := range rep.Specs {
		if s.Verdict == contract.SpecFailed && (s.Trigger != "TASK_CREATED" || s.Group != "work order triggers" || strings.Contains(s.Reason, "\n") || len(s.Reproduce) == 0) {
			t.Errorf("failed spec %+v", s)
		}
	}
	checkNoCheckoutPath(t, map[string]string{"stdout": r.stdout, "stderr": r.stderr, "JUnit": string(xmlData), "JSON": string(jsonData)}, ".go:")

	// --verbose shows Ginkgo's own output (whose header names the working
	// directory), with code locations inside the module, not the checkout.
	r = cli(t, "", verifyArgs(srv, "--focus", "TASK_CREATED", "--verbose")...).want(t, 1)
	for _, w := range []string{"Running Suite: Coperniq receiver contract", fmt.Sprintf("Will run 4 of %d specs", total), "github.com/coperniq-mock/coperniq-mock/contract/specs.go:"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("--verbose stdout lacks %q", w)
		}
	}
	root, _ := filepath.Abs("../..")
	if strings.Contains(r.stdout, filepath.Join(root, "contract")) {
		t.Errorf("--verbose stdout shows the checkout's source paths")
	}
}
