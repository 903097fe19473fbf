package receiver

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Defaults of a Receiver.
const (
	// DefaultLevel is the schema level deliveries are checked at: the
	// contract, what any receiver must accept from Coperniq.
	DefaultLevel = schemas.Contract
	// DefaultBodyLimit bounds a delivery's body. Coperniq's payloads are a
	// few KiB; a MiB leaves room for large custom fields while keeping a
	// hostile sender from filling memory.
	DefaultBodyLimit = 1 << 20
	// DefaultStatus answers a delivery that no failure was injected into.
	DefaultStatus = http.StatusOK
	// FailStatus answers the attempts WithFailFirst and WithFailRate fail: 503 is
	// what an overloaded receiver really answers, and any non-2xx makes
	// Coperniq retry.
	FailStatus = http.StatusServiceUnavailable
	// DefaultSeed makes the random failures reproducible out of the box.
	DefaultSeed = 1
	// DefaultMaxDeliveries is how many deliveries are kept in memory, the
	// newest (see the package doc on memory): a long capture session of
	// typical payloads, a few KiB each, in some tens of MiB.
	DefaultMaxDeliveries = 10_000
	// DefaultMaxBytes bounds the payloads kept in memory, all deliveries
	// together; beyond it the oldest deliveries lose their payload and keep
	// their metadata. It holds DefaultMaxDeliveries payloads of 6 KiB,
	// more than Coperniq's usually weigh. The process peaks near 2.5 times
	// it (the Go heap grows to twice the live data): some 160 MB under a
	// flood of 1 MiB bodies.
	DefaultMaxBytes = 64 << 20
	// DefaultMaxEventIDs bounds the eventIds whose attempts are counted;
	// beyond it the least recently delivered is forgotten (its next
	// delivery counts as attempt 1 again, WithFailFirst included). An entry
	// takes some 70 bytes.
	DefaultMaxEventIDs = 100_000
	// MaxUnknownTriggers bounds the distinct triggerKeys outside the
	// catalog that Summary.ByTrigger counts one by one: a sender chooses
	// them. Beyond it they are counted together under OtherTriggers; the
	// catalog's triggers always have their own count.
	MaxUnknownTriggers = 64
	// OtherTriggers is the Totals.ByTrigger key counting the unknown
	// triggerKeys beyond MaxUnknownTriggers.
	OtherTriggers = "(other)"
	// DefaultMaxConnections bounds the connections open at once (see
	// WithMaxConnections): sixteen times what `coperniq-mock load` opens by
	// default (64), and far more than Coperniq's sender does.
	DefaultMaxConnections = 1024
	// DefaultMaxInFlight bounds the bytes of request bodies being read
	// beyond the first 16 KiB of each, all requests together (see
	// WithMaxInFlight): 32 bodies of a MiB arriving at once.
	DefaultMaxInFlight = 32 << 20
	// DefaultInspectAddr is where Start serves the inspection API: its own
	// loopback address, with a port of its own (0: a free one), which a
	// tunnel to the delivery address does not reach.
	DefaultInspectAddr = "127.0.0.1:0"
	// DefaultWriteTimeout is how long a sender has to take an answer once
	// it is written (see WithWriteTimeout): ample for the few hundred
	// bytes a delivery's answer is, short enough that a sender that
	// never reads (pipelining requests regardless) frees its handler
	// soon, and with it the publishing of every later delivery.
	DefaultWriteTimeout = 10 * time.Second
	// MinInspectTokenLen is the shortest token WithInspectToken accepted: the token
	// guards real customers' data on a public tunnel URL, where nothing
	// limits how many guesses are tried.
	MinInspectTokenLen = 16
)

// Option configures a Receiver. Options check their argument; New (and
// Start) reports the first bad one.
type Option func(*config) error

type config struct {
	level       schemas.Level
	bodyLimit   int64
	status      int
	failFirst   int
	failRate    float64
	resetRate   float64
	latency     time.Duration
	seed        uint64
	max         int
	maxBytes    int64
	maxEvents   int
	public      bool
	token       string
	maxConns    int
	maxInFlight int64
	inspectAddr string
	writeTime   time.Duration
	out         io.Writer
	observer    func(Delivery)
	validator   *schemas.Validator // WithVocabulary; nil: the built-in schemas
	vocabFile   string             // WithVocabulary: the file, for Describe
}

func defaultConfig() config {
	return config{
		level:       DefaultLevel,
		bodyLimit:   DefaultBodyLimit,
		status:      DefaultStatus,
		seed:        DefaultSeed,
		max:         DefaultMaxDeliveries,
		maxBytes:    DefaultMaxBytes,
		maxEvents:   DefaultMaxEventIDs,
		maxConns:    DefaultMaxConnections,
		maxInFlight: DefaultMaxInFlight,
		inspectAddr: DefaultInspectAddr,
		writeTime:   DefaultWriteTimeout,
	}
}

// WithLevel sets the schema level deliveries are checked at (default
// DefaultLevel). schemas.Strict also flags what Coperniq may send but this
// tool never emits, such as unknown properties.
func WithLevel(l schemas.Level) Option {
	return func(c *config) error {
		if l != schemas.Contract && l != schemas.Strict {
			return fmt.Errorf("schema level %d is neither contract nor strict", int(l))
		}
		c.level = l
		return nil
	}
}

// WithBodyLimit refuses bodies over n bytes with 413 (default DefaultBodyLimit).
func WithBodyLimit(n int64) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("body limit %d must be at least 1 byte", n)
		}
		c.bodyLimit = n
		return nil
	}
}

// WithStatus sets the answer to a delivery no failure was injected into
// (default DefaultStatus). A non-2xx code fails every delivery, and a sender
// retries each until it gives up; a 3xx tests that it doesn't follow
// redirects. The code must be 200 to 599: net/http can't answer with a
// final 1xx.
func WithStatus(code int) Option {
	return func(c *config) error {
		if code < 200 || code > 599 {
			return fmt.Errorf("status %d is not a final HTTP status (200 to 599)", code)
		}
		c.status = code
		return nil
	}
}

// WithFailFirst answers FailStatus to the first n attempts of every eventId, so
// that a sender succeeds on attempt n+1 if it retries. 0 (the default)
// disables it. Payloads without a usable eventId are never failed by it.
func WithFailFirst(n int) Option {
	return nonNegative("fail-first", n, func(c *config) { c.failFirst = n })
}

// WithFailRate answers FailStatus to a fraction p of the attempts, drawn from
// the seed (WithSeed), the eventId and the attempt number (a retry gets a fresh draw).
func WithFailRate(p float64) Option {
	return fraction("fail rate", p, func(c *config) { c.failRate = p })
}

// WithResetRate drops the connection without an answer on a fraction p of the
// attempts, drawn like WithFailRate's: the sender sees a network error, as when
// a receiver crashes mid-request. It takes precedence over the other
// answers.
//
// Over HTTP/1 the connection is hijacked and closed with a TCP reset. A
// ResponseWriter that can't be hijacked (HTTP/2, httptest.ResponseRecorder)
// gets the handler aborted with panic(http.ErrAbortHandler), which net/http
// turns into a reset stream without logging; a direct caller of ServeHTTP
// sees the panic.
func WithResetRate(p float64) Option {
	return fraction("reset rate", p, func(c *config) { c.resetRate = p })
}

// WithLatency delays every answer to a delivery by d, to exercise a sender's
// timeout. The wait ends early if the sender gives up or the Server shuts
// down.
func WithLatency(d time.Duration) Option {
	return nonNegative("latency", d, func(c *config) { c.latency = d })
}

// WithSeed sets the seed of WithFailRate's and WithResetRate's draws (default
// DefaultSeed).
func WithSeed(s uint64) Option {
	return func(c *config) error {
		c.seed = s
		return nil
	}
}

// WithMaxDeliveries keeps only the newest n deliveries in memory (default
// DefaultMaxDeliveries); 0 keeps them all, for as long as the process has
// memory. Totals, attempt counts and the Output are unaffected.
func WithMaxDeliveries(n int) Option {
	return nonNegative("max deliveries", n, func(c *config) { c.max = n })
}

// WithMaxBytes bounds the bytes of the payloads kept in memory, all deliveries
// together (default DefaultMaxBytes; 0 for no bound). Beyond it the oldest
// deliveries lose their Payload (or Body) and all but their first 10
// violations, and are marked PayloadDropped; their other fields, the totals
// and the Output are unaffected. Violations count towards the bound too.
func WithMaxBytes(n int64) Option {
	return nonNegative("max bytes", n, func(c *config) { c.maxBytes = n })
}

// WithMaxEventIDs bounds the eventIds whose attempts are counted (default
// DefaultMaxEventIDs; 0 for no bound). Beyond it the least recently
// delivered eventId is forgotten: if it comes again, that delivery is
// attempt 1 (WithFailFirst fails it again) and Summary.UniqueEvents counts it
// again.
func WithMaxEventIDs(n int) Option {
	return nonNegative("max event ids", n, func(c *config) { c.maxEvents = n })
}

// WithPublicInspect serves the inspection API on the delivery address too,
// to anyone who reaches it, through proxies and tunnels included: only on a
// network you trust. By default it is served only by InspectHandler (on
// Start's own loopback address, Server.InspectURL). With WithInspectToken,
// the token is still required.
func WithPublicInspect(on bool) Option {
	return func(c *config) error {
		c.public = on
		return nil
	}
}

// WithInspectToken serves the inspection API on the delivery address too,
// to requests that carry "Authorization: Bearer token" (401 otherwise),
// wherever they come from: through a tunnel, for instance. The token must be
// at least MinInspectTokenLen visible ASCII characters (e.g. from `openssl
// rand -hex 16`); "" requires none and serves no inspection on the delivery
// address (the default). InspectHandler does not ask for it.
func WithInspectToken(token string) Option {
	return func(c *config) error {
		if token == "" {
			c.token = ""
			return nil
		}
		for _, r := range token {
			if r <= ' ' || r > '~' {
				return fmt.Errorf("inspect token: %q is not a visible ASCII character (a token must fit an Authorization header)", r)
			}
		}
		if len(token) < MinInspectTokenLen {
			return fmt.Errorf("inspect token of %d characters is too short: at least %d (e.g. openssl rand -hex 16)", len(token), MinInspectTokenLen)
		}
		c.token = token
		return nil
	}
}

// WithInspectAddr sets where Start serves the inspection API (default
// DefaultInspectAddr, a free port on 127.0.0.1). Keep it off the address a
// tunnel forwards to: what it serves is every captured payload. "" serves
// none there (WithInspectToken or WithPublicInspect may still serve it on
// the delivery address).
func WithInspectAddr(addr string) Option {
	return func(c *config) error {
		c.inspectAddr = addr
		return nil
	}
}

// WithMaxConnections bounds the connections Start's server keeps open at
// once (default DefaultMaxConnections); beyond, a new connection is answered
// 503 with Retry-After and closed unread, and counted in Summary.Refused.
// 0 lifts the bound.
func WithMaxConnections(n int) Option {
	return nonNegative("max connections", n, func(c *config) { c.maxConns = n })
}

// WithMaxInFlight bounds the bytes of request bodies held while they are
// read, beyond the first 16 KiB of each (which a Coperniq payload never
// exceeds), all requests together (default DefaultMaxInFlight). A request
// whose body would go over is answered 503 with Retry-After, unread, and
// counted in Summary.Refused, so that senders stalling mid-body cannot make
// memory grow with their number. 0 lifts the bound.
func WithMaxInFlight(n int64) Option {
	return nonNegative("max in-flight bytes", n, func(c *config) { c.maxInFlight = n })
}

// WithWriteTimeout bounds the time a sender has to take an answer, from
// when it is written (default DefaultWriteTimeout; 0 for no bound): the
// body's reading and WithLatency's wait do not count. A sender that does
// not take it in time has its connection closed; the delivery was
// recorded before its answer was written, and is published with
// Delivery.Wire WireWriteFailed. The inspection API's answers, which may
// be tens of MB for your own tools, are not bounded.
func WithWriteTimeout(d time.Duration) Option {
	return nonNegative("write timeout", d, func(c *config) { c.writeTime = d })
}

// WithOutput writes every delivery to w as one JSON line (a Delivery, as the
// inspection API shows it), in arrival order, one Write call per line, once
// its answer is settled. The
// Receiver never closes w. The first write error stops the output and is
// kept for Receiver.Err; deliveries are still answered and recorded.
func WithOutput(w io.Writer) Option {
	return func(c *config) error {
		c.out = w
		return nil
	}
}

// WithObserver calls fn with every delivery once its answer is settled:
// written, or not (Delivery.Wire says why). Calls come one at a time, in
// arrival order, from the handlers' goroutines, after the answer (a handler
// whose turn has not come leaves its delivery to the one before it, rather
// than waiting): fn may call the Receiver's methods, and should be quick
// (hand the delivery to a queue), since later deliveries are published
// behind it and the handler calling it holds its connection meanwhile.
func WithObserver(fn func(Delivery)) Option {
	return func(c *config) error {
		c.observer = fn
		return nil
	}
}

// fraction is an option that refuses a p outside 0 to 1 (NaN too), naming
// it what, and otherwise sets it.
func fraction(what string, p float64, set func(*config)) Option {
	return func(c *config) error {
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("%s %v must be between 0 and 1", what, p)
		}
		set(c)
		return nil
	}
}

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
