package main

import (
	"fmt"

	"github.com/coperniq-mock/coperniq-mock/api"
	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/spf13/cobra"
)

// apiFlags are the REST API mock's flags, shared by 'api' and
// 'scenario run --api'.
type apiFlags struct{ api.CompanionConfig }

func (f *apiFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.Key, "api-key", api.DefaultKey, "the x-api-key the API mock accepts; a call without it, or with another, gets the documented 401")
	fl.Float64Var(&f.FailRate, "api-fail-rate", 0, "answer this fraction of API calls, 0 to 1, with a 500")
	fl.Float64Var(&f.LimitRate, "api-429-rate", 0, "answer this fraction of API calls, 0 to 1, with 429 Too Many Requests and a Retry-After header (the header is our assumption: Coperniq documents only the 429)")
	fl.DurationVar(&f.RetryAfter, "api-retry-after", api.DefaultRetryAfter, "the Retry-After of a 429, rounded up to whole seconds")
	fl.StringVar(&f.Latency, "api-latency", "", "delay every API answer by this long, or by a random time in a range LO..HI (e.g. 50ms..300ms)")
	fl.StringVar(&f.Quota, "api-quota", fmt.Sprintf("%d/s,%d/day", api.DefaultPerSecond, api.DefaultPerDay), "per-key limits, over which a call gets 429 (default 100/s and 5,000/day, from Coperniq's API docs; its OpenAPI document gives none), or off")
	fl.StringVar(&f.Calls, "api-calls", "", "when done, write the API call log (JSON lines, as /_mock/api-calls lists it) to this file")
	secretFromEnv(cmd, "api-key", "COPERNIQ_MOCK_API_KEY")
}

// startAPI serves the API from the scenario's timeline on --api (none
// without it); sending each event moves the API's world time to it.
func startAPI(cmd *cobra.Command, f *apiFlags, s delivery.Settings, seed uint64, tl *scenarios.Timeline, events []scenarios.Rendered) (*api.Companion, []delivery.Option, error) {
	c, opts, err := f.Start(given(cmd), s, seed, tl, events)
	if err != nil {
		return nil, nil, runErr(err)
	}
	if c != nil {
		fmt.Fprintf(cmd.OutOrStdout(), "API mock on %s (x-api-key %s), answering as of each event as it is sent\n", c.URL(), f.Key)
	}
	return c, opts, nil
}

func newAPICmd() *cobra.Command {
	var (
		f        apiFlags
		seed     uint64
		projects int
		at       string
	)
	cmd := &cobra.Command{
		Use:               "api [NAME|FILE]",
		Short:             "Serve a mock of Coperniq's REST API from a scenario's world",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeScenarios(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := "residential-solar"
			if len(args) == 1 {
				name = args[0]
			}
			// Before the address line: a script that reads it and sends
			// Ctrl-C at once must get the summary, not a killed process.
			ctx, stop := interruptContext()
			defer stop()
			return runErr(f.ServeWorld(ctx, cmd.OutOrStdout(), name, seed, at, projectsOption(cmd, projects)...))
		},
	}
	f.register(cmd)
	vocabularyInto(cmd, &f.Vocabulary)
	fl := cmd.Flags()
	fl.StringVar(&f.Addr, "addr", "127.0.0.1:8081", "address to listen on, host:port (port 0 picks a free one)")
	fl.Uint64Var(&seed, "seed", generator.DefaultSeed, "seed: the same seed gives the same world as 'scenario run --seed'")
	fl.IntVar(&projects, "projects", 0, "number of projects, for scenarios with a projects parameter (concurrent-projects)")
	fl.StringVar(&at, "at", "end", "the world time the API answers as of: end (every event fired), start (before the first), or an RFC 3339 time")
	defaultHelp := cmd.HelpFunc()
	cmd.SetHelpFunc(func(c *cobra.Command, args []string) {
		// The lists come from the embedded document, read only when
		// help is asked for.
		c.Long += "\n\n" + api.OperationList()
		defaultHelp(c, args)
	})
	return cmd
}
