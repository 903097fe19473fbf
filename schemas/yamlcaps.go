package schemas

import (
	"bytes"
	"strings"
)

// YAMLKeysOver returns the line of src on which its mapping keys, all
// mappings together, pass limit, or 0 when they do not. Keys are counted as
// the colons that end one ("key: value", "key:" at the end of a line,
// `"key":`), in one pass and before any YAML parser runs: the parser's
// work grows with the square of a mapping's keys (80,000 keys took over
// 25 s and gigabytes), so a file of unknown origin is bounded first.
func YAMLKeysOver(src []byte, limit int) int {
	keys := 0
	for i, c := range src {
		if c != ':' {
			continue
		}
		next := byte('\n')
		if i+1 < len(src) {
			next = src[i+1]
		}
		if next == ' ' || next == '\t' || next == '\n' || next == '\r' || (i > 0 && src[i-1] == '"') {
			if keys++; keys > limit {
				return 1 + bytes.Count(src[:i], []byte{'\n'})
			}
		}
	}
	return 0
}

// MaxYAMLFlowDepth bounds how deep a scenario or vocabulary file nests
// flow collections ([...] and {...}): the YAML parser's memory grows with
// the square of the depth (20,000 took 665 MB; a 1 MB file of 500,000
// took all 24 GB of the machine). Real files nest some tens at most
// (repeats nest at most 16 deep, three brackets each).
const MaxYAMLFlowDepth = 100

// YAMLFlowDepthOver returns the line of src on which its flow collections
// nest deeper than limit, or 0 when they do not. One pass, before any YAML
// parser runs; brackets in quoted scalars and comments do not count, and
// ones in plain scalars may (a file of real content does not come near).
func YAMLFlowDepthOver(src []byte, limit int) int {
	depth, line := 0, 1
	var quote byte
	comment := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\n' {
			line++
			comment = false
			continue
		}
		switch {
		case comment:
		case quote == '"' && c == '\\':
			i++ // an escaped character, a quote perhaps
		case quote == '\'' && c == '\'' && i+1 < len(src) && src[i+1] == '\'':
			i++ // '' is a quote inside single quotes
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '#' && (i == 0 || src[i-1] == ' ' || src[i-1] == '\t'):
			comment = true
		case c == '"' || c == '\'':
			// A quote opens a scalar only where one starts, not in it's.
			if i == 0 || strings.IndexByte(" \t\r\n[{,:", src[i-1]) >= 0 {
				quote = c
			}
		case c == '[' || c == '{':
			if depth++; depth > limit {
				return line
			}
		case c == ']' || c == '}':
			depth = max(depth-1, 0)
		}
	}
	return 0
}
