package schemas

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
)

// YAMLSyntax turns a goccy/go-yaml parse error on src into the place to
// look at and a message: the parser's words, a hint and the line itself. The parser's words ("non-map value is specified")
// describe its state, not the mistake: the common mistakes (wrong
// indentation, a tab, a colon inside a value that needs quotes) are named.
// Without a position the error is placed at 1:1.
func YAMLSyntax(src []byte, err error) (line, col int, msg string) {
	line, col, msg = 1, 1, err.Error()
	var ye yaml.Error
	if errors.As(err, &ye) {
		msg = ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			line, col = max(tk.Position.Line, 1), max(tk.Position.Column, 1)
		}
	}
	lines := strings.Split(string(src), "\n")
	for i := range lines {
		lines[i] = strings.TrimSuffix(lines[i], "\r")
	}
	hint := ""
	switch {
	case strings.Contains(msg, "mapping value is not allowed in this context"):
		line, col, hint = colonHint(lines, line, col)
	case strings.Contains(msg, "non-map value is specified"):
		hint = `a "- " list item where a mapping's key was expected: likely wrong indentation; ` + indentHint(lines, line, `each "- " item lines up with the other items of its list`)
	case strings.Contains(msg, "value is not allowed in this context"):
		hint = "likely wrong indentation; " + indentHint(lines, line, "entries of one mapping or list start at the same column")
	case strings.Contains(msg, "'\t'"):
		// The parser quotes the tab itself, invisible on a terminal.
		msg = strings.ReplaceAll(msg, "character '\t'", "a tab")
		hint = "YAML indents with spaces, not tabs: replace the tab with spaces"
	case strings.Contains(msg, "already defined at ["):
		// "at [1:1]": the line and column, in the parser's own notation.
		var l, c int
		if at := strings.LastIndex(msg, " at ["); at >= 0 {
			if _, err := fmt.Sscanf(msg[at:], " at [%d:%d]", &l, &c); err == nil {
				msg = fmt.Sprintf("%s on line %d", msg[:at], l)
			}
		}
		hint = "a key appears once in a mapping"
	case strings.Contains(msg, "is a reserved character"):
		hint = "a value starting with @ or ` needs quotes"
	case strings.Contains(msg, "',' or '}' must be specified"), strings.Contains(msg, "',' or ']' must be specified"):
		hint = "a { } or [ ] is not closed where it should be (look at the lines above too), or a value in it holds a comma, brace or bracket and needs quotes"
	case strings.Contains(msg, "could not find end character of"):
		hint = "a quoted value is not closed: add the closing quote"
	}
	if hint != "" {
		msg += ": " + hint
	}
	if text, ok := lineAt(lines, line); ok && strings.TrimSpace(text) != "" {
		msg += fmt.Sprintf(" (line %d: %q)", line, clipLine(text))
	}
	return line, col, msg
}

// colonHint tells apart the two mistakes behind "mapping value is not
// allowed": a plain value holding ": " on its own line, or a line indented
// deeper than the one above, which YAML reads as more of that line's value
// (the parser points at the value, not at the line that is wrong, which it
// then is).
func colonHint(lines []string, line, col int) (int, int, string) {
	const generic = `likely a value holding ": " that needs quotes, or a line indented deeper than the one above it`
	text, ok := lineAt(lines, line)
	if !ok {
		return line, col, generic
	}
	start := runeOffset(text, col)
	if i := keyColon(text[start:]); i >= 0 {
		key := strings.TrimRight(text[:start], " ")
		value := strings.TrimSpace(text[start:])
		return line, col, fmt.Sprintf(`a value holding ": " needs quotes, e.g. %s %q`, key, value)
	}
	// The value goes on over the following lines, up to the colon.
	for next := line + 1; next <= len(lines) && next <= line+maxContinuation; next++ {
		t := lines[next-1]
		if strings.TrimSpace(t) == "" || strings.HasPrefix(strings.TrimSpace(t), "#") {
			continue
		}
		if keyColon(t) < 0 {
			continue
		}
		indent := len(t) - len(strings.TrimLeft(t, " "))
		return next, indent + 1, fmt.Sprintf("likely wrong indentation: this line is indented %s, deeper than line %d above it (%s), so YAML reads it as more of that line's value; "+
			"line it up with the entries it belongs with", spaces(indent), line, spaces(indentOf(text)))
	}
	return line, col, generic
}

// maxContinuation bounds the lines colonHint looks down for the colon.
const maxContinuation = 20

// keyColon is where s has a colon ending a key (followed by a space or the
// end of the line), outside quotes and before a comment; -1 if none.
func keyColon(s string) int {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#' && (i == 0 || s[i-1] == ' '):
			return -1
		case c == ':' && (i+1 == len(s) || s[i+1] == ' '):
			return i
		}
	}
	return -1
}

// indentHint compares the line's indentation with the nearest line above
// it that has content, then states rule.
func indentHint(lines []string, line int, rule string) string {
	text, ok := lineAt(lines, line)
	if !ok {
		return rule
	}
	here := indentOf(text)
	for above := line - 1; above >= 1; above-- {
		t := lines[above-1]
		if s := strings.TrimSpace(t); s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		there := indentOf(t)
		how := "as deep as"
		switch {
		case here > there:
			how = "deeper than"
		case here < there:
			how = "less than"
		}
		if here == there {
			// Lined up, yet wrong: one is a "- " item, the other a key.
			rule = `a "- " item and a key cannot share a level: the list goes under its key, indented deeper`
		}
		return fmt.Sprintf("this line is indented %s, %s line %d above it (%s): %s", spaces(here), how, above, spaces(there), rule)
	}
	return rule
}

func indentOf(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }

func spaces(n int) string { return Plural(n, "space") }

// lineAt is the 1-based line of lines.
func lineAt(lines []string, line int) (string, bool) {
	if line < 1 || line > len(lines) {
		return "", false
	}
	return lines[line-1], true
}

// runeOffset is the byte offset of the 1-based column col (in runes) of s,
// within s.
func runeOffset(s string, col int) int {
	off := 0
	for n := 1; n < col && off < len(s); n++ {
		_, size := utf8.DecodeRuneInString(s[off:])
		off += size
	}
	return off
}

// clipLine cuts a line quoted in a message to 80 runes.
func clipLine(s string) string {
	s = strings.TrimRight(s, " ")
	if utf8.RuneCountInString(s) <= 80 {
		return s
	}
	return string([]rune(s)[:80]) + "…"
}
