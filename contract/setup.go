package contract

import (
	"fmt"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Setup is a verify run as a person states it (a command line): the Target
// fields given as they are, the hooks as text (an inspect or state URL
// template, or a command), the settle watch and the API mock. Build checks
// it and makes the Target.
type Setup struct {
	Target
	InspectURL, InspectCmd string // one or neither: an InspectURL template or an InspectCommand
	StateURL, StateCmd     string // one or neither: a StateURL template or a StateCommand
	SettleWatch            SettleValue
	API                    APIMock // Addr "" serves none
	Chaos                  bool    // a chaos run or replay, which has no API specs
}

// badField is a *schemas.FieldError on a Target or Setup field: its
// value ("" when it may be a secret or want echoes it) and what is wanted.
func badField(field, value, want string) error {
	return &schemas.FieldError{Field: field, Value: value, Want: want}
}

// Build checks the setup and returns its Target. given reports whether a
// field was given rather than left at its default (a flag set): a field
// given as zero, which the Target reads as the default, is an error
// (CheckGiven), and a DrainBudget given as 0 never waits. Errors are
// *schemas.FieldError naming the fields.
func (s Setup) Build(given func(field string) bool) (Target, error) {
	t := s.Target
	if s.Chaos && t.Vocabulary != nil {
		// Chaos schedules name built-in scenarios and replay from a file
		// alone; they do not carry a vocabulary.
		return t, schemas.Fieldsf("Vocabulary", "{Vocabulary} does not apply to {Runs} runs (or their replays) yet: drop one of them")
	}
	t.Settle = s.SettleWatch.Settle()
	if err := t.CheckGiven(given); err != nil {
		return t, err
	}
	if given("DrainBudget") && t.DrainBudget == 0 {
		t.DrainBudget = -1
	}
	var err error
	switch {
	case s.InspectURL != "" && s.InspectCmd != "":
		return t, schemas.Fieldsf("InspectURL", "{InspectURL} and {InspectCmd} are exclusive: give one")
	case s.InspectURL != "":
		t.Inspect, err = InspectURL(s.InspectURL)
	case s.InspectCmd != "":
		t.Inspect, err = InspectCommand(s.InspectCmd)
	}
	if err != nil {
		return t, badField("InspectURL", "", err.Error())
	}
	switch {
	case s.StateURL != "" && s.StateCmd != "":
		return t, schemas.Fieldsf("StateURL", "{StateURL} and {StateCmd} are exclusive: give one")
	case s.StateURL != "":
		if t.State, err = StateURL(s.StateURL); err != nil {
			return t, badField("StateURL", "", err.Error())
		}
	case s.StateCmd != "":
		if t.State, err = StateCommand(s.StateCmd); err != nil {
			return t, badField("StateCmd", "", err.Error())
		}
	}
	t.API, err = s.apiMock(given)
	return t, err
}

// apiMock is Target.API: nil without an address.
func (s Setup) apiMock(given func(field string) bool) (*APIMock, error) {
	if s.API.Addr == "" {
		for _, f := range []string{"API.Key", "API.MaxCallsPerEvent"} {
			if given(f) {
				return nil, schemas.Fieldsf(f, "{%s} goes with {API.Addr} ADDR, which serves the API mock", f)
			}
		}
		return nil, nil
	}
	if s.Chaos {
		return nil, schemas.Fieldsf("API.Addr", "{API.Addr} runs the API specs, which chaos runs do not: drop one")
	}
	m := s.API
	return &m, m.Validate()
}

// ReplayCommand is the command that replays a chaos schedule file against
// the same receiver with the same hooks and TLS settings (ReproduceFlags,
// as a failure's reproduce line has them); secrets and commands are not
// shown.
func (s Setup) ReplayCommand(file string, offset int64) string {
	args := []string{"coperniq-mock", "verify", dest{shown: delivery.MaskURL(s.URL), flags: s.ReproduceFlags}.targetArgs()}
	if s.TokenParam != "" {
		name, _, _ := ParseTokenParam(s.TokenParam)
		args = append(args, "--token-param", name+"="+delivery.Masked)
	}
	switch {
	case s.InspectURL != "":
		args = append(args, "--inspect", shellQuote(MaskTemplate(s.InspectURL)))
	case s.InspectCmd != "":
		args = append(args, "--inspect-cmd", "CMD")
	}
	switch {
	case s.StateURL != "":
		args = append(args, "--state", shellQuote(MaskTemplate(s.StateURL)))
	case s.StateCmd != "":
		args = append(args, "--state-cmd", "CMD")
	}
	if s.InspectTimeout != DefaultInspectTimeout {
		args = append(args, "--inspect-timeout", s.InspectTimeout.String())
	}
	if s.Deadline != DefaultDeadline {
		args = append(args, "--deadline", s.Deadline.String())
	}
	args = append(args, "--chaos-replay", shellQuote(file), "--id-offset", fmt.Sprint(offset))
	return strings.Join(args, " ")
}

// hookArgs are the flags that give t's hooks back in a command a report
// shows, so that it judges as the run did: a URL template masked as
// MaskTemplate masks it, a command as CMD (it may hold a secret, and is
// never shown), and the --inspect-timeout they are polled for when not the
// default.
func hookArgs(t Target) string {
	var args []string
	switch h := t.Inspect.(type) {
	case nil:
	case *urlInspector:
		args = append(args, "--inspect", shellQuote(h.shown))
	default:
		args = append(args, "--inspect-cmd", "CMD")
	}
	switch h := t.State.(type) {
	case nil:
	case *stateURL:
		args = append(args, "--state", shellQuote(h.shown))
	default:
		args = append(args, "--state-cmd", "CMD")
	}
	if len(args) > 0 && t.InspectTimeout != DefaultInspectTimeout {
		args = append(args, "--inspect-timeout", t.InspectTimeout.String())
	}
	return strings.Join(args, " ")
}
