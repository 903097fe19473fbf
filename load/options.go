package load

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Defaults of a run.
const (
	// DefaultMaxInflight bounds the requests in flight, and so the
	// connections, at any rate: an open-model tool without such a bound
	// was measured opening 22,000 connections against a slow receiver and
	// collapsing to a third of its rate.
	DefaultMaxInflight = 64
	// MaxInflightLimit is the largest max-inflight accepted. The event-id
	// space is split into this many sequences per shard, so it must not
	// change between copies of a run.
	MaxInflightLimit = 16384
	// DefaultMaxLateness is how far behind its scheduled time a send may
	// start; a slot later than that is dropped (and counted) instead of
	// sent, so that a stalled receiver is followed by a bounded burst and
	// not by an unbounded catch-up.
	DefaultMaxLateness = time.Second
	// DefaultLateAfter is the delay after its scheduled time from which a
	// send counts as late: below it is timer and scheduler noise.
	DefaultLateAfter = 10 * time.Millisecond
	// DefaultGrace is how long requests in flight may finish after the run
	// is interrupted, before they are cancelled.
	DefaultGrace = 2 * time.Second
	// DefaultDrain bounds how long retries go on after the last scheduled
	// send; events still waiting then are reported pending.
	DefaultDrain = 30 * time.Second
	// DefaultMaxPendingRetries bounds the failed events kept (with their
	// bodies) for a retry; an event failing beyond it is dead at once, so
	// that memory stays bounded when every request fails.
	DefaultMaxPendingRetries = 10000
	// DefaultProgressInterval is how often the observer hears of progress.
	DefaultProgressInterval = time.Second
	// DefaultMaxPoints bounds the timeline: long runs get wider intervals
	// instead of more points, so that memory and report size stay flat.
	DefaultMaxPoints = 1800
)

// ClientWire names the run's own HTTP/1.1 client in Report.Client: one
// kept-alive connection per worker, requests written whole, responses read
// to their end. Runs use it unless a proxy from HTTP_PROXY or HTTPS_PROXY
// applies to the target, or WithClient gives a client: those go through
// net/http.
const ClientWire = "http/1.1 writer"

// Option configures a run. Options check their argument; Run reports the
// first bad one.
type Option func(*config) error

type config struct {
	stages []Stage
	// closed is the length of a closed-loop run (WithRate(RateMax, d)),
	// 0 for an open-model one (stages).
	closed       time.Duration
	latenessSet  bool
	mix          Mix
	profile      generator.Profile
	seed         uint64
	shard        Shard
	maxInflight  int
	timeout      time.Duration
	policy       delivery.Policy
	client       *http.Client
	tls          *tls.Config
	maxLateness  time.Duration
	lateAfter    time.Duration
	grace        time.Duration
	drain        time.Duration
	maxRetryQ    int
	observer     func(Progress)
	progressTick time.Duration
	interval     time.Duration
	scenario     *scenarios.Scenario
	vocab        *schemas.Vocabulary // nil: the built-in one
	// spoken: scenario was parsed with vocab already (Plan.Options parses
	// it to name its errors), so the run takes it as it is.
	spoken bool
}

// speakVocabulary parses the scenario again with the run's vocabulary, so
// that a scenario file may use its names.
func (c *config) speakVocabulary() error {
	if c.scenario == nil || c.vocab == nil || c.spoken {
		return nil
	}
	s, err := c.scenario.WithVocabulary(c.vocab)
	if err != nil {
		return err
	}
	c.scenario = s
	return nil
}

func defaultConfig() config {
	return config{
		mix:          DefaultMix(),
		profile:      generator.DefaultProfile,
		seed:         generator.DefaultSeed,
		shard:        Shard{Index: 0, Count: 1},
		maxInflight:  DefaultMaxInflight,
		policy:       delivery.Policy{Attempts: 1, Timeout: delivery.DefaultTimeout},
		maxLateness:  DefaultMaxLateness,
		lateAfter:    DefaultLateAfter,
		grace:        DefaultGrace,
		drain:        DefaultDrain,
		maxRetryQ:    DefaultMaxPendingRetries,
		progressTick: DefaultProgressInterval,
	}
}

// WithRate sends at a constant rate for d. With RateMax it runs a closed
// loop for d instead: each of max-inflight senders sends its next event
// (a fresh payload) as soon as its last answer came, so the rate is the
// receiver's, found rather than asked for. Nothing is scheduled, so nothing
// is late or dropped, corrected latency equals raw, and WithMaxLateness
// does not apply (Run refuses it). Shards of a closed loop each run
// their own senders and send disjoint slots and event ids; merged, their
// rates add up.
func WithRate(r Rate, d time.Duration) Option {
	return func(c *config) error {
		if r != RateMax && (r <= 0 || r > MaxRate) {
			return fmt.Errorf("rate %s must be more than 0/s and at most %s, or max", r, MaxRate)
		}
		if d <= 0 {
			return fmt.Errorf("duration %s must be more than 0", d)
		}
		if r == RateMax {
			c.stages, c.closed = nil, d
			return nil
		}
		c.stages, c.closed = Constant(r, d), 0
		return nil
	}
}

// WithStages sends along a load profile (see ParseStages).
func WithStages(stages ...Stage) Option {
	return func(c *config) error {
		total := 0.0
		for _, s := range stages {
			if s.From < 0 || s.To < 0 || s.From > MaxRate || s.To > MaxRate || s.Duration <= 0 {
				return fmt.Errorf("stage %s: rates must be 0..%s and the duration more than 0", s, MaxRate)
			}
			total += s.events()
		}
		if total < 1 {
			return errors.New("stages send no event")
		}
		c.stages, c.closed = append([]Stage(nil), stages...), 0
		return nil
	}
}

// WithMix chooses the triggers sent (default: every trigger equally).
func WithMix(m Mix) Option {
	return func(c *config) error {
		total := 0
		for _, w := range m {
			if _, err := schemas.Lookup(w.Trigger); err != nil {
				return err
			}
			if w.Weight < 0 {
				return fmt.Errorf("mix: weight %d of %s is negative", w.Weight, w.Trigger)
			}
			total += w.Weight
		}
		if total == 0 {
			return errors.New("mix is empty or every weight is 0")
		}
		c.mix = append(Mix(nil), m...)
		return nil
	}
}

// WithProfile chooses the generator profile of the payloads, by any name
// generator.ParseProfile reads ("Minimal" is minimal).
func WithProfile(p generator.Profile) Option {
	return func(c *config) error {
		parsed, err := generator.ParseProfile(string(p))
		if err != nil {
			return err
		}
		c.profile = parsed
		return nil
	}
}

// WithVocabulary makes the run speak v, a team's vocabulary (the names
// Coperniq does not publish, schemas.Vocabulary): generated payloads carry
// its trigger names, statuses and types, and a WithScenario scenario is
// parsed again against its names, so a scenario file may use them. A nil
// v is the built-in vocabulary; one built in Go is completed first
// (schemas.Vocabulary.Complete), and refused when it breaks its rules.
func WithVocabulary(v *schemas.Vocabulary) Option {
	return func(c *config) error {
		v, err := v.Complete()
		if err != nil {
			return err
		}
		c.vocab, c.spoken = v, false
		return nil
	}
}

// WithSeed seeds the payloads and the trigger choice. Copies of a sharded
// run must share the seed for their trigger mix to add up to one run's.
func WithSeed(seed uint64) Option { return func(c *config) error { c.seed = seed; return nil } }

// WithShard makes this run one shard of several (see Shard).
func WithShard(s Shard) Option {
	return func(c *config) error {
		if err := s.valid(); err != nil {
			return err
		}
		c.shard = s
		return nil
	}
}

// WithMaxInflight bounds the requests in flight and the connections
// (default DefaultMaxInflight).
func WithMaxInflight(n int) Option {
	return func(c *config) error {
		if n < 1 || n > MaxInflightLimit {
			return fmt.Errorf("max in-flight %d must be 1..%d", n, MaxInflightLimit)
		}
		c.maxInflight = n
		return nil
	}
}

// WithTimeout bounds each request; it replaces the retry policy's timeout.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("timeout %s must be more than 0", d)
		}
		c.timeout = d
		return nil
	}
}

// WithPolicy retries failed requests as Coperniq would (see
// delivery.ParsePreset); by default nothing is retried. Retries re-send the
// identical body, and wait for a free worker like any send.
func WithPolicy(p delivery.Policy) Option {
	return func(c *config) error {
		if err := p.Validate(); err != nil {
			return err
		}
		c.policy = p
		return nil
	}
}

// WithClient sends through client (net/http) instead of the run's own
// HTTP/1.1 client (see ClientWire), for transports the latter lacks:
// HTTP/2, a proxy of its own, a wrapped RoundTripper. It costs about three
// times the CPU per request, and the run then cannot count connections.
// The client's TLS settings are its own (for an https target, build it
// with delivery.NewTLSClient(timeout, max-inflight, cfg)): Run refuses
// WithTLSConfig alongside, which the client would not use. For custom TLS
// alone, WithTLSConfig keeps the run's own client and its speed.
func WithClient(client *http.Client) Option {
	return func(c *config) error {
		if client == nil {
			return errors.New("client is nil")
		}
		c.client = client
		return nil
	}
}

// WithTLSConfig makes https connections with c (a copy): trusted roots
// (RootCAs, for a staging receiver's internal CA), a client certificate for
// mTLS, or InsecureSkipVerify. By default the system's roots are trusted
// (SSL_CERT_FILE and SSL_CERT_DIR apply). Connections speak HTTP/1.1
// whatever c.NextProtos says. Run refuses it with WithClient.
func WithTLSConfig(c *tls.Config) Option {
	return func(cfg *config) error {
		if c == nil {
			return errors.New("TLS config is nil")
		}
		cfg.tls = c.Clone()
		return nil
	}
}

// WithMaxLateness sets how late a send may start before its slot is
// dropped (default DefaultMaxLateness). A closed loop (RateMax) has no
// schedule to be late for: Run refuses the two together.
func WithMaxLateness(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("max lateness %s must be more than 0", d)
		}
		c.maxLateness, c.latenessSet = d, true
		return nil
	}
}

// WithGrace sets how long requests in flight may finish after ctx is
// cancelled (default DefaultGrace).
func WithGrace(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("grace %s is negative", d)
		}
		c.grace = d
		return nil
	}
}

// WithDrain bounds how long retries go on after the last scheduled send
// (default DefaultDrain).
func WithDrain(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("drain %s is negative", d)
		}
		c.drain = d
		return nil
	}
}

// WithObserver calls fn every interval (0: DefaultProgressInterval) from a
// goroutine of its own while the run goes on, and once more at the end
// with Progress.Done set. fn must return quickly.
func WithObserver(fn func(Progress), interval time.Duration) Option {
	return func(c *config) error {
		if interval < 0 {
			return fmt.Errorf("progress interval %s is negative", interval)
		}
		c.observer = fn
		if interval > 0 {
			c.progressTick = interval
		}
		return nil
	}
}

// WithInterval sets the width of the report's timeline points (default:
// one second, wider for runs longer than DefaultMaxPoints seconds).
func WithInterval(d time.Duration) Option {
	return func(c *config) error {
		if d < 10*time.Millisecond {
			return fmt.Errorf("interval %s must be at least 10ms", d)
		}
		c.interval = d
		return nil
	}
}

// timeoutOf is the request timeout: WithTimeout, else the policy's, else
// the delivery default.
// retryString is the retry policy as it runs: with the timeout WithTimeout
// put in place of the policy's own.
func (c *config) retryString() string {
	p := c.policy
	p.Timeout = c.timeoutOf()
	return p.String()
}

func (c *config) timeoutOf() time.Duration {
	switch {
	case c.timeout > 0:
		return c.timeout
	case c.policy.Timeout > 0:
		return c.policy.Timeout
	}
	return delivery.DefaultTimeout
}
