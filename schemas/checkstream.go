package schemas

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Checked is one payload's verdict in a stream CheckStream read, as
// `validate` prints it (and, with -o json, with these field names).
type Checked struct {
	Source     string      `json:"source"`
	Line       int         `json:"line"`
	Index      *int        `json:"index,omitempty"` // element of a top-level array
	TriggerKey string      `json:"triggerKey,omitempty"`
	Valid      bool        `json:"valid"`
	Unreadable string      `json:"unreadable,omitempty"`
	Violations []Violation `json:"violations"`
}

// Tally counts the verdicts of a stream.
type Tally struct {
	Level      string `json:"level"`
	Payloads   int    `json:"payloads"`
	Valid      int    `json:"valid"`
	Invalid    int    `json:"invalid"`
	Unreadable int    `json:"unreadable"`
	Warnings   int    `json:"warnings"`
}

// Add counts c.
func (t *Tally) Add(c Checked) {
	t.Payloads++
	for _, v := range c.Violations {
		if v.Warning {
			t.Warnings++
		}
	}
	switch {
	case c.Unreadable != "":
		t.Unreadable++
	case c.Valid:
		t.Valid++
	default:
		t.Invalid++
	}
}

// String is the totals line: "3 payloads: 2 valid, 1 invalid, 0 unreadable, 0 warnings (contract level)".
func (t Tally) String() string {
	return fmt.Sprintf("%s: %d valid, %d invalid, %d unreadable, %s (%s level)",
		Plural(t.Payloads, "payload"), t.Valid, t.Invalid, t.Unreadable, Plural(t.Warnings, "warning"), t.Level)
}

// CheckStream validates every payload of r at level, handing each verdict
// to fn in input order; source names r in the verdicts. The input is JSON
// values in any layout (ReadStream), each a payload, a JSON array of
// payloads, or a `listen --out` capture line. A payload over
// MaxDocumentSize, or one that isn't JSON, is a verdict (Unreadable), not an
// error; the error is the input's own (a read that failed).
func CheckStream(r io.Reader, source string, level Level, fn func(Checked)) error {
	return defaultValidator.CheckStream(r, source, level, fn)
}

// CheckStream is the package's CheckStream with val's vocabulary.
func (val *Validator) CheckStream(r io.Reader, source string, level Level, fn func(Checked)) error {
	c := streamCheck{val: val, source: source, level: level, fn: fn}
	return ReadStream(r, func(d Document) error {
		c.document(d)
		return nil
	})
}

// streamCheck is one CheckStream's judging of the Documents it reads.
type streamCheck struct {
	val    *Validator
	source string
	level  Level
	fn     func(Checked)
	// cutBy is the stream line that starts the next value after the
	// Document being judged, when a resync cut it there; 0 otherwise.
	cutBy int
	// inPiece: the Document is a piece of a value a resync cut, which is
	// not cut again (see resync).
	inPiece bool
	// reread counts the bytes of the input read again after a resync,
	// so that a test can hold the work to the input's size; nil outside tests.
	reread *int
}

func (c streamCheck) document(d Document) {
	if err := d.Err(MaxDocumentSize); err != nil {
		c.fn(Checked{Source: c.source, Line: d.Line, Violations: []Violation{}, Unreadable: err.Error()})
		return
	}
	for _, p := range unwrapDocument(d.Raw) {
		ch := Checked{Source: c.source, Line: d.Line, Index: p.index, Violations: []Violation{}}
		if p.unreadable != "" {
			ch.Unreadable = p.unreadable
			c.fn(ch)
			continue
		}
		res, err := c.val.Validate(p.raw, c.level)
		var se *SyntaxError
		switch {
		case errors.As(err, &se) && p.index == nil && !p.captured:
			if !c.inPiece && c.resync(d, se.Line) {
				return
			}
			ch.Unreadable = d.streamPosition(se)
			if c.cutBy > 0 {
				ch.Unreadable += fmt.Sprintf(" (cut short: line %d starts the next value, judged on its own)", c.cutBy)
			}
		case err != nil:
			ch.Unreadable = err.Error()
		default:
			ch.TriggerKey = res.TriggerKey
			ch.Valid = res.Valid()
			ch.Violations = append(ch.Violations, res.Violations...)
		}
		c.fn(ch)
	}
}

// streamPosition words se, an error in d.Raw, at the stream's line and
// column rather than the document's.
func (d Document) streamPosition(se *SyntaxError) string {
	col := se.Column
	if se.Line == 1 {
		col += max(d.Column, 1) - 1
	}
	return fmt.Sprintf("line %d, column %d: %s", d.Line+se.Line-1, col, se.Msg)
}

// resync judges d, which is not JSON (its syntax error on its line
// errLine), in pieces, so that whole payloads a line cut short (a killed
// writer, a truncated log) ran into are judged: d is cut before each of
// its resyncPoints, and the pieces are read as a stream again, once. A
// piece is not cut again: every line that could start the next value was
// already a cut, and cutting the rest again at each one, as resync once
// did, read the rest again per cut, recursively (minutes on a megabyte of
// `[` lines). It reports false, having judged nothing, when d has no
// resync point.
func (c streamCheck) resync(d Document, errLine int) bool {
	cuts := resyncPoints(d.Raw, errLine)
	if len(cuts) == 0 {
		return false
	}
	if c.reread != nil {
		*c.reread += len(d.Raw)
	}
	piece := c
	piece.inPiece = true
	// A value is judged once the next one has started, so that the last
	// value of a piece can say which line cut it short.
	var held *Document
	judge := func(cutBy int) {
		if held != nil {
			p := piece
			p.cutBy = cutBy
			p.document(*held)
			held = nil
		}
	}
	// One scanner reads all of d.Raw, ending the open value at each cut:
	// its lines are d.Raw's, and the pieces are read in one pass.
	s := scanner{max: MaxDocumentSize, line: 1, lineStart: true, fn: func(e Document) error {
		judge(0)
		if e.Line == 1 {
			e.Column += max(d.Column, 1) - 1
		}
		e.Line += d.Line - 1
		held = &e
		return nil
	}}
	from := 0
	// d.Raw is under the cap, so its pieces are too: no error can come back.
	for _, cut := range cuts {
		_ = s.feed(d.Raw[from:cut.at])
		_ = s.flush()
		judge(d.Line + cut.line - 1)
		from = cut.at
	}
	_ = s.feed(d.Raw[from:])
	_ = s.flush()
	judge(0)
	return true
}

// resyncCut is where resync cuts a value: byte at of its raw bytes, the
// start of its line line (1-based).
type resyncCut struct{ at, line int }

// resyncPoints finds where, in raw, a value that is not JSON (its syntax
// error on its line errLine) holds the starts of the next ones: the lines
// after raw's first that start, at their first column, with { or [, and
// either are where the error is (a line cut short before it, such as
// `{"event": {"eventId": 1,`, could not take it) or are whole payloads on
// their own (an NDJSON line, which a line cut after a colon or inside an
// array took as its member; see payloadLine). None: a pretty-printed value
// with an error inside stays one unreadable payload.
func resyncPoints(raw []byte, errLine int) []resyncCut {
	var cuts []resyncCut
	line := 1
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\n' {
			continue
		}
		line++
		start := i + 1
		if start >= len(raw) || raw[start] != '{' && raw[start] != '[' {
			continue
		}
		end := bytes.IndexByte(raw[start:], '\n')
		if end < 0 {
			end = len(raw)
		} else {
			end += start
		}
		if line == errLine || payloadLine(raw[start:end]) {
			cuts = append(cuts, resyncCut{start, line})
		}
		i = end - 1
	}
	return cuts
}

// payloadLine reports whether line is JSON that holds payloads and nothing
// else, as unwrapDocument finds them: an object with an "event" member
// (every payload has one), a non-empty array of such objects, or a
// `listen --out` capture line. Being JSON alone is not enough: a
// pretty-printed value has lines such as `{}`, `[]` or `"k": 1}` of its own
// (json.dumps(indent=0) writes every empty object so), and taking one for
// the next value split one broken payload into several.
func payloadLine(line []byte) bool {
	if !json.Valid(line) {
		return false
	}
	ps := unwrapDocument(bytes.TrimRight(line, jsonSpace))
	for _, p := range ps {
		if p.captured {
			continue
		}
		var members map[string]json.RawMessage
		if json.Unmarshal(p.raw, &members) != nil {
			return false
		}
		if _, ok := members["event"]; !ok {
			return false
		}
	}
	return len(ps) > 0
}

// JSONResults writes verdicts as they come, so that memory does not grow
// with the input: an object whose "results" are written one by one, then
// the Tally's members. Close ends it.
type JSONResults struct {
	W   *bufio.Writer
	n   int
	err error
}

// Add writes c.
func (j *JSONResults) Add(c Checked) {
	if j.err != nil {
		return
	}
	sep := ",\n    "
	if j.n == 0 {
		sep = "{\n  \"results\": [\n    "
	}
	j.n++
	b, err := json.Marshal(c)
	if err != nil {
		j.err = err
		return
	}
	j.W.WriteString(sep)
	j.W.Write(b)
}

// Close writes the totals and ends the object; the first error of any
// write so far is returned.
func (j *JSONResults) Close(t Tally) error {
	if j.err != nil {
		return j.err
	}
	if j.n == 0 {
		j.W.WriteString("{\n  \"results\": [")
	}
	j.W.WriteString("\n  ],\n")
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	// The totals' members follow the results in the same object.
	j.W.Write(bytes.TrimPrefix(b, []byte("{\n")))
	j.W.WriteString("\n")
	return nil
}

// WriteText writes c as `validate` prints it: one line, then its
// violations indented; quiet leaves out payloads that are fine.
func (v Checked) WriteText(w io.Writer, quiet bool) {
	where := fmt.Sprintf("%s:%d", v.Source, v.Line)
	if v.Index != nil {
		where += fmt.Sprintf("[%d]", *v.Index)
	}
	if v.TriggerKey == "" {
		v.TriggerKey = "(no triggerKey)"
	}
	switch {
	case v.Unreadable != "":
		fmt.Fprintf(w, "%s: unreadable: %s\n", where, v.Unreadable)
		return
	case v.Valid && len(v.Violations) == 0:
		if !quiet {
			fmt.Fprintf(w, "%s: ok %s\n", where, v.TriggerKey)
		}
		return
	case v.Valid:
		fmt.Fprintf(w, "%s: ok %s, with warnings\n", where, v.TriggerKey)
	default:
		fmt.Fprintf(w, "%s: invalid %s\n", where, v.TriggerKey)
	}
	for _, viol := range v.Violations {
		fmt.Fprintf(w, "  %s\n", viol)
	}
}

// payloadDoc is one payload found in a document of the input.
type payloadDoc struct {
	raw        []byte
	index      *int   // position in a top-level array, or nil
	captured   bool   // taken out of a listen --out capture line
	unreadable string // the capture recorded a body that was not JSON
}

// captureLine is the part of a `listen --out` JSONL line that matters here.
type captureLine struct {
	Seq        *int            `json:"seq"`
	Payload    json.RawMessage `json:"payload"`
	Unreadable string          `json:"unreadable"`
}

// unwrapDocument finds the payloads in one input document, so that what
// users naturally have validates as they expect: a plain payload; a JSON
// array of payloads (`jq -s .`); or a line of `listen --out`, whose payload
// is under "payload". Anything else is returned as is, for the validator to
// judge.
func unwrapDocument(raw []byte) []payloadDoc {
	switch {
	case len(raw) > 0 && raw[0] == '[':
		var elems []json.RawMessage
		if json.Unmarshal(raw, &elems) != nil {
			break // malformed: let the validator word the syntax error
		}
		out := make([]payloadDoc, len(elems))
		for i, e := range elems {
			out[i] = payloadDoc{raw: e, index: &i}
		}
		return out
	case bytes.HasPrefix(raw, []byte(`{"seq":`)):
		var c captureLine
		if json.Unmarshal(raw, &c) != nil || c.Seq == nil {
			break
		}
		if len(c.Payload) == 0 {
			return []payloadDoc{{captured: true, unreadable: "captured body: " + c.Unreadable}}
		}
		return []payloadDoc{{raw: c.Payload, captured: true}}
	}
	return []payloadDoc{{raw: raw}}
}
