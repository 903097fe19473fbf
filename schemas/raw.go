package schemas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Names of the rules checked on a payload's bytes rather than its decoded
// value: decoding replaces invalid UTF-8 and lone surrogates with U+FFFD and
// keeps only the last of two equal keys, so the decoded value no longer
// shows them. Strict fails them; the contract level warns, naming the key or
// the string, because a receiver's JSON library decides what it sees.
const (
	RuleUTF8         = "utf8"          // strings are valid UTF-8 with no lone surrogate escape
	RuleDuplicateKey = "duplicate-key" // no object has the same key twice
)

// rawViolations appends to vs what a scan of payload's bytes finds. payload
// must be syntactically valid JSON (Validate decodes it first). The scan is
// one pass that allocates only for what it reports.
func rawViolations(payload []byte, level Level, vs []Violation) []Violation {
	s := rawScanner{data: payload, warn: level == Contract, out: vs}
	// Payloads nest a few levels and hold a few dozen keys: backing arrays
	// in the scanner spare the validator's hot path any allocation.
	s.path, s.keys = s.pathBuf[:0], s.keysBuf[:0]
	s.value()
	return s.out
}

// rawScanner walks valid JSON, tracking the JSON pointer of the current
// value only as a stack of raw tokens, and the keys of each open object in
// one shared slice.
type rawScanner struct {
	data []byte
	pos  int
	warn bool
	out  []Violation
	path []rawToken // the pointer of the current value
	keys [][]byte   // keys of the open objects, innermost last

	pathBuf [8]rawToken
	keysBuf [48][]byte
}

type rawToken struct {
	key   []byte // raw key bytes between the quotes; nil for an array index
	index int
}

func (s *rawScanner) pointer() string {
	var b []byte
	for _, t := range s.path {
		b = append(b, '/')
		if t.key == nil {
			b = strconv.AppendInt(b, int64(t.index), 10)
			continue
		}
		b = append(b, escapePointer(unquoteKey(t.key))...)
	}
	return string(b)
}

func (s *rawScanner) add(loc, rule, format string, args ...any) {
	s.out = append(s.out, Violation{Location: loc, Message: fmt.Sprintf(format, args...), Rule: rule, Warning: s.warn})
}

func (s *rawScanner) skipSpace() { s.pos = skipSpace(s.data, s.pos) }

func (s *rawScanner) value() {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return
	}
	switch c := s.data[s.pos]; c {
	case '{':
		s.object()
	case '[':
		s.array()
	case '"':
		s.str()
	default:
		// Numbers and literals: skip to the next delimiter.
		for s.pos < len(s.data) {
			switch s.data[s.pos] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return
			}
			s.pos++
		}
	}
}

func (s *rawScanner) object() {
	s.pos++ // {
	base := len(s.keys)
	for {
		s.skipSpace()
		if s.pos >= len(s.data) {
			return
		}
		if s.data[s.pos] == '}' {
			s.pos++
			break
		}
		if s.data[s.pos] == ',' {
			s.pos++
			continue
		}
		key := s.data[s.pos+1 : stringEnd(s.data, s.pos+1)]
		s.path = append(s.path, rawToken{key: key})
		s.str() // the key, checked like any string
		for _, k := range s.keys[base:] {
			if sameKey(k, key) {
				name := unquoteKey(key)
				s.add(s.pointer(), RuleDuplicateKey, "key %q appears more than once in this object; JSON parsers disagree on which value wins (most keep the last), so send each key once", name)
				break
			}
		}
		s.keys = append(s.keys, key)
		s.skipSpace()
		s.pos++ // :
		s.value()
		s.path = s.path[:len(s.path)-1]
	}
	clear(s.keys[base:])
	s.keys = s.keys[:base]
}

func (s *rawScanner) array() {
	s.pos++ // [
	i := 0
	for {
		s.skipSpace()
		if s.pos >= len(s.data) {
			return
		}
		switch s.data[s.pos] {
		case ']':
			s.pos++
			return
		case ',':
			s.pos++
			i++
			continue
		}
		s.path = append(s.path, rawToken{index: i})
		s.value()
		s.path = s.path[:len(s.path)-1]
	}
}

// str checks the string at pos and moves past its closing quote.
func (s *rawScanner) str() {
	i := s.pos + 1
	for i < len(s.data) {
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return
		case c == '\\':
			if i+1 < len(s.data) && s.data[i+1] == 'u' {
				i = s.escape(i)
				continue
			}
			i += 2
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(s.data[i:])
			if r == utf8.RuneError && size <= 1 {
				s.add(s.pointer(), RuleUTF8, "invalid UTF-8 byte 0x%02X in a string; JSON text must be UTF-8 (RFC 8259), and decoders replace it with U+FFFD", c)
				s.skipString(i + 1)
				return
			}
			i += size
		}
	}
	s.pos = i
}

// escape checks the \uXXXX escape at i and returns the index after it (and
// after its low surrogate, for a pair).
func (s *rawScanner) escape(i int) int {
	hi, ok := hex4(s.data, i+2)
	if !ok {
		return i + 2
	}
	switch {
	case hi >= 0xD800 && hi <= 0xDBFF:
		if lo, ok := hex4(s.data, i+8); ok && i+7 < len(s.data) && s.data[i+6] == '\\' && s.data[i+7] == 'u' && lo >= 0xDC00 && lo <= 0xDFFF {
			return i + 12
		}
	case hi >= 0xDC00 && hi <= 0xDFFF:
	default:
		return i + 6
	}
	s.add(s.pointer(), RuleUTF8, "lone surrogate \\u%04X in a string: it encodes no character, and decoders replace it with U+FFFD", hi)
	return i + 6
}

// skipString moves past the closing quote of the string that includes i,
// after a problem in it was reported once.
func (s *rawScanner) skipString(i int) { s.pos = min(stringEnd(s.data, i)+1, len(s.data)) }

// stringEnd is the index of the closing quote of the string that includes
// i, or len(b).
func stringEnd(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case '\\':
			i += 2
			continue
		case '"':
			return i
		}
		i++
	}
	return len(b)
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[i:i+4]), 16, 32)
	return rune(n), err == nil
}

// sameKey compares two raw keys as the strings they decode to; only keys
// with escapes need decoding.
func sameKey(a, b []byte) bool {
	if bytes.IndexByte(a, '\\') < 0 && bytes.IndexByte(b, '\\') < 0 {
		return bytes.Equal(a, b)
	}
	return unquoteKey(a) == unquoteKey(b)
}

// unquoteKey decodes a raw key as encoding/json does, so a pointer names
// the key the decoded payload has.
func unquoteKey(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw)
	}
	var u string
	if err := json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &u); err != nil {
		return string(raw)
	}
	return u
}
