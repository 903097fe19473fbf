package scenarios

import (
	"fmt"
	"time"
)

// Coperniq documents that an automation fires only for records that meet
// its trigger after the automation was activated: "records created before
// activation are not processed retroactively". A scenario's activation:
// setting plays that: the world runs from its start as before, but events
// fired before the activation time are not delivered, so a receiver sees
// work orders move on projects it never saw created.

// activation is the activation: setting, the zero value meaning "active
// from the start".
type activation struct {
	at     time.Time     // an absolute time, or
	offset time.Duration // a duration after the scenario's start
	set    bool
}

// parseActivation reads an RFC 3339 time (2026-03-31T15:00:00Z) or a
// duration after the scenario's start (2d, 90m).
func parseActivation(v string) (activation, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return activation{at: t.UTC(), set: true}, nil
	}
	d, err := parseDuration(v)
	if err != nil || d < 0 {
		return activation{}, fmt.Errorf("activation %q is neither an RFC 3339 time such as 2026-03-31T15:00:00Z nor a duration after start such as 2d", clip(v))
	}
	return activation{offset: d, set: true}, nil
}

// time is the activation instant for a world started at start.
func (a activation) time(start time.Time) time.Time {
	if !a.at.IsZero() {
		return a.at
	}
	return start.Add(a.offset)
}

// filter drops the events fired before the activation.
func (a activation) filter(events []Rendered, start time.Time) []Rendered {
	if !a.set {
		return events
	}
	on := a.time(start)
	out := events[:0:0]
	for _, e := range events {
		if !e.FiredAt.Before(on) {
			out = append(out, e)
		}
	}
	return out
}
