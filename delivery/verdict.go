package delivery

import (
	"errors"
	"fmt"
)

// ErrDead is wrapped by Verdict's error when some event was never
// acknowledged.
var ErrDead = errors.New("the receiver never acknowledged them")

// Verdict is a finished run's outcome: nil when every event was
// acknowledged; otherwise an error saying why not, from runErr (what Run
// returned), an interruption, dead events (wrapping ErrDead) or accounting
// that doesn't add up.
func (s *Outcome) Verdict(runErr error) error {
	if err := s.Check(); err != nil {
		return fmt.Errorf("the run's accounting doesn't add up: %v", err)
	}
	switch {
	case s.Interrupted:
		return fmt.Errorf("interrupted: %d of %d events acked, %d dead, %d pending", s.Acked, s.Events, s.Dead, s.Pending)
	case runErr != nil:
		return runErr
	case s.Dead > 0:
		return fmt.Errorf("%d of %d events dead: %w", s.Dead, s.Events, ErrDead)
	}
	return nil
}
