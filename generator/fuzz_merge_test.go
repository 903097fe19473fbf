package generator

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzMerge: a --merge patch of unknown content is recorded or refused
// with its line and column, and applying it to a payload never panics and
// gives JSON or an error; with the contract check on, what comes out
// passes it. The output is bounded by the payload and the patch.
func FuzzMerge(f *testing.F) {
	for _, s := range []string{`{"record":{"title":"x"}}`, `{"record":null}`, `{"event":{"recordId":7}}`, `{"record":{"customFields":{"a":[1,{"b":null}]}}}`,
		`[]`, `null`, `1`, `{"a":`, `{"record":{"stage":{"name":{"x":1}}}}`, `{"a":1,"a":2}`, "\xff", `{"record":{"id":1e400}}`} {
		f.Add([]byte(s))
	}
	doc, err := New(1).JSON("PROJECT_CREATED")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, patch []byte) {
		for _, allow := range []bool{false, true} {
			o := &Overrides{AllowInvalid: allow}
			if err := o.Merge(patch); err != nil {
				if !strings.HasPrefix(err.Error(), "merge patch: ") {
					t.Fatalf("Merge(%q): %v", patch, err)
				}
				return
			}
			out, err := o.Apply("PROJECT_CREATED", doc)
			if err != nil {
				continue
			}
			if !json.Valid(out) {
				t.Fatalf("Merge(%q) gave %q", patch, out)
			}
			if len(out) > 6*(len(doc)+len(patch))+64 {
				t.Fatalf("Merge(%q): %d bytes out of a %d-byte payload", patch, len(out), len(doc))
			}
		}
	})
}

// FuzzParseProfile: a profile name parses to a profile or to an error that
// echoes it and lists the profiles.
func FuzzParseProfile(f *testing.F) {
	for _, s := range []string{"realistic", " EDGE ", "minmal", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseProfile(s)
		if err != nil {
			if !strings.Contains(err.Error(), "realistic") {
				t.Fatalf("ParseProfile(%q): %q does not list the profiles", s, err)
			}
			return
		}
		if !p.valid() {
			t.Fatalf("ParseProfile(%q) = %q", s, p)
		}
	})
}
