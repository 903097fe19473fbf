package contract

import (
	"fmt"
	"time"
)

// CheckGiven reports a field that was given (given(field) is true) as zero,
// which the Target reads as "the default": someone who typed a timeout of 0
// must hear that it is no timeout, not get 10s. Errors are *schemas.FieldError,
// worded as for a negative value.
func (t Target) CheckGiven(given func(field string) bool) error {
	zero := []struct {
		field, value string
		isZero       bool
		msg          string
	}{
		{"Seed", "0", t.Seed == 0, "seeds start at 1; without --seed each run draws its own, printed with the flag that repeats it"},
		{"Deadline", "0s", t.Deadline == 0, "want a positive duration, e.g. 10s"},
		{"InspectTimeout", "0s", t.InspectTimeout == 0, "want a positive duration, e.g. 5s"},
		{"Burst", "0", t.Burst == 0, fmt.Sprintf("want 1 to %d", MaxBurst)},
		{"MaxLate", "0", t.MaxLate == 0, "want 1 or more"},
		{"MaxLateTotal", "0", t.MaxLateTotal == 0, "want 1 or more"},
	}
	for _, z := range zero {
		if z.isZero && given(z.field) {
			return badField(z.field, z.value, z.msg)
		}
	}
	return nil
}

// SettleValue is Target.Settle as a person gives it: "auto" (the default:
// adapt), 0 (do not watch) or a duration. It is a flag.Value.
type SettleValue struct {
	d   time.Duration
	set bool // a duration was given: not auto
}

func (s *SettleValue) String() string {
	if !s.set {
		return "auto"
	}
	return s.d.String()
}

// Set parses auto, 0 or a positive duration.
func (s *SettleValue) Set(v string) error {
	if v == "auto" {
		*s = SettleValue{}
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("want auto, 0 or a positive duration, e.g. 2s")
	}
	*s = SettleValue{d: d, set: true}
	return nil
}

// Type names the value for a flag's help.
func (s *SettleValue) Type() string { return "duration|auto" }

// Settle is the value as Target.Settle has it: 0 adapts, negative does not
// watch.
func (s SettleValue) Settle() time.Duration {
	switch {
	case !s.set:
		return 0
	case s.d == 0:
		return -1
	}
	return s.d
}
