package schemas

import (
	"errors"
	"fmt"
)

// ErrInvalidPayloads is Verdict's error when every payload was read and
// some are invalid: a finding about the payloads, which the report lists.
var ErrInvalidPayloads = errors.New("invalid payloads")

// Verdict is the outcome of checking a stream: nil when every payload is
// valid; ErrInvalidPayloads when some are not; otherwise the input was not
// usable (no payloads at all, or some not JSON).
func (t Tally) Verdict() error {
	switch {
	case t.Payloads == 0:
		return errors.New("no payloads in the input")
	case t.Unreadable > 0:
		return fmt.Errorf("%s of %d could not be read as JSON (see the unreadable lines above)", Plural(t.Unreadable, "payload"), t.Payloads)
	case t.Invalid > 0:
		return ErrInvalidPayloads
	}
	return nil
}
