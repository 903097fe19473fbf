package contract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// ChaosCommand is verify's chaos mode as a command states it: Runs seeded
// runs, the first failure shrunk for at most ShrinkBudget (0 does not
// shrink) and written to OutDir; or one replay of the schedule file Replay
// with ids offset by IDOffset.
type ChaosCommand struct {
	Runs         int
	OutDir       string
	ShrinkBudget time.Duration
	Replay       string
	IDOffset     int64
	// ReplayCommand is the command line that replays a schedule file with
	// an id offset, printed with a failure so that it can be run again.
	ReplayCommand func(file string, offset int64) string
}

// Enabled reports whether the command asks for chaos or a replay instead
// of the specs.
func (c ChaosCommand) Enabled() bool { return c.Runs != 0 || c.Replay != "" }

// ChaosFailure is the receiver failing a chaos run, or a replay of one
// (its failure reproduced, or another): a finding, not a bad command.
type ChaosFailure struct{ Msg string }

func (e *ChaosFailure) Error() string { return e.Msg }

// Check reports fields that are out of range or do not go together, and
// creates OutDir.
func (c ChaosCommand) Check() error {
	bad := func(format string, a ...any) error { return &schemas.FieldError{Msg: fmt.Sprintf(format, a...)} }
	switch {
	case c.Runs < 0:
		return bad("{Runs} %d: want 1 or more runs", c.Runs)
	case c.Runs > 0 && c.Replay != "":
		return bad("{Runs} and {Replay} are exclusive: give one")
	case c.ShrinkBudget < 0:
		return bad("{ShrinkBudget} %s: want 0 or a positive duration, e.g. 2m", c.ShrinkBudget)
	case c.Replay == "" && c.IDOffset != 0:
		return bad("{IDOffset} goes with {Replay}")
	case c.Replay != "" && c.IDOffset == 0:
		return bad("{Replay} needs {IDOffset} N (the replay command prints one)")
	case c.Runs == 0 && c.OutDir != "":
		return bad("{OutDir} goes with {Runs} N")
	}
	if c.OutDir != "" {
		if err := os.MkdirAll(c.OutDir, 0o755); err != nil {
			return bad("{OutDir}: %v", err)
		}
	}
	return nil
}

// Run makes the chaos runs, or the replay, against t, printing progress and
// the outcome to out. A failing receiver is a *ChaosFailure, also when ctx
// is cancelled once a run failed (it is printed as shrunk so far); a bad
// command a *schemas.FieldError; anything else stopped the runs, a
// cancelled ctx before any failed among them (the receiver not judged).
func (c ChaosCommand) Run(ctx context.Context, out io.Writer, t Target) error {
	if err := c.Check(); err != nil {
		return err
	}
	if c.Replay != "" {
		return c.replay(ctx, out, t)
	}
	seed := fmt.Sprintf("seed %d", t.Seed)
	if t.Seed == 0 {
		t.Seed = RandomSeed()
		seed = fmt.Sprintf("seed %d, drawn at random (--seed %d repeats it)", t.Seed, t.Seed)
	}
	fmt.Fprintf(out, "chaos: %d runs of %s against %s, retries per the ci preset\n", c.Runs, seed, delivery.MaskURL(t.URL))
	budget := c.ShrinkBudget
	if budget == 0 {
		budget = -1
	}
	rep, err := RunChaos(ctx, t, ChaosOptions{Runs: c.Runs, Seed: t.Seed, ShrinkBudget: budget, Pool: t.Scenarios,
		Progress: func(line string) { fmt.Fprintln(out, line) }})
	var stale *StaleError
	if errors.As(err, &stale) {
		return &schemas.FieldError{Msg: err.Error() + ".\nA chaos run's ids depend only on {Seed}: clear the receiver's state (a fresh database) before repeating a seed, or pass another {Seed} for fresh ids"}
	}
	switch {
	case err != nil && ctx.Err() == nil:
		return err
	case err != nil && (rep == nil || rep.Failure == nil):
		return c.interrupted(ctx, out, rep)
	}
	sh := rep.Failure
	if sh == nil {
		fmt.Fprintf(out, "PASS: %d chaos runs\n", len(rep.Runs))
		return nil
	}
	fmt.Fprintf(out, "\nrun %d failed:\n", sh.Run)
	file := "FILE"
	if c.OutDir != "" {
		file = filepath.Join(c.OutDir, fmt.Sprintf("chaos-seed%d-run%d.yaml", sh.Seed, sh.Run))
	}
	if err := c.listProblems(out, sh); err != nil {
		return err
	}
	fmt.Fprintf(out, "\n%s\n", sh.Progress())
	replay := c.ReplayCommand(file, sh.ReplayOffset)
	data := sh.File(replay)
	if c.OutDir != "" {
		if err := os.WriteFile(file, data, 0o644); err != nil {
			return &ChaosFailure{Msg: fmt.Sprintf("--chaos-out: %v", err)}
		}
		fmt.Fprintf(out, "wrote %s:\n", file)
	} else {
		fmt.Fprint(out, "the schedule (save it as FILE, or give --chaos-out DIR):\n")
	}
	fmt.Fprintf(out, "\n%s\nreplay:\n  %s\n", data, replay)
	if sh.Interrupted != "" {
		// The finding stands, as a spec failed before an interrupted
		// suite's does: exit 1, with what the shrinking got to.
		kept := fmt.Sprintf("during shrinking: the failure of run %d kept as shrunk so far, %s", sh.Run, schemas.Plural(len(sh.Schedule.Deliveries), "delivery"))
		if sh.Attempts == 0 {
			kept = fmt.Sprintf("before any smaller sequence failed: the failure of run %d kept, not shrunk", sh.Run)
		}
		return &ChaosFailure{Msg: fmt.Sprintf("the receiver fails chaos run %d of seed %d (%s); interrupted (%s) %s", sh.Run, sh.Seed, sh.Kind, sh.Interrupted, kept)}
	}
	if sh.Flaky && sh.FlakyShrunk > 0 {
		// The original failed every replay: the flaky one is the shrunk.
		return &ChaosFailure{Msg: fmt.Sprintf("the receiver fails chaos run %d of seed %d (%s), flaky: shrunk to %s, which failed %d of %d replays; the original kept, not shrunk", sh.Run, sh.Seed, sh.Kind, schemas.Plural(sh.FlakyShrunk, "delivery"), sh.Reproduced, sh.Replays)}
	}
	if sh.Flaky {
		return &ChaosFailure{Msg: fmt.Sprintf("the receiver fails chaos run %d of seed %d (%s), flaky: failed %d of %d replays, not shrunk", sh.Run, sh.Seed, sh.Kind, sh.Reproduced, sh.Replays)}
	}
	return &ChaosFailure{Msg: fmt.Sprintf("the receiver fails chaos run %d of seed %d (%s), shrunk to %s", sh.Run, sh.Seed, sh.Kind, schemas.Plural(len(sh.Schedule.Deliveries), "delivery"))}
}

// interrupted reports chaos runs cut short by ctx before any failed: the
// receiver was not judged (exit 2, as an interrupted suite with no failure).
func (c ChaosCommand) interrupted(ctx context.Context, out io.Writer, rep *ChaosReport) error {
	passed := 0
	if rep != nil {
		passed = len(rep.Runs)
	}
	why := context.Cause(ctx).Error()
	fmt.Fprintf(out, "interrupted (%s) during run %d of %d: %s passed before it, %d not run\n", why, passed+1, c.Runs, schemas.Plural(passed, "run"), c.Runs-passed-1)
	return fmt.Errorf("the receiver was not judged: interrupted (%s) after %d of %d chaos runs passed, none failed", why, passed, c.Runs)
}

// shownProblems is how many problems of a failed run the console lists: a
// receiver that forgets old eventIds has thousands, one line each.
const shownProblems = 20

// listProblems prints the first shownProblems problems of the failed run,
// and writes them all to OutDir when there are more.
func (c ChaosCommand) listProblems(out io.Writer, sh *Shrunk) error {
	for i, p := range sh.Problems {
		if i == shownProblems {
			break
		}
		fmt.Fprintf(out, "  %s\n", p.Text)
	}
	more := len(sh.Problems) - shownProblems
	if more <= 0 {
		return nil
	}
	if c.OutDir == "" {
		fmt.Fprintf(out, "  … and %d more (--chaos-out DIR writes them all)\n", more)
		return nil
	}
	file := filepath.Join(c.OutDir, fmt.Sprintf("chaos-seed%d-run%d-problems.txt", sh.Seed, sh.Run))
	var b strings.Builder
	for _, p := range sh.Problems {
		fmt.Fprintf(&b, "%s: %s\n", p.Kind, p.Text)
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		return &ChaosFailure{Msg: fmt.Sprintf("--chaos-out: %v", err)}
	}
	fmt.Fprintf(out, "  … and %d more (all %d in %s)\n", more, len(sh.Problems), file)
	return nil
}

func (c ChaosCommand) replay(ctx context.Context, out io.Writer, t Target) error {
	data, err := os.ReadFile(c.Replay)
	if err != nil {
		return &schemas.FieldError{Msg: fmt.Sprintf("{Replay}: %v", err)}
	}
	file, err := ParseChaosFile(data)
	if err == nil {
		var res Replay
		if res, err = ReplayChaos(ctx, t, file, c.IDOffset); err == nil {
			return c.replayed(out, file, res)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("the receiver was not judged: interrupted (%s) while replaying %s", context.Cause(ctx), c.Replay)
		}
		var stale *StaleError
		if errors.As(err, &stale) {
			return &schemas.FieldError{Msg: fmt.Sprintf("replaying %s with {IDOffset} %d: %v.\nA replay's ids are the file's plus {IDOffset}: an offset an earlier replay used finds that replay's state; pass another {IDOffset} (a multiple of %d, e.g. %d), or clear the receiver's state", c.Replay, c.IDOffset, err, idStride, c.IDOffset+idStride)}
		}
	}
	return &schemas.FieldError{Msg: fmt.Sprintf("{Replay} %s: %v", c.Replay, err)}
}

func (c ChaosCommand) replayed(out io.Writer, file ChaosFile, res Replay) error {
	fmt.Fprintf(out, "replayed %s (%s) with ids offset by %d in %s\n", c.Replay, schemas.Plural(len(file.Deliveries), "delivery"), c.IDOffset, res.Took.Round(time.Millisecond))
	for _, p := range res.Problems {
		fmt.Fprintf(out, "  %s\n", p.Text)
	}
	if res.Reproduced {
		return &ChaosFailure{Msg: fmt.Sprintf("the failure reproduced (%s)", file.Failure)}
	}
	if len(res.Problems) > 0 {
		// Not the file's failure, but the receiver fails all the same.
		return &ChaosFailure{Msg: fmt.Sprintf("the replay failed differently: want %s, got %s", file.Failure, strings.Join(res.Kinds(), ", "))}
	}
	fmt.Fprintf(out, "the failure did not reproduce: no %q problem\n", file.Failure)
	return nil
}

// MaskTemplate masks a hook template's secrets but keeps its placeholders,
// for a command line shown to a person.
func MaskTemplate(t string) string { return maskTemplate(t) }
