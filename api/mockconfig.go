package api

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Config is the mock as a command states it: every knob as given, checked
// together by Options.
type Config struct {
	Key        string
	FailRate   float64
	LimitRate  float64
	RetryAfter time.Duration
	Latency    string // a duration or a range LO..HI
	Quota      string // "100/s,5000/day", or off
	// Vocabulary is the team's (nil: the built-in one): the world is
	// played in it and writes are checked against its names.
	Vocabulary *schemas.Vocabulary
}

// Options checks the config, each field alone so that an error names it,
// and returns the options of a handler with seed.
func (c Config) Options(seed uint64) ([]Option, error) {
	lo, hi, err := ParseLatency(c.Latency)
	if err != nil {
		return nil, &schemas.FieldError{Field: "Latency", Value: fmt.Sprintf("%q", c.Latency), Want: err.Error(), Err: err}
	}
	perSecond, perDay, err := ParseQuota(c.Quota)
	if err != nil {
		return nil, &schemas.FieldError{Field: "Quota", Value: fmt.Sprintf("%q", c.Quota), Want: err.Error(), Err: err}
	}
	opts := []Option{WithSeed(seed), WithVocabulary(c.Vocabulary)}
	for _, f := range []struct {
		field string
		opt   Option
	}{
		{"Key", WithKey(c.Key)},
		{"FailRate", WithFailRate(c.FailRate)},
		// One option holds both: the rate is checked alone first, so that
		// the second can only fail on RetryAfter (a later option wins).
		{"LimitRate", WithRateLimit(c.LimitRate, 0)},
		{"RetryAfter", WithRateLimit(c.LimitRate, c.RetryAfter)},
		{"Latency", WithLatency(lo, hi)},
		{"Quota", WithQuota(perSecond, perDay)},
	} {
		if _, err := NewHandler(scenarios.NewTimeline(), f.opt); err != nil {
			return nil, &schemas.FieldError{Field: f.field, Want: err.Error(), Err: err}
		}
		opts = append(opts, f.opt)
	}
	if _, err := NewHandler(scenarios.NewTimeline(), opts...); err != nil {
		if rates, ok := err.(*RatesError); ok {
			return nil, schemas.Fieldsf("LimitRate", "{LimitRate} %v and {FailRate} %v add up to more than 1", rates.Limit, rates.Fail)
		}
		return nil, err
	}
	return opts, nil
}

// WriteCallReport writes the summary of calls and each way they broke
// rules to w, and returns how many rules they broke.
func WriteCallReport(w io.Writer, calls []Call, rules Rules) int {
	fmt.Fprint(w, Summary(calls))
	findings := Check(calls, rules)
	for _, f := range findings {
		fmt.Fprintf(w, "  API misuse: %s\n", f)
	}
	return len(findings)
}

// WriteCallsFile writes the call log (WriteCalls) to path; "" writes none.
func WriteCallsFile(path string, calls []Call) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = WriteCalls(f, calls)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
