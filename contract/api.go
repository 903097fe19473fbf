package contract

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the Ginkgo DSL reads as prose only dot-imported

	"github.com/coperniq-mock/coperniq-mock/api"
)

// The API specs: how the receiver calls Coperniq's REST API back while it
// handles webhooks, judged on the calls the API mock (package api) answers.
const (
	GroupAPI          = "API calls"
	SpecAPIKey        = "sends the x-api-key on every API call, to paths Coperniq's API has"
	SpecAPIRetryAfter = "waits the Retry-After of a 429 before calling the API again"
	SkipNoAPI         = "needs the REST API mock: verify --api ADDR --api-key KEY, with the receiver's API base URL pointed at http://ADDR (Target.API in Go)"
	// SkipNoAPICalls is the reason an API spec is skipped when the
	// receiver made no API call while its webhooks were delivered: a
	// receiver that does not use the API is not judged on how it uses it.
	SkipNoAPICalls = "the receiver made no API call after the %d webhooks these specs deliver one at a time (the first events of each lifecycle scenario: %s); nothing to judge (a receiver that does not call the API for them is not judged on how it calls it)"
)

// SpecAPICalls names the calls-per-webhook spec with its bound.
func SpecAPICalls(n int) string {
	return fmt.Sprintf("calls the API at most %d times per webhook", n)
}

// Defaults of an APIMock, and how the API specs deliver.
const (
	// DefaultAPIMaxCalls bounds the API calls a receiver may make while
	// handling one webhook: the record, its work orders, a note, with
	// room for one retry. Coperniq allows 5,000 calls a day per key, so a
	// receiver spending many per webhook runs out in a busy day.
	DefaultAPIMaxCalls = 5
	// APIRetryAfter is the Retry-After of the 429s the Retry-After spec
	// answers. Coperniq documents the 429 but not the header: the header
	// is our assumption.
	APIRetryAfter = time.Second
	// APIEventsPerScenario is how many events of each lifecycle scenario
	// (its first ones) the key and calls-per-webhook specs deliver, one
	// at a time, with the API answering as of each.
	APIEventsPerScenario = 3
	// APIRetryEvents is how many webhooks the Retry-After spec delivers;
	// the first API call after each is answered 429.
	APIRetryEvents = 2
	// APIQuiet is how long the receiver must make no API call, after a
	// webhook is acknowledged, before the next is sent: the calls of a
	// receiver that calls the API after acknowledging (from a queue, a
	// worker that waits its turn) are counted for the webhook that caused
	// them. A receiver whose queue holds a webhook longer than this may
	// have its calls counted against the next one; the failure says so.
	APIQuiet = 250 * time.Millisecond
	// APIInFlight is how soon after a 429 a call to another path may
	// arrive and still have been sent before the receiver could read the
	// 429 (a parallel call): it is not counted as ignoring the
	// Retry-After. A call to the refused path itself (its retry) is
	// judged from the 429's answer on.
	APIInFlight = 100 * time.Millisecond
	// apiQuietMax bounds the wait for quiet after one webhook.
	apiQuietMax = 3 * time.Second
	// apiRetryGrace is how long past a 429's Retry-After the spec waits
	// for the call that retries it.
	apiRetryGrace = 500 * time.Millisecond
	// apiScenarioSeedBase puts the API specs' renderings apart from the
	// lifecycle and final-state specs' seeds.
	apiScenarioSeedBase = 900
)

// APIMock is the REST API mock a run serves to the receiver (Target.API):
// the receiver's API base URL must point at http://Addr. Only Addr is
// required.
type APIMock struct {
	// Addr is where the mock listens, host:port, with a fixed port: the
	// receiver's API base URL must name it before the receiver starts, so
	// port 0 (any free port) is refused. A Go test wanting a free port
	// picks one first (net.Listen on 127.0.0.1:0, read the port, close)
	// and gives it to both.
	Addr string
	// Key is the x-api-key the receiver must send (api.DefaultKey when
	// empty).
	Key string
	// MaxCallsPerEvent bounds the API calls after one webhook
	// (DefaultAPIMaxCalls).
	MaxCallsPerEvent int
}

// withDefaults fills zero fields and checks the rest.
func (m *APIMock) withDefaults() (*APIMock, error) {
	if m == nil {
		return nil, nil
	}
	c := *m
	if c.Key == "" {
		c.Key = api.DefaultKey
	}
	if c.MaxCallsPerEvent == 0 {
		c.MaxCallsPerEvent = DefaultAPIMaxCalls
	}
	if err := checkAPIAddr(c.Addr); err != nil {
		return nil, err
	}
	if c.MaxCallsPerEvent < 0 {
		return nil, badField("API.MaxCallsPerEvent", fmt.Sprint(c.MaxCallsPerEvent), "want 1 or more")
	}
	return &c, nil
}

// maxCalls is the bound the spec's name shows, before the Target is
// checked.
func (m *APIMock) maxCalls() int {
	if m == nil || m.MaxCallsPerEvent <= 0 {
		return DefaultAPIMaxCalls
	}
	return m.MaxCallsPerEvent
}

// describeAPI registers the API specs, and, with an APIMock, serves the
// mock for the whole run: a receiver that calls the API after every
// webhook must find it up during the other specs too.
func (r *run) describeAPI() {
	a := &apiSpecs{r: r}
	if r.err == nil && r.t.API != nil {
		a.err = a.plan()
		BeforeAll(a.start)
		AfterAll(a.stop)
	}
	bound := DefaultAPIMaxCalls
	if r.t.API != nil {
		bound = r.t.API.maxCalls()
	}
	Describe(GroupAPI, func() {
		BeforeEach(func() {
			if r.t.API == nil {
				Skip(SkipNoAPI)
			}
			if a.err != nil {
				Fail(a.err.Error())
			}
		})
		It(SpecAPIKey, a.specKey)
		It(SpecAPICalls(bound), a.specCalls)
		It(SpecAPIRetryAfter, a.specRetryAfter)
	})
}

var errAPINotServing = errors.New("contract: the API mock is not serving")

// apiRerun is the reproduce line's second way when the run serves the API
// mock: the line above sends the payload alone, with no mock answering the
// receiver's API calls, so an answer that depends on them can differ;
// verify focused on the spec serves the mock as this run did. The focus is
// the spec's whole name (its leaf alone is every trigger's: the line would
// run 18 specs), and the seed the run's (without it verify draws another,
// and sends other payloads). "" without the mock.
func (d dest) apiRerun() string {
	if d.api == "" {
		return ""
	}
	focus := "SPEC"
	if name, ok := SpecName(CurrentSpecReport()); ok {
		focus = regexp.QuoteMeta(name)
	}
	args := []string{"coperniq-mock", "verify", d.targetArgs(), "--api", shellQuote(d.api), "--seed", strconv.FormatUint(d.seed, 10), "--focus", shellQuote(focus)}
	return fmt.Sprintf("  (the receiver calls the API back and `send` serves no API mock, so an answer that depends on it may differ: with the mock, rerun %s, the receiver's API base URL on http://%s and the same --api-key and hooks)\n",
		strings.Join(args, " "), d.api)
}
