package delivery

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// MaxPayloadFile bounds a payload read by ReadPayload: far above any webhook
// body (Coperniq's are a few KB), low enough that a wrong file (a disk
// image, /dev/zero) is refused instead of read into memory.
const MaxPayloadFile = 16 << 20

// NotOnePayloadError is a payload file that holds several JSON documents
// (NDJSON, `generate all` piped on) or a JSON array, where a request
// carries one JSON object: sending it is almost surely a mistake.
type NotOnePayloadError struct {
	Name string
	// Documents counts the JSON documents one after another, 0 for one
	// array; Complete says they are the whole input (else something that
	// is not JSON follows them).
	Documents int
	Complete  bool
	// Items counts the array's elements.
	Items int
	// OneALine says the first document is the input's whole first line
	// (NDJSON), so that the first line is the first payload.
	OneALine bool
}

func (e *NotOnePayloadError) Error() string {
	if e.Documents == 0 {
		return fmt.Sprintf("%s is a JSON array (%s)", e.Name, schemas.Plural(e.Items, "item"))
	}
	if !e.Complete {
		return e.Name + " holds more than one JSON document"
	}
	return fmt.Sprintf("%s holds %d JSON documents", e.Name, e.Documents)
}

// ReadPayload reads a payload someone handed over, from r, called name in
// errors, and says what it is for a POST line: its trigger key when it is a
// Coperniq event ("TRIGGER from name"), else name. A body that is not one
// payload, several JSON documents or a JSON array, is a *NotOnePayloadError
// unless asIs. Any other body is returned as it is (a receiver's rejection
// path is worth testing), with a warning to show when it is not JSON, not
// UTF-8, or starts with a byte order mark; so is a body that is not one
// payload, with asIs.
func ReadPayload(r io.Reader, name string, asIs bool) (body []byte, what, warning string, err error) {
	body, err = io.ReadAll(io.LimitReader(r, MaxPayloadFile+1))
	switch {
	case err != nil:
		return nil, "", "", fmt.Errorf("%s: %w", name, err)
	case len(body) > MaxPayloadFile:
		return nil, "", "", fmt.Errorf("%s is over %d MiB: not a webhook payload", name, MaxPayloadFile>>20)
	case len(bytes.TrimSpace(body)) == 0:
		return nil, "", "", fmt.Errorf("%s is empty: nothing to send", name)
	}
	what = name
	sending := "; sending it as it is"
	if w := schemas.DetectWideEncoding(body); w != nil {
		return body, what, name + " is " + w.Error() + sending, nil
	}
	text, bom := bytes.CutPrefix(body, []byte("\xEF\xBB\xBF"))
	if e := notOnePayload(text, name); e != nil {
		if !asIs {
			return nil, "", "", e
		}
		return body, what, e.Error() + sending, nil
	}
	if e, err := MessageFromPayload(text); err == nil {
		what = e.TriggerKey + " from " + name
	}
	var notes []string
	switch where := ""; {
	case utf8.Valid(text) && json.Valid(text):
	case utf8.Valid(text):
		notes = append(notes, name+" is not valid JSON")
	default:
		if where = utf8Problems(text); where == "" {
			notes = append(notes, name+" is not valid JSON, nor UTF-8")
		} else {
			notes = append(notes, name+" is not UTF-8: "+where)
		}
	}
	if bom {
		notes = append(notes, name+" starts with a UTF-8 byte order mark (EF BB BF), which JSON sent over HTTP must not carry")
	}
	if len(notes) > 0 {
		warning = strings.Join(notes, "; ") + sending
	}
	return body, what, warning, nil
}

// notOnePayload is the *NotOnePayloadError of text, nil when text is one
// JSON document, not an array, or is not JSON.
func notOnePayload(text []byte, name string) *NotOnePayloadError {
	dec := json.NewDecoder(bytes.NewReader(text))
	var first json.RawMessage
	n := 0
	for {
		var doc json.RawMessage
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if n > 1 {
				return &NotOnePayloadError{Name: name, Documents: n}
			}
			return nil
		}
		if n++; n == 1 {
			first = doc
		}
	}
	if n > 1 {
		line, _, _ := bytes.Cut(bytes.TrimLeft(text, " \t\r\n"), []byte("\n"))
		return &NotOnePayloadError{Name: name, Documents: n, Complete: true, OneALine: bytes.Equal(bytes.TrimSpace(line), bytes.TrimSpace(first))}
	}
	var items []json.RawMessage
	if n == 1 && bytes.HasPrefix(first, []byte("[")) && json.Unmarshal(first, &items) == nil {
		return &NotOnePayloadError{Name: name, Items: len(items)}
	}
	return nil
}

// utf8Problems says where text, JSON but for its encoding, is not UTF-8,
// as validate does; "" when it is not JSON.
func utf8Problems(text []byte) string {
	res, err := schemas.Validate(text, schemas.Contract)
	var where []string
	if err == nil {
		for _, v := range res.Violations {
			if v.Rule == schemas.RuleUTF8 {
				where = append(where, v.Location+": "+v.Message)
			}
		}
	}
	switch len(where) {
	case 0:
		return ""
	case 1:
		return where[0]
	}
	return fmt.Sprintf("%s (and %d more)", where[0], len(where)-1)
}
