package schemas_test

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

func TestFieldErrorNamed(t *testing.T) {
	flags := func(f string) string {
		return map[string]string{"Concurrency": "--concurrency", "Retry": "--retry", "API.Addr": "--api"}[f]
	}
	cases := []struct {
		name      string
		err       *schemas.FieldError
		bare      string // Error(): Go names
		withFlags string // Named(flags)
	}{
		{"value and want", &schemas.FieldError{Field: "Concurrency", Value: "0", Want: "must be between 1 and 1024"},
			"Concurrency 0: must be between 1 and 1024", "--concurrency 0: must be between 1 and 1024"},
		{"want alone", &schemas.FieldError{Field: "Retry", Want: `retry schedule "1s,x" is bad`},
			`Retry: retry schedule "1s,x" is bad`, `--retry: retry schedule "1s,x" is bad`},
		{"valid values, with a suggestion", &schemas.FieldError{Field: "Retry", Value: "cii", Valid: []string{"default", "ci", "none"}},
			`Retry "cii" isn't one of [default ci none]; did you mean ci?`, `--retry "cii" isn't one of [default ci none]; did you mean ci?`},
		{"several fields, dotted", schemas.Fieldsf("Retry", "{Retry} and {API.Addr} go %s", "apart"),
			"Retry and API.Addr go apart", "--retry and --api go apart"},
		{"a field the caller does not name", &schemas.FieldError{Field: "Jitter", Value: "-1s", Want: "must be 0 or more"},
			"Jitter -1s: must be 0 or more", "Jitter -1s: must be 0 or more"},
		{"not a reference", schemas.Fieldsf("Retry", "{Retry} in {lower} and {}"),
			"Retry in {lower} and {}", "--retry in {lower} and {}"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.bare {
				t.Errorf("Error() = %q, want %q", got, tc.bare)
			}
			if got := tc.err.Named(nil); got != tc.bare {
				t.Errorf("Named(nil) = %q, want %q", got, tc.bare)
			}
			if got := tc.err.Named(flags); got != tc.withFlags {
				t.Errorf("Named(flags) = %q, want %q", got, tc.withFlags)
			}
		})
	}
}

func TestFieldErrorUnwrap(t *testing.T) {
	err := error(&schemas.FieldError{Field: "MergeFile", Want: "open x: no such file", Err: fs.ErrNotExist})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) = false: Unwrap lost the cause", err)
	}
	if f := schemas.Fieldsf("Retry", "{Retry}"); f.Field != "Retry" || f.Err != nil {
		t.Errorf("Fieldsf = %+v, want Field Retry and no cause", f)
	}
}
