package schemas

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Document is one JSON value cut from a stream of payloads.
type Document struct {
	// Line is the 1-based line of the stream on which the value starts, so a
	// syntax error at line L of Raw is at line Line+L-1 of the stream.
	Line int
	// Column is the 1-based column, in characters, at which the value
	// starts on Line: a syntax error on Raw's first line at column C is at
	// column Column+C-1 of the stream.
	Column int
	// Raw is the value's bytes, without the white space around it; nil
	// when the value was over the size cap (see TooLarge).
	Raw []byte
	// Size is the value's length in bytes, white space around it left out.
	Size int64
	// TooLarge reports a value longer than the reader's cap: its bytes
	// were read and skipped, not kept, and the reading went on after it.
	TooLarge bool
	// Wide is the encoding of a stream in UTF-16 or UTF-32: the whole
	// stream is then this one Document, with no Raw.
	Wide *WideEncoding
}

// Err says why a Document could not be kept, or is nil.
func (d Document) Err(maxSize int64) error {
	if d.Wide != nil {
		return d.Wide
	}
	if !d.TooLarge {
		return nil
	}
	limit := fmt.Sprintf("%d-byte", maxSize)
	if maxSize >= 1<<20 {
		limit += fmt.Sprintf(" (%d MiB)", maxSize>>20)
	}
	return fmt.Errorf("payload of %d bytes or more is over the %s cap per payload; it was skipped", d.Size, limit)
}

// MaxDocumentSize is ReadStream's cap on one value, so that a stream with an
// unclosed brace cannot make the reader hold the whole input. Coperniq's
// payloads weigh a few KiB; a pretty-printed array of many thousands of
// them (`jq -s .`) still fits.
const MaxDocumentSize = 64 << 20

// jsonSpace is the white space JSON allows between tokens (RFC 8259).
const jsonSpace = " \t\r\n"

// ReadStream cuts r into JSON values and calls fn with each, in order, with
// MaxDocumentSize as the cap: see ReadStreamMax.
func ReadStream(r io.Reader, fn func(Document) error) error {
	return ReadStreamMax(r, MaxDocumentSize, fn)
}

// ReadStreamMax cuts r into JSON values and calls fn with each, in order.
// Values may be laid out any way: one per line (NDJSON), pretty-printed with
// any indentation (none included: Python's json.dumps(indent=0)), several on
// a line, one over many megabytes on a single line. A value ends where its
// outermost bracket closes; a value that is not an object or an array (a
// number, a string, junk) ends at the end of its line.
//
// It does not parse JSON, only tracks nesting and strings, so a malformed
// value is still handed to fn (whose validation reports the syntax error)
// and reading resumes at the next one: a line that starts with { or [ where
// the open value cannot take a value (its last token was a value, or {, or
// a comma between an object's members) starts a new value, and so does the end of a line cut inside a string,
// which JSON cannot hold. Nothing in the stream is skipped: every non-blank
// byte reaches fn in some Document, but those of a value over maxSize bytes,
// which is handed over with TooLarge set and no Raw. A leading UTF-8 byte
// order mark is dropped. A stream in UTF-16 or UTF-32 is not cut: it is
// one Document with Wide set, whose every byte would be misread. It
// returns fn's first error, or an error reading r.
func ReadStreamMax(r io.Reader, maxSize int64, fn func(Document) error) error {
	if maxSize < 1 {
		return errors.New("the cap per payload must be at least 1 byte")
	}
	br := bufio.NewReaderSize(r, 64<<10)
	// Editors on Windows start files with a UTF-8 byte order mark; it is not
	// JSON, but it is not the user's mistake either.
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	if head, _ := br.Peek(4); DetectWideEncoding(head) != nil {
		n, err := io.Copy(io.Discard, br)
		if err != nil {
			return err
		}
		return fn(Document{Line: 1, Column: 1, Size: n, Wide: DetectWideEncoding(head)})
	}
	s := scanner{max: maxSize, fn: fn, line: 1, lineStart: true}
	for {
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 {
			if ferr := s.feed(chunk); ferr != nil {
				return ferr
			}
		}
		switch {
		case err == nil, errors.Is(err, bufio.ErrBufferFull):
		case errors.Is(err, io.EOF):
			return s.flush()
		default:
			return err
		}
	}
}

// scanner is ReadStreamMax's state between chunks.
type scanner struct {
	max  int64
	fn   func(Document) error
	line int

	open      bool // a value has started
	doc       []byte
	size      int64 // of the value so far, kept or not
	docLine   int
	docColumn int
	column    int // characters so far on the current line
	depth     int
	scalar    bool // the value is not an object or array: it ends with its line
	inString  bool
	escaped   bool
	last      byte // the last token byte outside strings ('"' for a string)
	lineStart bool // nothing but white space on this line so far
	// kinds holds the open brackets, innermost last, while the nesting is
	// shallow enough to keep them: whether a comma is an object's, which
	// cannot be followed by a value, is told by it.
	kinds []byte
}

// maxKinds bounds scanner.kinds, so that a stream of brackets cannot grow it
// without end; deeper, a comma is taken for an array's, as before.
const maxKinds = 1 << 12

func (s *scanner) feed(chunk []byte) error {
	for _, c := range chunk {
		space := c == ' ' || c == '\t' || c == '\r' || c == '\n'
		if c == '\n' {
			s.column = 0
		} else if c&0xC0 != 0x80 { // not a UTF-8 continuation byte
			s.column++
		}
		if !s.open && space {
			if c == '\n' {
				s.line++
				s.lineStart = true
			}
			continue
		}
		if s.open && s.lineStart && !s.scalar && !s.inString && (c == '{' || c == '[') && (s.last != '[' && s.last != ',' && s.last != ':' || s.last == ',' && s.inObject()) {
			// A value where the open one needed a comma, or a member's
			// name (`{"event": {"eventId": 1,` then a line of its own): the
			// open one was cut short, and this line starts afresh.
			if err := s.flush(); err != nil {
				return err
			}
		}
		if !s.open {
			s.open, s.docLine, s.docColumn, s.scalar = true, s.line, s.column, c != '{' && c != '['
		}
		s.add(c)
		switch {
		case s.inString && c == '\n':
			// JSON strings cannot hold a raw newline: this one was cut
			// short (a truncated line), and the next line is not inside it.
			s.inString, s.escaped, s.last = false, false, '"'
		case s.escaped:
			s.escaped = false
		case s.inString:
			if c == '\\' {
				s.escaped = true
			} else if c == '"' {
				s.inString = false
			}
		case c == '"':
			s.inString, s.last = true, '"'
		case c == '{' || c == '[':
			s.depth++
			if len(s.kinds) == s.depth-1 && len(s.kinds) < maxKinds {
				s.kinds = append(s.kinds, c)
			}
			s.last = c
		case c == '}' || c == ']':
			s.depth--
			if s.depth >= 0 && len(s.kinds) > s.depth {
				s.kinds = s.kinds[:s.depth]
			}
			s.last = c
		case !space:
			s.last = c
		}
		if c == '\n' {
			s.line++
			s.lineStart = true
		} else if !space {
			s.lineStart = false
		}
		if (!s.scalar && s.depth <= 0 && !s.inString) || (s.scalar && c == '\n') {
			if err := s.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// inObject reports whether the innermost open bracket is known to be {.
func (s *scanner) inObject() bool {
	return s.depth > 0 && len(s.kinds) == s.depth && s.kinds[s.depth-1] == '{'
}

// add keeps c in the value, or only counts it once the value is over the cap.
func (s *scanner) add(c byte) {
	s.size++
	if s.size <= s.max {
		s.doc = append(s.doc, c)
	} else if s.doc != nil {
		s.doc = nil // over the cap: let the memory go at once
	}
}

// flush hands the open value to fn and resets the state for the next one.
func (s *scanner) flush() error {
	if !s.open {
		return nil
	}
	d := Document{Line: s.docLine, Column: s.docColumn}
	if s.size > s.max {
		d.TooLarge, d.Size = true, s.size
	} else {
		d.Raw = bytes.Clone(bytes.Trim(s.doc, jsonSpace))
		d.Size = int64(len(d.Raw))
	}
	s.open, s.depth, s.inString, s.escaped, s.last, s.size = false, 0, false, false, 0, 0
	s.kinds = s.kinds[:0]
	s.doc = s.doc[:0]
	if cap(s.doc) > 1<<20 {
		s.doc = nil // one huge value must not pin its buffer for the rest
	}
	if len(d.Raw) == 0 && !d.TooLarge {
		return nil
	}
	return s.fn(d)
}
