package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
)

// holdingReceiver answers 500 to the deliveries of trigger failing (none
// when empty), 200 to none, and holds every other delivery until its
// client gives up or the test ends: a receiver slow enough to be
// interrupted mid-spec. held is closed at the first delivery it holds.
func holdingReceiver(t *testing.T, failing string) (srv *httptest.Server, held <-chan struct{}) {
	t.Helper()
	first, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var p struct {
			Event struct{ TriggerKey string } `json:"event"`
		}
		_ = json.NewDecoder(req.Body).Decode(&p)
		if failing != "" && p.Event.TriggerKey == failing {
			http.Error(w, "no handler for "+failing, http.StatusInternalServerError)
			return
		}
		once.Do(func() { close(first) })
		select {
		case <-req.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close) // after release: Close waits for the held requests
	t.Cleanup(func() { close(release) })
	return srv, first
}

// interrupted runs verify with args against srv, sends it sig once srv
// holds a delivery, and returns its stdout, stderr's last line and exit
// code, and its JSON and JUnit reports.
func interrupted(t *testing.T, held <-chan struct{}, sig os.Signal, args ...string) (stdout, last string, code int, rep contract.JSONReport, cases []junitCase) {
	t.Helper()
	dir := t.TempDir()
	jsonPath, junitPath := filepath.Join(dir, "contract.json"), filepath.Join(dir, "contract.xml")
	p := start(t, append(args, "--json-report", jsonPath, "--junit-report", junitPath, "--progress", "0s", "--timeout", "60s")...)
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		t.Fatalf("the receiver held no delivery within 30s; stderr:\n%s", p.stderr)
	}
	begin := time.Now()
	rest, code := p.stop(t, sig)
	if took := time.Since(begin); took > 15*time.Second {
		t.Errorf("verify took %s to end after the signal", took)
	}
	return rest, lastLine(p.stderr.String()), code, readReport(t, jsonPath), checkJUnit(t, readFile(t, junitPath))
}

// selectedInHeader is N of the console header's "running N of M specs".
func selectedInHeader(t *testing.T, stdout string) int {
	t.Helper()
	m := regexp.MustCompile(`(?m)^running (\d+) of \d+ specs`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no header with the selected count:\n%s", stdout)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// A Ctrl-C (or SIGTERM) in the middle of a run is no verdict on the
// receiver: exit 2, the spec it stopped is not failed, the specs left are
// "not run", apart from those --focus left out, alike in the console, the
// JUnit and the JSON reports.
func TestVerifyInterruptedIsNotJudged(t *testing.T) {
	// The summary names the signal: a CI's timeout sends SIGTERM, and
	// "Interrupted by User" (Ginkgo's word for both) would blame a user.
	for sig, name := range map[os.Signal]string{os.Interrupt: "Ctrl-C or SIGINT", syscall.SIGTERM: "SIGTERM"} {
		t.Run(sig.String(), func(t *testing.T) {
			srv, held := holdingReceiver(t, "")
			stdout, last, code, rep, cases := interrupted(t, held, sig, "verify", "--target", srv.URL+"/hook", "--seed", "1", "--focus", "every delivery")
			n := rep.Totals.Total - rep.Totals.NotSelected
			want := fmt.Sprintf("coperniq-mock: the receiver was not judged: interrupted after 0 of %d specs (0 passed, 0 failed before the interruption; %d not run)", n, n)
			if code != 2 || last != want {
				t.Errorf("exit %d, last line %q; want 2, %q\nstdout:\n%s", code, last, want, stdout)
			}
			if said := fmt.Sprintf("\ninterrupted (%s) after 0 of %d specs: %d not run\n", name, n, n); !strings.Contains(stdout, said) {
				t.Errorf("stdout lacks %q:\n%s", said, stdout)
			}
			checkInterruptedReports(t, stdout, rep, cases, 0)
		})
	}
}

// A spec that failed before the interruption is still a finding: exit 1,
// and the message says the run was interrupted.
func TestVerifyInterruptedAfterAFailure(t *testing.T) {
	srv, held := holdingReceiver(t, "TASK_CREATED")
	stdout, last, code, rep, cases := interrupted(t, held, os.Interrupt, "verify", "--target", srv.URL+"/hook", "--seed", "1",
		"--focus", "TASK_CREATED acknowledges", "--focus", contract.SpecDeadline)
	want := "coperniq-mock: the receiver breaks the contract: 4 of 4 specs failed before the run was interrupted after 4 of 5 specs; 1 not run"
	if code != 1 || last != want {
		t.Errorf("exit %d, last line %q; want 1, %q\nstdout:\n%s", code, last, want, stdout)
	}
	if !strings.Contains(stdout, "FAIL work order triggers TASK_CREATED acknowledges its realistic payload") {
		t.Errorf("the failure found before the interruption is not shown:\n%s", stdout)
	}
	checkInterruptedReports(t, stdout, rep, cases, 4)
}

// An interruption does not hide why a spec would have been skipped anyway:
// the token specs of a target given no --token-param keep that reason
// (were "not run: the run was interrupted"), in the console, the JSON and
// the JUnit reports, and are not counted as not run.
func TestVerifyInterruptedKeepsSkipReasons(t *testing.T) {
	srv, held := holdingReceiver(t, "")
	stdout, last, code, rep, cases := interrupted(t, held, syscall.SIGTERM, "verify", "--target", srv.URL+"/hook", "--seed", "1",
		"--focus", contract.GroupDelivery+"|"+contract.GroupToken)
	if code != 2 || !strings.Contains(last, ", 3 skipped before the interruption; ") {
		t.Errorf("exit %d, last line %q; want 2, the token specs skipped", code, last)
	}
	if want := "\n  " + contract.GroupToken + " (3): " + contract.SkipNoToken + "\n"; !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
	token := 0
	for _, s := range rep.Specs {
		if s.Group == contract.GroupToken {
			token++
			if s.Verdict != contract.SpecSkipped || s.Reason != contract.SkipNoToken {
				t.Errorf("JSON: %s: %s %q, want skipped %q", s.Name, s.Verdict, s.Reason, contract.SkipNoToken)
			}
		}
	}
	junitToken := 0
	for _, c := range cases {
		if c.classname == contract.GroupToken {
			junitToken++
			if !c.skipped || c.skipMsg != contract.SkipNoToken {
				t.Errorf("JUnit: %s: skipped %v %q, want %q", c.name, c.skipped, c.skipMsg, contract.SkipNoToken)
			}
		}
	}
	if token != 3 || junitToken != 3 {
		t.Errorf("%d token specs in the JSON report, %d in the JUnit one; want 3", token, junitToken)
	}
}

// checkInterruptedReports checks that the console, the JUnit and the JSON
// reports of an interrupted run agree: failed specs only those that
// failed, the interrupted one and those never run skipped as "not run",
// the specs --focus left out in none of them.
func checkInterruptedReports(t *testing.T, stdout string, rep contract.JSONReport, cases []junitCase, failed int) {
	t.Helper()
	tot := rep.Totals
	selected := tot.Total - tot.NotSelected
	if header := selectedInHeader(t, stdout); header != selected || tot.NotSelected == 0 || tot.Failed != failed || tot.Passed+tot.Failed+tot.Skipped != selected {
		t.Errorf("totals %+v; the header ran %d", tot, header)
	}
	if len(rep.Specs) != selected || len(cases) != selected {
		t.Errorf("%d specs in the JSON report, %d test cases in the JUnit one; %d selected", len(rep.Specs), len(cases), selected)
	}
	midway, notRun := 0, 0
	for _, s := range rep.Specs {
		switch {
		case s.Verdict == contract.SpecSkipped && s.Reason == "interrupted while it ran: not judged":
			midway++
		case s.Verdict == contract.SpecSkipped && s.Reason == "not run: the run was interrupted":
			notRun++
		case s.Verdict != contract.SpecFailed:
			t.Errorf("spec %q: %s %q", s.Name, s.Verdict, s.Reason)
		}
	}
	if midway != 1 || midway+notRun+failed != selected {
		t.Errorf("%d interrupted while they ran, %d not run, %d failed; %d selected", midway, notRun, failed, selected)
	}
	junitFailed, skipped := 0, 0
	for _, c := range cases {
		switch {
		case c.failure != "":
			junitFailed++
		case c.errorMsg != "":
			t.Errorf("test case %q: error %q", c.name, c.errorMsg)
		case c.skipped && strings.Contains(c.skipMsg, "interrupted"):
			skipped++
		default:
			t.Errorf("test case %q neither failed nor skipped for the interruption: %+v", c.name, c)
		}
	}
	if junitFailed != failed || skipped != selected-failed {
		t.Errorf("JUnit: %d failed, %d skipped for the interruption; want %d, %d", junitFailed, skipped, failed, selected-failed)
	}
	if rep.Verdict.Exit != map[bool]int{true: 1, false: 2}[failed > 0] || len(rep.SuiteFailures) != 0 {
		t.Errorf("JSON verdict %+v, suite failures %q", rep.Verdict, rep.SuiteFailures)
	}
	// The console: the interrupted spec is not a FAIL, the table has the
	// specs left out apart, and its figures are the reports'.
	total := regexp.MustCompile(`(?m)^total\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$`).FindStringSubmatch(stdout)
	if total == nil || total[1] != fmt.Sprint(tot.Passed) || total[2] != fmt.Sprint(tot.Failed) || total[3] != fmt.Sprint(tot.Skipped) || total[4] != fmt.Sprint(tot.NotSelected) {
		t.Errorf("total row %q, totals %+v:\n%s", total, tot, stdout)
	}
	if !strings.Contains(stdout, "\nINTERRUPTED ") || strings.Count(stdout, "\nFAIL ") != failed || strings.Contains(stdout, "suite failure") ||
		!strings.Contains(stdout, fmt.Sprintf("\n%d specs not selected by --focus/--skip\n", tot.NotSelected)) ||
		!strings.Contains(stdout, fmt.Sprintf(" specs: %d not run\n", selected-failed)) {
		t.Errorf("stdout:\n%s", stdout)
	}
}

// A run whose every selected spec was skipped tested nothing: exit 2, with
// the reasons; one where some ran and others were skipped still passes.
func TestVerifyAllSkippedIsNotJudged(t *testing.T) {
	srv := httptest.NewServer(testreceivers.New(testreceivers.Config{}))
	defer srv.Close()
	target := srv.URL + "/webhooks/coperniq"
	r := cli(t, "", "verify", "--target", target, "--seed", "1", "--focus", "token in the URL").want(t, 2)
	want := "coperniq-mock: the receiver was not judged: no selected spec ran, 3 specs skipped: token in the URL (3): " + contract.SkipNoToken
	if got := lastLine(r.stderr); got != want {
		t.Errorf("last line %q, want %q", got, want)
	}
	if strings.Contains(r.stdout, "PASS") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	r = cli(t, "", "verify", "--target", target, "--seed", "1", "--inspect", srv.URL+testreceivers.InspectPath+"{eventId}", "--focus", "final state").want(t, 2)
	if got := lastLine(r.stderr); !strings.HasPrefix(got, "coperniq-mock: the receiver was not judged: no selected spec ran, ") || !strings.Contains(got, "final state (") {
		t.Errorf("last line %q", got)
	}
	r = cli(t, "", "verify", "--target", target, "--seed", "1", "--focus", "token in the URL|work order triggers TASK_CREATED").want(t, 0)
	if got := lastLine(r.stdout); !regexp.MustCompile(`^PASS: 4 specs passed, 3 skipped, \d+ not selected$`).MatchString(got) {
		t.Errorf("last line %q", got)
	}
}

// A CI job cancelled while verify starts up must not be recorded green.
// Ginkgo listens for signals only once the suite's tree is built (about
// 100 ms in); a SIGTERM before that was caught by verify alone, and the
// run went on to "PASS", exit 0. The signal is sent ever later until a run
// is interrupted after its specs began: every run before is killed by the
// signal (it came before verify listened) or not judged, exit 2.
func TestVerifySignalWhileStartingIsNeverAPass(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		select { // slow enough that no run ends before its signal
		case <-req.Context().Done():
		case <-time.After(300 * time.Millisecond):
		}
	}))
	defer srv.Close()
	runs, judged := 0, false
	for after := time.Duration(0); after < 5*time.Second && !judged; after += 15 * time.Millisecond {
		p := start(t, "verify", "--target", srv.URL+"/hook", "--seed", "5", "--focus", "call triggers", "--progress", "0s")
		time.Sleep(after)
		stdout, code := p.stop(t, syscall.SIGTERM)
		runs++
		last := lastLine(p.stderr.String())
		switch {
		case code == -1: // killed: the signal came before verify listened
		case code == 2 && strings.HasPrefix(last, "coperniq-mock: the receiver was not judged: interrupted "):
			judged = strings.Contains(last, "interrupted after")
		default:
			t.Fatalf("SIGTERM %s after the start: exit %d, %q; want killed by it, or exit 2 not judged\nstdout:\n%s", after, code, last, stdout)
		}
	}
	if !judged {
		t.Fatalf("no run in %d was interrupted after its specs began", runs)
	}
}
