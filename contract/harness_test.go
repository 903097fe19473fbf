package contract_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// The harness tests run the suite the way CI does, against receivers that are
// wrong on purpose, and assert which specs fail, by name: a spec that no
// broken receiver fails could be passing vacuously. Each run is this test
// binary again, as `go test ./contract -args -target=URL` (Ginkgo's suite is
// global: one run per process), with a JSON report to read the outcome from.

const (
	harnessToken    = "token=s3cret-harness"
	harnessDeadline = time.Second
	harnessBurst    = 20
	// The fault triggers: chosen away from the triggers the counting specs
	// use (TASK_STATUS_MOVEMENT) and the unknown-trigger base
	// (PROJECT_CREATED), so each fault fails the specs meant to catch it.
	fail500Trigger = "PROJECT_PHASE_SLA_VIOLATION"
	slowTrigger    = "CALL_UPSERTED"
)

type harnessRun struct {
	report   types.Report
	output   string
	exitCode int
}

// runSuite runs the contract specs against url in a child process and reads
// back its JSON report.
func runSuite(t *testing.T, url string, args ...string) harnessRun {
	t.Helper()
	report := filepath.Join(t.TempDir(), "report.json")
	argv := append([]string{"-test.run=^TestContract$", "-test.timeout=5m",
		"-target=" + url, "-ginkgo.json-report=" + report, "-ginkgo.no-color"}, args...)
	cmd := exec.Command(os.Args[0], argv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	run := harnessRun{output: out.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		run.exitCode = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running the suite: %v", err)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("no JSON report (%v); the run printed:\n%s", err, run.output)
	}
	var reports []types.Report
	if err := json.Unmarshal(data, &reports); err != nil || len(reports) != 1 {
		t.Fatalf("reading the JSON report: %v (%d reports)", err, len(reports))
	}
	run.report = reports[0]
	return run
}

func (h harnessRun) specs() map[string]types.SpecReport {
	out := map[string]types.SpecReport{}
	for _, s := range h.report.SpecReports {
		if name, ok := contract.SpecName(s); ok {
			out[name] = s
		}
	}
	return out
}

func (h harnessRun) failed() []string {
	var out []string
	for name, s := range h.specs() {
		if s.State.Is(types.SpecStateFailureStates) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// perTrigger names a per-trigger spec.
func perTrigger(key, spec string) string {
	tr, err := schemas.Lookup(key)
	if err != nil {
		panic(err)
	}
	return contract.FamilyText(tr.Family) + " " + key + " " + spec
}

func everyTrigger(spec string) []string {
	var out []string
	for _, k := range schemas.TriggerKeys() {
		out = append(out, perTrigger(k, spec))
	}
	return out
}

func inGroup(group, spec string) string { return group + " " + spec }

var counted = []string{
	inGroup(contract.GroupIdempotency, contract.SpecDupAfter),
	inGroup(contract.GroupIdempotency, contract.SpecDupConcurrent),
	inGroup(contract.GroupIdempotency, contract.SpecGaveUp),
}

// harnessScenario is the one lifecycle scenario the broken receivers get.
const harnessScenario = "work-order-lifecycle"

// everyCounted are the specs that count applications, in a harness run.
var everyCounted = append(slices.Clone(counted),
	inGroup(contract.GroupLifecycle, harnessScenario+" "+contract.SpecScenarioInOrder),
	inGroup(contract.GroupLifecycle, harnessScenario+" "+contract.SpecScenarioShuffled),
)

// focusShapes runs only the per-trigger payload specs.
const focusShapes = "-ginkgo.focus=triggers [A-Z_]+ acknowledges"

// everyTriggerOf names specs of every trigger of family f.
func everyTriggerOf(f schemas.Family, specs ...string) []string {
	var out []string
	for _, tr := range schemas.Triggers() {
		if tr.Family == f {
			for _, spec := range specs {
				out = append(out, perTrigger(tr.Key, spec))
			}
		}
	}
	return out
}

// focusCounted runs only the specs that count applications: the others
// cannot fail for the faults that need nothing else.
const focusCounted = "-ginkgo.focus=" + contract.GroupIdempotency + "|" + contract.GroupLifecycle

type harnessCase struct {
	name string
	cfg  testreceivers.Config
	// mustFail are the specs the fault exists to fail.
	mustFail []string
	// failsOn are the DeliveryRecord.Expect values that a delivery the
	// fault changed fails: a spec holding such a delivery may fail too
	// (the burst, for instance, carries every trigger).
	failsOn []string
	// args are added to standardArgs; defaultSettle drops its -settle.
	args          []string
	defaultSettle bool
	// priorRun runs the counting specs against the same receiver first,
	// and wants them passed: the run checked is the second.
	priorRun bool
	// maxTime, when set, bounds how long the run may take.
	maxTime time.Duration
	// setup is the kind of setup problem (contract.ProblemHook,
	// ProblemStale) every failure must be marked with; empty wants none.
	setup string
}

func harnessCases() []harnessCase {
	ack := []string{contract.ExpectAck}
	return []harnessCase{
		{
			name:     "500 for one trigger",
			cfg:      testreceivers.Config{Fault: testreceivers.Fail500ForTrigger, Trigger: fail500Trigger},
			mustFail: []string{perTrigger(fail500Trigger, contract.SpecRealistic), perTrigger(fail500Trigger, contract.SpecMinimal), perTrigger(fail500Trigger, contract.SpecMaximal), perTrigger(fail500Trigger, contract.SpecEdge)},
			failsOn:  ack,
		},
		{
			name:     "rejects unknown fields",
			cfg:      testreceivers.Config{Fault: testreceivers.RejectUnknownFields},
			mustFail: everyTrigger(contract.SpecMaximal),
			failsOn:  ack,
		},
		{
			name:     "fails on a null stage",
			cfg:      testreceivers.Config{Fault: testreceivers.FailNullStage},
			mustFail: everyTrigger(contract.SpecMinimal),
			failsOn:  ack,
		},
		{
			name:     "cannot take ids above 2^31",
			cfg:      testreceivers.Config{Fault: testreceivers.Int32IDs},
			mustFail: everyTrigger(contract.SpecEdge),
			failsOn:  ack,
		},
		{
			// Acknowledged, then lost in the worker: only the count tells.
			name:     "acks then drops null-stage events in its worker",
			cfg:      testreceivers.Config{Fault: testreceivers.AckThenDropNullStage},
			mustFail: everyTrigger(contract.SpecMinimal),
			failsOn:  ack,
			args:     []string{focusShapes, "-inspect-timeout=500ms"},
		},
		{
			name:     "acks then drops events with unknown fields",
			cfg:      testreceivers.Config{Fault: testreceivers.AckThenDropUnknownFields},
			mustFail: everyTrigger(contract.SpecMaximal),
			failsOn:  ack,
			// Realistic first: a run that never sees an event applied
			// blames the hook (see "inspect hook at a wrong URL").
			args: []string{"-ginkgo.focus=acknowledges its (realistic|maximal)", "-inspect-timeout=500ms"},
		},
		{
			// At the default seed no TASK_* edge payload draws a work-order
			// id past 2^31 by chance: the max-id payload must carry one.
			name:     "work-order ids in int32",
			cfg:      testreceivers.Config{Fault: testreceivers.WorkOrderInt32},
			mustFail: []string{perTrigger("TASK_CREATED", contract.SpecEdge), perTrigger("TASK_COMPLETED", contract.SpecEdge), perTrigger("TASK_STATUS_MOVEMENT", contract.SpecEdge)},
			failsOn:  ack,
			args:     []string{"-ginkgo.focus=" + contract.FamilyText(schemas.FamilyWorkOrder)},
		},
		{
			name:     "applies duplicates twice",
			cfg:      testreceivers.Config{Fault: testreceivers.ApplyDuplicates},
			mustFail: counted,
		},
		{
			name: "answers slower than the deadline",
			cfg:  testreceivers.Config{Fault: testreceivers.SlowForTrigger, Trigger: slowTrigger, Delay: harnessDeadline + 300*time.Millisecond},
			mustFail: []string{inGroup(contract.GroupDelivery, contract.SpecDeadline),
				perTrigger(slowTrigger, contract.SpecRealistic), perTrigger(slowTrigger, contract.SpecMinimal), perTrigger(slowTrigger, contract.SpecMaximal), perTrigger(slowTrigger, contract.SpecEdge)},
			failsOn: []string{contract.ExpectAck, contract.ExpectInTime},
		},
		{
			name:     "answers 4xx to an unknown trigger",
			cfg:      testreceivers.Config{Fault: testreceivers.RejectUnknownTrigger},
			mustFail: []string{inGroup(contract.GroupDelivery, contract.SpecUnknownTrigger)},
			failsOn:  ack,
		},
		{
			name:     "redirects",
			cfg:      testreceivers.Config{Fault: testreceivers.Redirect},
			mustFail: []string{inGroup(contract.GroupDelivery, contract.SpecRedirect), inGroup(contract.GroupToken, contract.SpecTokenRight)},
			failsOn:  []string{contract.ExpectAck, contract.ExpectNoRedir},
		},
		{
			name:     "ignores the token",
			cfg:      testreceivers.Config{Fault: testreceivers.IgnoreToken},
			mustFail: []string{inGroup(contract.GroupToken, contract.SpecTokenMissing), inGroup(contract.GroupToken, contract.SpecTokenWrong)},
			failsOn:  []string{contract.ExpectReject},
		},
		{
			// A queue without dedupe, slower than a quarter second: caught
			// by the default (adaptive) settle.
			name:          "applies the duplicate 600 ms late",
			cfg:           testreceivers.Config{Fault: testreceivers.LateDuplicate, Delay: 600 * time.Millisecond},
			mustFail:      counted,
			args:          []string{"-ginkgo.focus=" + contract.GroupIdempotency},
			defaultSettle: true,
		},
		{
			// A correct receiver that kept the applied eventIds of an
			// earlier run with the same seed: without the check before
			// sending, it would pass even if it now dropped every event.
			name:     "keeps state across runs",
			cfg:      testreceivers.Config{},
			mustFail: everyCounted,
			args:     []string{focusCounted},
			priorRun: true,
			setup:    contract.ProblemStale,
		},
		{
			name:     "inspect hook always says 1",
			cfg:      testreceivers.Config{Fault: testreceivers.HookAlwaysOne},
			mustFail: everyCounted,
			args:     []string{focusCounted},
			setup:    contract.ProblemStale,
		},
		{
			name:     "inspect hook answers 500",
			cfg:      testreceivers.Config{Fault: testreceivers.HookFails},
			mustFail: everyCounted,
			args:     []string{focusCounted},
			setup:    contract.ProblemHook,
		},
		{
			name:     "inspect hook answers an HTML page",
			cfg:      testreceivers.Config{Fault: testreceivers.HookAnswersHTML},
			mustFail: everyCounted,
			args:     []string{focusCounted},
			setup:    contract.ProblemHook,
		},
		{
			// A typo in the hook's URL: 404, "never applied", for every
			// event the receiver acknowledged. The hook is blamed, and
			// after the first few checks the rest are not waited out.
			name:     "inspect hook at a wrong URL",
			cfg:      testreceivers.Config{Fault: testreceivers.HookWrongPath},
			mustFail: append(everyTriggerOf(schemas.FamilyWorkOrder, contract.SpecRealistic, contract.SpecMinimal, contract.SpecMaximal, contract.SpecEdge), counted...),
			args:     []string{"-ginkgo.focus=" + contract.FamilyText(schemas.FamilyWorkOrder) + "|" + contract.GroupIdempotency},
			setup:    contract.ProblemHook,
			maxTime:  15 * time.Second,
		},
		{
			name:     "inspect hook answers {}",
			cfg:      testreceivers.Config{Fault: testreceivers.HookAnswersNoCount},
			mustFail: everyCounted,
			args:     []string{focusCounted},
			setup:    contract.ProblemHook,
		},
	}
}

func TestVerifyHarness(t *testing.T) {
	if *flagTarget != "" {
		t.Skip("-target given: verifying that receiver, not the harness")
	}
	var mu sync.Mutex
	failedKinds := map[string]bool{} // leaf texts that some broken receiver failed
	allKinds := map[string]bool{}

	t.Run("receivers", func(t *testing.T) {
		t.Run("reference", func(t *testing.T) {
			t.Parallel()
			testReference(t)
		})
		t.Run("reference without token or inspect hook", func(t *testing.T) {
			t.Parallel()
			testUnconfigured(t)
		})
		for _, c := range harnessCases() {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				c.cfg.Token = harnessToken
				rc := testreceivers.New(c.cfg)
				srv := httptest.NewServer(rc)
				defer srv.Close()
				// One short scenario is enough to see that the lifecycle
				// specs fail only for the faults that touch them; the
				// reference replays them all.
				args := append(standardArgs(srv.URL), "-scenarios="+harnessScenario)
				if c.defaultSettle {
					args = slices.DeleteFunc(args, func(a string) bool { return strings.HasPrefix(a, "-settle=") })
				}
				args = append(args, c.args...)
				if c.priorRun {
					prior := runSuite(t, srv.URL+"/webhooks/coperniq", append(slices.Clone(args), focusCounted)...)
					if failed := prior.failed(); prior.exitCode != 0 || len(failed) > 0 {
						t.Fatalf("the first run failed %q (exit %d):\n%s", failed, prior.exitCode, prior.output)
					}
				}
				start := time.Now()
				run := runSuite(t, srv.URL+"/webhooks/coperniq", args...)
				if took := time.Since(start); c.maxTime > 0 && took > c.maxTime {
					t.Errorf("the run took %s, want at most %s", took.Round(time.Millisecond), c.maxTime)
				}
				if run.exitCode == 0 {
					t.Fatalf("the suite passed a receiver that %s:\n%s", c.name, run.output)
				}
				checkFailures(t, c, rc, run)
				mu.Lock()
				defer mu.Unlock()
				for _, s := range run.specs() {
					allKinds[s.LeafNodeText] = true
					if s.State.Is(types.SpecStateFailureStates) {
						failedKinds[s.LeafNodeText] = true
					}
				}
			})
		}
	})
	if t.Failed() {
		return
	}
	// No spec passes vacuously: each kind of spec failed for some receiver.
	for kind := range allKinds {
		if !failedKinds[kind] && !strings.HasPrefix(kind, "replays every built-in") && !strings.HasPrefix(kind, "ends in the newest state") { // final state: TestStateHarness
			t.Errorf("no broken receiver fails %q: it may pass vacuously", kind)
		}
	}
}

func standardArgs(base string) []string {
	return []string{
		"-token-param=" + harnessToken,
		"-inspect=" + base + testreceivers.InspectPath + "{eventId}",
		"-deadline=" + harnessDeadline.String(),
		"-burst=" + fmt.Sprint(harnessBurst),
		"-inspect-timeout=2s",
		"-settle=100ms",
	}
}

func checkFailures(t *testing.T, c harnessCase, rc *testreceivers.Receiver, run harnessRun) {
	t.Helper()
	failed := run.failed()
	for _, name := range c.mustFail {
		if !slices.Contains(failed, name) {
			t.Errorf("spec %q passed, want it failed", name)
		}
	}
	deviated := rc.Deviated()
	specs := run.specs()
	for _, name := range failed {
		if slices.Contains(c.mustFail, name) {
			continue
		}
		explained := false
		for _, d := range contract.Deliveries(specs[name]) {
			if deviated[d.SHA256] && slices.Contains(c.failsOn, d.Expect) {
				explained = true
			}
		}
		if !explained {
			t.Errorf("spec %q failed although the fault changed none of its deliveries:\n%s", name, specs[name].Failure.Message)
		}
	}
	// A failure of the setup is told from the receiver's, and only then.
	setup := map[string]string{}
	for _, p := range contract.Summarize(run.report).Setup {
		setup[p.Spec] = p.Kind
	}
	for _, name := range failed {
		if setup[name] != c.setup {
			t.Errorf("spec %q failed as setup problem %q, want %q:\n%s", name, setup[name], c.setup, specs[name].Failure.Message)
		}
	}
	for _, name := range failed {
		msg := specs[name].Failure.Message
		switch c.setup {
		case contract.ProblemHook:
			// The hook is named as the problem, with how to ask it.
			if !strings.Contains(msg, "the inspect hook at GET ") || !strings.Contains(msg, ": fix the hook (see the inspect protocol") || !strings.Contains(msg, "curl -i ") {
				t.Errorf("the failure of %q does not blame the hook:\n%s", name, msg)
			}
		case contract.ProblemStale:
			if !strings.Contains(msg, "already applied before it was sent: stale receiver state from an earlier run, or an inspect hook that does not count; reset the receiver's state or pass a different --seed") {
				t.Errorf("the failure of %q does not say the event was applied before it was sent:\n%s", name, msg)
			}
		}
		// Every failure but the hook's says how to reproduce it.
		if c.setup != contract.ProblemHook && !strings.Contains(msg, "coperniq-mock send ") && !strings.Contains(msg, "coperniq-mock scenario run ") {
			t.Errorf("the failure of %q has no reproducer:\n%s", name, msg)
		}
		if strings.Contains(msg, "s3cret") {
			t.Errorf("the failure of %q shows the token:\n%s", name, msg)
		}
		// The location is the contract's code, not Ginkgo's internals.
		loc := specs[name].Failure.Location
		if !strings.Contains(filepath.ToSlash(loc.FileName), "/contract/") || strings.Contains(loc.FileName, "ginkgo") {
			t.Errorf("the failure of %q is located at %s", name, loc)
		}
	}
	if t.Failed() {
		t.Logf("failed specs:\n  %s\n\nrun output:\n%s", strings.Join(failed, "\n  "), run.output)
	}
}

func testReference(t *testing.T) {
	rc := testreceivers.New(testreceivers.Config{Token: harnessToken})
	srv := httptest.NewServer(rc)
	defer srv.Close()
	run := runSuite(t, srv.URL+"/webhooks/coperniq?source=coperniq", standardArgs(srv.URL)...)
	if failed := run.failed(); len(failed) > 0 || run.exitCode != 0 {
		t.Fatalf("the reference receiver failed %d specs (exit %d):\n  %s\n%s", len(failed), run.exitCode, strings.Join(failed, "\n  "), run.output)
	}
	received := map[string]bool{}
	for _, r := range rc.Received() {
		received[r.SHA256()] = true
	}
	passed := 0
	for name, s := range run.specs() {
		switch {
		case s.State.Is(types.SpecStatePassed):
			passed++
		case s.State.Is(types.SpecStateSkipped):
			if s.Failure.Message != contract.SkipNoScenarios && s.Failure.Message != contract.SkipNoState { // the reference receiver keeps no records
				t.Errorf("%q skipped with everything configured: %s", name, s.Failure.Message)
			}
		}
		// The report says what was sent, truthfully.
		for _, d := range contract.Deliveries(s) {
			if !received[d.SHA256] {
				t.Errorf("%q reports a delivery of eventId %d that the receiver never got", name, d.EventID)
			}
			if !strings.HasPrefix(d.Reproduce, "coperniq-mock ") || strings.Contains(d.Reproduce, "s3cret") {
				t.Errorf("%q: bad reproducer %q", name, d.Reproduce)
			}
		}
	}
	// 18 triggers × 4 profiles, 4 delivery specs, 3 token specs, 3 counted.
	if want := 18*4 + 4 + 3 + 3; passed < want {
		t.Errorf("%d specs passed, want at least %d", passed, want)
	}
	sum := contract.Summarize(run.report)
	if sum.Latency.N < 100 || sum.Latency.P99 <= 0 {
		t.Errorf("latency summary over %d deliveries: %+v", sum.Latency.N, sum.Latency)
	}
}

// Specs that need a token or an inspect hook are skipped with the reason,
// never passed.
func testUnconfigured(t *testing.T) {
	srv := httptest.NewServer(testreceivers.New(testreceivers.Config{}))
	defer srv.Close()
	run := runSuite(t, srv.URL+"/hook", "-burst=5", "-deadline=2s")
	if run.exitCode != 0 {
		t.Fatalf("exit %d:\n%s", run.exitCode, run.output)
	}
	for name, s := range run.specs() {
		group := contract.Group(s)
		var want string
		switch group {
		case contract.GroupToken:
			want = contract.SkipNoToken
		case contract.GroupIdempotency:
			want = contract.SkipNoInspect
		default:
			continue
		}
		if !s.State.Is(types.SpecStateSkipped) || s.Failure.Message != want {
			t.Errorf("%q: state %s, message %q; want skipped with %q", name, s.State, s.Failure.Message, want)
		}
	}
}
