package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// verifyStateFlags are verify's flags for the final-state specs (the state
// hook), kept apart from the rest of verify's flags.
type verifyStateFlags struct {
	state, stateCmd string
	chaos           verifyChaosFlags
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
	s.chaos.register(fl)
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

// verifyChaosFlags are verify's chaos flags.
type verifyChaosFlags struct {
	runs         int
	out          string
	shrinkBudget time.Duration
	replay       string
	idOffset     int64
}

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
	fl.IntVar(&c.runs, "chaos", 0, "make N seeded chaos runs instead of the specs (needs --inspect/--inspect-cmd or --state/--state-cmd)")
	fl.StringVar(&c.out, "chaos-out", "", "write the shrunk schedule of a failing chaos run to this directory")
	fl.DurationVar(&c.shrinkBudget, "shrink-budget", contract.DefaultShrinkBudget, "how long to shrink a failing chaos run; 0 does not shrink")
	fl.StringVar(&c.replay, "chaos-replay", "", "replay this chaos schedule file once, instead of the specs")
	fl.Int64Var(&c.idOffset, "id-offset", 0, "with --chaos-replay: add this to every event, record and work order id (the replay command gives one)")
}

// check reports bad chaos flags.
func (c *verifyChaosFlags) check() error {
	switch {
	case c.runs < 0:
		return usage(fmt.Errorf("--chaos %d: want 1 or more runs", c.runs))
	case c.runs > 0 && c.replay != "":
		return usage(errors.New("--chaos and --chaos-replay are exclusive: give one"))
	case c.shrinkBudget < 0:
		return usage(fmt.Errorf("--shrink-budget %s: want 0 or a positive duration, e.g. 2m", c.shrinkBudget))
	case c.replay == "" && c.idOffset != 0:
		return usage(errors.New("--id-offset goes with --chaos-replay"))
	case c.replay != "" && c.idOffset == 0:
		return usage(errors.New("--chaos-replay needs --id-offset N (the replay command prints one)"))
	case c.runs == 0 && c.out != "":
		return usage(errors.New("--chaos-out goes with --chaos N"))
	}
	if c.out != "" {
		if err := os.MkdirAll(c.out, 0o755); err != nil {
			return usage(fmt.Errorf("--chaos-out: %w", err))
		}
	}
	return nil
}

// run runs chaos or a replay when asked, and reports whether it did.
func (c *verifyChaosFlags) run(ctx context.Context, out io.Writer, f *verifyFlags, t contract.Target) (bool, error) {
	if c.runs == 0 && c.replay == "" {
		return false, nil
	}
	if err := c.check(); err != nil {
		return true, err
	}
	if c.replay != "" {
		return true, c.replayFile(ctx, out, t)
	}
	seed := fmt.Sprintf("seed %d", t.Seed)
	if t.Seed == 0 {
		t.Seed = contract.RandomSeed()
		seed = fmt.Sprintf("seed %d, drawn at random (--seed %d repeats it)", t.Seed, t.Seed)
	}
	fmt.Fprintf(out, "chaos: %d runs of %s against %s, retries per the ci preset\n", c.runs, seed, delivery.MaskURL(t.URL))
	budget := c.shrinkBudget
	if budget == 0 {
		budget = -1
	}
	rep, err := contract.RunChaos(ctx, t, contract.ChaosOptions{Runs: c.runs, Seed: t.Seed, ShrinkBudget: budget, Pool: t.Scenarios,
		Progress: func(line string) { fmt.Fprintln(out, line) }})
	if err != nil {
		return true, usage(err)
	}
	sh := rep.Failure
	if sh == nil {
		fmt.Fprintf(out, "PASS: %d chaos runs\n", len(rep.Runs))
		return true, nil
	}
	fmt.Fprintf(out, "\nrun %d failed:\n", sh.Run)
	for _, p := range sh.Problems {
		fmt.Fprintf(out, "  %s\n", p.Text)
	}
	fmt.Fprintf(out, "\n%s\n", sh.Progress())
	file := "FILE"
	if c.out != "" {
		file = filepath.Join(c.out, fmt.Sprintf("chaos-seed%d-run%d.yaml", sh.Seed, sh.Run))
	}
	replay := f.replayCommand(file, sh.ReplayOffset)
	data := sh.File(replay)
	if c.out != "" {
		if err := os.WriteFile(file, data, 0o644); err != nil {
			return true, failureError{msg: fmt.Sprintf("--chaos-out: %v", err)}
		}
		fmt.Fprintf(out, "wrote %s:\n", file)
	} else {
		out.Write([]byte("the schedule (save it as FILE, or give --chaos-out DIR):\n"))
	}
	fmt.Fprintf(out, "\n%s\nreplay:\n  %s\n", data, replay)
	return true, failureError{msg: fmt.Sprintf("the receiver fails chaos run %d of seed %d (%s), shrunk to %s", sh.Run, sh.Seed, sh.Kind, nDeliveriesWord(len(sh.Schedule.Deliveries)))}
}

func nDeliveriesWord(n int) string {
	if n == 1 {
		return "1 delivery"
	}
	return fmt.Sprintf("%d deliveries", n)
}

func (c *verifyChaosFlags) replayFile(ctx context.Context, out io.Writer, t contract.Target) error {
	data, err := os.ReadFile(c.replay)
	if err != nil {
		return usage(fmt.Errorf("--chaos-replay: %w", err))
	}
	file, err := contract.ParseChaosFile(data)
	if err != nil {
		return usage(fmt.Errorf("--chaos-replay %s: %w", c.replay, err))
	}
	res, err := contract.ReplayChaos(ctx, t, file, c.idOffset)
	if err != nil {
		return usage(fmt.Errorf("--chaos-replay %s: %w", c.replay, err))
	}
	fmt.Fprintf(out, "replayed %s (%s) with ids offset by %d in %s\n", c.replay, nDeliveriesWord(len(file.Deliveries)), c.idOffset, res.Took.Round(time.Millisecond))
	for _, p := range res.Problems {
		fmt.Fprintf(out, "  %s\n", p.Text)
	}
	if res.Reproduced {
		return failureError{msg: fmt.Sprintf("the failure reproduced (%s)", file.Failure)}
	}
	fmt.Fprintf(out, "the failure did not reproduce: no %q problem\n", file.Failure)
	return nil
}

// replayCommand is the command that replays a chaos file against the same
// receiver with the same hooks; secrets and commands are not shown.
func (f *verifyFlags) replayCommand(file string, offset int64) string {
	args := []string{"coperniq-mock", "verify", "--target", shellWord(delivery.MaskURL(f.target))}
	if f.tokenParam != "" {
		name, _, _ := contract.ParseTokenParam(f.tokenParam)
		args = append(args, "--token-param", name+"="+delivery.Masked)
	}
	switch {
	case f.inspect != "":
		args = append(args, "--inspect", shellWord(maskHook(f.inspect)))
	case f.inspectCmd != "":
		args = append(args, "--inspect-cmd", "CMD")
	}
	switch {
	case f.state.state != "":
		args = append(args, "--state", shellWord(maskHook(f.state.state)))
	case f.state.stateCmd != "":
		args = append(args, "--state-cmd", "CMD")
	}
	if f.inspectTimeout != contract.DefaultInspectTimeout {
		args = append(args, "--inspect-timeout", f.inspectTimeout.String())
	}
	if f.deadline != contract.DefaultDeadline {
		args = append(args, "--deadline", f.deadline.String())
	}
	args = append(args, "--chaos-replay", shellWord(file), "--id-offset", fmt.Sprint(offset))
	return strings.Join(args, " ")
}

// maskHook masks a hook template's secrets but keeps its placeholders.
func maskHook(t string) string {
	return strings.NewReplacer("%7B", "{", "%7D", "}").Replace(delivery.MaskURL(t))
}

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
