package schemas

import (
	"bufio"
	"bytes"
	"io"
)

// Document is one JSON value cut from a stream of payloads.
type Document struct {
	// Line is the 1-based line of the stream on which the value starts, so a
	// syntax error at line L of Raw is at line Line+L-1 of the stream.
	Line int
	Raw  []byte
}

// MaxDocumentSize bounds one document, so that a stream with an unclosed
// brace cannot make the reader hold the whole input.
const MaxDocumentSize = 16 << 20

// jsonSpace is the white space JSON allows between tokens (RFC 8259).
const jsonSpace = " \t\r\n"

// ReadStream cuts r into JSON documents and calls fn with each, in order. It
// takes NDJSON (one payload per line) and pretty-printed documents written one
// after another, as `generate --pretty` and jq print them.
//
// It does not parse JSON, only tracks nesting and strings, so a malformed
// document is still handed to fn (whose validation reports the syntax error)
// and reading resumes at the next document: a line that starts at column 0
// with the bracket the open document started with ends that document (pretty
// printers indent everything nested), and so does the end of a line cut
// inside a string. Nothing in the
// stream is skipped: every non-blank byte reaches fn in some document.
// ReadStream returns fn's first error, or an error reading r.
func ReadStream(r io.Reader, fn func(Document) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	// Editors on Windows start files with a UTF-8 byte order mark; it is not
	// JSON, but it is not the user's mistake either.
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	var (
		doc      []byte
		docLine  int
		depth    int
		inString bool
		escaped  bool
		lineNo   int
		opener   byte // the current document's first byte
	)
	flush := func() error {
		trimmed := bytes.Trim(doc, jsonSpace)
		if len(trimmed) > 0 {
			if err := fn(Document{Line: docLine, Raw: append([]byte(nil), trimmed...)}); err != nil {
				return err
			}
		}
		doc, depth, inString, escaped = doc[:0], 0, false, false
		return nil
	}
	for {
		line, readErr := br.ReadSlice('\n')
		if readErr == bufio.ErrBufferFull {
			// A long line: keep reading it whole.
			full := append([]byte(nil), line...)
			for readErr == bufio.ErrBufferFull {
				line, readErr = br.ReadSlice('\n')
				full = append(full, line...)
				if len(full) > MaxDocumentSize {
					break
				}
			}
			line = full
		}
		if len(line) > 0 {
			lineNo++
			blank := len(bytes.Trim(line, jsonSpace)) == 0
			// A new document at column 0 while the current one is still open:
			// the current one is malformed; hand it over and start afresh.
			if len(doc) > 0 && depth > 0 && !inString && line[0] == opener {
				if err := flush(); err != nil {
					return err
				}
			}
			if len(bytes.Trim(doc, jsonSpace)) == 0 && !blank {
				docLine = lineNo
				opener = bytes.Trim(line, jsonSpace)[0]
			}
			doc = append(doc, line...)
			for _, c := range line {
				switch {
				case inString && c == '\n':
					// JSON strings cannot hold a raw newline: this one was cut
					// short (a truncated line), so the next line is not inside
					// it and may start a new document.
					inString, escaped = false, false
				case escaped:
					escaped = false
				case inString:
					if c == '\\' {
						escaped = true
					} else if c == '"' {
						inString = false
					}
				case c == '"':
					inString = true
				case c == '{' || c == '[':
					depth++
				case c == '}' || c == ']':
					depth--
				}
			}
			// A document ends when its nesting closes at the end of a line,
			// or, for scalars and one-line junk, at the end of its line.
			if depth <= 0 && !inString || len(doc) > MaxDocumentSize {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if readErr == io.EOF {
			return flush()
		}
		if readErr != nil {
			return readErr
		}
	}
}
