package delivery

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"time"
)

// Defaults of the engine.
const (
	// DefaultConcurrency is how many attempts may be in flight at once.
	DefaultConcurrency = 8
	// DefaultGrace is how long in-flight attempts may finish after the run
	// is interrupted; it is real time, like the attempt timeout.
	DefaultGrace = 5 * time.Second
)

// DupMode is when a duplicate delivery is sent.
type DupMode string

// The duplicate modes.
const (
	// DupAfter re-delivers the event once it has been acknowledged, as a
	// sender that lost the acknowledgement would.
	DupAfter DupMode = "after"
	// DupConcurrent sends the duplicate alongside the first attempt, so
	// that the receiver processes the same event twice at the same time.
	DupConcurrent DupMode = "concurrent"
)

// DupModes names the duplicate modes, for help and completion.
func DupModes() []string { return []string{string(DupAfter), string(DupConcurrent)} }

// ParseDupMode reads a duplicate mode by name.
func ParseDupMode(name string) (DupMode, error) {
	for _, m := range DupModes() {
		if m == name {
			return DupMode(m), nil
		}
	}
	return "", oneOf("duplicate mode", name, DupModes())
}

// Option configures an Engine. Options check their argument; New reports
// the first bad one.
type Option func(*config) error

type config struct {
	policy      Policy
	header      http.Header
	concurrency int
	recordOrder bool
	dupP        float64
	dupMode     DupMode
	reorder     int
	jitter      time.Duration
	clock       Clock
	seed        uint64
	seeded      bool
	log         io.Writer
	observer    func(Attempt)
	grace       time.Duration
	client      *http.Client
	tls         *tls.Config
	insecure    bool // the target's certificate is not verified
}

func defaultConfig() config {
	return config{
		policy:      DefaultPolicy(),
		header:      http.Header{},
		concurrency: DefaultConcurrency,
		recordOrder: true,
		dupMode:     DupAfter,
		grace:       DefaultGrace,
	}
}

// WithPolicy sets the retry policy (default: the "default" preset).
func WithPolicy(p Policy) Option {
	return func(c *config) error {
		if err := p.Validate(); err != nil {
			return err
		}
		c.policy = p
		return nil
	}
}

// WithHeader adds a request header to every attempt. A header named like a
// default one (Content-Type, User-Agent) replaces it.
func WithHeader(key, value string) Option {
	return func(c *config) error {
		if key == "" {
			return fmt.Errorf("header with value %q has no name", value)
		}
		if err := checkHeader(key, value); err != nil {
			return fmt.Errorf("header %q: %w", key, err)
		}
		c.header.Add(key, value)
		return nil
	}
}

// WithConcurrency bounds the attempts in flight, and the connections kept
// to the target (default DefaultConcurrency), 1 to MaxConcurrency. Events
// waiting for a retry do not hold a slot.
func WithConcurrency(n int) Option {
	return func(c *config) error {
		if n < 1 || n > MaxConcurrency {
			return fmt.Errorf("concurrency %d must be at least 1 and at most %d", n, MaxConcurrency)
		}
		c.concurrency = n
		return nil
	}
}

// WithRecordOrder sets whether the events of one record are delivered one
// after the other, each waiting for the previous one to be acked or dead (the
// default), or independently.
func WithRecordOrder(on bool) Option {
	return func(c *config) error {
		c.recordOrder = on
		return nil
	}
}

// WithDuplicate delivers a fraction p of the events twice, with the same
// body: receivers must be idempotent. A duplicate is a single extra attempt:
// it is not retried, and whether it fails or not leaves the event's state
// alone.
func WithDuplicate(p float64, mode DupMode) Option {
	return func(c *config) error {
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("duplicate fraction %v must be between 0 and 1", p)
		}
		if _, err := ParseDupMode(string(mode)); err != nil {
			return err
		}
		c.dupP, c.dupMode = p, mode
		return nil
	}
}

// WithReorder shuffles the events within consecutive windows of n events
// before delivery, so that a record's events are deliberately delivered out
// of order (still one at a time with record order on). 0 or 1 disables it.
func WithReorder(window int) Option {
	return nonNegative("reorder window", window, func(c *config) { c.reorder = window })
}

// WithJitter delays each event's first attempt by a random time in [0, d],
// on the clock's timeline.
func WithJitter(d time.Duration) Option {
	return nonNegative("jitter", d, func(c *config) { c.jitter = d })
}

// WithClock sets the clock that waits go through (default RealClock).
func WithClock(clk Clock) Option {
	return func(c *config) error {
		if math.IsNaN(clk.scale) || clk.scale < 0 {
			return fmt.Errorf("clock scale %v is invalid", clk.scale)
		}
		c.clock = clk
		return nil
	}
}

// WithSeed makes the run's random choices (backoff jitter, first-attempt
// jitter, which events are duplicated, reordering) reproducible. Each event
// draws from its own stream, seeded by the run seed and its id, so the same
// seed gives the same choices whatever the scheduling. Without it the seed
// is random and reported in the Outcome and the log.
func WithSeed(seed uint64) Option {
	return func(c *config) error {
		c.seed, c.seeded = seed, true
		return nil
	}
}

// WithLog writes the delivery log to w: JSON lines, one per attempt plus an
// event line carrying each body and a result line per event (see ReadLog).
// Each line is one Write call from one goroutine; give a buffered writer for
// speed, and flush it after Run.
func WithLog(w io.Writer) Option {
	return func(c *config) error {
		c.log = w
		return nil
	}
}

// WithObserver calls f after every attempt, from one goroutine and in
// completion order, for progress reporting. f must return quickly: the
// engine waits for it.
func WithObserver(f func(Attempt)) Option {
	return func(c *config) error {
		c.observer = f
		return nil
	}
}

// WithGrace sets how long in-flight attempts may run on after the run's
// context is cancelled (default DefaultGrace, real time). No new attempt
// starts once it is cancelled; attempts still running when the grace period
// ends are cut short and their events reported pending.
func WithGrace(d time.Duration) Option {
	return nonNegative("grace period", d, func(c *config) { c.grace = d })
}

// WithClient sends through client instead of NewClient(policy timeout,
// concurrency). Its redirect policy is replaced if it has none, so that a
// redirect is never followed. The client's TLS settings are its own: for
// an https:// target that needs a CA, a client certificate or insecure,
// build it with NewTLSClient(timeout, concurrency, cfg); New refuses
// WithTLSConfig alongside, which this client would not use.
func WithClient(client *http.Client) Option {
	return func(c *config) error {
		c.client = client
		return nil
	}
}

// WithTLSConfig sends to an https:// target with cfg (TLS.Config): the CAs
// it trusts, a client certificate. A nil cfg is the system's roots. It
// configures the engine's own client: New refuses it with WithClient
// (give that client the settings with NewTLSClient instead).
func WithTLSConfig(cfg *tls.Config) Option {
	return func(c *config) error {
		c.tls, c.insecure = cfg, cfg != nil && cfg.InsecureSkipVerify
		return nil
	}
}

// WithTLS is WithTLSConfig.
//
// Deprecated: use WithTLSConfig, the name package load gives the same
// option.
func WithTLS(cfg *tls.Config) Option { return WithTLSConfig(cfg) }

// tlsOfClient is WithTLSConfig for Reported, whose extra options may hold
// a WithClient (the API mock's) built with the same cfg by the caller: that
// client is left alone, and cfg only marks the run insecure. It must come
// after those options.
func tlsOfClient(cfg *tls.Config) Option {
	return func(c *config) error {
		if c.client == nil {
			c.tls = cfg
		}
		c.insecure = cfg != nil && cfg.InsecureSkipVerify
		return nil
	}
}

// errTLSWithClient is New's refusal of a TLS configuration its client
// would not use: every https event would then fail its handshake.
var errTLSWithClient = errors.New("delivery: WithTLSConfig and WithClient were both given, and the client would ignore the TLS settings: " +
	"build the client with delivery.NewTLSClient(timeout, concurrency, cfg) and drop WithTLSConfig, or drop WithClient")

// nonNegative is an option that refuses a negative v, naming it what, and
// otherwise sets it.
func nonNegative[T ~int | ~int64](what string, v T, set func(*config)) Option {
	return func(c *config) error {
		if v < 0 {
			return fmt.Errorf("%s %v is negative", what, v)
		}
		set(c)
		return nil
	}
}
