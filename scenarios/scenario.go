package scenarios

import (
	"slices"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Scenario is a parsed, checked scenario file. It is immutable: Render
// may be called any number of times, concurrently.
type Scenario struct {
	// Name is the file's name: field, else the name given to Parse
	// without its directory and .yaml extension.
	Name string
	// Description is the file's description: field, trimmed.
	Description string
	// Params are the declared parameters with their defaults, in file
	// order; WithParam changes them for one Render.
	Params []Param
	// Delivery is how the file asks for its events to be delivered: the
	// defaults with its delivery: block laid over them. Command-line flags
	// override it field by field.
	Delivery delivery.Settings

	file  string
	start time.Time // zero: the generator's epoch
	// activation is when the automation was switched on, as a time or an
	// offset from start (activation.go); events fired before it are not
	// delivered.
	activation activation
	// slaLag is how long after a phase is overdue its SLA violation fires
	// (the slaLag: setting); unset, 5 minutes to 3 hours.
	slaLag span
	// src and vocab: the file as read and the vocabulary it was parsed
	// with, so WithVocabulary can parse it again (vocabulary.go).
	src      []byte
	vocab    *schemas.Vocabulary
	steps    []*step
	events   int      // with the default parameters
	triggers []string // fired with the default parameters, catalog order
}

// newScenario is an empty scenario read from a file called name: its name
// the file's base name, its delivery the defaults until the file says more.
func newScenario(name string) *Scenario {
	return &Scenario{file: name, Name: baseName(name), Delivery: delivery.DefaultSettings()}
}

// Param is a numeric parameter of a scenario, such as the number of
// projects.
type Param struct {
	Name    string
	Default int
}

// Events is how many events the scenario fires with its default
// parameters; it does not depend on the seed.
func (s *Scenario) Events() int { return s.events }

// Triggers lists the trigger keys the scenario fires with its default
// parameters, in catalog order.
func (s *Scenario) Triggers() []string { return slices.Clone(s.triggers) }

// step is one parsed step; repeat steps have no kind and a body.
type step struct {
	kind *stepKind
	name string // the kind's name as written, repeat included
	pos  pos    // of the kind's key
	args map[string]arg
	// recordParam is which record reference the step was given, one of
	// kind.recordRefs; "" for steps without one.
	recordParam string
	after       span
	overrides   *generator.Overrides
	overPos     pos

	// repeat
	count      int
	countParam string
	countPos   pos
	parallel   bool
	stagger    span
	body       []*step
}

type arg struct {
	pos    pos
	text   string
	trades []string
	b      bool
	span   span
	num    float64
}

// Limits that keep a hostile or mistaken file from exhausting memory:
// scenarios are lifecycles, not load tests (the load command is for that).
const (
	maxRepeatCount = 10000
	maxNesting     = 16
	maxNodes       = 200000 // YAML nodes visited, aliases expanded
	// MaxEvents bounds what one Render may fire: 2,000 projects of the
	// residential-solar kind. Volume is the load command's job.
	MaxEvents = 100000
)
