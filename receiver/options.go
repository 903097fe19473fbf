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
	// FailStatus answers the attempts FailFirst and FailRate fail: 503 is
	// what an overloaded receiver really answers, and any non-2xx makes
	// Coperniq retry.
	FailStatus = http.StatusServiceUnavailable
	// DefaultSeed makes the random failures reproducible out of the box.
	DefaultSeed = 1
	// DefaultMaxDeliveries keeps every delivery (see the package doc on
	// memory).
	DefaultMaxDeliveries = 0
)

// Option configures a Receiver. Options check their argument; New (and
// Start) reports the first bad one.
type Option func(*config) error

type config struct {
	level     schemas.Level
	bodyLimit int64
	status    int
	failFirst int
	failRate  float64
	resetRate float64
	latency   time.Duration
	seed      uint64
	max       int
	out       io.Writer
	observer  func(Delivery)
}

func defaultConfig() config {
	return config{
		level:     DefaultLevel,
		bodyLimit: DefaultBodyLimit,
		status:    DefaultStatus,
		seed:      DefaultSeed,
		max:       DefaultMaxDeliveries,
	}
}

// Level sets the schema level deliveries are checked at (default
// DefaultLevel). schemas.Strict also flags what Coperniq may send but this
// tool never emits, such as unknown properties.
func Level(l schemas.Level) Option {
	return func(c *config) error {
		if l != schemas.Contract && l != schemas.Strict {
			return fmt.Errorf("schema level %d is neither contract nor strict", int(l))
		}
		c.level = l
		return nil
	}
}

// BodyLimit refuses bodies over n bytes with 413 (default DefaultBodyLimit).
func BodyLimit(n int64) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("body limit %d must be at least 1 byte", n)
		}
		c.bodyLimit = n
		return nil
	}
}

// Status sets the answer to a delivery no failure was injected into
// (default DefaultStatus). A non-2xx code fails every delivery, and a sender
// retries each until it gives up; a 3xx tests that it doesn't follow
// redirects. The code must be 200 to 599: net/http can't answer with a
// final 1xx.
func Status(code int) Option {
	return func(c *config) error {
		if code < 200 || code > 599 {
			return fmt.Errorf("status %d is not a final HTTP status (200 to 599)", code)
		}
		c.status = code
		return nil
	}
}

// FailFirst answers FailStatus to the first n attempts of every eventId, so
// that a sender succeeds on attempt n+1 if it retries. 0 (the default)
// disables it. Payloads without a usable eventId are never failed by it.
func FailFirst(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("fail-first %d is negative", n)
		}
		c.failFirst = n
		return nil
	}
}

// FailRate answers FailStatus to a fraction p of the attempts, drawn from
// the Seed, the eventId and the attempt number (a retry gets a fresh draw).
func FailRate(p float64) Option {
	return func(c *config) error {
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("fail rate %v must be between 0 and 1", p)
		}
		c.failRate = p
		return nil
	}
}

// ResetRate drops the connection without an answer on a fraction p of the
// attempts, drawn like FailRate's: the sender sees a network error, as when
// a receiver crashes mid-request. It takes precedence over the other
// answers.
//
// Over HTTP/1 the connection is hijacked and closed with a TCP reset. A
// ResponseWriter that can't be hijacked (HTTP/2, httptest.ResponseRecorder)
// gets the handler aborted with panic(http.ErrAbortHandler), which net/http
// turns into a reset stream without logging; a direct caller of ServeHTTP
// sees the panic.
func ResetRate(p float64) Option {
	return func(c *config) error {
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("reset rate %v must be between 0 and 1", p)
		}
		c.resetRate = p
		return nil
	}
}

// Latency delays every answer to a delivery by d, to exercise a sender's
// timeout. The wait ends early if the sender gives up or the Server shuts
// down.
func Latency(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("latency %s is negative", d)
		}
		c.latency = d
		return nil
	}
}

// Seed sets the seed of FailRate's and ResetRate's draws (default
// DefaultSeed).
func Seed(s uint64) Option {
	return func(c *config) error {
		c.seed = s
		return nil
	}
}

// MaxDeliveries keeps only the newest n deliveries in memory, 0 keeping all
// (default DefaultMaxDeliveries). Totals, attempt counts and the Output are
// unaffected.
func MaxDeliveries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("max deliveries %d is negative", n)
		}
		c.max = n
		return nil
	}
}

// Output writes every delivery to w as one JSON line (a Delivery, as the
// inspection API shows it), in arrival order, one Write call per line. The
// Receiver never closes w. The first write error stops the output and is
// kept for Receiver.Err; deliveries are still answered and recorded.
func Output(w io.Writer) Option {
	return func(c *config) error {
		c.out = w
		return nil
	}
}

// Observer calls fn with every delivery as soon as it is recorded, before
// the Latency wait and the answer: Delivery.Status is the answer to come. Calls
// come one at a time, in arrival order, from the handlers' goroutines: fn
// may call the Receiver's methods, and should be quick, since deliveries
// queue behind it.
func Observer(fn func(Delivery)) Option {
	return func(c *config) error {
		c.observer = fn
		return nil
	}
}
