package contract_test

import (
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
	"github.com/coperniq-mock/coperniq-mock/delivery/tlstest"
)

// A receiver served over mutual TLS with a CA of its own, its inspect hook
// on the same server, is judged like one over plain HTTP once the CA and
// the client certificate are given: every request the run makes to it (the
// payload specs', the lifecycle scenarios' engine, the hook's, the check
// for a hung server) carries them.
func TestVerifyHarnessOverTLS(t *testing.T) {
	if *flagTarget != "" {
		t.Skip("-target given: verifying that receiver, not the harness")
	}
	start := func(t *testing.T, fault testreceivers.Fault) (string, []string) {
		pki := tlstest.New(t)
		srv := httptest.NewUnstartedServer(testreceivers.New(testreceivers.Config{Token: harnessToken, Fault: fault}))
		srv.TLS = pki.ServerConfig(true)
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv.URL, append(standardArgs(srv.URL), "-cacert="+pki.CAFile, "-cert="+pki.ClientCertFile, "-key="+pki.ClientKeyFile)
	}
	t.Run("lifecycle scenarios pass", func(t *testing.T) {
		t.Parallel()
		base, args := start(t, testreceivers.None)
		run := runSuite(t, base+"/webhooks/coperniq", append(args, "-scenarios="+harnessScenario+",duplicate-delivery", "-ginkgo.focus="+contract.GroupLifecycle)...)
		sum := mustPass(t, run)
		if sum.Passed < 2 {
			t.Errorf("%d lifecycle specs passed, want the two scenarios' at least", sum.Passed)
		}
	})
	// The receiver's server answers; only its hook hangs: the hook is
	// blamed, the server not called hung for refusing an untrusted
	// handshake.
	t.Run("hung hook is the hook's problem", func(t *testing.T) {
		t.Parallel()
		base, args := start(t, testreceivers.HookHangs)
		run := runSuite(t, base+"/webhooks/coperniq", args...)
		said := run.output + contract.Summarize(run.report).String()
		if !strings.Contains(said, "questions in a row within 2s (--inspect-timeout): is it hung?") {
			t.Errorf("the run does not blame the hung hook:\n%s", said)
		}
		if strings.Contains(said, "the receiver's server itself does not answer") {
			t.Errorf("the run calls hung the server of a receiver that answers over TLS:\n%s", said)
		}
	})
}
