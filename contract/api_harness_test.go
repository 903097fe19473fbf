package contract_test

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
)

// The API mock's flags of `go test ./contract -args ...` (api.go).
var (
	flagAPI         = flag.String("api", "", "serve the REST API mock on this address (host:port) and run the API specs")
	flagAPIKey      = flag.String("api-key", "", "the x-api-key the receiver must send")
	flagAPIMaxCalls = flag.Int("api-max-calls", 0, "API calls allowed per webhook")
)

func apiFromFlags() *contract.APIMock {
	if *flagAPI == "" {
		return nil
	}
	return &contract.APIMock{Addr: *flagAPI, Key: *flagAPIKey, MaxCallsPerEvent: *flagAPIMaxCalls}
}

const harnessAPIKey = "k-harness"

// apiScenarios are the worlds the API harness serves: short, and with a
// project, a request and an account between them.
const apiScenarios = "request-won,work-order-lifecycle"

func apiSpec(spec string) string { return contract.GroupAPI + " " + spec }

var apiSpecs = []string{apiSpec(contract.SpecAPIKey), apiSpec(contract.SpecAPICalls(contract.DefaultAPIMaxCalls)), apiSpec(contract.SpecAPIRetryAfter)}

// apiLeaf tells the API specs' leaf names, which TestAPIHarness fails.
func apiLeaf(leaf string) bool {
	return leaf == contract.SpecAPIKey || leaf == contract.SpecAPIRetryAfter || strings.HasPrefix(leaf, strings.TrimSuffix(contract.SpecAPICalls(0), "0 times per webhook"))
}

// freeAddr is a loopback address nothing listens on, for the mock: the
// receiver must know it before the suite starts.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// runAPISuite runs the API specs (focus narrows them) against the receiver
// at url, the mock on addr.
func runAPISuite(t *testing.T, url, addr, focus string) harnessRun {
	t.Helper()
	return runSuite(t, url, "-ginkgo.focus="+focus, "-api="+addr, "-api-key="+harnessAPIKey,
		"-scenarios="+apiScenarios, "-seed=5", "-deadline=5s")
}

// TestAPIHarness: a receiver that fetches the record after each webhook
// with the key, and waits the Retry-After of a 429, passes the API specs;
// one wrong in one way fails the spec meant for it, with a message that
// says why, and no other.
func TestAPIHarness(t *testing.T) {
	cases := []struct {
		fault testreceivers.APIFault
		focus string
		fails string   // the one spec that fails; "" for none
		says  []string // in its message
		skips map[string]string
	}{
		{fault: testreceivers.APICorrect, focus: contract.GroupAPI},
		// Correct receivers the first API specs failed: two calls at once
		// (the second sent before the first's 429 could be read), and a
		// queue that holds each webhook past a short quiet window.
		{fault: testreceivers.APIParallel, focus: contract.GroupAPI},
		// The same on a pool of one connection: the second call goes out
		// on the 429's own connection, microseconds after it (CI failed
		// it when the machine was busy enough for Go's pool to do this).
		{fault: testreceivers.APIParallelOneConn, focus: contract.GroupAPI},
		{fault: testreceivers.APIQueued, focus: contract.GroupAPI},
		{fault: testreceivers.APIIgnoresRetryAfter, focus: contract.GroupAPI, fails: apiSpecs[2],
			says: []string{"API calls came sooner than the Retry-After of a 429 before them", "after the 429 answered to GET /", "whose Retry-After was 1 s", "the header is our assumption"}},
		{fault: testreceivers.APINoKey, focus: contract.GroupAPI, fails: apiSpecs[0],
			says:  []string{"API calls carried no x-api-key header: GET /"},
			skips: map[string]string{apiSpecs[2]: "refused for the x-api-key"}},
		{fault: testreceivers.APIWrongKey, focus: contract.SpecAPIKey, fails: apiSpecs[0],
			says: []string{"API calls carried a wrong x-api-key: GET /"}},
		// Every call 404 for a path Coperniq's API does not have, the key
		// right: passed once, and the Retry-After spec's skip blamed the key.
		{fault: testreceivers.APIWrongPath, focus: contract.GroupAPI, fails: apiSpecs[0],
			says:  []string{"API calls were to paths Coperniq's API does not have: GET /", "/project/", "answered them 404"},
			skips: map[string]string{apiSpecs[2]: "answered 404 Not Found, to a path Coperniq's API does not have"}},
		{fault: testreceivers.APITooManyCalls, focus: "at most", fails: apiSpecs[1],
			// 8 calls a webhook: over 5 by the time the first was sent,
			// whenever the calls came.
			says: []string{"called the API more than 5 times per webhook (--api-max-calls), in ", "answered calls came by the time 1 webhook had been sent, more than 5 per webhook", "GET /"}},
	}
	for _, c := range cases {
		name := string(c.fault)
		if name == "" {
			name = "correct"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			addr := freeAddr(t)
			rcv := testreceivers.NewAPIReceiver("http://"+addr, harnessAPIKey, c.fault)
			srv := httptest.NewServer(rcv)
			defer srv.Close()
			h := runAPISuite(t, srv.URL+"/hook", addr, c.focus)
			checkAPIRun(t, h, c.fails, c.says, c.skips)
		})
	}
}

// checkAPIRun asserts that of the API specs that ran, only fails failed,
// with says in its message; that the rest passed, not skipped, unless
// skips gives the reason.
func checkAPIRun(t *testing.T, h harnessRun, fails string, says []string, skips map[string]string) {
	t.Helper()
	specs := h.specs()
	ran := 0
	for _, name := range apiSpecs {
		s, ok := specs[name]
		if !ok || s.State == types.SpecStateSkipped && s.Failure.Message == "" {
			continue // left out by the focus
		}
		ran++
		switch {
		case name == fails:
			if !s.State.Is(types.SpecStateFailureStates) {
				t.Errorf("%s: %s, want failed:\n%s", name, s.State, h.output)
				continue
			}
			for _, w := range says {
				if !strings.Contains(s.Failure.Message, w) {
					t.Errorf("%s: message lacks %q:\n%s", name, w, s.Failure.Message)
				}
			}
		case skips[name] != "":
			if !s.State.Is(types.SpecStateSkipped) || !strings.Contains(s.Failure.Message, skips[name]) {
				t.Errorf("%s: %s %q, want skipped for %q", name, s.State, s.Failure.Message, skips[name])
			}
		case s.State != types.SpecStatePassed:
			t.Errorf("%s: %s %q, want passed:\n%s", name, s.State, s.Failure.Message, h.output)
		}
	}
	if ran == 0 {
		t.Fatalf("no API spec ran:\n%s", h.output)
	}
	if fails != "" && h.exitCode == 0 {
		t.Errorf("exit 0 though %s failed", fails)
	}
}

// TestAPIHarnessPython: a receiver in Python that acknowledges at once and
// fetches the record from a worker thread, honouring Retry-After, passes.
func TestAPIHarnessPython(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	base, stop, err := testreceivers.StartPython(filepath.Join("testreceivers", "python", "api_fetch.py"), "0", "http://"+addr, harnessAPIKey)
	if err == testreceivers.ErrNoPython {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	checkAPIRun(t, runAPISuite(t, base+"/hook", addr, contract.GroupAPI), "", nil, nil)
}

// TestAPISpecsSkip: without the mock the API specs are skipped with the
// reason; a receiver that never calls the API is not judged on it.
func TestAPISpecsSkip(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	for _, c := range []struct {
		name string
		args []string
		why  string
	}{
		{"no api", nil, contract.SkipNoAPI},
		{"no calls", []string{"-api=" + freeAddr(t)}, "the receiver made no API call after the"},
	} {
		h := runSuite(t, srv.URL+"/hook", append([]string{"-ginkgo.focus=" + contract.GroupAPI, "-scenarios=" + apiScenarios, "-seed=5"}, c.args...)...)
		specs := h.specs()
		for _, name := range apiSpecs {
			s := specs[name]
			if !s.State.Is(types.SpecStateSkipped) || !strings.Contains(s.Failure.Message, c.why) {
				t.Errorf("%s: %s: %s %q, want skipped with %q", c.name, name, s.State, s.Failure.Message, c.why)
			}
		}
		if h.exitCode != 0 {
			t.Errorf("%s: exit %d, want 0:\n%s", c.name, h.exitCode, h.output)
		}
	}
}

// TestAPIReproduce: with the API mock, a failure's reproduce line says how
// to reproduce it with the mock: `send` serves none, so a receiver whose
// answer depends on its API calls would answer otherwise. The verify line
// it prints focuses on that one spec (its whole name, not its leaf, which
// every trigger's spec shares) at the run's seed, and run again it fails
// that spec alone, with the same payload.
func TestAPIReproduce(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "the API said 404", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	addr := freeAddr(t)
	run := func(focus string, seed uint64) harnessRun {
		return runSuite(t, srv.URL+"/hook", "-ginkgo.focus="+focus, "-api="+addr, "-api-key="+harnessAPIKey,
			"-scenarios="+apiScenarios, fmt.Sprintf("-seed=%d", seed))
	}
	const spec = "project triggers PROJECT_CREATED " + contract.SpecMinimal
	h := run("PROJECT_CREATED acknowledges its minimal payload", 5)
	if got := h.failed(); !slices.Equal(got, []string{spec}) {
		t.Fatalf("failed %q, want %q:\n%s", got, spec, h.output)
	}
	msg := h.specs()[spec].Failure.Message
	focus := regexp.QuoteMeta(spec)
	for _, want := range []string{"reproduce:\n  coperniq-mock send PROJECT_CREATED", "coperniq-mock verify --target ",
		" --api " + addr + " --seed 5 --focus '" + focus + "',"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	m := regexp.MustCompile(`rerun coperniq-mock verify [^\n]* --seed (\d+) --focus '([^']*)',`).FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("no verify line with --seed and --focus:\n%s", msg)
	}
	seed, _ := strconv.ParseUint(m[1], 10, 64)
	again := run(m[2], seed)
	if got := again.failed(); !slices.Equal(got, []string{spec}) {
		t.Errorf("the printed line failed %q, want %q alone:\n%s", got, spec, again.output)
	}
	payload := regexp.MustCompile(`coperniq-mock send [^\n]*`)
	if a, b := payload.FindString(msg), payload.FindString(again.specs()[spec].Failure.Message); a == "" || a != b {
		t.Errorf("the printed line sent %q, the run %q", b, a)
	}
}

// TestAPIHarnessSlowQueue: a receiver whose queue holds each webhook past
// the quiet window fetches the last record of a world after the API specs
// serve the next world; the mock must still know it (the world moved on,
// the record announced earlier in the run did not vanish).
func TestAPIHarnessSlowQueue(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	rcv := testreceivers.NewAPIReceiver("http://"+addr, harnessAPIKey, testreceivers.APISlowQueue)
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	h := runAPISuite(t, srv.URL+"/hook", addr, contract.SpecAPIKey)
	time.Sleep(2 * testreceivers.APISlowQueueDelay) // the queue's last fetches
	if missed := rcv.Missed(); len(missed) > 0 {
		t.Errorf("%d fetches answered 404 for records the run had announced: %v\n%s", len(missed), missed, h.output)
	}
}
