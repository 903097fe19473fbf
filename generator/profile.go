package generator

import (
	"strings"

	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/coperniq-mock/coperniq-mock/suggest"
)

// Profile selects how payload fields are filled.
type Profile string

// The profiles. Realistic and Minimal payloads pass the strict schema level,
// every profile passes the contract level.
const (
	// Realistic fills fields the way a live Coperniq account would: most
	// optional fields set, some null.
	Realistic Profile = "realistic"
	// Minimal sets every nullable field to null and leaves record out where
	// it is optional (calls and appointments), to test that a receiver copes
	// with the least a payload can carry.
	Minimal Profile = "minimal"
	// Maximal fills every field this project's rules allow and adds
	// unknown extra fields to every object, to test that a receiver ignores
	// what it does not know. Their names start with UnknownFieldPrefix, so
	// nobody takes them for fields Coperniq documents.
	Maximal Profile = "maximal"
	// Edge sends what receivers commonly get wrong: ids up to 2^53-1,
	// unicode and emoji, 2 KB titles, zero and fractional amounts, timestamps
	// without milliseconds, statuses outside the published set and calls
	// and appointments without a record.
	Edge Profile = "edge"
)

// DefaultProfile is the profile a Generator uses unless WithProfile says
// otherwise.
const DefaultProfile = Realistic

// Profiles lists every profile in the order help text shows them.
func Profiles() []Profile { return []Profile{Realistic, Minimal, Maximal, Edge} }

// ProfileNames are Profiles' names, for messages and completion.
func ProfileNames() []string {
	names := make([]string, 0, 4)
	for _, p := range Profiles() {
		names = append(names, string(p))
	}
	return names
}

// profileError is a bad profile name as the settings error of field
// Profile, listing the valid ones.
func profileError(name string, err error) *schemas.FieldError {
	return &schemas.FieldError{Field: "Profile", Value: name, Valid: ProfileNames(), Err: err}
}

// ParseProfile turns a profile name, as typed on a command line, into a
// Profile. Case and surrounding space are ignored. An unknown name gets an
// *UnknownProfileError that suggests the nearest profile.
func ParseProfile(s string) (Profile, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for _, p := range Profiles() {
		if string(p) == name {
			return p, nil
		}
	}
	return "", &UnknownProfileError{Name: s}
}

// UnknownProfileError reports a profile name that is not one of Profiles.
type UnknownProfileError struct {
	Name string
}

func (e *UnknownProfileError) Error() string {
	return suggest.NotOneOf("profile", e.Name, ProfileNames(), e.Suggestion())
}

// Suggestion is the profile the user most likely meant, or "".
func (e *UnknownProfileError) Suggestion() string {
	return suggest.Nearest(e.Name, ProfileNames())
}

func (p Profile) valid() bool {
	switch p {
	case Realistic, Minimal, Maximal, Edge:
		return true
	}
	return false
}
