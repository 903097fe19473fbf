package generator

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

func TestSpecNew(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	none := filepath.Join(dir, "none.json")
	for _, tc := range []struct {
		name  string
		s     Spec
		field string           // "" when valid
		msg   string           // the error's message, Go names
		cause func(error) bool // the cause is in its chain; nil: not checked
	}{
		{"defaults", Spec{Profile: "realistic"}, "", "", nil},
		{"unknown profile", Spec{Profile: "realstic"}, "Profile",
			`Profile "realstic" isn't one of [realistic minimal maximal edge]; did you mean realistic?`,
			func(err error) bool { var pe *UnknownProfileError; return errors.As(err, &pe) }},
		{"missing merge file", Spec{Profile: "realistic", MergeFile: none}, "MergeFile",
			"MergeFile: open " + none + ": no such file or directory",
			func(err error) bool { return errors.Is(err, fs.ErrNotExist) }},
		{"malformed merge patch", Spec{Profile: "realistic", MergeFile: bad}, "MergeFile",
			"MergeFile " + bad + ": merge patch: line 1, column 2: unexpected end of JSON input", nil},
		{"set without =", Spec{Profile: "realistic", Sets: []string{"record.id"}}, "Sets",
			`Sets "record.id": override "record.id" has no '=': write path=value, such as record.stage.name=Permitting`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.s.New()
			var fe *schemas.FieldError
			if got := errors.As(err, &fe); got != (tc.field != "") || (got && fe.Field != tc.field) {
				t.Fatalf("New: %v, want an error on %q", err, tc.field)
			}
			if err != nil && err.Error() != tc.msg {
				t.Errorf("New: %q, want %q", err, tc.msg)
			}
			if tc.cause != nil && !tc.cause(err) {
				t.Errorf("New: %v, lost its cause (Err)", err)
			}
		})
	}
}

func TestInvalidErrorStringWanted(t *testing.T) {
	g, err := Spec{Profile: "realistic", Sets: []string{"record.title=12345"}}.New()
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.JSON("PROJECT_CREATED")
	var ie *InvalidError
	if !errors.As(err, &ie) {
		t.Fatalf("a number for record.title: %v, want an InvalidError", err)
	}
	if path, ok := ie.StringWanted(); !ok || path != "record.title" {
		t.Errorf("StringWanted: %q %v, want record.title", path, ok)
	}
}
