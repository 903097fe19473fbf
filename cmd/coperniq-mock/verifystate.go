package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/coperniq-mock/coperniq-mock/contract"
)

// verifyStateFlags are verify's flags for the final-state specs (the state
// hook), kept apart from the rest of verify's flags.
type verifyStateFlags struct {
	state, stateCmd string
}

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

func (s *verifyStateFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&s.state, "state", "", "state hook URL template, e.g. 'http://127.0.0.1:8080/_state/records/{recordId}' (enables the final-state specs)")
	fl.StringVar(&s.stateCmd, "state-cmd", "", "state command: prints the JSON state of record $COPERNIQ_RECORD_ID (enables the final-state specs)")
}

// apply sets t.State from the flags; errors are bad usage.
func (s *verifyStateFlags) apply(t *contract.Target) error {
	var err error
	switch {
	case s.state != "" && s.stateCmd != "":
		return usage(errors.New("--state and --state-cmd are exclusive: give one"))
	case s.state != "":
		if t.State, err = contract.StateURL(s.state); err != nil {
			return usage(fmt.Errorf("--state: %w", err))
		}
	case s.stateCmd != "":
		if t.State, err = contract.StateCommand(s.stateCmd); err != nil {
			return usage(fmt.Errorf("--state-cmd: %w", err))
		}
	}
	return nil
}

// reachable checks that a --state hook accepts connections.
func (s *verifyStateFlags) reachable(ctx context.Context) error {
	if s.state == "" {
		return nil
	}
	if err := contract.CheckStateReachable(ctx, s.state, reachTimeout); err != nil {
		return usage(fmt.Errorf("--state: %w", err))
	}
	return nil
}
