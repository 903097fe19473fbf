package schemas

import "bytes"

// YAMLKeysOver returns the line of src on which its mapping keys, all
// mappings together, pass max, or 0 when they do not. Keys are counted as
// the colons that end one ("key: value", "key:" at the end of a line,
// `"key":`), in one pass and before any YAML parser runs: the parser's
// work grows with the square of a mapping's keys (80,000 keys took over
// 25 s and gigabytes), so a file of unknown origin is bounded first.
func YAMLKeysOver(src []byte, max int) int {
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
			if keys++; keys > max {
				return 1 + bytes.Count(src[:i], []byte{'\n'})
			}
		}
	}
	return 0
}
