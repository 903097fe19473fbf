package schemas

import "fmt"

// Level picks which of the two schema sets a payload is checked against.
type Level int

const (
	// Contract is what a receiver must accept: documented fields, types,
	// nullability and required keys, but open to extra properties and to
	// status values nobody has published yet.
	Contract Level = iota
	// Strict is what this tool emits: closed objects, closed vocabularies,
	// asserted formats and per-trigger constants.
	Strict
)

// Levels lists both levels in the order reports show them.
func Levels() []Level { return []Level{Contract, Strict} }

func (l Level) String() string {
	switch l {
	case Contract:
		return "contract"
	case Strict:
		return "strict"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// ParseLevel turns "contract" or "strict" (as typed on a command line) into
// a Level.
func ParseLevel(s string) (Level, error) {
	switch s {
	case "contract":
		return Contract, nil
	case "strict":
		return Strict, nil
	}
	return 0, fmt.Errorf("level %q isn't one of [contract strict]", s)
}

func (l Level) valid() bool { return l == Contract || l == Strict }
