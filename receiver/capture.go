package receiver

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// MaxCaptureLine bounds one line of a capture read back: a delivery of the
// largest body a Receiver accepts by default is a small fraction of it,
// and a file that is not a capture (one huge line) is refused, not read
// into memory whole.
const MaxCaptureLine = 64 << 20

// ErrNotCapture is wrapped by ReadCapture's error for input that is not a
// capture written by Output (listen --out): its lines are not deliveries.
var ErrNotCapture = errors.New("not a capture written by listen --out: its lines should be deliveries ({\"seq\", \"time\", \"path\", \"status\", ...})")

// Capture is a file written by Output, read back.
type Capture struct {
	Deliveries []Delivery // in the order written
	// Warnings are what was skipped: an incomplete last line, as a killed
	// listen leaves.
	Warnings []string
}

// ReadCapture reads the JSON lines Output writes. A last line cut short
// (no newline, not JSON) is skipped with a warning; any other bad line is
// an error naming it. Input whose first line is not a delivery wraps
// ErrNotCapture.
func ReadCapture(r io.Reader) (*Capture, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	c := &Capture{}
	for n := 1; ; n++ {
		line, err := delivery.ReadJSONLine(br, MaxCaptureLine)
		if errors.Is(err, delivery.ErrLongLine) {
			err = fmt.Errorf("longer than %d MiB: not a delivery line", MaxCaptureLine>>20)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		complete := bytes.HasSuffix(line, []byte("\n"))
		line = bytes.TrimSpace(line)
		if len(line) > 0 {
			var d Delivery
			if derr := decodeDelivery(line, &d); derr != nil {
				switch {
				case !complete && n > 1:
					c.Warnings = append(c.Warnings, fmt.Sprintf("line %d is incomplete (no newline at its end, and not a delivery), as a killed listen leaves it: skipped it", n))
				case len(c.Deliveries) == 0:
					return nil, fmt.Errorf("%w (line %d: %v)", ErrNotCapture, n, derr)
				default:
					return nil, fmt.Errorf("line %d: %w", n, derr)
				}
			} else if rerr := d.replayable(); rerr != nil {
				return nil, fmt.Errorf("line %d: %w", n, rerr)
			} else {
				c.Deliveries = append(c.Deliveries, d)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	if len(c.Deliveries) == 0 && len(c.Warnings) == 0 {
		return nil, fmt.Errorf("%w (the input is empty)", ErrNotCapture)
	}
	return c, nil
}

// decodeDelivery reads one line, insisting on the fields every delivery
// line has, so that another JSON-lines file is not taken for a capture.
func decodeDelivery(line []byte, d *Delivery) error {
	var probe struct {
		Seq    *int    `json:"seq"`
		Path   *string `json:"path"`
		Status *int    `json:"status"`
	}
	if err := json.Unmarshal(line, &probe); err != nil {
		return err
	}
	if probe.Seq == nil || probe.Path == nil || probe.Status == nil {
		return errors.New(`not a delivery: it lacks "seq", "path" or "status"`)
	}
	return json.Unmarshal(line, d)
}

// Payloads are the bodies to deliver again: each eventId's first captured
// body, in arrival order (a retry or a duplicate carries the same event),
// and every body without an eventId. Deliveries recorded without a body
// (unreadable, or dropped from memory before being written) are counted in
// missing.
func (c *Capture) Payloads() (payloads [][]byte, missing int) {
	seen := map[int64]bool{}
	for _, d := range c.Deliveries {
		if len(d.Payload) == 0 {
			missing++
			continue
		}
		if d.EventID != nil {
			if seen[*d.EventID] {
				continue
			}
			seen[*d.EventID] = true
		}
		payloads = append(payloads, []byte(d.Payload))
	}
	return payloads, missing
}

// SniffCapture tells a listen --out capture (a delivery first) from a
// delivery log (a run line first) by the keys of the first line, and
// returns a reader that still starts with that line. Anything that is not
// a capture is left to the log reader, which says what it found.
func SniffCapture(in io.Reader) (io.Reader, bool, error) {
	br := bufio.NewReaderSize(in, 64<<10)
	first, err := delivery.ReadJSONLine(br, MaxCaptureLine)
	if errors.Is(err, delivery.ErrLongLine) {
		return nil, false, errors.New("its first line is longer than 64 MiB: neither a delivery log ('scenario run --log') nor a capture ('listen --out')")
	}
	rest := io.MultiReader(bytes.NewReader(first), br)
	var keys map[string]json.RawMessage
	if json.Unmarshal(bytes.TrimSpace(first), &keys) == nil {
		if t, ok := keys["type"]; ok && string(t) == `"run"` {
			return rest, false, nil
		}
		_, seq := keys["seq"]
		_, path := keys["path"]
		_, status := keys["status"]
		if seq && path && status {
			return rest, true, nil
		}
	}
	// Anything else is left to the log reader, which says what it found.
	return rest, false, nil
}

// Messages turns the capture's payloads into events to deliver again, and
// says what was left out and why.
func (c *Capture) Messages() ([]delivery.Message, []string) {
	payloads, missing := c.Payloads()
	var (
		events []delivery.Message
		notes  []string
		bad    int
		why    error
	)
	for _, p := range payloads {
		e, err := delivery.MessageFromPayload(p)
		if err != nil {
			bad, why = bad+1, err
			continue
		}
		events = append(events, e)
	}
	switch {
	case missing == 1:
		notes = append(notes, "1 delivery has no payload (an unreadable body): left out")
	case missing > 1:
		notes = append(notes, fmt.Sprintf("%d deliveries have no payload (unreadable bodies): left out", missing))
	}
	switch {
	case bad == 1:
		notes = append(notes, fmt.Sprintf("1 payload is not a Coperniq event (%v): left out", why))
	case bad > 1:
		notes = append(notes, fmt.Sprintf("%d payloads are not Coperniq events (e.g. %v): left out", bad, why))
	}
	return events, notes
}
