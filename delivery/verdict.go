package delivery

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// ErrDead is wrapped by Verdict's error when some event was never
// acknowledged.
var ErrDead = errors.New("the receiver never acknowledged them")

// Verdict is a finished run's outcome: nil when every event was
// acknowledged; otherwise an error saying why not, from runErr (what Run
// returned), an interruption, every request refused alike (a
// *RefusedError: the setup's, not the receiver's), dead events (wrapping
// ErrDead) or accounting that doesn't add up.
func (s *Outcome) Verdict(runErr error) error {
	if err := s.Check(); err != nil {
		return fmt.Errorf("the run's accounting doesn't add up: %v", err)
	}
	switch {
	case s.Interrupted:
		return fmt.Errorf("interrupted: %d of %d events acked, %d dead, %d pending", s.Acked, s.Events, s.Dead, s.Pending)
	case runErr != nil:
		return runErr
	case s.refusedAlike() != 0:
		return &RefusedError{Status: s.refusedAlike()}
	case s.Dead > 0:
		return fmt.Errorf("%d of %d events dead: %w%s", s.Dead, s.Events, ErrDead, s.noStatusOutcomes())
	}
	return nil
}

// noStatusOutcomes is what the run's attempts got, when some got no HTTP
// status: the dead count alone would not say that the receiver answered
// what HTTP cannot read (malformed), or did not answer at all. A run
// whose every attempt got a status says it in its per-status counts.
func (s *Outcome) noStatusOutcomes() string {
	if len(s.Errors) == 0 {
		return ""
	}
	var parts []string
	n := 0
	for _, c := range slices.Sorted(maps.Keys(s.Statuses)) {
		parts, n = append(parts, fmt.Sprintf("%d %d", c, s.Statuses[c])), n+s.Statuses[c]
	}
	for _, k := range slices.Sorted(maps.Keys(s.Errors)) {
		parts, n = append(parts, fmt.Sprintf("%s %d", k, s.Errors[k])), n+s.Errors[k]
	}
	return fmt.Sprintf(" (their %d attempts: %s)", n, strings.Join(parts, ", "))
}

// RefusedError is the verdict on a run whose every request got the same
// refusal (see RefusedAlike): the setup is wrong (a path, a token), and the
// receiver was not judged. Unlike a *FailedError, commands exit 2 on it.
type RefusedError struct {
	Status int // the one status every request got
}

func (e *RefusedError) Error() string {
	return "the receiver was not judged: " + SameAnswerLine(e.Status)
}

// RefusedAlike reports whether a run's requests, all answered with the one
// status st (count of them, none without an answer, none acknowledged),
// were refused alike for a reason of the setup's: 404 or 405 (a wrong
// path), 401 or 403 (a missing or wrong token). A 5xx or a 400 is the
// receiver's to answer for. At least two, as verify holds it: one refusal
// may be the receiver's.
func RefusedAlike(st, count int) bool { return SetupRefusal(st) && count >= 2 }

// SetupRefusal reports whether st, given to every request of a run, says
// the setup is wrong rather than the receiver: 404 or 405 (a wrong path),
// 401 or 403 (a missing or wrong token). verify holds a run to the same.
func SetupRefusal(st int) bool {
	switch st {
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusUnauthorized, http.StatusForbidden:
		return true
	}
	return false
}

// SameAnswerLine guesses at the configuration mistake behind a run whose
// every delivery got the same refusal, in verify's words (whose flag
// --token-param the delivering commands lack: their token is in --target).
func SameAnswerLine(status int) string {
	what := fmt.Sprintf("every delivery was answered %d %s: ", status, http.StatusText(status))
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		return what + "does the receiver want a token in the URL (--target 'URL?NAME=VALUE'), or another one?"
	}
	return what + "is --target the webhook's path?"
}

// refusedAlike is the status every request of the run was refused with
// (RefusedAlike), 0 when they were not.
func (s *Outcome) refusedAlike() int {
	if s.Acked > 0 || len(s.Errors) > 0 || len(s.Statuses) != 1 {
		return 0
	}
	for st, n := range s.Statuses {
		if RefusedAlike(st, n) {
			return st
		}
	}
	return 0
}
