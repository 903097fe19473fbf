package delivery

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Escape makes text that a receiver (or any stranger) chose safe to print on
// a terminal: every control character but newline and tab, the escape that
// starts terminal sequences (colours, cursor moves, window titles, OSC 8
// links) included, carriage return (which rewrites a line), DEL, the C1
// controls, the Unicode bidirectional overrides (which reorder what is
// shown) and invalid UTF-8 are written as \xNN or \u{NNNN}. Everything else
// is kept as is.
func Escape(s string) string {
	clean := true
	for i, r := range s {
		if unsafeRune(r) || (r == utf8.RuneError && !validAt(s, i)) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u{%04x}`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func validAt(s string, i int) bool {
	r, size := utf8.DecodeRuneInString(s[i:])
	return r != utf8.RuneError || size > 1
}

func unsafeRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}

// ShowAnswer is a receiver's answer (a body, a header value, an error that
// quotes it) made fit to print: the target URL's secrets masked wherever
// the receiver echoed them (a request line, an error page quoting the URL),
// and what could drive a terminal escaped (see Escape).
func (t *Target) ShowAnswer(answer string) string {
	return Escape(t.red.String(answer))
}
