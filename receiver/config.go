package receiver

import (
	"context"
	"io"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Config is a receiver's settings as plain values, one field an option, as
// a command line states them; Options checks each alone. The zero value is
// not the default: start from DefaultConfig.
type Config struct {
	Strict         bool // WithLevel(schemas.Strict), else schemas.Contract
	FailFirst      int
	FailRate       float64
	Status         int
	Latency        time.Duration
	ResetRate      float64
	BodyLimit      int64
	Seed           uint64
	MaxDeliveries  int
	MaxBytes       int64
	PublicInspect  bool
	InspectToken   string
	InspectAddr    string
	MaxConnections int
	MaxInFlight    int64
	Vocabulary     *schemas.Vocabulary
}

// DefaultConfig is the Config of a receiver nobody configured.
func DefaultConfig() Config {
	return Config{
		Status: DefaultStatus, BodyLimit: DefaultBodyLimit, Seed: DefaultSeed,
		MaxDeliveries: DefaultMaxDeliveries, MaxBytes: DefaultMaxBytes, InspectAddr: DefaultInspectAddr,
		MaxConnections: DefaultMaxConnections, MaxInFlight: DefaultMaxInFlight,
	}
}

// Options checks every field alone, in field order, and returns the
// receiver's options; an error is a *schemas.FieldError naming the field,
// the option's error as Want and Err. The ranges are the options' own.
func (c Config) Options() ([]Option, error) {
	level := schemas.Contract
	if c.Strict {
		level = schemas.Strict
	}
	fields := []struct {
		name string
		opt  Option
	}{
		{"Strict", WithLevel(level)},
		{"FailFirst", WithFailFirst(c.FailFirst)},
		{"FailRate", WithFailRate(c.FailRate)},
		{"Status", WithStatus(c.Status)},
		{"Latency", WithLatency(c.Latency)},
		{"ResetRate", WithResetRate(c.ResetRate)},
		{"BodyLimit", WithBodyLimit(c.BodyLimit)},
		{"Seed", WithSeed(c.Seed)},
		{"MaxDeliveries", WithMaxDeliveries(c.MaxDeliveries)},
		{"MaxBytes", WithMaxBytes(c.MaxBytes)},
		{"PublicInspect", WithPublicInspect(c.PublicInspect)},
		{"InspectToken", WithInspectToken(c.InspectToken)},
		{"InspectAddr", WithInspectAddr(c.InspectAddr)},
		{"MaxConnections", WithMaxConnections(c.MaxConnections)},
		{"MaxInFlight", WithMaxInFlight(c.MaxInFlight)},
		{"Vocabulary", WithVocabulary(c.Vocabulary)},
	}
	opts := make([]Option, 0, len(fields))
	for _, f := range fields {
		if _, err := New(f.opt); err != nil {
			return nil, &schemas.FieldError{Field: f.name, Want: err.Error(), Err: err}
		}
		opts = append(opts, f.opt)
	}
	return opts, nil
}

// Listen runs s (Run) with c's options, the process's garbage collector
// tuned to MaxBytes for the run (TuneGC): 'listen' as one call. A bad field
// is a *schemas.FieldError, before anything is bound; the rest are Run's
// errors.
func (c Config) Listen(ctx context.Context, stdout io.Writer, s Session) error {
	opts, err := c.Options()
	if err != nil {
		return err
	}
	defer TuneGC(c.MaxBytes)()
	return Run(ctx, stdout, s, opts...)
}
