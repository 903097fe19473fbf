package main

import (
	"net/http"
	"net/http/httptest"
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
	}, extra...)
}

// TestVerifyState: the final-state specs through the binary, with a state
// hook URL and a state command (python3, another language), against a
// receiver that converges and one that applies in arrival order.
func TestVerifyState(t *testing.T) {
	good := httptest.NewServer(testreceivers.NewState(testreceivers.NewestWins))
	defer good.Close()
	r := cli(t, "", stateArgs(good, "--state", good.URL+testreceivers.StatePath+"{recordId}")...).want(t, 0)
	if !strings.Contains(r.stdout, contract.GroupState) || !strings.Contains(r.stdout, "PASS: 3 specs passed") {
		t.Errorf("want the final-state group and 3 passes:\n%s", r.stdout)
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
		{[]string{"--state", "http://127.0.0.1:1/_state/records/{recordId}"}, "state hook"},
	} {
		r := cli(t, "", stateArgs(srv, c.args...)...).want(t, 2)
		if !strings.Contains(r.stderr, c.says) {
			t.Errorf("%v: stderr lacks %q:\n%s", c.args, c.says, r.stderr)
		}
	}
}
