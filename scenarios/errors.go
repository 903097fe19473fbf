package scenarios

import (
	"fmt"
	"slices"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/suggest"
)

// Error is one problem in a scenario, located in its file. Error() is
// "file:line:col: message", the form editors and terminals link to.
type Error struct {
	File      string
	Line, Col int // 1-based
	Msg       string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// ErrorList is every problem Parse found, in file order; Parse reports them
// all at once so a user fixes a file in one pass. It is never empty.
type ErrorList []*Error

func (l ErrorList) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Unwrap lets errors.As find the first *Error.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// maxErrors bounds what Parse collects: past a dozen, the rest are usually
// consequences of the first.
const maxErrors = 12

type errCollector struct {
	file string
	list ErrorList
}

func (c *errCollector) add(p pos, format string, args ...any) {
	if len(c.list) >= maxErrors {
		return
	}
	c.list = append(c.list, &Error{File: c.file, Line: max(p.line, 1), Col: max(p.col, 1), Msg: fmt.Sprintf(format, args...)})
}

// err is the problems found, in file order whichever check found them
// (the delivery block is checked before the steps above it).
func (c *errCollector) err() error {
	if len(c.list) == 0 {
		return nil
	}
	slices.SortStableFunc(c.list, func(a, b *Error) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
	return c.list
}

// pos is a place in the file.
type pos struct{ line, col int }

func (p pos) String() string { return fmt.Sprintf("%d:%d", p.line, p.col) }

// oneOf is the message for a name outside a fixed set: the bad value, the
// valid ones, and the nearest when it looks like a typo.
func oneOf(what, got string, valid []string) string {
	// One or two letters are contained in half the vocabulary; a guess
	// from them would be noise.
	near := ""
	if len(got) > 2 {
		near = suggest.Nearest(got, valid)
	}
	return suggest.NotOneOf(what, got, valid, near)
}
