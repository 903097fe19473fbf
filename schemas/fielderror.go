package schemas

import (
	"fmt"
	"regexp"

	"github.com/coperniq-mock/coperniq-mock/suggest"
)

// FieldError is a setting with a bad value, or settings that do not go
// together: the error shape of every library that takes settings as a
// person states them (delivery.Settings, generator.Spec, receiver.Config
// and Session, load.Plan, contract.Setup and Target, api.CompanionConfig, a
// scenario's parameters). It lives here, in the package all of them
// import, so that there is one such type. Settings are named by their Go
// field, such as "Concurrency" or "API.Addr", so that a caller that exposes
// them under other names (flags, YAML keys) renders the error in its words
// with Named.
//
// A one-field error has Field, Value and Want or Valid; an error about
// several fields has Msg, which names each as {Field} (Field is then the
// first it names).
type FieldError struct {
	Field string   // the field, such as "Concurrency"
	Value string   // the bad value as given; "" when Want echoes it or it may be a secret
	Want  string   // what a good value is, when Valid doesn't list them
	Valid []string // the valid values, for a value that names one
	Msg   string   // instead of the above: a message naming fields as {Field}
	Err   error    // the cause, if any
}

// Fieldsf is a *FieldError whose message, format with a, names field and
// any others as {Field}.
func Fieldsf(field, format string, a ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, a...)}
}

// Error names the fields by their Go names.
func (e *FieldError) Error() string { return e.Named(nil) }

func (e *FieldError) Unwrap() error { return e.Err }

// Named renders the error with each field called name(field), such as
// "--retry"; a field for which name returns "" (or name is nil) is called
// by its Go name.
func (e *FieldError) Named(name func(field string) string) string {
	call := func(field string) string {
		if name != nil {
			if n := name(field); n != "" {
				return n
			}
		}
		return field
	}
	switch {
	case e.Msg != "":
		return fieldRefs.ReplaceAllStringFunc(e.Msg, func(ref string) string { return call(ref[1 : len(ref)-1]) })
	case len(e.Valid) > 0:
		return suggest.NotOneOf(call(e.Field), e.Value, e.Valid, suggest.Nearest(e.Value, e.Valid))
	case e.Value == "":
		return fmt.Sprintf("%s: %s", call(e.Field), e.Want)
	}
	return fmt.Sprintf("%s %s: %s", call(e.Field), e.Value, e.Want)
}

// fieldRefs are the {Field} references in a FieldError's Msg.
var fieldRefs = regexp.MustCompile(`\{[A-Z][A-Za-z]*(\.[A-Z][A-Za-z]*)*\}`)
