package load

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/coperniq-mock/coperniq-mock/suggest"
)

// DefaultMinSuccess is the share of scheduled events, in percent, that a
// run must get acknowledged to pass when a Plan does not say.
const DefaultMinSuccess = 99.0

// Plan is a run as a person states it (a command line): rates, stages, a
// mix and a shard as text, limits as numbers, and which fields were given
// rather than left at their defaults. Options checks the whole plan before
// anything is sent, so that a typo in the last value does not cost a run;
// every error is a *schemas.FieldError naming the field.
type Plan struct {
	Rate        string        // "500/s", or "max" for a closed loop; or Stages
	Duration    time.Duration // how long to send at Rate
	Stages      string        // "0/s..500/s:30s,500/s:2m", instead of Rate and Duration
	Mix         string        // "TRIGGER=WEIGHT,..."; "" for every trigger equally
	Scenario    string        // a built-in scenario or a file, instead of Mix
	Profile     string        // the payload profile
	Retry       string        // a delivery preset: none, default, ci
	Timeout     time.Duration // each request's; the preset's unless given (or Retry is none)
	MaxInflight int
	MaxLateness time.Duration
	Seed        uint64
	Shard       string  // "i/n"
	MinSuccess  float64 // percent of scheduled events to be acknowledged; 0 never fails
	Thresholds  []string
	Out, HTML   string // the report files (Outputs); they must differ
	// Vocabulary is the team's vocabulary the payloads and the scenario
	// speak (WithVocabulary); nil: the built-in one.
	Vocabulary *schemas.Vocabulary

	// Given reports whether the named field was given; nil: none was.
	Given func(field string) bool
}

// planErr is a *schemas.FieldError about field, naming fields as {Field}.
func planErr(field string, err error, format string, a ...any) *schemas.FieldError {
	return &schemas.FieldError{Field: field, Msg: fmt.Sprintf(format, a...), Err: err}
}

// fieldErr is field's own error: "Field: err".
func fieldErr(field string, err error) *schemas.FieldError {
	return &schemas.FieldError{Field: field, Want: err.Error(), Err: err}
}

func (p Plan) given(field string) bool { return p.Given != nil && p.Given(field) }

// Warnings are what the plan asks for that its run will not do, for the
// caller to show before Run: a scenario's delivery: block (retries,
// duplicates, reordering are scenario run's; load sends each event once,
// in order, retried as Retry says). A plan whose scenario cannot be loaded
// has none: Options says what is wrong.
func (p Plan) Warnings() []string {
	if p.Scenario == "" {
		return nil
	}
	sc, err := scenarios.LoadWithVocabulary(p.Scenario, p.Vocabulary)
	if err != nil {
		return nil
	}
	d := sc.Delivery
	if d.Retry == p.Retry {
		d.Retry = delivery.DefaultRetry // used after all: --retry says the same
	}
	set := unusedDelivery(d)
	if set == "" {
		return nil
	}
	w := fmt.Sprintf("the scenario's delivery: block (%s) is not used by load: each event is sent once, in its order, retried as --retry says (%s); `scenario run` applies the block",
		set, p.Retry)
	if r := sc.Delivery.Retry; r != delivery.DefaultRetry && r != p.Retry && !p.given("Retry") {
		w += fmt.Sprintf("; for its retries give --retry %s", r)
	}
	return []string{w}
}

// Options checks the plan and returns the options of the run it states.
func (p Plan) Options() ([]Option, error) {
	var opts []Option
	add := func(field string, o Option) error {
		if err := Check(o); err != nil {
			return fieldErr(field, err)
		}
		opts = append(opts, o)
		return nil
	}
	closed := p.closed()
	switch {
	case closed && p.Stages != "":
		return nil, planErr("Stages", nil, "{Stages} does not apply to {Rate} max: a closed loop follows no load profile, it sends as fast as the receiver answers for {Duration}")
	case p.Stages != "" && (p.Rate != "" || p.given("Duration")):
		return nil, planErr("Stages", nil, "{Stages} replaces {Rate} and {Duration}: give one or the other")
	case p.Stages != "":
		st, err := ParseStages(p.Stages)
		if err != nil {
			return nil, fieldErr("Stages", err)
		}
		opts = append(opts, WithStages(st...))
	case p.Rate == "":
		return nil, planErr("Rate", nil, "give {Rate} (like 500/s) and {Duration}, or {Stages}")
	default:
		r, err := ParseRate(p.Rate)
		if err != nil {
			return nil, fieldErr("Rate", err)
		}
		field := "Rate"
		if r != 0 {
			field = "Duration" // WithRate checks both
		}
		if err := add(field, WithRate(r, p.Duration)); err != nil {
			return nil, err
		}
	}
	if p.Scenario != "" {
		if p.Mix != "" {
			return nil, planErr("Scenario", nil, "{Scenario} drives its own triggers: give {Scenario} or {Mix}, not both")
		}
		if p.given("Profile") {
			return nil, planErr("Profile", nil, "{Profile} does not apply to {Scenario}: a scenario renders its own payloads")
		}
		sc, err := scenarios.LoadWithVocabulary(p.Scenario, p.Vocabulary)
		if err != nil {
			return nil, fieldErr("Scenario", err)
		}
		opts = append(opts, WithScenario(sc))
	}
	if p.Mix != "" {
		m, err := ParseMix(p.Mix)
		if err != nil {
			return nil, fieldErr("Mix", err)
		}
		opts = append(opts, WithMix(m))
	}
	profile, err := generator.ParseProfile(p.Profile)
	if err != nil {
		return nil, &schemas.FieldError{Field: "Profile", Value: p.Profile, Valid: generator.ProfileNames(), Err: err}
	}
	opts = append(opts, WithProfile(profile), WithSeed(p.Seed))
	if p.Vocabulary != nil {
		if err := add("Vocabulary", WithVocabulary(p.Vocabulary)); err != nil {
			return nil, err
		}
		if p.Scenario != "" {
			// After WithVocabulary, which leaves the scenario to be
			// parsed again: this one was, above.
			opts = append(opts, func(c *config) error { c.spoken = true; return nil })
		}
	}
	policy, err := delivery.ParsePreset(p.Retry)
	if err != nil {
		presets := delivery.Presets()
		return nil, planErr("Retry", err, "%s", suggest.NotOneOf("{Retry}", p.Retry, presets, suggest.Nearest(p.Retry, presets)))
	}
	opts = append(opts, WithPolicy(policy))
	if p.given("Timeout") || p.Retry == "none" {
		if err := add("Timeout", WithTimeout(p.Timeout)); err != nil {
			return nil, err
		}
	}
	if err := add("MaxInflight", WithMaxInflight(p.MaxInflight)); err != nil {
		return nil, err
	}
	switch {
	case closed && p.given("MaxLateness"):
		return nil, planErr("MaxLateness", nil, "{MaxLateness} does not apply to {Rate} max: a closed loop schedules nothing, so no send is ever late or dropped")
	case !closed:
		if err := add("MaxLateness", WithMaxLateness(p.MaxLateness)); err != nil {
			return nil, err
		}
	}
	sh, err := ParseShard(p.Shard)
	if err != nil {
		return nil, fieldErr("Shard", err)
	}
	if sh.Count > 1 && !p.given("Seed") {
		return nil, planErr("Shard", nil, "{Shard} needs {Seed} so every shard draws from the same run")
	}
	opts = append(opts, WithShard(sh))
	if err := p.CheckReport(); err != nil {
		return nil, err
	}
	if closed {
		if err := p.checkClosed(); err != nil {
			return nil, err
		}
	}
	return opts, nil
}

// closed reports whether the plan is a closed loop (Rate max).
func (p Plan) closed() bool {
	r, err := ParseRate(p.Rate)
	return err == nil && r == RateMax
}

// checkClosed refuses the pass marks a closed loop has no figure for: the
// achieved share of a rate that was never asked for.
func (p Plan) checkClosed() error {
	ts, err := p.judge()
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.metric == "achieved" {
			return planErr("Thresholds", nil, "{Thresholds} %s does not apply to a closed loop (rate max): it asks for no rate to achieve a share of (hold it to success or latency instead)", t.Expr)
		}
	}
	return nil
}

// CheckReport checks the fields about the report (pass marks and files),
// which are all a merge of reports needs.
func (p Plan) CheckReport() error {
	if p.Out != "" && p.Out == p.HTML {
		return planErr("Out", nil, "{Out} and {HTML} both name %s", p.Out)
	}
	_, err := p.judge()
	return err
}

// judge checks the pass marks and returns the thresholds.
func (p Plan) judge() ([]Threshold, error) {
	if p.MinSuccess < 0 || p.MinSuccess > 100 {
		return nil, planErr("MinSuccess", nil, "{MinSuccess} %g must be 0..100 (percent)", p.MinSuccess)
	}
	var ts []Threshold
	for _, e := range p.Thresholds {
		t, err := ParseThreshold(e)
		if err != nil {
			return nil, fieldErr("Thresholds", err)
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// Judge holds rep to the plan's pass marks (MinSuccess, Thresholds), which
// every report format then shows, and returns the verdict: nil when the
// run passed, else an error saying why (an interrupted run never passes).
func (p Plan) Judge(rep *Report) error {
	ts, err := p.judge()
	if err != nil {
		return err
	}
	if p.MinSuccess > 0 {
		m := p.MinSuccess
		rep.MinSuccess = &m
	}
	rep.Check(ts...)
	return rep.Failure()
}

// Failure is the report's verdict as an error: nil when the run passed its
// pass marks; otherwise what it missed. An interrupted run fails: the load
// asked for was not applied. A run whose every request was refused alike
// (RefusedAlike) is a *delivery.RefusedError, even with no pass mark
// (--min-success 0): its setup is wrong, which no pass mark excuses.
func (r *Report) Failure() error {
	if r.Interrupted {
		return errors.New("interrupted: the run stopped before its planned duration; the report covers what was sent")
	}
	if st := r.RefusedAlike(); st != 0 {
		return &delivery.RefusedError{Status: st}
	}
	if r.Passed() {
		return nil
	}
	var why []string
	if !r.SuccessPassed() {
		why = append(why, fmt.Sprintf("%.2f%% of %s events acknowledged, below --min-success %g%%", 100*r.SuccessRatio(), r.eventsCounted(), *r.MinSuccess))
	}
	if failed := r.FailedThresholds(); len(failed) > 0 {
		why = append(why, "threshold failed: "+strings.Join(failed, ", "))
	}
	return errors.New(strings.Join(why, "; "))
}
