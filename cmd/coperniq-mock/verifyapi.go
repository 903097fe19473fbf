package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/coperniq-mock/coperniq-mock/api"
	"github.com/coperniq-mock/coperniq-mock/contract"
)

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

func registerVerifyAPI(cmd *cobra.Command, m *contract.APIMock) {
	cmd.Long += verifyAPIHelp
	fl := cmd.Flags()
	fl.StringVar(&m.Addr, "api", "", "serve the REST API mock on this address (host:port) and run the API specs; point the receiver's API base URL at it")
	fl.StringVar(&m.Key, "api-key", api.DefaultKey, "the x-api-key the receiver must send on every API call")
	fl.IntVar(&m.MaxCallsPerEvent, "api-max-calls", contract.DefaultAPIMaxCalls, "the most API calls the receiver may make per webhook")
	secretFromEnv(cmd, "api-key", "COPERNIQ_MOCK_API_KEY")
}
