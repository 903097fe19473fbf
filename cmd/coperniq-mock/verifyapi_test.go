package main

import (
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
)

// apiReceiver starts a receiver that calls the API mock on a free port
// back, and returns the webhook URL and the mock's address.
func apiReceiver(t *testing.T, key string, fault testreceivers.APIFault) (hook, addr string) {
	t.Helper()
	addr = closedPort(t)
	srv := httptest.NewServer(testreceivers.NewAPIReceiver("http://"+addr, key, fault))
	t.Cleanup(srv.Close)
	return srv.URL + "/hook", addr
}

func apiArgs(hook, focus string, extra ...string) []string {
	return append([]string{"verify", "--target", hook, "--focus", focus, "--scenario", "request-won", "--seed", "5", "--no-color"}, extra...)
}

// TestVerifyAPI: the API specs through the binary, the key from the
// environment: a receiver that calls the API right passes them, one that
// retries a 429 at once fails the Retry-After spec, and --api-max-calls
// is the bound of the calls-per-webhook spec.
func TestVerifyAPI(t *testing.T) {
	t.Parallel()
	env := []string{"COPERNIQ_MOCK_API_KEY=k-cli"}
	hook, addr := apiReceiver(t, "k-cli", testreceivers.APICorrect)
	r := cliEnv(t, env, apiArgs(hook, contract.GroupAPI, "--api", addr)...).want(t, 0)
	for _, w := range []string{"API mock on http://" + addr, "PASS: 3 specs passed, 0 skipped"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, r.stdout)
		}
	}
	if strings.Contains(r.stdout+r.stderr, "k-cli") {
		t.Errorf("the API key was printed:\n%s%s", r.stdout, r.stderr)
	}

	hook, addr = apiReceiver(t, "k-cli", testreceivers.APIIgnoresRetryAfter)
	r = cliEnv(t, env, apiArgs(hook, "Retry-After", "--api", addr)...).want(t, 1)
	for _, w := range []string{"FAIL " + contract.GroupAPI + " " + contract.SpecAPIRetryAfter, "whose Retry-After was 1 s", "the header is our assumption"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("output lacks %q:\n%s", w, r.stdout)
		}
	}

	hook, addr = apiReceiver(t, "k-cli", testreceivers.APITooManyCalls)
	r = cliEnv(t, env, apiArgs(hook, "at most", "--api", addr)...).want(t, 1)
	if !strings.Contains(r.stdout, "more than 5 times per webhook (--api-max-calls)") {
		t.Errorf("output lacks the bound:\n%s", r.stdout)
	}
	hook, addr = apiReceiver(t, "k-cli", testreceivers.APITooManyCalls)
	r = cliEnv(t, env, apiArgs(hook, "at most", "--api", addr, "--api-max-calls", "8")...).want(t, 0)
	if !strings.Contains(r.stdout, "PASS: 1 spec") {
		t.Errorf("--api-max-calls 8 did not pass 8 calls a webhook:\n%s", r.stdout)
	}
}

// TestVerifyAPISkipsAndUsage: without --api the API specs are skipped with
// the reason; bad API flags are bad usage, told before any delivery.
func TestVerifyAPISkipsAndUsage(t *testing.T) {
	t.Parallel()
	hook, addr := apiReceiver(t, "k", testreceivers.APICorrect)
	// Nothing else selected: nothing ran, the receiver was not judged.
	r := cli(t, "", apiArgs(hook, contract.GroupAPI)...).want(t, 2)
	if !strings.Contains(r.stdout, contract.SkipNoAPI) || !strings.Contains(r.stderr, "not judged: no selected spec ran, 3 specs skipped: "+contract.GroupAPI+" (3): "+contract.SkipNoAPI) {
		t.Errorf("output lacks the skip reason %q:\n%s\n%s", contract.SkipNoAPI, r.stdout, r.stderr)
	}

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"--api-key", "k"}, "--api-key goes with --api ADDR"},
		{[]string{"--api", addr, "--api-max-calls", "0"}, "--api-max-calls 0: want 1 or more"},
		{[]string{"--api", "127.0.0.1:0"}, "want host:port"},
		{[]string{"--api", "8081"}, "want host:port"},
		{[]string{"--api", busy.Addr().String()}, "--api " + busy.Addr().String()},
		{[]string{"--api", addr, "--chaos", "1", "--inspect", hook + "/{eventId}"}, "which chaos runs do not"},
	} {
		r := cli(t, "", apiArgs(hook, contract.GroupAPI, c.args...)...).want(t, 2)
		if !strings.Contains(r.stderr, c.says) {
			t.Errorf("%v: stderr lacks %q:\n%s", c.args, c.says, r.stderr)
		}
	}
}
