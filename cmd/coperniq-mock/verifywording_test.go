package main

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// An inspect hook that says every event was applied fails the payload
// specs before any delivery (the hook probe), and the verdict counts them
// as specs, in the words verify --help uses: "counting specs" is the
// package's name for the duplicate, retry and lifecycle specs, none of
// which ran.
func TestVerifyHookProbeVerdictNamesNoCountingSpecs(t *testing.T) {
	srv := httptest.NewServer(testreceivers.New(testreceivers.Config{Fault: testreceivers.HookAlwaysOne}))
	defer srv.Close()
	r := cli(t, "", "verify", "--target", srv.URL+"/hook", "--inspect", srv.URL+testreceivers.InspectPath+"{eventId}",
		"--focus", contract.FamilyText(schemas.FamilyWorkOrder), "--seed", "1").want(t, 2)
	verdict := regexp.MustCompile(`the receiver was not judged: (\d+) specs could not count the receiver's applications, since the inspect hook at GET \S+ said 1 for eventId \d+, an event this run never sends`)
	if !verdict.MatchString(r.stderr) {
		t.Errorf("stderr lacks the verdict %q:\n%s", verdict, r.stderr)
	}
	if out := r.stdout + r.stderr; strings.Contains(out, "counting spec") {
		t.Errorf("the run says \"counting spec\", which verify --help never defines:\n%s", out)
	}
}

// A run of one spec says "1 spec", in its verdict and its summary: it said
// "PASS: 1 specs passed".
func TestVerifyOneSpecIsSingular(t *testing.T) {
	srv := httptest.NewServer(testreceivers.New(testreceivers.Config{}))
	defer srv.Close()
	r := cli(t, "", "verify", "--target", srv.URL+"/hook", "--focus", contract.SpecUnknownTrigger, "--seed", "1").want(t, 0)
	has(t, "verify of one spec", r.stdout, "PASS: 1 spec passed, 0 skipped, ")
	hasNot(t, "verify of one spec", r.stdout+r.stderr, " 1 specs")
}
