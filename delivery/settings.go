package delivery

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Defaults and bounds of Settings. DefaultConcurrency is declared with the
// engine's defaults.
const (
	// DefaultRetry is the retry preset a run uses unless told otherwise.
	DefaultRetry = "default"
	// DefaultTimeScale runs waits in real time.
	DefaultTimeScale = 1.0
	// DefaultDupMode re-delivers a duplicate once the event was acked.
	DefaultDupMode = DupAfter
	// MaxConcurrency bounds Concurrency, in a scenario file and on the
	// command line alike: each slot may hold a connection to the target, and
	// a thousand already exceeds what a single receiver under test answers
	// usefully. Volume is the load command's job.
	MaxConcurrency = 1024
)

// Settings is how a run delivers its events: the retry policy, pacing and
// the faults it injects on purpose. A scenario file's delivery: block
// decodes into it, and command-line flags lay over it field by field; Options
// turns it into engine options. The zero value is not valid: start from
// DefaultSettings.
type Settings struct {
	// Retry is a retry preset (Presets). Schedule, when set, replaces it.
	Retry string
	// Schedule is an explicit backoff such as 1s,5s,30s,5m (ParseBackoff).
	Schedule string
	// Timeout bounds each attempt's wait for an answer; 0 keeps the
	// policy's (the preset's, or DefaultTimeout with a Schedule).
	Timeout time.Duration
	// TimeScale divides every wait (VirtualClock); 1 is real time.
	TimeScale float64
	// Concurrency bounds the attempts in flight, 1 to MaxConcurrency.
	Concurrency int
	// RecordOrder delivers a record's events one after the other.
	RecordOrder bool
	// Duplicate is the fraction of events delivered twice, 0 to 1.
	Duplicate float64
	// DuplicateMode is when the duplicates go (DupModes).
	DuplicateMode DupMode
	// Reorder shuffles events within windows of this many; 0 or 1: off.
	Reorder int
	// Jitter delays each event's first attempt by up to this, 0 or more.
	Jitter time.Duration
	// Header is added to every request.
	Header http.Header
}

// DefaultSettings are the settings of a run nobody configured.
func DefaultSettings() Settings {
	return Settings{
		Retry:         DefaultRetry,
		TimeScale:     DefaultTimeScale,
		Concurrency:   DefaultConcurrency,
		RecordOrder:   true,
		DuplicateMode: DefaultDupMode,
	}
}

// Validate checks every field and returns one *schemas.FieldError per bad one,
// joined (errors.Join), in field order.
func (s Settings) Validate() error {
	var errs []error
	bad := func(field, value, want string) {
		errs = append(errs, &schemas.FieldError{Field: field, Value: value, Want: want})
	}
	switch {
	case s.Schedule != "" && s.Retry != "":
		bad("Schedule", strconv.Quote(s.Schedule), "set either Retry or Schedule, not both")
	case s.Schedule != "":
		if _, err := ParseBackoff(s.Schedule); err != nil {
			bad("Schedule", "", err.Error()) // err echoes the schedule
		}
	default:
		if _, err := ParsePreset(s.Retry); err != nil {
			errs = append(errs, &schemas.FieldError{Field: "Retry", Value: s.Retry, Valid: Presets()})
		}
	}
	if s.Timeout < 0 {
		bad("Timeout", s.Timeout.String(), "must be a positive duration such as 10s, or 0 for the retry policy's")
	}
	if _, err := VirtualClock(s.TimeScale); err != nil {
		bad("TimeScale", "", err.Error()) // err echoes the scale
	}
	if s.Concurrency < 1 || s.Concurrency > MaxConcurrency {
		bad("Concurrency", strconv.Itoa(s.Concurrency), fmt.Sprintf("must be between 1 and %d", MaxConcurrency))
	}
	if !(s.Duplicate >= 0 && s.Duplicate <= 1) {
		bad("Duplicate", fmt.Sprint(s.Duplicate), "must be a fraction between 0 and 1")
	}
	if _, err := ParseDupMode(string(s.DuplicateMode)); err != nil {
		errs = append(errs, &schemas.FieldError{Field: "DuplicateMode", Value: string(s.DuplicateMode), Valid: DupModes()})
	}
	if s.Reorder < 0 || s.Reorder > math.MaxInt32 {
		bad("Reorder", strconv.Itoa(s.Reorder), "must be 0 or more")
	}
	if s.Jitter < 0 {
		bad("Jitter", s.Jitter.String(), "must be 0 or more")
	}
	for k, vs := range s.Header {
		if strings.TrimSpace(k) == "" {
			bad("Header", strconv.Quote(strings.Join(vs, ",")), "a header needs a name")
		}
	}
	return errors.Join(errs...)
}

// Policy is the retry policy Retry or Schedule names, with Timeout when set.
func (s Settings) Policy() (Policy, error) {
	p, err := s.policy()
	if err == nil && s.Timeout > 0 {
		p.Timeout = s.Timeout
	}
	return p, err
}

func (s Settings) policy() (Policy, error) {
	if s.Schedule == "" {
		p, err := ParsePreset(s.Retry)
		if err != nil {
			return Policy{}, &schemas.FieldError{Field: "Retry", Value: s.Retry, Valid: Presets()}
		}
		return p, nil
	}
	b, err := ParseBackoff(s.Schedule)
	if err != nil {
		return Policy{}, &schemas.FieldError{Field: "Schedule", Want: err.Error()}
	}
	p := Policy{Attempts: DefaultAttempts, Backoff: b, Timeout: DefaultTimeout}
	if sch, ok := b.(Schedule); ok {
		p.Attempts = sch.Attempts()
	}
	return p, nil
}

// Options validates the settings and turns them into engine options.
func (s Settings) Options() ([]Option, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	policy, _ := s.Policy()
	clock, _ := VirtualClock(s.TimeScale)
	opts := []Option{
		WithPolicy(policy),
		WithClock(clock),
		WithConcurrency(s.Concurrency),
		WithRecordOrder(s.RecordOrder),
		WithDuplicate(s.Duplicate, s.DuplicateMode),
		WithReorder(s.Reorder),
		WithJitter(s.Jitter),
	}
	for k, vs := range s.Header {
		for _, v := range vs {
			opts = append(opts, WithHeader(k, v))
		}
	}
	return opts, nil
}
