package api

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// CompanionConfig is the mock served alongside a scenario's deliveries as a
// command states it: the handler's Config, where it listens, and what is
// done with its calls when the deliveries end.
type CompanionConfig struct {
	Config
	Addr     string        // "" serves none
	Calls    string        // write the call log here when done; "" for none
	Linger   time.Duration // keep serving this long after the last delivery
	MaxCalls int           // the most answered calls per webhook (Rules.MaxCallsPerEvent); 0: no bound
	// TLS is the deliveries' TLS settings (delivery.TLS.Config; nil: the
	// system's roots): the client Start returns carries them, since the
	// engine leaves a given client's alone.
	TLS *tls.Config
}

// companionFields are the fields that shape the mock, which only Addr
// serves.
var companionFields = []string{"Key", "FailRate", "LimitRate", "RetryAfter", "Latency", "Quota", "Calls", "Linger", "MaxCalls"}

// Start serves tl's world on Addr, as of before the first event, and
// returns the delivery options whose client moves the mock's world time to
// each event as it is sent (the engine's own client, with settings' timeout
// and concurrency, and TLS). Without Addr it serves none and returns nil,
// and a field given (given(field)) that only the mock uses is a
// *schemas.FieldError. The address taken is a *schemas.FieldError on Addr.
func (c CompanionConfig) Start(given func(field string) bool, s delivery.Settings, seed uint64, tl *scenarios.Timeline, events []scenarios.Rendered) (*Companion, []delivery.Option, error) {
	if c.Addr == "" {
		for _, f := range companionFields {
			if given(f) {
				return nil, nil, schemas.Fieldsf(f, "{%s} shapes the API mock, which only {Addr} ADDR serves", f)
			}
		}
		return nil, nil, nil
	}
	opts, err := c.Options(seed)
	if err != nil {
		return nil, nil, err
	}
	policy, err := s.Policy()
	if err != nil {
		return nil, nil, err
	}
	client := delivery.NewTLSClient(policy.Timeout, s.Concurrency, c.TLS)
	comp, err := StartCompanion(c.Addr, tl, events, client, opts...)
	if err != nil {
		return nil, nil, err
	}
	return comp, []delivery.Option{delivery.WithClient(client)}, nil
}

// End reports the calls after the deliveries, once Linger is over or ctx
// ends, and returns the verdict on them: a call log that could not be
// written, calls that broke the rules, or a run interrupted before Linger
// was over (it exits as any interrupted run), as a *delivery.FailedError.
// A nil Companion (no mock) has none.
func (c CompanionConfig) End(ctx context.Context, comp *Companion, out io.Writer) error {
	if comp == nil {
		return nil
	}
	broken, err := comp.Finish(ctx, out, c.Linger, Rules{MaxCallsPerEvent: c.MaxCalls}, c.Calls)
	switch {
	case err != nil:
		return &delivery.FailedError{Err: &schemas.FieldError{Field: "Calls", Want: err.Error()}}
	case broken > 0:
		return &delivery.FailedError{Err: schemas.Fieldsf("MaxCalls", "the receiver's API calls broke %d rule(s): the key on every call, no retry before Retry-After, at most {MaxCalls} answered calls per webhook (listed above)", broken)}
	case c.Linger > 0 && ctx.Err() != nil:
		return &delivery.FailedError{Err: schemas.Fieldsf("Linger", "interrupted while the API mock waited for late calls ({Linger} %s): the report above has the calls that came by then", c.Linger)}
	}
	return nil
}

// ServeWorld serves the world the scenario name plays with seed (opts: its
// parameters; NewWorld) on Addr, answering as of at (ParseTime: end, start
// or a time), until ctx ends (Serve). A bad at or an address taken is a
// *schemas.FieldError (on At, Addr), and a call log that could not be
// written a *delivery.FailedError (the run itself went).
func (c CompanionConfig) ServeWorld(ctx context.Context, out io.Writer, name string, seed uint64, at string, opts ...scenarios.RenderOption) error {
	world, err := NewWorld(name, c.Vocabulary, seed, opts...)
	if err != nil {
		return err
	}
	when, err := ParseTime(at, world.Timeline)
	if err != nil {
		return &schemas.FieldError{Field: "At", Value: fmt.Sprintf("%q", at), Want: err.Error(), Err: err}
	}
	hopts, err := c.Options(seed)
	if err != nil {
		return err
	}
	h, err := NewHandler(world.Timeline, append(hopts, WithTime(when))...)
	if err != nil {
		return err
	}
	err = Serve(ctx, out, c.Addr, c.Key, world.Describe(when), c.Calls, h)
	if fe := (*schemas.FieldError)(nil); err != nil && !errors.As(err, &fe) {
		return &delivery.FailedError{Err: &schemas.FieldError{Field: "Calls", Want: err.Error()}}
	}
	return err
}
