package main

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

const verifyToken = "token=s3cret-verify"

// verifyArgs are the flags of a quick, complete run against srv.
func verifyArgs(srv *httptest.Server, extra ...string) []string {
	return append([]string{"verify",
		"--target", srv.URL + "/webhooks/coperniq",
		"--token-param", verifyToken,
		"--inspect", srv.URL + testreceivers.InspectPath + "{eventId}",
		"--deadline", "2s", "--burst", "10", "--inspect-timeout", "2s", "--settle", "50ms",
		"--scenario", "work-order-lifecycle", "--scenario", "call-logged", "--seed", "1",
	}, extra...)
}

// readReport reads verify's JSON report, checked against its schema.
func readReport(t *testing.T, path string) contract.JSONReport {
	t.Helper()
	return checkJSONReport(t, readFile(t, path))
}

func TestVerifyReferenceReceiverPasses(t *testing.T) {
	rc := testreceivers.New(testreceivers.Config{Token: verifyToken})
	srv := httptest.NewServer(rc)
	defer srv.Close()
	dir := t.TempDir()
	junit := filepath.Join(dir, "reports", "contract.xml")
	jsonReport := filepath.Join(dir, "contract.json")
	r := cli(t, "", verifyArgs(srv, "--junit-report", junit, "--json-report", jsonReport)...).want(t, 0)

	has(t, "stdout", r.stdout,
		"Coperniq contract of "+srv.URL+"/webhooks/coperniq (seed 1)\nrunning ",
		"group", "passed", "failed", "skipped",
		"work order triggers", "project triggers", "request triggers", "appointment triggers", "call triggers",
		contract.GroupDelivery, contract.GroupToken, contract.GroupIdempotency, contract.GroupLifecycle,
		"answer time: p50 ", "PASS: ",
	)
	if strings.Contains(r.stdout+r.stderr, "s3cret") {
		t.Error("the token was printed")
	}

	data := readFile(t, junit)
	cases := checkJUnit(t, data)
	// The header, the JUnit and the JSON report agree on how many specs
	// ran: all of them.
	// This receiver serves no state hook: the final-state specs are
	// skipped for that reason, and every other spec passes.
	rep := readReport(t, jsonReport)
	stateSkipped := 0
	for _, c := range cases {
		if c.skipped && (c.classname == contract.GroupState || c.classname == contract.GroupAPI) { // no state hook, no --api
			stateSkipped++
		}
	}
	if all := rep.Totals.Total; len(cases) != all || rep.Totals.Passed+stateSkipped != all || rep.Totals.Skipped != stateSkipped || !strings.Contains(r.stdout, fmt.Sprintf("\nrunning %d specs\n", all)) {
		t.Errorf("JUnit: %d test cases (%d final-state skipped), JSON: %+v, header:\n%.200s", len(cases), stateSkipped, rep.Totals, r.stdout)
	}
	for _, c := range cases {
		if c.failure != "" || c.errorMsg != "" || c.skipped && c.classname != contract.GroupState && c.classname != contract.GroupAPI {
			t.Errorf("JUnit: test case %+v did not pass", c)
		}
	}
	// A passed spec is its name and time: no Ginkgo timeline.
	if len(data) > 30_000 {
		t.Errorf("the JUnit report of a passing run is %d bytes", len(data))
	}

	// Every spec names a command that sends its deliveries again, and
	// every delivery's reproducer sends the bytes the spec sent.
	for _, spec := range rep.Specs {
		if len(spec.Reproduce) == 0 && spec.Verdict != contract.SpecSkipped {
			t.Errorf("spec %q has no reproducer", spec.Name)
		}
	}
	if n := checkReproducers(t, rep); n < 100 {
		t.Errorf("only %d reproducers tried", n)
	}
}

// TestVerifyDeliveryCountAddsUp: the deliveries verify reports (the answer
// time's count on the console and in the JSON report, with the ones it
// leaves out named) add up to the requests the receiver got, so a user
// can reconcile the two: the one the sender hangs up on on purpose, the
// final-state specs' retries, the --api specs' deliveries and those made
// ahead of specs that a --max-late stop left unjudged are named, not
// silently missing.
func TestVerifyDeliveryCountAddsUp(t *testing.T) {
	for _, tc := range []struct {
		name string
		// serve answers the webhook's POSTs, the nth (from 1) as it likes.
		serve func(n int64, w http.ResponseWriter, r *http.Request, h http.Handler)
		h     http.Handler
		path  string
		env   []string
		args  func(url string) []string
		exit  int
		// says is a part of the left-out deliveries the console names.
		says string
	}{
		{name: "reference receiver", h: testreceivers.New(testreceivers.Config{Token: verifyToken}), path: "/webhooks/coperniq",
			args: func(url string) []string {
				return verifyArgs(&httptest.Server{URL: url})
			}, says: "+1 abandoned on purpose"},
		{name: "final-state retries", h: testreceivers.NewState(testreceivers.NewestWins), path: "/webhooks/coperniq",
			serve: func(n int64, w http.ResponseWriter, r *http.Request, h http.Handler) {
				if n%4 == 0 {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				h.ServeHTTP(w, r)
			},
			args: func(url string) []string {
				return stateArgs(&httptest.Server{URL: url}, "--state", url+testreceivers.StatePath+"{recordId}")
			}},
		{name: "--api", h: nil, path: "/hook", env: []string{"COPERNIQ_MOCK_API_KEY=k-cli"},
			says: "not recorded: the --api specs keep no record of their deliveries)"},
		{name: "--max-late stop", h: testreceivers.New(testreceivers.Config{Token: verifyToken}), path: "/webhooks/coperniq",
			serve: func(n int64, w http.ResponseWriter, r *http.Request, h http.Handler) {
				if n > 20 {
					time.Sleep(300 * time.Millisecond) // past --deadline
				}
				h.ServeHTTP(w, r)
			},
			args: func(url string) []string {
				return append(verifyArgs(&httptest.Server{URL: url}), "--deadline", "100ms", "--max-late", "3")
			}, exit: 1, says: "not recorded: made for specs the stop left unjudged"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var addr string
			h := tc.h
			if h == nil {
				addr = closedPort(t)
				h = testreceivers.NewAPIReceiver("http://"+addr, "k-cli", testreceivers.APICorrect)
				tc.args = func(url string) []string { return apiArgs(url+"/hook", contract.GroupAPI, "--api", addr) }
			}
			var n atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != tc.path {
					h.ServeHTTP(w, r)
					return
				}
				nth := n.Add(1)
				if tc.serve == nil {
					h.ServeHTTP(w, r)
					return
				}
				tc.serve(nth, w, r, h)
			}))
			defer srv.Close()
			jsonReport := filepath.Join(t.TempDir(), "contract.json")
			r := cliEnv(t, tc.env, append(tc.args(srv.URL), "--json-report", jsonReport)...).want(t, tc.exit)
			srv.Close() // every request the binary made has been served
			got := n.Load()
			m := regexp.MustCompile(`\nanswer time: (?:[^\n]* over (\d+) deliver(?:y|ies)|no delivery was timed)( \([^\n]*\))?\n`).FindStringSubmatch(r.stdout)
			if m == nil {
				t.Fatalf("no answer time line:\n%s", r.stdout)
			}
			timed, _ := strconv.Atoi(m[1])
			said := int64(timed)
			for _, left := range regexp.MustCompile(`\+(\d+) `).FindAllStringSubmatch(m[2], -1) {
				k, _ := strconv.Atoi(left[1])
				said += int64(k)
			}
			t.Logf("the receiver got %d requests; verify said %q", got, strings.TrimSpace(m[0]))
			if said != got || !strings.Contains(m[2], tc.says) {
				t.Errorf("the console says %q (%d in all); the receiver got %d requests; want it to say %q", strings.TrimSpace(m[0]), said, got, tc.says)
			}
			rep := readReport(t, jsonReport)
			a := rep.AnswerTime
			if sum := a.Count + a.Abandoned + a.Unanswered + a.Malformed + a.Canceled + a.NotRecorded; a.Count != timed || int64(sum) != got {
				t.Errorf("the JSON report's answerTime %+v adds up to %d; the receiver got %d requests", a, sum, got)
			}
		})
	}
}

// checkReproducers runs the reproducer of every delivery in report against a
// capture receiver and checks that it sends the bytes the spec sent (by
// digest); it returns how many distinct reproducers it ran.
func checkReproducers(t *testing.T, report contract.JSONReport) int {
	t.Helper()
	capture := testreceivers.New(testreceivers.Config{})
	csrv := httptest.NewServer(capture)
	defer csrv.Close()
	received := map[string]map[string]bool{} // reproducer → digests it sent
	for _, spec := range report.Specs {
		for _, d := range spec.Deliveries {
			if _, ok := received[d.Reproduce]; !ok {
				args := shellWords(t, d.Reproduce)
				if len(args) < 4 || args[0] != "coperniq-mock" || args[len(args)-2] != "--target" ||
					(args[1] != "send" && (args[1] != "scenario" || args[2] != "run")) {
					t.Fatalf("reproducer %q is not a send or scenario run command", d.Reproduce)
				}
				args[len(args)-1] = csrv.URL + "/capture"
				before := len(capture.Received())
				cli(t, "", args[1:]...).want(t, 0)
				sent := map[string]bool{}
				for _, r := range capture.Received()[before:] {
					sent[r.SHA256()] = true
				}
				received[d.Reproduce] = sent
			}
			if !received[d.Reproduce][d.SHA256] {
				t.Errorf("%q does not send the bytes of eventId %d that the spec sent", d.Reproduce, d.EventID)
			}
		}
	}
	return len(received)
}

// shellWords splits a reproducer as a POSIX shell would: words, and single
// quotes with '\” for a quote inside.
func shellWords(t *testing.T, s string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted && c == '\'':
			quoted = false
		case quoted:
			cur.WriteByte(c)
		case c == '\'':
			quoted, inWord = true, true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case c == ' ':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unbalanced quote in %q", s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

func TestVerifyBrokenReceiverFails(t *testing.T) {
	rc := testreceivers.New(testreceivers.Config{Token: verifyToken, Fault: testreceivers.Fail500ForTrigger, Trigger: "TASK_CREATED"})
	srv := httptest.NewServer(rc)
	defer srv.Close()
	r := cli(t, "", verifyArgs(srv, "--focus", "TASK_CREATED")...).want(t, 1)
	if !strings.Contains(r.stderr, "the receiver breaks the contract: 4 of 4 specs failed") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	has(t, "stdout", r.stdout,
		"TASK_CREATED (minimal, seed 1) was not acknowledged: 500 Internal Server Error",
		"Coperniq retries every answer that is not a 2xx",
		"reproduce:\n    coperniq-mock send TASK_CREATED --seed 1 --profile minimal --set event.eventId=", // the run's eventId base
		" --target '"+srv.URL+"/webhooks/coperniq?token=***'",
		`"triggerKey": "TASK_CREATED"`, // the delivery, pretty
		"answer: 500 Internal Server Error in ",
		"Content-Type: application/json",
		`{"status":500}`,
		"failed:\n  work order triggers TASK_CREATED acknowledges its realistic payload with a 2xx",
	)
	if strings.Contains(r.stdout+r.stderr, "s3cret") {
		t.Error("the token was printed")
	}

	// A lifecycle replay breaks on the same trigger, and its reproducer
	// (a pinned `scenario run`) sends the same events.
	jsonReport := filepath.Join(t.TempDir(), "lifecycle.json")
	r = cli(t, "", verifyArgs(srv, "--focus", contract.GroupLifecycle, "--json-report", jsonReport)...).want(t, 1)
	has(t, "stdout", r.stdout,
		"Scenario work-order-lifecycle was delivered shuffled",
		"reproduce:\n    coperniq-mock scenario run work-order-lifecycle --seed ",
		" --retry none --duplicate 0 --jitter 0 --reorder ",
	)
	if n := checkReproducers(t, readReport(t, jsonReport)); n < 2 {
		t.Errorf("%d scenario reproducers tried", n)
	}
}

func TestVerifyInspectCommand(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	state := t.TempDir()
	srv := httptest.NewServer(testreceivers.New(testreceivers.Config{StateDir: state}))
	defer srv.Close()
	r := cli(t, "", "verify", "--target", srv.URL+"/hook", "--focus", contract.GroupIdempotency,
		"--inspect-cmd", `cat "`+state+`/$COPERNIQ_EVENT_ID" 2>/dev/null || echo 0`,
		"--inspect-timeout", "2s", "--settle", "50ms").want(t, 0)
	if !strings.Contains(r.stdout, "PASS: 4 specs passed") {
		t.Errorf("stdout:\n%s", r.stdout)
	}

	// The same receiver without a hook: those specs are skipped, with why,
	// and with none run the receiver was not judged.
	r = cli(t, "", "verify", "--target", srv.URL+"/hook", "--focus", contract.GroupIdempotency+"|"+contract.GroupToken).want(t, 2)
	for _, w := range []string{contract.SkipNoInspect, contract.SkipNoToken} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "the receiver was not judged: no selected spec ran, 7 specs skipped: ") || strings.Contains(r.stdout, "PASS") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
}

func TestVerifyUnreachableTarget(t *testing.T) {
	addr := closedPort(t)
	r := cli(t, "", "verify", "--target", "http://"+addr+"/hook?token=s3cret").want(t, 2)
	if want := "target http://" + addr + "/hook?token=*** is unreachable: connection refused"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q lacks %q", r.stderr, want)
	}
	if strings.Contains(r.stderr, "s3cret") || strings.Contains(r.stdout, "Coperniq contract of") {
		t.Errorf("token printed or suite run:\n%s\n%s", r.stdout, r.stderr)
	}
}

func TestVerifyBadUsage(t *testing.T) {
	srv := httptest.NewServer(testreceivers.New(testreceivers.Config{}))
	defer srv.Close()
	target := srv.URL + "/hook"
	closed := closedPort(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"verify"}, "--target URL is required"},
		{[]string{"verify", "--target", "ftp://x/hook"}, "--target: "},
		{[]string{"verify", "--target", target, "--inspect", "http://x/{eventId}", "--inspect-cmd", "echo 1"}, "--inspect and --inspect-cmd are exclusive"},
		{[]string{"verify", "--target", target, "--inspect", "http://x/events/{id}"}, "unknown placeholder {id}"},
		{[]string{"verify", "--target", target, "--inspect", "http://x/events"}, "has no {eventId} placeholder"},
		{[]string{"verify", "--target", target, "--inspect", "http://[::1/events/{eventId}"}, "--inspect: inspect hook http://[::1/events/{eventId} is not a URL: "},
		{[]string{"verify", "--target", target, "--inspect", "http://" + closed + "/events/{eventId}"}, "--inspect: inspect hook http://" + closed + "/events/{eventId} is unreachable: connection refused"},
		{[]string{"verify", "--target", target, "--settle", "soon"}, `invalid argument "soon" for "--settle" flag: want auto, 0 or a positive duration`},
		{[]string{"verify", "--target", target, "--settle", "-1s"}, `invalid argument "-1s" for "--settle" flag`},
		{[]string{"verify", "--target", target, "--token-param", "s3cretonly"}, `--token-param: token param has no "="`},
		{[]string{"verify", "--target", target, "--burst", "0"}, "--burst 0: want 1 to"},
		{[]string{"verify", "--target", target, "--deadline", "0s"}, "--timeout 0s: want a positive duration"}, // --deadline is --timeout's old name
		{[]string{"verify", "--target", target, "--seed", "0"}, "--seed 0: seeds start at 1"},
		{[]string{"verify", "--target", target, "--focus", "(unclosed"}, `--focus/--skip "(unclosed"`},
		{[]string{"verify", "--target", target, "--focus", "no spec is named like this"}, "selected no spec"},
		{[]string{"verify", "--target", target, "--deadlin", "1s"}, "unknown flag: --deadlin"},
		{[]string{"verify", "--target", target, "--scenario", "residential-solr"}, `--scenario "residential-solr": isn't one of [`},
		{[]string{"verify", "--target", target, "extra"}, `unknown command "extra"`},
	}
	for _, c := range cases {
		r := cli(t, "", c.args...).want(t, 2)
		if !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: stderr %q lacks %q", c.args, r.stderr, c.want)
		}
		if c.want == "selected no spec" && strings.Contains(r.stdout, contract.GroupToken) {
			t.Errorf("%v: a --focus that selected nothing printed the summary's table of zeros:\n%s", c.args, r.stdout)
		}
		if strings.Contains(r.stderr, "s3cretonly") {
			t.Errorf("%v echoed the token", c.args)
		}
	}
}

func TestVerifyHelp(t *testing.T) {
	r := cli(t, "", "verify", "--help").want(t, 0)
	for _, w := range []string{"Examples:", "--inspect", "{eventId}", "COPERNIQ_EVENT_ID", "--junit-report", "Exit status: 0"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("verify --help lacks %q", w)
		}
	}
}

// A wrong webhook path fails every spec; the summary says what it likely is.
func TestVerifyWrongPath(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	// Bad configuration, not a contract break: exit 2, with the diagnosis.
	r := cli(t, "", "verify", "--target", srv.URL+"/webhook", "--burst", "5", "--deadline", "2s").want(t, 2)
	want := "every delivery was answered 404 Not Found: is --target the webhook's path?"
	if strings.Count(r.stdout, want) != 1 {
		t.Errorf("stdout does not say %q once:\n%s", want, r.stdout)
	}
	if !strings.Contains(r.stderr, "the receiver was not judged: "+want) {
		t.Errorf("stderr: %s", r.stderr)
	}
	// A missing token: every delivery 401, the token specs' included.
	tok := httptest.NewServer(testreceivers.New(testreceivers.Config{Token: verifyToken}))
	defer tok.Close()
	r = cli(t, "", "verify", "--target", tok.URL+"/webhook", "--focus", "work order|token", "--token-param", "token=wrong").want(t, 2)
	if !strings.Contains(r.stderr, "every delivery was answered 401 Unauthorized: does the receiver want a token") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

// A receiver that never answers: the redirect spec does not pass for want
// of a 3xx, and the suite stops after 8 deliveries without an answer instead
// of waiting out every spec.
func TestVerifyHungReceiver(t *testing.T) {
	srv := httptest.NewServer(testreceivers.New(testreceivers.Config{Fault: testreceivers.Hang}))
	defer srv.Close()
	r := cli(t, "", "verify", "--target", srv.URL+"/hook", "--focus", contract.SpecRedirect, "--deadline", "200ms").want(t, 1)
	if !strings.Contains(r.stdout, "got no answer within the deadline of 200ms, so whether the receiver redirects is unknown") {
		t.Errorf("stdout:\n%s", r.stdout)
	}

	junit := filepath.Join(t.TempDir(), "contract.xml")
	start := time.Now()
	r = cli(t, "", "verify", "--target", srv.URL+"/hook", "--deadline", "200ms", "--junit-report", junit).want(t, 1)
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("a hung receiver kept the run going %s", took)
	}
	// The stop is run-wide: it says so, and which delivery of which spec
	// tripped it, wherever it is filed.
	want := "the receiver answered none of the last 8 deliveries within the deadline of 200ms (--timeout). " + contract.TrippedBy + ", the 8th in a row answered late or not at all, was one of "
	if !strings.Contains(r.stdout, want) || !strings.Contains(r.stderr, "the suite was aborted") || !strings.Contains(r.stderr, want) ||
		!strings.Contains(r.stderr, ". One more delivery of the last of them (") || !strings.Contains(r.stderr, "got no answer either: is it hung?") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "not run: the suite was aborted") || strings.Contains(r.stdout, "not selected by --focus/--skip") {
		t.Errorf("the specs left by the abort are not told apart:\n%s", r.stdout)
	}
	// The JUnit report lists them as skipped, with that reason.
	notRun := 0
	for _, c := range checkJUnit(t, readFile(t, junit)) {
		if c.skipped {
			notRun++
		}
	}
	if notRun == 0 {
		t.Error("the JUnit report lists no spec left by the abort as skipped")
	}
}

// A typo in the hook's URL: every event acknowledged, the hook says 404 for
// all of them. The receiver is not judged (exit 2), the hook named as one
// of the two possible causes (a receiver that applies nothing answers
// alike: TestVerifyAppliesNothingIsNotClearedOfBlame), and the run does
// not wait out every check.
func TestVerifyInspectHookWrongURL(t *testing.T) {
	srv := httptest.NewServer(testreceivers.New(testreceivers.Config{Token: verifyToken, Fault: testreceivers.HookWrongPath}))
	defer srv.Close()
	args := verifyArgs(srv, "--focus", "work order|duplicates")
	start := time.Now()
	r := cli(t, "", args...).want(t, 2)
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("took %s", took)
	}
	has(t, "stdout", r.stdout,
		"[inspect hook] the inspect hook at GET "+srv.URL+testreceivers.InspectPath+"{eventId} answered 404 (never applied) for every event",
		"ask it yourself: curl -i "+srv.URL+testreceivers.InspectPath,
		"specs marked [inspect hook] or [state hook]: the inspect hook counted none of the run's events applied",
		"either a hook's URL is wrong",
	)
	if !strings.Contains(r.stderr, "the receiver was not judged") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

// Filters that leave fewer than 3 specs are told on stderr: --skip edge
// matches "acknowledges" too.
func TestVerifyFewSelected(t *testing.T) {
	srv := httptest.NewServer(testreceivers.New(testreceivers.Config{}))
	defer srv.Close()
	r := cli(t, "", "verify", "--target", srv.URL+"/hook", "--focus", contract.SpecRedirect).want(t, 0)
	if !strings.Contains(r.stderr, "warning: --focus/--skip left 1 spec of ") {
		t.Errorf("stderr: %s", r.stderr)
	}
	r = cli(t, "", "verify", "--target", srv.URL+"/hook", "--focus", "TASK_CREATED").want(t, 0)
	if strings.Contains(r.stderr, "warning") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

// The inspect command may hold a password: it is never printed, in any
// report; its stderr is, with what looks like a secret masked. A hook that
// fails every spec that counts is bad configuration: exit 2.
func TestVerifyInspectCommandNotEchoed(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	srv := httptest.NewServer(testreceivers.New(testreceivers.Config{}))
	defer srv.Close()
	dir := t.TempDir()
	junit, jsonReport := filepath.Join(dir, "contract.xml"), filepath.Join(dir, "contract.json")
	r := cli(t, "", "verify", "--target", srv.URL+"/hook", "--focus", contract.GroupIdempotency,
		"--inspect-cmd", `PGPASSWORD=hunter2 sh -c 'echo "FATAL: password authentication failed (hunter2)" >&2; exit 2'`,
		"--junit-report", junit, "--json-report", jsonReport, "--settle", "50ms").want(t, 2)
	has(t, "stdout", r.stdout,
		"the inspect command failed (exit status 2) for event ",
		": fix the hook (see the inspect protocol: print how many times $COPERNIQ_EVENT_ID was applied",
		`its stderr: "FATAL: password authentication failed (***)"`,
		"ask it yourself: run the inspect command with COPERNIQ_EVENT_ID=",
		"[inspect hook]",
	)
	if !strings.Contains(r.stderr, "the receiver was not judged: 4 specs could not count the receiver's applications, since the inspect command failed (exit status 2) for event ") {
		t.Errorf("stderr: %s", r.stderr)
	}
	outputs := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
	for _, path := range []string{junit, jsonReport} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		outputs[filepath.Base(path)] = string(data)
	}
	for name, out := range outputs {
		for _, secret := range []string{"hunter2", "PGPASSWORD"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s shows %s", name, secret)
			}
		}
	}
}

// A hook that answers 500, and a receiver that kept the events of a previous
// run with the same seed: the receiver is not judged (exit 2), and the
// summary says why.
func TestVerifySetupProblems(t *testing.T) {
	broken := httptest.NewServer(testreceivers.New(testreceivers.Config{Fault: testreceivers.HookFails}))
	defer broken.Close()
	args := []string{"verify", "--target", broken.URL + "/hook", "--focus", contract.GroupIdempotency,
		"--inspect", broken.URL + testreceivers.InspectPath + "{eventId}?key=s3cret-key", "--settle", "50ms"}
	r := cli(t, "", args...).want(t, 2)
	has(t, "stdout", r.stdout,
		"the inspect hook at GET "+broken.URL+testreceivers.InspectPath+"{eventId}?key=*** answered 500 Internal Server Error, not 200 or 404",
		"4 specs marked [inspect hook] failed because of the inspect hook, not because of the receiver: the inspect hook at GET ",
	)
	if strings.Contains(r.stdout+r.stderr, "s3cret") {
		t.Error("the hook's key was printed")
	}

	srv := httptest.NewServer(testreceivers.New(testreceivers.Config{}))
	defer srv.Close()
	args = []string{"verify", "--target", srv.URL + "/hook", "--focus", contract.GroupIdempotency,
		"--inspect", srv.URL + testreceivers.InspectPath + "{eventId}", "--settle", "50ms"}
	// Without --seed, runs against a receiver that keeps its state (a
	// staging one) each draw their own seed, printed with the flag that
	// repeats it.
	seeds := map[string]bool{}
	for range 2 {
		r := cli(t, "", args...).want(t, 0)
		m := regexp.MustCompile(`\(seed (\d+), drawn for this run: --seed (\d+) repeats it\)`).FindStringSubmatch(r.stdout)
		if m == nil || m[1] != m[2] {
			t.Fatalf("the drawn seed is not printed with its flag:\n%s", r.stdout)
		}
		seeds[m[1]] = true
	}
	if len(seeds) != 2 {
		t.Errorf("two runs drew the same seed %v", seeds)
	}
	// A repeated seed finds its events already applied.
	args = append(args, "--seed", "1")
	cli(t, "", args...).want(t, 0)
	r = cli(t, "", args...).want(t, 2)
	if !strings.Contains(r.stdout, "was already applied before it was sent: stale receiver state from an earlier run") ||
		!strings.Contains(r.stderr, "reset the receiver's state or pass a different --seed") {
		t.Errorf("second run:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	// Another seed sends other eventIds.
	cli(t, "", append(args[:len(args)-2], "--seed", "2")...).want(t, 0)
}

// The slow-answer warning is printed once, from every delivery's answer
// time; one delivery is "1 delivery".
func TestVerifyOutputDetails(t *testing.T) {
	srv := httptest.NewServer(testreceivers.New(testreceivers.Config{Fault: testreceivers.SlowForTrigger, Trigger: "CALL_UPSERTED", Delay: 1100 * time.Millisecond}))
	defer srv.Close()
	dir := t.TempDir()
	junit, jsonReport := filepath.Join(dir, "contract.xml"), filepath.Join(dir, "contract.json")
	r := cli(t, "", "verify", "--target", srv.URL+"/hook", "--deadline", "3s", "--focus", contract.SpecDeadline,
		"--junit-report", junit, "--json-report", jsonReport).want(t, 0)
	// The receiver answers in 1.1s; a busy machine may add to it.
	slow := func(warning string) bool {
		m := regexp.MustCompile(`^p99 answer time (\S+) is over`).FindStringSubmatch(warning)
		if m == nil {
			return false
		}
		d, err := time.ParseDuration(m[1])
		return err == nil && d >= 1100*time.Millisecond && d < 3*time.Second
	}
	_, warning, _ := strings.Cut(r.stdout, "warning: ")
	if n := strings.Count(r.stdout, "p99 answer time"); n != 1 || !slow(warning) {
		t.Errorf("the slow-answer warning is printed %d times:\n%s", n, r.stdout)
	}
	// The warning is in the reports CI keeps, and the JUnit report lists
	// the selected spec only.
	data := readFile(t, junit)
	if cases := checkJUnit(t, data); len(cases) != 1 || cases[0].name != contract.SpecDeadline || cases[0].classname != contract.GroupDelivery {
		t.Errorf("JUnit test cases %+v, want the one selected", cases)
	}
	var suites struct {
		Suites []struct {
			Properties []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &suites); err != nil || len(suites.Suites) != 1 {
		t.Fatalf("JUnit: %v\n%s", err, data)
	}
	found := false
	for _, p := range suites.Suites[0].Properties {
		if p.Name == contract.PropertyWarning && slow(p.Value) {
			found = true
		}
	}
	if !found {
		t.Errorf("the JUnit report has no %s property:\n%s", contract.PropertyWarning, data)
	}
	if rep := readReport(t, jsonReport); len(rep.Warnings) != 1 || !slow(rep.Warnings[0]) || rep.AnswerTime.P99Ms < 1100 {
		t.Errorf("the JSON report warns %q, answer time %+v", rep.Warnings, rep.AnswerTime)
	}
	r = cli(t, "", "verify", "--target", srv.URL+"/hook", "--focus", contract.SpecRedirect).want(t, 0)
	if !strings.Contains(r.stdout, " over 1 delivery\n") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
}

// A run that lasts prints progress lines on stderr at --progress; none with
// --progress 0s, and none in a run shorter than the default for a log (the
// test's stdout is no terminal): the lines never reach stdout, which a CI
// job may parse.
func TestVerifyProgress(t *testing.T) {
	// A receiver of its own for each run: the runs repeat --seed 1, and a
	// receiver that kept a run's events would find them stale state.
	args := func(extra ...string) []string {
		srv := httptest.NewServer(testreceivers.New(testreceivers.Config{Token: verifyToken, Fault: testreceivers.AnswerAfter, Delay: 300 * time.Millisecond}))
		t.Cleanup(srv.Close)
		return append([]string{"verify", "--target", srv.URL + "/webhooks/coperniq", "--token-param", verifyToken,
			"--inspect", srv.URL + testreceivers.InspectPath + "{eventId}", "--seed", "1",
			"--focus", contract.FamilyText(schemas.FamilyWorkOrder) + "|" + contract.GroupToken}, extra...)
	}
	line := regexp.MustCompile(`(?m)^verify: \d+ of 15 specs done after \d+s, \d+ deliver(y|ies)`)

	r := cli(t, "", args("--progress", "200ms")...).want(t, 0)
	if n := len(line.FindAllString(r.stderr, -1)); n < 2 {
		t.Errorf("--progress 200ms: %d progress lines on stderr, want a few:\n%s", n, r.stderr)
	}
	if !strings.Contains(r.stderr, "; running ") {
		t.Errorf("no progress line says what runs:\n%s", r.stderr)
	}
	if line.MatchString(r.stdout) {
		t.Errorf("progress on stdout:\n%s", r.stdout)
	}
	// load's words too, so that a CI job can give both the same flag.
	for _, extra := range [][]string{{"--progress", "0s"}, {"--progress", "none"}, {"--progress=plain"}, {"--progress", "auto"}, nil} {
		r := cli(t, "", args(extra...)...).want(t, 0)
		if line.MatchString(r.stderr) {
			t.Errorf("%v: progress lines in a short run:\n%s", extra, r.stderr)
		}
	}
	for _, bad := range []string{"bar", "often", "-1s"} {
		r := cli(t, "", "verify", "--target", "http://127.0.0.1:1/h", "--progress", bad).want(t, 2)
		if !strings.Contains(r.stderr, `"`+bad+`"`) || !strings.Contains(r.stderr, "auto, plain or none") {
			t.Errorf("--progress %s: stderr %s", bad, r.stderr)
		}
	}
}
