package delivery

import (
	"strings"
	"unicode/utf8"
)

// Printable keeps what a sender or receiver controls from breaking the
// terminal or a one-line-per-event format: control characters (newlines
// included) are escaped as Escape does, and long text is cut to max
// characters, ending in "…".
func Printable(s string, max int) string {
	s = Escape(strings.ReplaceAll(strings.ReplaceAll(s, "\n", `\n`), "\t", `\t`))
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
