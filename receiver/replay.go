package receiver

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// Replay is what 'replay' re-delivers from one file: the events of a
// delivery log in the states selected, or every event of a listen --out
// capture once, in arrival order.
type Replay struct {
	Events []delivery.Message
	// From says where the events came from, for the run's first line.
	From string
	// Nothing, when Events is empty, says why there is nothing to replay.
	Nothing string
	// Warnings are what was skipped while reading.
	Warnings []string
	// Log is the delivery log read (its run's seed), nil for a capture.
	Log *delivery.Log
}

// ReplayOnly is the selection a replay of a delivery log makes: the states
// (delivery.ParseOnly), as written, and whether they were asked for at all.
type ReplayOnly struct {
	States  []delivery.State
	Written string
	Given   bool
}

// ReadReplay reads the file name from in, a delivery log or a capture as
// its content tells, and selects what to replay. With an error, a non-nil
// Replay still carries the warnings of what was read.
func ReadReplay(in io.Reader, name string, only ReplayOnly) (*Replay, error) {
	in, isCapture, err := SniffCapture(in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if isCapture {
		if only.Given {
			return nil, fmt.Errorf("--only selects by a delivery log's final states; %s is a listen --out capture, which has none: every captured event is replayed", name)
		}
		c, err := ReadCapture(in)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		events, notes := c.Messages()
		if len(events) == 0 {
			return &Replay{Warnings: c.Warnings}, fmt.Errorf("%s: none of its %d deliveries can be replayed (%s)", name, len(c.Deliveries), strings.Join(notes, "; "))
		}
		return &Replay{
			Events:   events,
			From:     fmt.Sprintf("%d events captured by listen --out (%d deliveries) in %s", len(events), len(c.Deliveries), name),
			Warnings: append(c.Warnings, notes...),
		}, nil
	}
	log, err := delivery.ReadLog(in)
	if errors.Is(err, delivery.ErrNotLog) {
		return nil, fmt.Errorf("%s is %w; write one with 'scenario run --log FILE', or capture deliveries with 'listen --out FILE'", name, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	r := &Replay{Events: log.Select(only.States...), Warnings: log.Warnings, Log: log}
	if len(r.Events) == 0 {
		r.Nothing = fmt.Sprintf("nothing to replay: --only %s selects none of the %d events in %s (%s)", only.Written, len(log.Events), name, log.StateCounts())
	} else {
		r.From = fmt.Sprintf("%d of %d events (%s) from %s", len(r.Events), len(log.Events), only.Written, name)
	}
	return r, nil
}
