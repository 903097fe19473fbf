package generator

import (
	"fmt"
	"os"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Spec is a generator as a command states it, every knob as given; New
// checks it.
type Spec struct {
	Seed    uint64
	Profile string // a Profile's name
	// MergeFile is a JSON Merge Patch (RFC 7386) file applied before Sets.
	MergeFile string
	// Sets are path=value expressions (Overrides.SetExpr), in order.
	Sets         []string
	AllowInvalid bool
	Vocabulary   *schemas.Vocabulary // nil: the built-in one
}

// New builds the generator s states; its errors are *schemas.FieldError
// naming the field (Profile, MergeFile or Sets), the cause as Err.
func (s Spec) New() (*Generator, error) {
	profile, err := ParseProfile(s.Profile)
	if err != nil {
		var names []string
		for _, p := range Profiles() {
			names = append(names, string(p))
		}
		return nil, &schemas.FieldError{Field: "Profile", Value: s.Profile, Valid: names, Err: err}
	}
	opts := []Option{WithProfile(profile), WithAllowInvalid(s.AllowInvalid), WithVocabulary(s.Vocabulary)}
	if s.MergeFile != "" || len(s.Sets) > 0 {
		o := &Overrides{}
		if s.MergeFile != "" {
			patch, err := os.ReadFile(s.MergeFile)
			if err != nil {
				return nil, &schemas.FieldError{Field: "MergeFile", Want: err.Error(), Err: err}
			}
			if err := o.Merge(patch); err != nil {
				return nil, &schemas.FieldError{Field: "MergeFile", Value: s.MergeFile, Want: err.Error(), Err: err}
			}
		}
		for _, expr := range s.Sets {
			if err := o.SetExpr(expr); err != nil {
				return nil, &schemas.FieldError{Field: "Sets", Value: fmt.Sprintf("%q", expr), Want: err.Error(), Err: err}
			}
		}
		opts = append(opts, WithOverrides(o))
	}
	return New(s.Seed, opts...), nil
}

// StringWanted is the dotted path (record.stage.name) of the first value
// the overrides made something other than the string the schema wants:
// an override value that parses as JSON (12345) is taken as JSON, and the
// user who meant the string needs to be told so.
func (e *InvalidError) StringWanted() (path string, ok bool) {
	for _, v := range e.Violations {
		if strings.HasPrefix(v.Message, "want string") {
			return strings.TrimPrefix(strings.ReplaceAll(v.Location, "/", "."), "."), true
		}
	}
	return "", false
}
