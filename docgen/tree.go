package docgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The AsyncAPI and OpenAPI documents, the example payloads and the schema
// files are handled as ordered trees rather than Go maps: key order is what
// makes the output stable byte for byte and readable (info before channels,
// event before record), and encoding/json would sort map keys.

// kv is one member of an ordered object.
type kv struct {
	k string
	v any
}

// obj is a JSON object that keeps its key order. Values are obj, []any,
// string, json.Number, bool or nil.
type obj []kv

// get returns the value of key and whether it is present.
func (o obj) get(key string) (any, bool) {
	for _, m := range o {
		if m.k == key {
			return m.v, true
		}
	}
	return nil, false
}

// decodeOrdered parses one JSON document into an ordered tree, numbers as
// json.Number so that 28500 stays 28500 and not 28500.0.
func decodeOrdered(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after the JSON document")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := obj{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o = append(o, kv{kt.(string), v})
			}
			_, err := dec.Token()
			return o, err
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token()
			return a, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return t, nil
	}
}

// compactJSON encodes a tree on one line, as a table cell shows an example.
func compactJSON(v any) string {
	var b strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case obj:
			b.WriteByte('{')
			for i, m := range t {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(jsonString(m.k))
				b.WriteByte(':')
				walk(m.v)
			}
			b.WriteByte('}')
		case []any:
			b.WriteByte('[')
			for i, e := range t {
				if i > 0 {
					b.WriteByte(',')
				}
				walk(e)
			}
			b.WriteByte(']')
		default:
			b.WriteString(scalarJSON(t))
		}
	}
	walk(v)
	return b.String()
}

// scalarJSON encodes a string, number, boolean or null.
func scalarJSON(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(t)
	case json.Number:
		return t.String()
	case string:
		return jsonString(t)
	case int:
		return strconv.Itoa(t)
	}
	panic(fmt.Sprintf("docgen: %T in a JSON tree", v))
}

// jsonString quotes s as JSON does, without encoding/json's HTML escaping:
// the documents are not embedded in HTML, and "<" reads better than \u003c.
// Line and paragraph separators and NEL are escaped because YAML 1.1 readers
// treat them as line breaks even inside quotes.
func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\ufffd`)
		case r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xfeff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
