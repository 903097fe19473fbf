package delivery

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/suggest"
)

// Defaults of the retry policy. Coperniq publishes none of them; these are
// the project's choice (see the Delivery table of the domain README).
const (
	DefaultAttempts    = 5
	DefaultBackoffBase = time.Second
	// DefaultBackoffCap only matters past the default attempts: with 5
	// attempts the largest ceiling is 8 s.
	DefaultBackoffCap = time.Minute
)

// Backoff decides how long to wait before a retry.
type Backoff interface {
	// Delay is the wait before retry n (1 for the wait after the first
	// attempt). rnd supplies the jitter; with a nil rnd a jittered backoff
	// returns its ceiling.
	Delay(n int, rnd *rand.Rand) time.Duration
	// String is the spelling ParseBackoff reads back.
	String() string
}

// Exponential is exponential backoff with full jitter: retry n waits a
// uniform random time in [0, min(Cap, Base·2^(n-1))]. Full jitter spreads
// the retries of many events failing together instead of synchronising them.
type Exponential struct {
	Base, Cap time.Duration
}

// Ceiling is the largest wait before retry n.
func (e Exponential) Ceiling(n int) time.Duration {
	if e.Base <= 0 || n < 1 {
		return 0
	}
	c := e.Base
	for i := 1; i < n; i++ {
		if (e.Cap > 0 && c >= e.Cap) || c > (1<<62)/2 {
			break
		}
		c *= 2
	}
	if e.Cap > 0 && c > e.Cap {
		c = e.Cap
	}
	return c
}

// Delay implements Backoff.
func (e Exponential) Delay(n int, rnd *rand.Rand) time.Duration {
	c := e.Ceiling(n)
	if c <= 0 || rnd == nil {
		return c
	}
	// c+1 overflows at the longest duration there is.
	return time.Duration(rnd.Int64N(int64(min(c, math.MaxInt64-1)) + 1))
}

func (e Exponential) String() string {
	return "exp:" + e.Base.String() + ":" + e.Cap.String()
}

// Fixed waits the same time before every retry.
type Fixed struct {
	Wait time.Duration
}

// Delay implements Backoff.
func (f Fixed) Delay(int, *rand.Rand) time.Duration { return f.Wait }

func (f Fixed) String() string { return "fixed:" + f.Wait.String() }

// Schedule is an explicit list of waits: retry n waits Schedule[n-1], and
// retries past the end repeat the last wait. A schedule of k waits describes
// k+1 attempts (see Attempts).
type Schedule []time.Duration

// Delay implements Backoff.
func (s Schedule) Delay(n int, _ *rand.Rand) time.Duration {
	if len(s) == 0 || n < 1 {
		return 0
	}
	return s[min(n, len(s))-1]
}

// Attempts is the number of attempts the schedule spells out.
func (s Schedule) Attempts() int { return len(s) + 1 }

func (s Schedule) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}

// ParseSchedule reads waits such as "1s,5s,30s,5m".
func ParseSchedule(s string) (Schedule, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("retry schedule is empty (want waits like 1s,5s,30s,5m)")
	}
	parts := strings.Split(s, ",")
	out := make(Schedule, len(parts))
	for i, p := range parts {
		p = strings.TrimSpace(p)
		d, err := time.ParseDuration(p)
		switch {
		case err != nil:
			return nil, fmt.Errorf("retry schedule %q: element %d %q isn't a duration (like 500ms, 1s or 5m)", s, i+1, p)
		case d < 0:
			return nil, fmt.Errorf("retry schedule %q: element %d %q is negative", s, i+1, p)
		}
		out[i] = d
	}
	return out, nil
}

// ParseBackoff reads the String form of any Backoff: "exp:BASE[:CAP]"
// (CAP defaults to DefaultBackoffCap), "fixed:WAIT", or a schedule such as
// "1s,5s,30s,5m".
func ParseBackoff(s string) (Backoff, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok {
		return ParseSchedule(s)
	}
	dur := func(what, v string) (time.Duration, error) {
		d, err := time.ParseDuration(v)
		if err != nil {
			return 0, fmt.Errorf("backoff %q: %s %q isn't a duration (like 5ms or 1s)", s, what, v)
		}
		if d < 0 {
			return 0, fmt.Errorf("backoff %q: %s %q is negative", s, what, v)
		}
		return d, nil
	}
	switch kind {
	case "exp", "exponential":
		b, c, hasCap := strings.Cut(rest, ":")
		base, err := dur("base", b)
		if err != nil {
			return nil, err
		}
		if base == 0 {
			return nil, fmt.Errorf("backoff %q: base must be more than 0", s)
		}
		limit := DefaultBackoffCap
		if !hasCap && base > limit {
			// Else every wait would be the default cap, below the base asked for.
			return nil, fmt.Errorf("backoff %q: base %s is above the default cap %s; give a cap, like exp:%s:%s", s, base, limit, b, b)
		}
		if hasCap {
			if limit, err = dur("cap", c); err != nil {
				return nil, err
			}
			if limit < base {
				return nil, fmt.Errorf("backoff %q: cap %s is below base %s", s, limit, base)
			}
		}
		return Exponential{Base: base, Cap: limit}, nil
	case "fixed":
		w, err := dur("wait", rest)
		if err != nil {
			return nil, err
		}
		return Fixed{Wait: w}, nil
	}
	return nil, fmt.Errorf("backoff %q: kind %q isn't one of [exp fixed] (or give a schedule like 1s,5s,30s,5m)", s, kind)
}

// Policy is how an event is retried.
type Policy struct {
	// Attempts is the most attempts an event gets, the first included;
	// after the last failure the event is dead.
	Attempts int
	// Backoff spaces the attempts; it may be nil when Attempts is 1.
	Backoff Backoff
	// Timeout bounds each attempt in real time, whatever the clock: it is
	// spent waiting on a real receiver. 0 means no timeout.
	Timeout time.Duration
}

// Validate reports what makes p unusable.
func (p Policy) Validate() error {
	switch {
	case p.Attempts < 1:
		return fmt.Errorf("retry policy: attempts %d must be at least 1", p.Attempts)
	case p.Attempts > 1 && p.Backoff == nil:
		return fmt.Errorf("retry policy: %d attempts need a backoff", p.Attempts)
	case p.Timeout < 0:
		return fmt.Errorf("retry policy: timeout %s is negative", p.Timeout)
	}
	return nil
}

func (p Policy) String() string {
	b := "none"
	if p.Backoff != nil {
		b = p.Backoff.String()
	}
	t := "no timeout"
	if p.Timeout > 0 {
		t = p.Timeout.String() + " timeout"
	}
	return fmt.Sprintf("%d attempts, backoff %s, %s", p.Attempts, b, t)
}

// The presets, by name.
var presets = []struct {
	name string
	p    Policy
}{
	{"default", Policy{Attempts: DefaultAttempts, Backoff: Exponential{Base: DefaultBackoffBase, Cap: DefaultBackoffCap}, Timeout: DefaultTimeout}},
	// ci keeps the shape of default at millisecond scale so that a test
	// suite exercises retries without waiting for them.
	{"ci", Policy{Attempts: 5, Backoff: Exponential{Base: 5 * time.Millisecond, Cap: 100 * time.Millisecond}, Timeout: 2 * time.Second}},
	{"none", Policy{Attempts: 1, Timeout: DefaultTimeout}},
}

// DefaultPolicy is the "default" preset: 5 attempts, exponential backoff
// with full jitter from 1 s, 10 s per attempt.
func DefaultPolicy() Policy { return presets[0].p }

// Presets names the policies ParsePreset knows, default first.
func Presets() []string {
	names := make([]string, len(presets))
	for i, p := range presets {
		names[i] = p.name
	}
	return names
}

// ParsePreset returns the named policy.
func ParsePreset(name string) (Policy, error) {
	for _, p := range presets {
		if p.name == name {
			return p.p, nil
		}
	}
	return Policy{}, oneOf("retry preset", name, Presets())
}

// oneOf is the error for a name outside a fixed set, with a suggestion when
// the name looks like a typo of one of them.
func oneOf(what, got string, valid []string) error {
	msg := fmt.Sprintf("%s %q isn't one of [%s]", what, got, strings.Join(valid, " "))
	if s := suggest.Nearest(got, valid); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return errors.New(msg)
}
