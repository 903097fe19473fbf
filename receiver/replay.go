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

// SniffCapture tells a listen --out capture (a delivery first) from a
// delivery log (a run line first) by the keys of the first line, and
// returns a reader that still starts with that line. Anything that is not
// a capture is left to the log reader, which says what it found.
func SniffCapture(in io.Reader) (io.Reader, bool, error) {
	br := bufio.NewReaderSize(in, 64<<10)
	var first []byte
	for {
		chunk, err := br.ReadSlice('\n')
		first = append(first, chunk...)
		if len(first) > MaxCaptureLine {
			return nil, false, errors.New("its first line is longer than 64 MiB: neither a delivery log ('scenario run --log') nor a capture ('listen --out')")
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			break
		}
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
	if missing > 0 {
		notes = append(notes, fmt.Sprintf("%d deliveries have no payload (unreadable bodies): left out", missing))
	}
	if bad > 0 {
		notes = append(notes, fmt.Sprintf("%d payloads are not Coperniq events (e.g. %v): left out", bad, why))
	}
	return events, notes
}
