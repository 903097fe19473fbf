package schemas

import (
	"bytes"
	"fmt"
)

// WideEncoding is a text encoding JSON must not come in (RFC 8259 §8.1:
// UTF-8 only) that Windows tools write all the same: PowerShell's `>` and
// Out-File, Notepad's "Unicode". Such a file read as UTF-8 fails at its
// first byte with "invalid character 'ÿ'" and a NUL after every character,
// which says nothing of the cause.
type WideEncoding struct {
	// Name is UTF-16LE, UTF-16BE, UTF-32LE or UTF-32BE.
	Name string
	// BOM is the byte order mark the text starts with, empty when the
	// encoding was told from the NUL bytes around the first characters.
	BOM []byte
}

// DetectWideEncoding tells from the first bytes of a text (four are enough)
// whether it is UTF-16 or UTF-32: by its byte order mark, or, without one,
// by the NUL bytes that JSON's first two characters, ASCII, have in those
// encodings (RFC 4627 §3). It returns nil for anything else, UTF-8 with or
// without its byte order mark included.
func DetectWideEncoding(head []byte) *WideEncoding {
	for _, e := range []WideEncoding{
		// UTF-32LE's mark starts with UTF-16LE's: it comes first.
		{"UTF-32LE", []byte{0xFF, 0xFE, 0, 0}},
		{"UTF-32BE", []byte{0, 0, 0xFE, 0xFF}},
		{"UTF-16LE", []byte{0xFF, 0xFE}},
		{"UTF-16BE", []byte{0xFE, 0xFF}},
	} {
		if bytes.HasPrefix(head, e.BOM) {
			return &e
		}
	}
	if len(head) < 4 {
		return nil
	}
	nul := func(i int) bool { return head[i] == 0 }
	switch {
	case !nul(0) && nul(1) && nul(2) && nul(3):
		return &WideEncoding{Name: "UTF-32LE"}
	case nul(0) && nul(1) && nul(2) && !nul(3):
		return &WideEncoding{Name: "UTF-32BE"}
	case !nul(0) && nul(1) && !nul(2) && nul(3):
		return &WideEncoding{Name: "UTF-16LE"}
	case nul(0) && !nul(1) && nul(2) && !nul(3):
		return &WideEncoding{Name: "UTF-16BE"}
	}
	return nil
}

// What says what the text is and how that shows: "UTF-16LE text, not
// UTF-8 (it starts with the byte order mark FF FE)".
func (e *WideEncoding) What() string {
	how := "its first bytes hold NULs"
	if len(e.BOM) > 0 {
		how = fmt.Sprintf("it starts with the byte order mark % X", e.BOM)
	}
	return fmt.Sprintf("%s text, not UTF-8 (%s)", e.Name, how)
}

// Error is What and how to convert a file. iconv reads the byte order mark
// to learn the byte order (and drops it), so with a mark the family's
// name is the one to give it.
func (e *WideEncoding) Error() string {
	from := e.Name
	if len(e.BOM) > 0 {
		from = e.Name[:6]
	}
	return fmt.Sprintf("%s: JSON must be UTF-8 (RFC 8259); convert it with iconv -f %s -t UTF-8", e.What(), from)
}
