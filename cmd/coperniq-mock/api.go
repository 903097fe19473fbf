package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/api"
	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/spf13/cobra"
)

// apiFlags are the REST API mock's flags, shared by 'api' and
// 'scenario run --api'.
type apiFlags struct {
	api.Config
	addr     string
	calls    string
	linger   time.Duration
	maxCalls int
}

// apiFlag names the flag of each api.Config field.
var apiFlag = strings.NewReplacer("{Key}", "--api-key", "{FailRate}", "--api-fail-rate", "{LimitRate}", "--api-429-rate",
	"{Latency}", "--api-latency", "{Quota}", "--api-quota")

func (f *apiFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.Key, "api-key", api.DefaultKey, "the x-api-key the API mock accepts; a call without it, or with another, gets the documented 401")
	fl.Float64Var(&f.FailRate, "api-fail-rate", 0, "answer this fraction of API calls, 0 to 1, with a 500")
	fl.Float64Var(&f.LimitRate, "api-429-rate", 0, "answer this fraction of API calls, 0 to 1, with 429 Too Many Requests and a Retry-After header (the header is our assumption: Coperniq documents only the 429)")
	fl.DurationVar(&f.RetryAfter, "api-retry-after", api.DefaultRetryAfter, "the Retry-After of a 429, rounded up to whole seconds")
	fl.StringVar(&f.Latency, "api-latency", "", "delay every API answer by this long, or by a random time in a range LO..HI (e.g. 50ms..300ms)")
	fl.StringVar(&f.Quota, "api-quota", fmt.Sprintf("%d/s,%d/day", api.DefaultPerSecond, api.DefaultPerDay), "per-key limits, over which a call gets 429 (Coperniq's documented 100/s and 5,000/day by default), or off")
	fl.StringVar(&f.calls, "api-calls", "", "when done, write the API call log (JSON lines, as /_mock/api-calls lists it) to this file")
	secretFromEnv(cmd, "api-key", "COPERNIQ_MOCK_API_KEY")
}

// options checks the flags, each error naming its flag.
func (f *apiFlags) options(seed uint64) ([]api.Option, error) {
	opts, err := f.Options(seed)
	if err != nil {
		return nil, usage(errors.New(apiFlag.Replace(err.Error())))
	}
	return opts, nil
}

// renderOptions fill tl when the API is to be served: keeping the world's
// versions costs a copy per event, which a run without --api does not pay.
func (f *apiFlags) renderOptions(tl *scenarios.Timeline) []scenarios.RenderOption {
	if f.addr == "" {
		return nil
	}
	return []scenarios.RenderOption{scenarios.WithTimeline(tl)}
}

// apiRun is the API mock serving alongside a scenario run.
type apiRun struct {
	srv    *api.Server
	flags  *apiFlags
	option delivery.Option
}

// startAPI serves the API from the scenario's timeline on --api, as of
// before the first event; sending each event moves the API's world time
// to it. nil when --api is not set.
func startAPI(cmd *cobra.Command, f *apiFlags, s delivery.Settings, seed uint64, tl *scenarios.Timeline, events []scenarios.Rendered) (*apiRun, error) {
	if f.addr == "" {
		for _, name := range []string{"api-key", "api-fail-rate", "api-429-rate", "api-retry-after", "api-latency", "api-quota", "api-calls", "api-linger", "api-max-calls"} {
			if cmd.Flags().Changed(name) {
				return nil, usage(fmt.Errorf("--%s shapes the API mock, which only --api ADDR serves", name))
			}
		}
		return nil, nil
	}
	opts, err := f.options(seed)
	if err != nil {
		return nil, err
	}
	h, err := api.NewHandler(tl, append(opts, api.WithTime(tl.Start().Add(-time.Millisecond)))...)
	if err != nil {
		return nil, usage(err)
	}
	// The engine's own client, with the transport that moves the world
	// time.
	policy, err := s.Policy()
	if err != nil {
		return nil, usage(err)
	}
	client := delivery.NewClient(policy.Timeout, s.Concurrency)
	client.Transport = h.Transport(client.Transport, events)
	srv, err := api.Listen(f.addr, h)
	if err != nil {
		return nil, usage(fmt.Errorf("--api %s: %v", f.addr, err))
	}
	fmt.Fprintf(cmd.OutOrStdout(), "API mock on %s (x-api-key %s), answering as of each event as it is sent\n", srv.URL, f.Key)
	return &apiRun{srv: srv, flags: f, option: delivery.WithClient(client)}, nil
}

// options are the delivery options the API needs: none without --api.
func (a *apiRun) options() []delivery.Option {
	if a == nil {
		return nil
	}
	return []delivery.Option{a.option}
}

// close stops the API without a summary, for a run that never started.
func (a *apiRun) close() {
	if a != nil {
		a.srv.Close()
	}
}

// finish keeps the API up for --api-linger (for receivers that call it
// after acknowledging), summarises its calls, writes --api-calls, and
// closes it. runErr is the run's outcome, passed through.
func (a *apiRun) finish(out io.Writer, runErr error) error {
	if a == nil {
		return runErr
	}
	if a.flags.linger > 0 {
		time.Sleep(a.flags.linger)
	}
	a.srv.Close()
	calls := a.srv.Calls()
	broken := api.WriteCallReport(out, calls, api.Rules{MaxCallsPerEvent: a.flags.maxCalls})
	if err := writeCalls(a.flags.calls, calls); err != nil && runErr == nil {
		return err
	}
	if broken > 0 && runErr == nil {
		return failureError{msg: fmt.Sprintf("the receiver's API calls broke %d rule(s): the key on every call, no retry before Retry-After, at most --api-max-calls per event (listed above)", broken)}
	}
	return runErr
}

func writeCalls(path string, calls []api.Call) error {
	if err := api.WriteCallsFile(path, calls); err != nil {
		return failureError{msg: fmt.Sprintf("--api-calls: %v", err)}
	}
	return nil
}

func newAPICmd() *cobra.Command {
	var (
		f        apiFlags
		seed     uint64
		projects int
		at       string
	)
	cmd := &cobra.Command{
		Use:   "api [NAME|FILE]",
		Short: "Serve a mock of Coperniq's REST API from a scenario's world",
		Long: `Serve the REST API a webhook receiver calls back (GET /projects/{projectId}, ...)
from the world a scenario plays, so that what the API answers agrees with the
webhooks: ids, numbers, values, statuses and dates. The world is the one
'scenario run' renders with the same scenario and --seed (default
residential-solar); --at picks the moment it answers as of.

Paths, parameters, pagination, response shapes and error bodies follow Coperniq's
published OpenAPI 3.1 document. Every call needs the x-api-key (--api-key).
Writes (PATCH of a project or work order, posting a note) are checked against the
document, recorded, and show in later GETs. GET /_mock/api-calls lists every call
answered; GET /_mock/clock the world time.

To serve the API while a scenario's webhooks are delivered, use
'scenario run --api ADDR': each event moves the API's world time as it is sent.`,
		Example: `  coperniq-mock api --addr 127.0.0.1:8081
  curl -H 'x-api-key: coperniq-mock-key' http://127.0.0.1:8081/projects
  coperniq-mock api request-won --at start --api-key secret --api-429-rate 0.1
  coperniq-mock scenario run residential-solar --target http://127.0.0.1:8080/hook --api 127.0.0.1:8081`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeScenarios(true),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := "residential-solar"
			if len(args) == 1 {
				name = args[0]
			}
			sc, err := scenarios.Load(name)
			if err != nil {
				return usage(err)
			}
			ropts, err := projectsOption(cmd, projects)
			if err != nil {
				return err
			}
			world, err := api.NewWorld(sc, seed, ropts...)
			if err != nil {
				return usage(err)
			}
			when, err := api.ParseTime(at, world.Timeline)
			if err != nil {
				return usage(fmt.Errorf("--at %q: %v", at, err))
			}
			opts, err := f.options(seed)
			if err != nil {
				return err
			}
			h, err := api.NewHandler(world.Timeline, append(opts, api.WithTime(when))...)
			if err != nil {
				return usage(err)
			}
			srv, err := api.Listen(f.addr, h)
			if err != nil {
				return usage(fmt.Errorf("--addr %s: %v", f.addr, err))
			}
			// Before the address line: a script that reads it and sends
			// Ctrl-C at once must get the summary, not a killed process.
			ctx, stop := interruptContext()
			defer stop()
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Coperniq API mock on %s (x-api-key %s)\n%s\n", srv.URL, f.Key, world.Describe(when))
			fmt.Fprintf(out, "try: curl -H 'x-api-key: %s' %s/projects\ncall log: %s/_mock/api-calls; Ctrl-C stops\n", f.Key, srv.URL, srv.URL)
			<-ctx.Done()
			srv.Close()
			calls := srv.Calls()
			// Informational here: a server stopped with Ctrl-C exits 0.
			api.WriteCallReport(out, calls, api.Rules{})
			return writeCalls(f.calls, calls)
		},
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8081", "address to listen on, host:port (port 0 picks a free one)")
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
