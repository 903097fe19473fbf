package scenarios

import (
	"fmt"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Play is a scenario as a run plays it: loaded, rendered with a seed and
// checked to have events to send. 'scenario run', the demo and the API
// mock all start from one, so that the same name and seed give each the
// same events.
type Play struct {
	Scenario *Scenario
	Seed     uint64
	Events   []Rendered
}

// NewPlay loads nameOrPath, a built-in scenario or a file, in vocabulary v
// (nil: the built-in one; LoadWithVocabulary), renders it with seed and
// opts (Render) and checks that it sends something (CheckRendered).
// Errors are Load's, Render's and CheckRendered's; a parameter the
// scenario does not take, or a value out of its range, is a
// *schemas.FieldError naming it as a field (projects is Projects).
func NewPlay(nameOrPath string, v *schemas.Vocabulary, seed uint64, opts ...RenderOption) (*Play, error) {
	sc, err := LoadWithVocabulary(nameOrPath, v)
	if err != nil {
		return nil, err
	}
	events, err := sc.Render(seed, opts...)
	if err != nil {
		return nil, err
	}
	if err := sc.CheckRendered(seed, events); err != nil {
		return nil, err
	}
	return &Play{Scenario: sc, Seed: seed, Events: events}, nil
}

// String names the play for a run's header: "scenario NAME: N events,
// seed S".
func (p *Play) String() string {
	return fmt.Sprintf("scenario %s: %d events, seed %d", p.Scenario.Name, len(p.Events), p.Seed)
}

// paramError is a bad parameter as a *schemas.FieldError: the field is
// the parameter's name, capitalised.
func paramError(name, value, want string) *schemas.FieldError {
	return &schemas.FieldError{Field: strings.ToUpper(name[:1]) + name[1:], Value: value, Want: want}
}
