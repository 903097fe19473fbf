package receiver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
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
	capped := &cappedReader{r: in, left: maxReplayInput}
	r, err := readReplay(capped, name, only)
	if capped.over {
		return r, fmt.Errorf("%s is over %d MiB: replay holds every event in memory, to send them in their order, so it reads no more; replay it in parts, in order: a capture's lines split as they are (split -l N), a delivery log's with its first line, the run record, at the top of each part", name, maxReplayInput>>20)
	}
	return r, err
}

// maxReplayInput bounds what replay reads of one file (MaxReplayInput; a
// variable for the tests).
var maxReplayInput int64 = MaxReplayInput

// MaxReplayInput is the most replay reads of one file: it holds every
// event in memory, and an input past this (a capture of a long load run)
// is refused rather than allowed to use up the machine's memory.
const MaxReplayInput = 1 << 30

// cappedReader reads no more than left bytes of r, then fails, noting
// that the input went past its cap.
type cappedReader struct {
	r    io.Reader
	left int64
	over bool
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		if n, _ := c.r.Read(p[:min(len(p), 1)]); n > 0 {
			c.over = true
			return 0, errReplayTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

var errReplayTooLarge = errors.New("the input is over replay's cap")

func readReplay(in io.Reader, name string, only ReplayOnly) (*Replay, error) {
	blank := &blankReader{r: in, blank: true}
	in, isCapture, err := SniffCapture(blank)
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
			return &Replay{Warnings: c.Warnings}, fmt.Errorf("%s: %s (%s)", name, noneReplayable(len(c.Deliveries)), strings.Join(notes, "; "))
		}
		return &Replay{
			Events:   events,
			From:     fmt.Sprintf("%d events captured by listen --out (%d deliveries) in %s", len(events), len(c.Deliveries), name),
			Warnings: append(c.Warnings, notes...),
		}, nil
	}
	log, err := delivery.ReadLog(in)
	if errors.Is(err, delivery.ErrNotLog) && blank.blank {
		return nil, fmt.Errorf("%s is empty: replay reads a delivery log (written by 'scenario run --log FILE') or a capture (written by 'listen --out FILE')", name)
	}
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

// replayable refuses a captured delivery that listen could not have
// written: a payload over the cap a delivery log has (a capture of
// Coperniq's payloads, a few KiB, never comes near it), or an "eventId"
// that is not its payload's. The second is a hand edit, and replay could
// not tell which event the line is: replaying the payload would send an
// event that was never received, grouping by the line's id would leave out
// the next delivery of the event it names.
func (d *Delivery) replayable() error {
	if len(d.Payload) > delivery.MaxLogBody {
		return fmt.Errorf("its payload of %d bytes is over the %d MiB cap per body (as in a delivery log); delete that line to replay the others", len(d.Payload), delivery.MaxLogBody>>20)
	}
	if len(d.Payload) == 0 {
		return nil
	}
	if id, _ := eventIDs(d.Payload); !sameID(id, d.EventID) {
		return fmt.Errorf(`its "eventId" is %s but its payload's event.eventId is %s: the line was edited, and replay can't tell which event it is; set both to the event to deliver, or delete the line`, showID(d.EventID), showID(id))
	}
	return nil
}

func sameID(a, b *int64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// showID is an event id as the capture has it: "none" when it is absent or
// not an integer (listen leaves "eventId" out then).
func showID(id *int64) string {
	if id == nil {
		return "none"
	}
	return strconv.FormatInt(*id, 10)
}

// blankReader tells whether all read so far was white space: an empty
// file is neither a log nor a capture, and the log reader's word for it
// (a run record first) would speak of logs only.
type blankReader struct {
	r     io.Reader
	blank bool
}

func (b *blankReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if b.blank && len(bytes.TrimSpace(p[:n])) > 0 {
		b.blank = false
	}
	return n, err
}

// noneReplayable says that none of n deliveries can be replayed.
func noneReplayable(n int) string {
	if n == 1 {
		return "its only delivery can't be replayed"
	}
	return fmt.Sprintf("none of its %d deliveries can be replayed", n)
}
