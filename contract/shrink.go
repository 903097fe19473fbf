package contract

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
)

// Shrunk is a failing chaos run and the smallest schedule found that still
// fails the same way.
type Shrunk struct {
	Seed     uint64
	Run      int
	Original Schedule
	Problems []Problem // the original run's
	// Kind is the kind of problem the shrinking kept: the original's first.
	Kind     string
	Schedule Schedule
	// ShrunkProblems are the problems of the last attempt that failed.
	ShrunkProblems []Problem
	Attempts       int
	// Minimal: no single removal (a delivery, a fault, a record, a
	// scenario) nor restoring the order of two neighbours keeps it
	// failing. False when the budget ran out first.
	Minimal bool
	Took    time.Duration
	Budget  time.Duration
	// ReplayOffset is an id offset no attempt used, for the replay command.
	ReplayOffset int64
	// Replays is how many times the failing sequence was run again before
	// shrinking (and the shrunk one after), each with fresh ids;
	// Reproduced how many of them failed the same way.
	Replays, Reproduced int
	// Flaky: a sequence did not fail every replay, so Schedule is the
	// original, not shrunk: shrinking keeps a candidate that happens to
	// fail, and would call the result minimal. FlakyShrunk is the
	// deliveries of the shrunk sequence that did not reproduce, 0 when
	// the original did not.
	Flaky       bool
	FlakyShrunk int
	// Interrupted is what cut shrinking short (the context's cause: verify
	// names the signal, "Ctrl-C or SIGINT"), empty when nothing did:
	// Schedule is then the smallest sequence that failed so far, not
	// replayed to check that it fails every time, or the original when
	// the replays before shrinking were under way.
	Interrupted string
}

// shrinkReplays is how many times a failing sequence is run again before
// it is shrunk, and the shrunk one after: a shrink needs a failure that
// comes back every time.
const shrinkReplays = 3

// shrink delta-debugs s, which failed with problems, while it fails with a
// problem of the same kind, each attempt with fresh ids. Cancelled, it
// returns the failure as shrunk so far (Shrunk.Interrupted) with the error:
// a failure found is not lost to a Ctrl-C during a long shrink.
func (x *executor) shrink(ctx context.Context, o ChaosOptions, run int, s Schedule, problems []Problem) (*Shrunk, error) {
	sh := &Shrunk{Seed: o.Seed, Run: run, Original: s, Problems: problems, Kind: problems[0].Kind,
		Schedule: s, ShrunkProblems: problems, Budget: max(o.ShrinkBudget, 0), ReplayOffset: idOffset(o.Seed, run, 1<<30)}
	if o.ShrinkBudget < 0 {
		return sh, nil
	}
	start := time.Now()
	err := x.shrinkInto(ctx, o, sh)
	sh.Took = time.Since(start)
	if err != nil && ctx.Err() != nil {
		sh.Interrupted = context.Cause(ctx).Error()
		sh.Schedule = pruneScenarios(sh.Schedule)
		return sh, err
	}
	if err != nil {
		return nil, err
	}
	return sh, nil
}

// shrinkInto shrinks sh.Original into sh, which holds the smallest failing
// sequence found at every moment.
func (x *executor) shrinkInto(ctx context.Context, o ChaosOptions, sh *Shrunk) error {
	s, problems, run := sh.Original, sh.Problems, sh.Run
	start := time.Now()
	r, err := renderSchedule(s)
	if err != nil {
		return err
	}
	outOfBudget := func() bool { return time.Since(start) > o.ShrinkBudget }
	// reproduces runs c shrinkReplays times, with ids no attempt uses
	// (base apart for before and after), and counts its failures.
	reproduces := func(c Schedule, base int) (int, error) {
		k := 0
		for i := range shrinkReplays {
			a, err := x.execute(ctx, c, r, idOffset(o.Seed, run, base+i))
			if err != nil {
				return 0, fmt.Errorf("replaying chaos run %d of seed %d: %w", run, o.Seed, err)
			}
			verdict := "passes"
			if slices.ContainsFunc(a.problems, func(p Problem) bool { return p.Kind == sh.Kind }) {
				k++
				verdict = "still fails"
			}
			if o.Progress != nil {
				o.Progress(fmt.Sprintf("  replay %d of %d: %s: %s", i+1, shrinkReplays, plural(len(c.Deliveries), "delivery"), verdict))
			}
		}
		return k, nil
	}
	sh.Replays = shrinkReplays
	if sh.Reproduced, err = reproduces(s, 1<<28); err != nil {
		return err
	}
	if sh.Reproduced < sh.Replays {
		sh.Flaky = true
		return nil
	}
	// fails tries a candidate; it becomes the current schedule when it
	// still fails the same way.
	fails := func(c Schedule) (bool, error) {
		if len(c.Deliveries) == 0 || outOfBudget() {
			return false, nil
		}
		// Counted once made: one a cancelled ctx cut short is not.
		n := sh.Attempts + 1
		a, err := x.executeQuick(ctx, c, r, idOffset(o.Seed, run, n))
		if err != nil {
			return false, fmt.Errorf("shrinking chaos run %d of seed %d, attempt %d: %w", run, o.Seed, n, err)
		}
		sh.Attempts = n
		ok := slices.ContainsFunc(a.problems, func(p Problem) bool { return p.Kind == sh.Kind })
		if o.Progress != nil {
			verdict := "passes"
			if ok {
				verdict = "still fails"
			}
			o.Progress(fmt.Sprintf("  shrink attempt %d: %s: %s", sh.Attempts, plural(len(c.Deliveries), "delivery"), verdict))
		}
		if ok {
			sh.Schedule, sh.ShrunkProblems = c, a.problems
		}
		return ok, nil
	}
	without := func(c Schedule, drop func(i int, d Delivery) bool) Schedule {
		out := Schedule{Scenarios: c.Scenarios}
		for i, d := range c.Deliveries {
			if !drop(i, d) {
				out.Deliveries = append(out.Deliveries, d)
			}
		}
		return out
	}
	for {
		changed := false
		try := func(c Schedule) error {
			if len(c.Deliveries) == len(sh.Schedule.Deliveries) && slices.Equal(c.Deliveries, sh.Schedule.Deliveries) {
				return nil
			}
			ok, err := fails(c)
			changed = changed || ok
			return err
		}
		// Whole scenarios, then whole records.
		for sc := range sh.Schedule.Scenarios {
			if err := try(without(sh.Schedule, func(_ int, d Delivery) bool { return d.Scenario == sc })); err != nil {
				return err
			}
		}
		for _, rec := range recordsOf(sh.Schedule, r) {
			if err := try(without(sh.Schedule, func(_ int, d Delivery) bool { return r.events[d.Scenario][d.Event].RecordID == rec })); err != nil {
				return err
			}
		}
		// Chunks of deliveries, halving down to one.
		for n := len(sh.Schedule.Deliveries) / 2; n >= 1; n /= 2 {
			for lo := 0; lo < len(sh.Schedule.Deliveries); {
				before := len(sh.Schedule.Deliveries)
				if err := try(without(sh.Schedule, func(i int, _ Delivery) bool { return i >= lo && i < lo+n })); err != nil {
					return err
				}
				if len(sh.Schedule.Deliveries) == before {
					lo += n
				}
			}
		}
		// Faults, then the order: put two neighbours back in firing order.
		for i := range sh.Schedule.Deliveries {
			if i >= len(sh.Schedule.Deliveries) {
				break
			}
			d := sh.Schedule.Deliveries[i]
			if d.Fault == FaultNone && d.DelayMS == 0 {
				continue
			}
			c := Schedule{Scenarios: sh.Schedule.Scenarios, Deliveries: slices.Clone(sh.Schedule.Deliveries)}
			c.Deliveries[i].Fault, c.Deliveries[i].DelayMS = FaultNone, 0
			if err := try(c); err != nil {
				return err
			}
		}
		for i := 0; i+1 < len(sh.Schedule.Deliveries); i++ {
			a, b := sh.Schedule.Deliveries[i], sh.Schedule.Deliveries[i+1]
			if !r.events[a.Scenario][a.Event].FiredAt.After(r.events[b.Scenario][b.Event].FiredAt) {
				continue
			}
			c := Schedule{Scenarios: sh.Schedule.Scenarios, Deliveries: slices.Clone(sh.Schedule.Deliveries)}
			c.Deliveries[i], c.Deliveries[i+1] = b, a
			if err := try(c); err != nil {
				return err
			}
		}
		if outOfBudget() {
			break
		}
		if !changed {
			sh.Minimal = true
			break
		}
	}
	if len(sh.Schedule.Deliveries) < len(s.Deliveries) {
		k, err := reproduces(sh.Schedule, 1<<29)
		if err != nil {
			return err
		}
		if k < shrinkReplays {
			sh.Flaky, sh.Minimal, sh.FlakyShrunk, sh.Reproduced = true, false, len(sh.Schedule.Deliveries), k
			sh.Schedule, sh.ShrunkProblems = s, problems
		}
	}
	sh.Schedule = pruneScenarios(sh.Schedule)
	return nil
}

// recordsOf lists the records s delivers events of, in first-delivery order.
func recordsOf(s Schedule, r *rendered) []int64 {
	var out []int64
	for _, d := range s.Deliveries {
		if id := r.events[d.Scenario][d.Event].RecordID; !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// pruneScenarios drops the scenarios s no longer delivers events of.
func pruneScenarios(s Schedule) Schedule {
	index := map[int]int{}
	out := Schedule{}
	for _, d := range s.Deliveries {
		if _, ok := index[d.Scenario]; !ok {
			index[d.Scenario] = len(out.Scenarios)
			out.Scenarios = append(out.Scenarios, s.Scenarios[d.Scenario])
		}
		d.Scenario = index[d.Scenario]
		out.Deliveries = append(out.Deliveries, d)
	}
	return out
}

// ChaosFileVersion is the format of a chaos schedule file.
const ChaosFileVersion = 1

// ChaosFile is a schedule as written to a file: what to deliver, and the
// kind of failure it showed.
type ChaosFile struct {
	Chaos      int                 `yaml:"chaos"`
	Seed       uint64              `yaml:"seed"`
	Run        int                 `yaml:"run"`
	Failure    string              `yaml:"failure"`
	Scenarios  []ScheduledScenario `yaml:"scenarios"`
	Deliveries []Delivery          `yaml:"deliveries"`
}

// Schedule is the file's schedule.
func (f ChaosFile) Schedule() Schedule {
	return Schedule{Scenarios: f.Scenarios, Deliveries: f.Deliveries}
}

// File is the shrunk schedule as a file, with comments that say where it
// comes from and how it failed; replay is the command that replays it,
// shown in the header.
func (s *Shrunk) File(replay string) []byte {
	f := ChaosFile{Chaos: ChaosFileVersion, Seed: s.Seed, Run: s.Run, Failure: s.Kind,
		Scenarios: s.Schedule.Scenarios, Deliveries: s.Schedule.Deliveries}
	body, _ := yaml.MarshalWithOptions(f, yaml.Flow(false))
	var b bytes.Buffer
	fmt.Fprintf(&b, "# coperniq-mock chaos schedule: run %d of seed %d, %s.\n", s.Run, s.Seed, s.Progress())
	b.WriteString("# Delivered one at a time in this order (a retry after a non-2xx, per the ci\n# preset, waits while the next ones go); an event listed twice is a duplicate.\n")
	b.WriteString("# It failed with:\n")
	for _, line := range strings.Split(strings.TrimRight(problemLines(s.ShrunkProblems), "\n"), "\n") {
		b.WriteString("#" + line + "\n")
	}
	if replay != "" {
		fmt.Fprintf(&b, "# Replay it against the same receiver (another --id-offset for each replay):\n#   %s\n", replay)
	}
	if s.Flaky {
		b.WriteString("# It does not fail every time: a replay that passes does not show it fixed.\n")
	}
	b.Write(body)
	return b.Bytes()
}

// Progress says how far shrinking got.
func (s *Shrunk) Progress() string {
	how := fmt.Sprintf("shrunk from %s to %d in %s (%d attempts)", plural(len(s.Original.Deliveries), "delivery"), len(s.Schedule.Deliveries), s.Took.Round(time.Millisecond), s.Attempts)
	switch {
	case s.Interrupted != "" && s.Attempts == 0:
		return fmt.Sprintf("interrupted (%s) before any smaller sequence failed: kept the original %s, not shrunk", s.Interrupted, plural(len(s.Original.Deliveries), "delivery"))
	case s.Interrupted != "" && s.Minimal:
		return how + fmt.Sprintf(", 1-minimal: no single removal keeps it failing; interrupted (%s) while replaying it, so not checked to fail every time", s.Interrupted)
	case s.Interrupted != "":
		return how + fmt.Sprintf(", interrupted (%s) before it was minimal: the smallest that failed so far, not replayed to check that it fails every time", s.Interrupted)
	case s.Flaky && s.FlakyShrunk > 0:
		return fmt.Sprintf("flaky: shrunk to %s, which failed %d of %d replays; kept the original %s, not shrunk (a shrink needs a failure that reproduces)",
			plural(s.FlakyShrunk, "delivery"), s.Reproduced, s.Replays, plural(len(s.Original.Deliveries), "delivery"))
	case s.Flaky:
		return fmt.Sprintf("flaky: failed %d of %d replays; not shrunk (a shrink needs a failure that reproduces)", s.Reproduced, s.Replays)
	case s.Budget == 0 && s.Attempts == 0:
		return "not shrunk"
	case s.Minimal:
		return how + ", 1-minimal: no single removal keeps it failing"
	}
	return how + fmt.Sprintf(", stopped by the shrink budget of %s before it was minimal", s.Budget)
}

// ParseChaosFile reads a chaos schedule file and checks that every
// delivery names an event of its scenarios.
func ParseChaosFile(data []byte) (f ChaosFile, err error) {
	if len(data) > 1<<20 {
		return f, fmt.Errorf("not a chaos schedule: %d bytes, want at most 1 MiB", len(data))
	}
	if err := unmarshalYAML(data, &f); err != nil {
		return f, err
	}
	switch {
	case f.Chaos != ChaosFileVersion:
		return f, fmt.Errorf("chaos: %d: want %d (this version's format)", f.Chaos, ChaosFileVersion)
	case len(f.Scenarios) == 0 || len(f.Scenarios) > 16:
		return f, fmt.Errorf("scenarios: want 1 to 16, got %d", len(f.Scenarios))
	case len(f.Deliveries) == 0 || len(f.Deliveries) > 10000:
		return f, fmt.Errorf("deliveries: want 1 to 10000, got %d", len(f.Deliveries))
	case !slices.Contains([]string{ProblemNotAcked, ProblemLost, ProblemLate, ProblemTwice, ProblemState}, f.Failure):
		return f, fmt.Errorf("failure %q isn't one of [%s]", f.Failure, strings.Join([]string{ProblemNotAcked, ProblemLost, ProblemLate, ProblemTwice, ProblemState}, ", "))
	}
	r, err := renderSchedule(f.Schedule())
	if err != nil {
		return f, err
	}
	return f, r.check(f.Schedule())
}

// unmarshalYAML decodes data strictly into v. The YAML library panics on
// some malformed input (a fuzz test found one): that is an error too.
func unmarshalYAML(data []byte, v any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("not a chaos schedule: the YAML is malformed (%v)", p)
		}
	}()
	if err := yaml.UnmarshalWithOptions(data, v, yaml.Strict()); err != nil {
		return fmt.Errorf("not a chaos schedule: %s", yaml.FormatError(err, false, false))
	}
	return nil
}

// Replay is what ReplayChaos found.
type Replay struct {
	Problems []Problem
	// Reproduced: a problem of the file's kind came back. Problems of
	// other kinds alone are a failure too, a different one (Kinds).
	Reproduced bool
	Took       time.Duration
}

// Kinds are the kinds of the replay's problems, each once, in the order
// they were found: what it failed with when not the file's kind.
func (r Replay) Kinds() []string {
	var out []string
	for _, p := range r.Problems {
		if !slices.Contains(out, p.Kind) {
			out = append(out, p.Kind)
		}
	}
	return out
}

// ReplayChaos delivers f's schedule to t once, its ids offset by
// idOffset (a multiple of 100,000,000; one no earlier run used, so that
// its events are new to the receiver), and says whether it failed the same
// way.
func ReplayChaos(ctx context.Context, t Target, f ChaosFile, idOffset int64) (Replay, error) {
	if idOffset <= 0 || idOffset%idStride != 0 || idOffset > idOffsets*idStride {
		return Replay{}, fmt.Errorf("id offset %d: want a positive multiple of %d up to %d", idOffset, idStride, int64(idOffsets)*idStride)
	}
	x, err := newExecutor(t)
	if err != nil {
		return Replay{}, err
	}
	x.watch = true
	if err := x.reachable(ctx); err != nil {
		return Replay{}, err
	}
	r, err := renderSchedule(f.Schedule())
	if err != nil {
		return Replay{}, err
	}
	if err := r.check(f.Schedule()); err != nil {
		return Replay{}, err
	}
	a, err := x.execute(ctx, f.Schedule(), r, idOffset)
	if err != nil {
		return Replay{}, err
	}
	return Replay{Problems: a.problems, Took: a.took,
		Reproduced: slices.ContainsFunc(a.problems, func(p Problem) bool { return p.Kind == f.Failure })}, nil
}
