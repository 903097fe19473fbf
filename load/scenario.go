package load

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

// WithScenario sends whole lifecycles of s instead of independent events:
// the run's slots are the events of lifecycle 0, then of lifecycle 1, and
// so on, each lifecycle rendered with its own seed (derived from the run's)
// and the scenario's default parameters. Events keep their scenario order
// in time; the rate is of events, not of lifecycles. The mix is the
// scenario's.
//
// Event ids: a scenario numbers its events from its own seed, so two
// lifecycles could share one. Each event's id is replaced by one drawn from
// its slot number, unique across the run and across shards. The scenario's
// delivery block (retries, duplicates, reordering) is not used: the run's
// options decide.
func WithScenario(s *scenarios.Scenario) Option {
	return func(c *config) error {
		if s == nil {
			return errors.New("scenario is nil")
		}
		if s.Events() < 1 {
			return fmt.Errorf("scenario %s fires no event", s.Name)
		}
		c.scenario, c.spoken = s, false
		return nil
	}
}

// unusedDelivery lists what a scenario's delivery: block sets (d against
// the defaults it was laid over), by the block's keys: "retry ci,
// duplicate 0.3, reorder 6"; "" when it sets nothing.
func unusedDelivery(d delivery.Settings) string {
	def := delivery.DefaultSettings()
	var set []string
	add := func(changed bool, key string, v any) {
		if changed {
			set = append(set, fmt.Sprintf("%s %v", key, v))
		}
	}
	add(d.Retry != def.Retry, "retry", d.Retry)
	add(d.Schedule != def.Schedule, "schedule", d.Schedule)
	add(d.Timeout != def.Timeout, "timeout", d.Timeout)
	add(d.TimeScale != def.TimeScale, "timeScale", d.TimeScale)
	add(d.Concurrency != def.Concurrency, "concurrency", d.Concurrency)
	add(d.RecordOrder != def.RecordOrder, "recordOrder", d.RecordOrder)
	add(d.Duplicate != def.Duplicate, "duplicate", d.Duplicate)
	add(d.DuplicateMode != def.DuplicateMode, "duplicateMode", d.DuplicateMode)
	add(d.Reorder != def.Reorder, "reorder", d.Reorder)
	add(d.Jitter != def.Jitter, "jitter", d.Jitter)
	return strings.Join(set, ", ")
}

// lifecycles renders the lifecycles a run's slots fall in, each once:
// slots are claimed in increasing order by at most max-inflight workers at
// a time, so a small ring of recent lifecycles serves them all.
type lifecycles struct {
	s    *scenarios.Scenario
	seed uint64
	n    int64 // events per lifecycle
	ring []lifecycle
}

type lifecycle struct {
	mu     sync.Mutex
	iter   int64
	events []scenarios.Rendered
	err    error
}

func newLifecycles(s *scenarios.Scenario, seed uint64, workers int) *lifecycles {
	n := int64(s.Events())
	size := int(int64(workers)/n) + 4
	l := &lifecycles{s: s, seed: seed, n: n, ring: make([]lifecycle, size)}
	for i := range l.ring {
		l.ring[i].iter = -1
	}
	return l
}

// event returns the scenario event of slot g.
func (l *lifecycles) event(g int64) (scenarios.Rendered, error) {
	iter, k := g/l.n, g%l.n
	e := &l.ring[iter%int64(len(l.ring))]
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.iter != iter {
		// A worker that fell far behind may find its lifecycle replaced:
		// it renders it again, which is slow but right.
		e.iter = iter
		e.events, e.err = l.s.Render(splitmix(l.seed ^ uint64(iter)*0xA24BAED4963EE407))
		if e.err == nil && int64(len(e.events)) != l.n {
			e.err = fmt.Errorf("scenario %s rendered %d events, want %d", l.s.Name, len(e.events), l.n)
		}
	}
	if e.err != nil {
		return scenarios.Rendered{}, e.err
	}
	return e.events[k], nil
}

var eventIDPrefix = []byte(`{"event":{"eventId":`)

// withEventID appends body to dst with its event id replaced by id. The
// generator writes the id first, so the fast path is a prefix; a body an
// override reordered falls back to the first "eventId" key.
func withEventID(dst, body []byte, id int64) []byte {
	at := len(eventIDPrefix)
	if !bytes.HasPrefix(body, eventIDPrefix) {
		i := bytes.Index(body, []byte(`"eventId":`))
		if i < 0 {
			return append(dst, body...)
		}
		at = i + len(`"eventId":`)
	}
	end := at
	for end < len(body) && (body[end] == '-' || body[end] >= '0' && body[end] <= '9') {
		end++
	}
	dst = append(dst, body[:at]...)
	dst = strconv.AppendInt(dst, id, 10)
	return append(dst, body[end:]...)
}
