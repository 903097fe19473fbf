package generator

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSpecNew(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		s     Spec
		field string // "" when valid
	}{
		{"defaults", Spec{Profile: "realistic"}, ""},
		{"unknown profile", Spec{Profile: "huge"}, "Profile"},
		{"missing merge file", Spec{Profile: "realistic", MergeFile: filepath.Join(dir, "none.json")}, "MergeFile"},
		{"malformed merge patch", Spec{Profile: "realistic", MergeFile: bad}, "MergeFile"},
		{"set without =", Spec{Profile: "realistic", Sets: []string{"record.id"}}, "Sets"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.s.New()
			var se *SpecError
			if got := errors.As(err, &se); got != (tc.field != "") || (got && se.Field != tc.field) {
				t.Errorf("New: %v, want an error on %q", err, tc.field)
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
