package delivery

import (
	"reflect"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Over lays the fields of s that given names (by their Go names) over base,
// as a command line lays the flags it was given over a scenario file's
// delivery: block, and validates the result (a *schemas.FieldError per bad field,
// joined). Retry and Schedule are one policy: the one given clears the
// other in base, and giving both is an error.
func (s Settings) Over(base Settings, given func(field string) bool) (Settings, error) {
	if given("Retry") && given("Schedule") {
		return base, schemas.Fieldsf("Retry", "{Retry} and {Schedule} both set the retry policy; give one")
	}
	dst, src := reflect.ValueOf(&base).Elem(), reflect.ValueOf(s)
	for i := range src.NumField() {
		if given(src.Type().Field(i).Name) {
			dst.Field(i).Set(src.Field(i))
		}
	}
	switch {
	case given("Retry"):
		base.Schedule = ""
	case given("Schedule"):
		base.Retry = ""
	}
	return base, base.Validate()
}
