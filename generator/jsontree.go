package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// jnode is a decoded JSON value that remembers the order of object keys, so
// the override path re-encodes a payload with its keys where they were.
// Numbers keep their literal text, so 2^53-1 and 28500.75 survive unchanged.
type jnode struct {
	kind jkind
	s    string   // string value; number literal
	b    bool     // boolean value
	keys []string // object keys, in order
	vals []*jnode // object values (parallel to keys) or array elements
}

type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

func (k jkind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an array", "an object"}[k]
}

func parseTree(data []byte) (*jnode, error) {
	if err := schemas.CheckJSON(data); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return decodeNode(dec)
}

func decodeNode(dec *json.Decoder) (*jnode, error) {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch v := tok.(type) {
	case nil:
		return &jnode{kind: jNull}, nil
	case bool:
		return &jnode{kind: jBool, b: v}, nil
	case json.Number:
		return &jnode{kind: jNumber, s: string(v)}, nil
	case string:
		return &jnode{kind: jString, s: v}, nil
	case json.Delim:
		n := &jnode{kind: jArray}
		if v == '{' {
			n.kind = jObject
		}
		for dec.More() {
			key := ""
			if n.kind == jObject {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ = kt.(string)
			}
			child, err := decodeNode(dec)
			if err != nil {
				return nil, err
			}
			if n.kind == jObject {
				n.set(key, child)
			} else {
				n.vals = append(n.vals, child)
			}
		}
		if _, err := dec.Token(); err != nil { // closing delimiter
			return nil, err
		}
		return n, nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

func (n *jnode) index(key string) int {
	for i, k := range n.keys {
		if k == key {
			return i
		}
	}
	return -1
}

func (n *jnode) get(key string) *jnode {
	if n == nil || n.kind != jObject {
		return nil
	}
	if i := n.index(key); i >= 0 {
		return n.vals[i]
	}
	return nil
}

// set replaces key's value in place, keeping its position, or appends it.
func (n *jnode) set(key string, v *jnode) {
	if i := n.index(key); i >= 0 {
		n.vals[i] = v
		return
	}
	n.keys = append(n.keys, key)
	n.vals = append(n.vals, v)
}

func (n *jnode) del(key string) {
	if i := n.index(key); i >= 0 {
		n.keys = slices.Delete(n.keys, i, i+1)
		n.vals = slices.Delete(n.vals, i, i+1)
	}
}

func (n *jnode) clone() *jnode {
	c := *n
	c.keys = slices.Clone(n.keys)
	c.vals = make([]*jnode, len(n.vals))
	for i, v := range n.vals {
		c.vals[i] = v.clone()
	}
	return &c
}

func appendNode(b []byte, n *jnode) []byte {
	switch n.kind {
	case jNull:
		return append(b, "null"...)
	case jBool:
		return strconv.AppendBool(b, n.b)
	case jNumber:
		return append(b, n.s...)
	case jString:
		return appendString(b, n.s)
	case jArray:
		b = append(b, '[')
		for i, v := range n.vals {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendNode(b, v)
		}
		return append(b, ']')
	}
	b = append(b, '{')
	for i, k := range n.keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendNode(b, n.vals[i])
	}
	return append(b, '}')
}

// toNode converts an override value to a node. json.RawMessage is parsed,
// keeping its key order; maps get sorted keys, as encoding/json writes them.
func toNode(v any) (*jnode, error) {
	switch v := v.(type) {
	case nil:
		return &jnode{kind: jNull}, nil
	case *jnode:
		return v.clone(), nil
	case bool:
		return &jnode{kind: jBool, b: v}, nil
	case string:
		return &jnode{kind: jString, s: v}, nil
	case json.Number:
		if !isJSONNumber(string(v)) {
			return nil, fmt.Errorf("%q is not a JSON number", string(v))
		}
		return &jnode{kind: jNumber, s: string(v)}, nil
	case float64:
		return floatNode(v)
	case float32:
		return floatNode(float64(v))
	case int:
		return &jnode{kind: jNumber, s: strconv.FormatInt(int64(v), 10)}, nil
	case int64:
		return &jnode{kind: jNumber, s: strconv.FormatInt(v, 10)}, nil
	case int32:
		return &jnode{kind: jNumber, s: strconv.FormatInt(int64(v), 10)}, nil
	case uint64:
		return &jnode{kind: jNumber, s: strconv.FormatUint(v, 10)}, nil
	case uint:
		return &jnode{kind: jNumber, s: strconv.FormatUint(uint64(v), 10)}, nil
	case json.RawMessage:
		return parseTree(v)
	case []any:
		n := &jnode{kind: jArray, vals: make([]*jnode, 0, len(v))}
		for _, e := range v {
			c, err := toNode(e)
			if err != nil {
				return nil, err
			}
			n.vals = append(n.vals, c)
		}
		return n, nil
	case []string:
		n := &jnode{kind: jArray, vals: make([]*jnode, 0, len(v))}
		for _, e := range v {
			n.vals = append(n.vals, &jnode{kind: jString, s: e})
		}
		return n, nil
	case map[string]any:
		n := &jnode{kind: jObject}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			c, err := toNode(v[k])
			if err != nil {
				return nil, err
			}
			n.set(k, c)
		}
		return n, nil
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return &jnode{kind: jNull}, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return parseTree(data)
}

func floatNode(f float64) (*jnode, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("%v has no JSON representation", f)
	}
	return &jnode{kind: jNumber, s: string(appendFloat(nil, f))}, nil
}

// isJSONNumber checks the number grammar of RFC 8259.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
