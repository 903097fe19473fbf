package contract

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Defaults of a Target.
const (
	// DefaultDeadline is how long a delivery may wait for its answer. Coperniq
	// does not publish its timeout; this is the sender's default attempt
	// timeout (delivery.DefaultTimeout), past which it gives up and retries.
	DefaultDeadline = delivery.DefaultTimeout
	// DefaultBurst is how many deliveries the burst spec sends at once: a
	// bulk import or a workflow change fires one event per record.
	DefaultBurst = 50
	// DefaultSeed is the payload seed unless told otherwise, the CLI's.
	DefaultSeed = generator.DefaultSeed
	// DefaultInspectTimeout is how long the suite polls an inspect hook for
	// the expected count: long enough for a queue worker to catch up.
	DefaultInspectTimeout = 5 * time.Second
	// MinSettle is the least time a count must stay at the expected value
	// once reached, to catch a duplicate applied after the first copy, when
	// Target.Settle is left to adapt: the watch lasts MinSettle or twice the
	// time the count took to appear, whichever is longer. A queue that
	// applies a duplicate 600 ms after its first copy is caught; a fixed
	// quarter second was not enough.
	MinSettle = time.Second
	// DefaultDrainBudget bounds, over the whole run, the time spent
	// waiting before a spec that counts for earlier specs' events that were
	// not applied within the inspect timeout (Target.DrainBudget). A
	// correct receiver never needs it: each spec waits for its own events.
	// It is spent only after a spec failed for an event not applied in
	// time, so that a receiver still busy with that backlog does not fail
	// the next spec too; a receiver that drops events costs at most this
	// much more. Twice the default inspect timeout: the harness's queue
	// receiver, seconds behind after a burst, catches up well within it.
	DefaultDrainBudget = 2 * DefaultInspectTimeout
	// SlowAnswer is the p99 answer time over which the suite warns: a
	// receiver that slow is doing its work before acknowledging, and a burst
	// or a slow database will push it past Coperniq's timeout.
	SlowAnswer = time.Second
)

// Target is the receiver under test. Only URL is required; zero fields take
// the defaults above.
type Target struct {
	// URL is the webhook URL as configured in Coperniq. With TokenParam,
	// the suite sets that query parameter on it; a URL that already carries
	// the token works without TokenParam, but then the token specs are
	// skipped.
	URL string
	// TokenParam is the receiver's token as NAME=VALUE, e.g. token=s3cret:
	// the query parameter Coperniq customers put in the URL since Coperniq
	// signs nothing. Empty skips the token specs.
	TokenParam string
	// Inspect tells how many times the receiver applied an event (see the
	// package doc). Nil skips the idempotency and lifecycle specs.
	Inspect Inspector

	// Deadline bounds each delivery's wait for an answer (DefaultDeadline).
	Deadline time.Duration
	// Burst is how many deliveries the burst spec sends concurrently
	// (DefaultBurst).
	Burst int
	// Seed makes every payload reproducible; each failure prints the seed
	// of the payload that failed. Zero draws one at random (see
	// RandomSeed): a receiver that keeps its state between runs (a staging
	// one) would find a repeated seed's events already applied.
	Seed uint64
	// InspectTimeout bounds the wait for an expected count
	// (DefaultInspectTimeout).
	InspectTimeout time.Duration
	// Settle is how long a reached count is watched for a late duplicate.
	// Zero adapts it to the receiver: MinSettle, or twice the time the
	// count took to appear when that is longer. Negative skips the watch.
	Settle time.Duration
	// Scenarios are the lifecycle scenarios to replay, by name; nil means
	// every built-in one.
	Scenarios []string
	// MaxLate is how many deliveries in a row may get no answer within the
	// deadline before the run stops (DefaultMaxLate).
	MaxLate int
	// MaxLateTotal is how many deliveries in all, in a row or not, may get
	// no answer within the deadline before the run stops, counted one
	// after another as MaxLate counts them (DefaultMaxLateTotal, or
	// MaxLate when that is more).
	MaxLateTotal int
	// DrainBudget bounds the time the run spends waiting for earlier
	// specs' late events (DefaultDrainBudget); negative never waits.
	DrainBudget time.Duration
	// TLS is how an https:// URL is trusted (delivery.TLS.Config), the
	// webhook's and an InspectURL hook's; nil is the system's trust store.
	TLS *tls.Config
	// ReproduceFlags follow --target in every command a report shows to
	// send a delivery again, so that it reaches the receiver as the run
	// did: the TLS settings as flags (delivery.TLS.Flags).
	ReproduceFlags []string

	// Vocabulary is the team's vocabulary the payloads and scenarios are
	// generated in (schemas.ParseVocabulary); nil is the built-in one.
	Vocabulary *schemas.Vocabulary

	// State reads the receiver's view of a record (see the state protocol
	// in the package doc; state.go). Nil skips the final-state specs.
	State StateReader

	// API serves the REST API mock to the receiver (api.go). Nil skips
	// the API specs.
	API *APIMock
}

// RandomSeed draws a payload seed for a run without one: never 1, the
// default of earlier versions, which a staging receiver may hold the state
// of.
func RandomSeed() uint64 { return 2 + rand.Uint64N(1<<31) }

// withDefaults fills zero fields and checks the rest, so that a bad Target is
// reported once, by every spec, instead of as a confusing network error.
func (t Target) withDefaults() (Target, error) {
	if t.Deadline == 0 {
		t.Deadline = DefaultDeadline
	}
	if t.Burst == 0 {
		t.Burst = DefaultBurst
	}
	if t.Seed == 0 {
		t.Seed = RandomSeed()
	}
	if t.InspectTimeout == 0 {
		t.InspectTimeout = DefaultInspectTimeout
	}
	if t.MaxLate == 0 {
		t.MaxLate = DefaultMaxLate
	}
	if t.MaxLateTotal == 0 {
		// Raising --max-late alone must not leave a lower total to stop
		// the run first.
		t.MaxLateTotal = max(DefaultMaxLateTotal, t.MaxLate)
	}
	switch {
	case t.DrainBudget == 0:
		t.DrainBudget = DefaultDrainBudget
	case t.DrainBudget < 0:
		t.DrainBudget = 0
	}
	if t.URL == "" {
		return t, badField("URL", "", errNoURL.Error())
	}
	if err := delivery.CheckURL(t.URL); err != nil {
		return t, badField("URL", "", err.Error())
	}
	if t.Deadline < 0 {
		return t, badField("Deadline", t.Deadline.String(), "want a positive duration, e.g. 10s")
	}
	if t.Burst < 0 || t.Burst > MaxBurst {
		return t, badField("Burst", fmt.Sprint(t.Burst), fmt.Sprintf("want 1 to %d", MaxBurst))
	}
	if t.InspectTimeout < 0 {
		return t, badField("InspectTimeout", t.InspectTimeout.String(), "want a positive duration, e.g. 5s")
	}
	if t.MaxLate < 0 {
		return t, badField("MaxLate", fmt.Sprint(t.MaxLate), "want 1 or more")
	}
	if t.MaxLateTotal < 0 {
		return t, badField("MaxLateTotal", fmt.Sprint(t.MaxLateTotal), "want 1 or more")
	}
	if ui, ok := t.Inspect.(*urlInspector); ok && t.TLS != nil {
		// A staging receiver's hook is served like its webhook, under the
		// same CA: the hook's client trusts what the deliveries' does.
		c := *ui
		c.client = delivery.NewTLSClient(inspectCallTimeout, inspectParallel, t.TLS)
		t.Inspect = &c
	}
	if su, ok := t.State.(*stateURL); ok && t.TLS != nil { // the state hook likewise (state.go)
		c := *su
		c.client = delivery.NewTLSClient(stateCallTimeout, 4, t.TLS)
		t.State = &c
	}
	if t.TokenParam != "" {
		if _, _, err := ParseTokenParam(t.TokenParam); err != nil {
			return t, badField("TokenParam", "", err.Error())
		}
	}
	if err := checkScenarios(t.Scenarios, t.Vocabulary); err != nil {
		return t, err
	}
	if err := checkVocabularyScenarios(t); err != nil {
		return t, err
	}
	var err error
	t.API, err = t.API.withDefaults() // api.go
	return t, err
}

// MaxBurst bounds Target.Burst: past it the suite would test the machine it
// runs on (file descriptors, ephemeral ports) rather than the receiver.
const MaxBurst = 10000

// ParseTokenParam splits NAME=VALUE. The error echoes the name only: the
// value is a secret.
func ParseTokenParam(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	switch {
	case !ok:
		// Without "=" the whole argument may be the token: not echoed.
		return "", "", errors.New(`token param has no "=": want NAME=VALUE, e.g. token=s3cret`)
	case name == "":
		return "", "", errors.New("token param: the NAME before = is empty")
	case value == "":
		return "", "", fmt.Errorf("token param %s: the VALUE after = is empty", name)
	}
	return name, value, nil
}

// withQuery returns raw with query parameter name set to value, or removed
// when remove is true. Other parameters keep their order.
func withQuery(raw, name, value string, remove bool) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw // withDefaults has checked it
	}
	var kept []string
	for _, kv := range strings.Split(u.RawQuery, "&") {
		if kv == "" {
			continue
		}
		k, _, _ := strings.Cut(kv, "=")
		if uk, err := url.QueryUnescape(k); err == nil && uk == name {
			continue
		}
		kept = append(kept, kv)
	}
	if !remove {
		kept = append(kept, url.QueryEscape(name)+"="+url.QueryEscape(value))
	}
	u.RawQuery = strings.Join(kept, "&")
	return u.String()
}

// CheckReachable dials the host of rawURL, so that a receiver that is not
// running is reported as such (the CLI exits 2) rather than as every spec
// failing. It opens a TCP connection only: no delivery is made.
func CheckReachable(ctx context.Context, rawURL string, timeout time.Duration) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("target %s is not a URL with a host", delivery.MaskURL(rawURL))
	}
	return dial(ctx, u, timeout, "target "+delivery.MaskURL(rawURL))
}

// CheckInspectReachable is CheckReachable for an InspectURL template: a hook
// that does not accept connections is bad configuration, not a receiver that
// never applies anything. Errors show the template, placeholders and all.
func CheckInspectReachable(ctx context.Context, template string, timeout time.Duration) error {
	u, err := hookURL(template)
	if err != nil {
		return err
	}
	return dial(ctx, u, timeout, "inspect hook "+maskTemplate(template))
}

func dial(ctx context.Context, u *url.URL, timeout time.Duration, shown string) error {
	if err := delivery.Reach(ctx, delivery.HostPort(u), timeout); err != nil {
		return fmt.Errorf("%s is unreachable: %v", shown, err)
	}
	return nil
}
