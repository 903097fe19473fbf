package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/coperniq-mock/coperniq-mock/contract"
)

// verifyStateHelp is the part of verify's help about the state hook.
const verifyStateHelp = `

State protocol: --state 'http://127.0.0.1:8080/_state/records/{recordId}' is a
GET answering 200 with the receiver's view of the record,
  {"record": {"status": "ACTIVE", "stage": {"id": 16651}},
   "workOrders": {"8812": {"status": "COMPLETED"}}}
or 404 when it has nothing on it. Every key is optional (return what you keep;
what is returned is compared, as text, exactly) but one must be there.
--state-cmd runs a shell command with COPERNIQ_RECORD_ID set and reads that JSON
from its stdout (nothing printed: nothing on the record). With a state hook,
every lifecycle scenario is delivered three more times (in order; newest first
within windows of 8; shuffled with half the events twice), with retries per the
ci preset, and each record and work order must end in the world's state after
the scenario's last event:
` + contract.GroupState + ` <scenario>:
  ` + contract.SpecStateInOrder + `
  ` + contract.SpecStateReversed + `
  ` + contract.SpecStateDuplicates

// registerVerifyHooks gives verify the flags of its state hook, chaos runs
// and API mock (verifyapi.go).
func registerVerifyHooks(cmd *cobra.Command, f *verifyFlags) {
	fl := cmd.Flags()
	f.chaos.register(fl)
	fl.StringVar(&f.s.StateURL, "state", "", "state hook URL template, e.g. 'http://127.0.0.1:8080/_state/records/{recordId}' (enables the final-state specs)")
	fl.StringVar(&f.s.StateCmd, "state-cmd", "", "state command: prints the JSON state of record $COPERNIQ_RECORD_ID (enables the final-state specs)")
	registerVerifyAPI(cmd, &f.s.API)
}

// verifyChaosFlags are verify's chaos flags.
type verifyChaosFlags struct{ contract.ChaosCommand }

const verifyChaosHelp = `

Chaos: --chaos N makes N seeded runs instead of the specs, each a random mix of
lifecycle scenarios delivered with random faults (reordering windows,
sequential and concurrent duplicates, the sender giving up and sending again,
delays) and retries per the ci preset after a non-2xx, each with fresh ids
derived from --seed and the run number (the same seed gives the same runs).
After each run the inspect hook must count every event applied once and the
state hook must show the newest state. The first failing run is shrunk (events,
faults, records removed, order restored) while it fails the same way, for at
most --shrink-budget, and printed as a schedule with the command that replays
it; --chaos-out DIR writes it to a file. --chaos-replay FILE --id-offset N
replays such a file once and says whether the failure reproduced (exit 1) or not.
--scenario picks the scenarios a chaos run mixes (default: the built-in ones of a
few dozen events).`

func (c *verifyChaosFlags) register(fl *pflag.FlagSet) {
	fl.IntVar(&c.Runs, "chaos", 0, "make N seeded chaos runs instead of the specs (needs --inspect/--inspect-cmd or --state/--state-cmd)")
	fl.StringVar(&c.OutDir, "chaos-out", "", "write the shrunk schedule of a failing chaos run to this directory")
	fl.DurationVar(&c.ShrinkBudget, "shrink-budget", contract.DefaultShrinkBudget, "how long to shrink a failing chaos run; 0 does not shrink")
	fl.StringVar(&c.Replay, "chaos-replay", "", "replay this chaos schedule file once, instead of the specs")
	fl.Int64Var(&c.IDOffset, "id-offset", 0, "with --chaos-replay: add this to every event, record and work order id (the replay command gives one)")
}
