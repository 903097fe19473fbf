package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
)

func stateArgs(srv *httptest.Server, extra ...string) []string {
	return append([]string{"verify",
		"--target", srv.URL + "/webhooks/coperniq",
		"--inspect", srv.URL + testreceivers.InspectPath + "{eventId}",
		"--focus", contract.GroupState, "--scenario", "request-lost",
		"--deadline", "2s", "--inspect-timeout", "300ms", "--no-color",
		// A seed for a run CI can repeat: the one that drew a harmless
		// shuffle before 076ae03 and let the arrival-order receiver pass.
		// That the reordered specs tell arrival order for every seed is
		// contract's TestReorderedStateSpecsTellArrivalOrder.
		"--seed", "2100739527",
	}, extra...)
}

// TestVerifyState: the final-state specs through the binary, with a state
// hook URL and a state command (python3, another language), against a
// receiver that converges and one that applies in arrival order.
func TestVerifyState(t *testing.T) {
	good := httptest.NewServer(testreceivers.NewState(testreceivers.NewestWins))
	defer good.Close()
	r := cli(t, "", stateArgs(good, "--state", good.URL+testreceivers.StatePath+"{recordId}")...).want(t, 0)
	// Three for the scenario, and the 32-bit records spec.
	if !strings.Contains(r.stdout, contract.GroupState) || !strings.Contains(r.stdout, "PASS: 4 specs passed") {
		t.Errorf("want the final-state group and 4 passes:\n%s", r.stdout)
	}

	bad := httptest.NewServer(testreceivers.NewState(testreceivers.LastArrivalRecord))
	defer bad.Close()
	fetch := `python3 -c 'import os,sys,urllib.request,urllib.error
try: sys.stdout.write(urllib.request.urlopen("` + bad.URL + testreceivers.StatePath + `"+os.environ["COPERNIQ_RECORD_ID"]).read().decode())
except urllib.error.HTTPError as e:
    if e.code != 404: raise'`
	r = cli(t, "", stateArgs(bad, "--state-cmd", fetch)...).want(t, 1)
	for _, w := range []string{"record.stage.id is", "newest first within windows", "as acknowledged (arrival order)", "updatedAt"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "python3") {
		t.Errorf("the state command was printed:\n%s", r.stdout)
	}
}

func TestVerifyStateHookProblems(t *testing.T) {
	rc := testreceivers.NewState(testreceivers.NewestWins)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, testreceivers.StatePath) {
			w.Write([]byte(`{"record": {"title": "kept, but nothing comparable"}}`))
			return
		}
		rc.ServeHTTP(w, r)
	}))
	defer srv.Close()
	r := cli(t, "", stateArgs(srv, "--state", srv.URL+testreceivers.StatePath+"{recordId}")...).want(t, 2)
	for _, w := range []string{"nothing to compare", "[" + contract.ProblemStateHook + "]", "fix the hook", "the state hook does not answer by the protocol"} {
		if !strings.Contains(r.stdout+r.stderr, w) {
			t.Errorf("output lacks %q:\n%s\n%s", w, r.stdout, r.stderr)
		}
	}

	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"--state", "http://127.0.0.1:1/x/{recordId}", "--state-cmd", "true"}, "exclusive"},
		{[]string{"--state", srv.URL + "/_state/records/{eventId}"}, "unknown placeholder {eventId}"},
		{[]string{"--state", srv.URL + "/_state/records"}, "no {recordId} placeholder"},
		{[]string{"--state", "http://" + closedPort(t) + "/_state/records/{recordId}"}, "state hook"},
	} {
		r := cli(t, "", stateArgs(srv, c.args...)...).want(t, 2)
		if !strings.Contains(r.stderr, c.says) {
			t.Errorf("%v: stderr lacks %q:\n%s", c.args, c.says, r.stderr)
		}
	}
}

func chaosArgs(srv *httptest.Server, extra ...string) []string {
	return append([]string{"verify",
		"--target", srv.URL + "/webhooks/coperniq",
		"--inspect", srv.URL + testreceivers.InspectPath + "{eventId}",
		"--state", srv.URL + testreceivers.StatePath + "{recordId}",
		"--inspect-timeout", "150ms", "--deadline", "2s", "--seed", "7",
	}, extra...)
}

// TestVerifyChaosShrinksAndReplays: verify --chaos finds the receiver that
// applies work-order statuses in arrival order, shrinks the failing run to
// a few deliveries, writes the schedule, and its replay command, run as
// printed, reproduces the failure against the same receiver.
func TestVerifyChaosShrinksAndReplays(t *testing.T) {
	srv := httptest.NewServer(testreceivers.NewState(testreceivers.LastArrivalWorkOrder))
	defer srv.Close()
	dir := t.TempDir()
	r := cli(t, "", chaosArgs(srv, "--chaos", "50", "--chaos-out", dir)...).want(t, 1)
	for _, w := range []string{"1-minimal", "wrote " + dir, "deliveries:", "status is", "the receiver fails chaos run"} {
		if !strings.Contains(r.stdout+r.stderr, w) {
			t.Errorf("output lacks %q:\n%s\n%s", w, r.stdout, r.stderr)
		}
	}
	_, after, ok := strings.Cut(r.stdout, "\nreplay:\n  ")
	if !ok {
		t.Fatalf("no replay command:\n%s", r.stdout)
	}
	line, _, _ := strings.Cut(after, "\n")
	words := shellWords(t, line)
	if len(words) < 3 || words[0] != "coperniq-mock" {
		t.Fatalf("replay command %q", line)
	}
	rep := cli(t, "", words[1:]...).want(t, 1)
	if !strings.Contains(rep.stderr, "the failure reproduced") {
		t.Errorf("replay: %s\n%s", rep.stdout, rep.stderr)
	}
	// The same offset again finds the first replay's events applied: not
	// judged, rather than "did not reproduce".
	again := cli(t, "", words[1:]...).want(t, 2)
	for _, w := range []string{"already applied before it was sent", "pass another --id-offset"} {
		if !strings.Contains(again.stderr, w) {
			t.Errorf("a replay at a used offset: stderr lacks %q:\n%s\n%s", w, again.stdout, again.stderr)
		}
	}
	// Against a receiver that converges, the same file does not fail.
	good := httptest.NewServer(testreceivers.NewState(testreceivers.NewestWins))
	defer good.Close()
	for i, w := range words {
		words[i] = strings.ReplaceAll(w, srv.URL, good.URL)
	}
	ok2 := cli(t, "", words[1:]...).want(t, 0)
	if !strings.Contains(ok2.stdout, "did not reproduce") {
		t.Errorf("replay against a converging receiver: %s", ok2.stdout)
	}
}

func TestVerifyChaosPasses(t *testing.T) {
	srv := httptest.NewServer(testreceivers.NewState(testreceivers.Await409))
	defer srv.Close()
	r := cli(t, "", chaosArgs(srv, "--chaos", "4")...).want(t, 0)
	if !strings.Contains(r.stdout, "PASS: 4 chaos runs") || strings.Count(r.stdout, ": ok in ") != 4 {
		t.Errorf("want 4 runs ok:\n%s", r.stdout)
	}
	// The same seed against the same receiver: its events are already
	// applied, so the runs are not judged (a receiver storing nothing now
	// would pass).
	again := cli(t, "", chaosArgs(srv, "--chaos", "4")...).want(t, 2)
	for _, w := range []string{"chaos run 1 of seed 7: event ", "already applied before it was sent", "pass another --seed"} {
		if !strings.Contains(again.stderr, w) {
			t.Errorf("the same seed again: stderr lacks %q:\n%s\n%s", w, again.stdout, again.stderr)
		}
	}
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"--chaos", "-1"}, "want 1 or more"},
		{[]string{"--chaos", "2", "--chaos-replay", "x.yaml", "--id-offset", "100000000"}, "exclusive"},
		{[]string{"--chaos-replay", "x.yaml"}, "--id-offset"},
		{[]string{"--chaos-replay", "/nonexistent/x.yaml", "--id-offset", "100000000"}, "no such file"},
		{[]string{"--chaos", "2", "--shrink-budget", "-1s"}, "--shrink-budget"},
	} {
		r := cli(t, "", chaosArgs(srv, c.args...)...).want(t, 2)
		if !strings.Contains(r.stderr, c.says) {
			t.Errorf("%v: stderr lacks %q:\n%s", c.args, c.says, r.stderr)
		}
	}
}

// TestVerifyStatePythonReceiver: a receiver in another language that
// applies through a queue and keeps the newest versions passes the
// final-state specs and chaos runs.
func TestVerifyStatePythonReceiver(t *testing.T) {
	base, stop, err := testreceivers.StartPython(filepath.Join("..", "..", "contract", "testreceivers", "python", "newest_wins.py"), "0")
	if errors.Is(err, testreceivers.ErrNoPython) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	hooks := []string{"verify", "--target", base + "/webhooks/coperniq",
		"--inspect", base + testreceivers.InspectPath + "{eventId}",
		"--state", base + testreceivers.StatePath + "{recordId}", "--inspect-timeout", "2s"}
	r := cli(t, "", append(hooks, "--focus", contract.GroupState, "--scenario", "request-lost", "--scenario", "work-order-lifecycle", "--no-color", "--seed", "7")...).want(t, 0)
	if !strings.Contains(r.stdout, "PASS: 7 specs passed") { // and the 32-bit records spec
		t.Errorf("want 7 final-state passes:\n%s", r.stdout)
	}
	r = cli(t, "", append(hooks, "--chaos", "3", "--seed", "7")...).want(t, 0)
	if !strings.Contains(r.stdout, "PASS: 3 chaos runs") {
		t.Errorf("want 3 chaos runs passed:\n%s", r.stdout)
	}
}

// A final-state failure's reproduce line gives back every hook the run
// used, as the chaos replay line does: the inspect hook (which tells an
// event applied late from a wrong value, and how long it is waited for)
// beside the state hook; a hook command as CMD, never shown. Run as shown
// (with another seed: the run's ids are applied), it fails the same spec
// again.
func TestVerifyStateReproduceLineCarriesTheHooks(t *testing.T) {
	for _, c := range []struct {
		name     string
		state    func(url string) []string
		want     []string // {URL} is the receiver's
		runnable bool
	}{
		{"hook URLs", func(url string) []string { return []string{"--state", url + testreceivers.StatePath + "{recordId}"} },
			[]string{"--inspect '{URL}" + testreceivers.InspectPath + "{eventId}'", "--state '{URL}" + testreceivers.StatePath + "{recordId}'", "--inspect-timeout 300ms"}, true},
		{"a state command", func(url string) []string {
			return []string{"--state-cmd", `python3 -c 'import os,sys,urllib.request,urllib.error
try: sys.stdout.write(urllib.request.urlopen("` + url + testreceivers.StatePath + `"+os.environ["COPERNIQ_RECORD_ID"]).read().decode())
except urllib.error.HTTPError as e:
    if e.code != 404: raise'`}
		},
			[]string{"--inspect '{URL}" + testreceivers.InspectPath + "{eventId}'", "--state-cmd CMD", "--inspect-timeout 300ms"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			// A receiver for each run: the seed's ids are its own.
			bad := httptest.NewServer(testreceivers.NewState(testreceivers.LastArrivalRecord))
			defer bad.Close()
			r := cli(t, "", stateArgs(bad, c.state(bad.URL)...)...).want(t, 1)
			_, after, ok := strings.Cut(r.stdout, "reproduce:\n")
			if !ok {
				t.Fatalf("no reproduce line in the failure:\n%s", r.stdout)
			}
			line := strings.TrimSpace(strings.SplitN(after, "\n", 2)[0])
			for _, w := range c.want {
				has(t, "the reproduce line", line, strings.ReplaceAll(w, "{URL}", bad.URL))
			}
			hasNot(t, "the reproduce line", line, "python3")
			if c.runnable {
				// Fresh ids: the run's own are applied already.
				runAsShown(t, strings.Replace(line, "--seed 2100739527", "--seed 2100739528", 1), 1, "the same spec failed again")
			}
		})
	}
}
