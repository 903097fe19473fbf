package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coperniq-mock/coperniq-mock/api"
	"github.com/coperniq-mock/coperniq-mock/contract"
)

// verifyAPIFlags are verify's flags for the API specs (the REST API mock),
// kept apart from the rest of verify's flags.
type verifyAPIFlags struct {
	addr, key string
	maxCalls  int
}

// verifyAPIHelp is the part of verify's help about the API specs.
var verifyAPIHelp = fmt.Sprintf(`

REST API: --api ADDR serves the mock of Coperniq's REST API ('api --help') on
ADDR for the whole run; point the receiver's API base URL at http://ADDR.
Each lifecycle scenario's first %d events are delivered one at a time, the API
answering from that scenario's world as of each event as it is sent, and the
receiver's calls are counted until it makes none for %s. Then the first API
call after each of %d more webhooks is answered 429 with Retry-After: %d (the
header is our assumption: Coperniq documents only the 429):
%s:
  %s
  %s (the bound is --api-max-calls)
  %s
Without --api they are skipped; a receiver that makes no API call is not
judged on them (skipped: nothing to judge).`,
	contract.APIEventsPerScenario, contract.APIQuiet, contract.APIRetryEvents, int(contract.APIRetryAfter.Seconds()),
	contract.GroupAPI, contract.SpecAPIKey, contract.SpecAPICalls(contract.DefaultAPIMaxCalls), contract.SpecAPIRetryAfter)

func (f *verifyAPIFlags) register(cmd *cobra.Command) {
	cmd.Long += verifyAPIHelp
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "api", "", "serve the REST API mock on this address (host:port) and run the API specs; point the receiver's API base URL at it")
	fl.StringVar(&f.key, "api-key", api.DefaultKey, "the x-api-key the receiver must send on every API call")
	fl.IntVar(&f.maxCalls, "api-max-calls", contract.DefaultAPIMaxCalls, "the most API calls the receiver may make per webhook")
	secretFromEnv(cmd, "api-key", "COPERNIQ_MOCK_API_KEY")
}

// mock is contract.Target.API from the flags (nil without --api); errors
// are bad usage. The address is tried first, so that one in use is told
// before any delivery.
func (f *verifyAPIFlags) mock(cmd *cobra.Command) (*contract.APIMock, error) {
	changed := cmd.Flags().Changed
	if f.addr == "" {
		for _, name := range []string{"api-key", "api-max-calls"} {
			if changed(name) {
				return nil, usage(fmt.Errorf("--%s goes with --api ADDR, which serves the API mock", name))
			}
		}
		return nil, nil
	}
	if changed("chaos") || changed("chaos-replay") {
		return nil, usage(errors.New("--api runs the API specs, which chaos runs do not: drop one"))
	}
	m := &contract.APIMock{Addr: f.addr, Key: f.key, MaxCallsPerEvent: f.maxCalls}
	if err := m.Validate(); err != nil {
		return nil, usage(flagError(err))
	}
	fmt.Fprintf(cmd.OutOrStdout(), "API mock on http://%s for the API specs: point the receiver's API base URL there\n", f.addr)
	return m, nil
}
