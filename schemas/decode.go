package schemas

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// fastDecode decodes a JSON document into the values encoding/json produces
// for an `any` (map[string]any, []any, string, float64, bool, nil), in one
// pass and without reflection: decoding was half the time spent validating
// a payload. It handles the common shapes only and reports ok=false for
// anything else (a syntax error, a number float64 cannot hold, very deep
// nesting, a string it would have to repair), and the caller then falls
// back to encoding/json, which also words the error. A fuzz test checks
// that whenever it says ok, encoding/json agrees value for value.
func fastDecode(data []byte) (any, bool) {
	d := fastDecoder{data: data}
	v, ok := d.value()
	if !ok {
		return nil, false
	}
	d.skipSpace()
	return v, d.pos == len(d.data)
}

type fastDecoder struct {
	data  []byte
	pos   int
	depth int
	// members collects an object's members before its map is made at its
	// final size; nested objects stack theirs on top.
	members []member
}

// maxFastDepth is far below encoding/json's limit of 10000, so deep
// documents go the slow way and get its error.
const maxFastDepth = 1000

func (d *fastDecoder) skipSpace() { d.pos = skipSpace(d.data, d.pos) }

func (d *fastDecoder) value() (any, bool) {
	d.skipSpace()
	if d.pos >= len(d.data) {
		return nil, false
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		return d.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	}
	return nil, false
}

func (d *fastDecoder) literal(lit string) bool {
	if len(d.data)-d.pos < len(lit) || string(d.data[d.pos:d.pos+len(lit)]) != lit {
		return false
	}
	d.pos += len(lit)
	return true
}

func (d *fastDecoder) object() (any, bool) {
	if d.depth++; d.depth > maxFastDepth {
		return nil, false
	}
	d.pos++ // {
	base := len(d.members)
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		d.depth--
		return map[string]any{}, true
	}
	for {
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, false
		}
		k, ok := d.key()
		if !ok {
			return nil, false
		}
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, false
		}
		d.pos++
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		d.members = append(d.members, member{k, v})
		done, ok := d.next('}')
		if !ok {
			return nil, false
		}
		if done {
			break
		}
	}
	m := make(map[string]any, len(d.members)-base)
	for _, kv := range d.members[base:] {
		m[kv.key] = kv.val // a repeated key keeps its last value, as in encoding/json
	}
	clear(d.members[base:]) // drop references so the values can be collected
	d.members = d.members[:base]
	d.depth--
	return m, true
}

func (d *fastDecoder) array() (any, bool) {
	if d.depth++; d.depth > maxFastDepth {
		return nil, false
	}
	d.pos++ // [
	arr := []any{}
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		d.depth--
		return arr, true
	}
	for {
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		arr = append(arr, v)
		done, ok := d.next(']')
		if !ok {
			return nil, false
		}
		if done {
			break
		}
	}
	d.depth--
	return arr, true
}

// next moves past what follows a member or an element (see afterItem).
func (d *fastDecoder) next(closing byte) (done, ok bool) {
	d.pos, done, ok = afterItem(d.data, d.pos, closing)
	return done, ok
}

// rawString returns the bytes between the quotes of a string made of
// printable ASCII without escapes, the only kind taken on the fast path.
func (d *fastDecoder) rawString() ([]byte, bool) {
	start := d.pos + 1
	for i := start; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			return d.data[start:i], true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, false
		}
	}
	return nil, false
}

func (d *fastDecoder) str() (any, bool) {
	start := d.pos
	if b, ok := d.rawString(); ok {
		return string(b), true
	}
	return d.slowString(start)
}

// key is str for object keys; the payload's own field names come from a
// table instead of a fresh allocation each.
func (d *fastDecoder) key() (string, bool) {
	start := d.pos
	if b, ok := d.rawString(); ok {
		if k, ok := knownKeys[string(b)]; ok {
			return k, true
		}
		return string(b), true
	}
	v, ok := d.slowString(start)
	s, _ := v.(string)
	return s, ok
}

// slowString leaves escapes and non-ASCII text to encoding/json, which
// decodes them (and repairs invalid UTF-8) its own way.
func (d *fastDecoder) slowString(start int) (any, bool) {
	i := start + 1
	for ; i < len(d.data); i++ {
		c := d.data[i]
		if c == '\\' {
			i++
			continue
		}
		if c == '"' {
			break
		}
	}
	if i >= len(d.data) {
		return nil, false
	}
	var s string
	if err := json.Unmarshal(d.data[start:i+1], &s); err != nil {
		return nil, false
	}
	d.pos = i + 1
	return s, true
}

func (d *fastDecoder) number() (any, bool) {
	end, f, ok := scanNumber(d.data, d.pos)
	if !ok {
		return nil, false
	}
	start := d.pos
	d.pos = end
	if !math.IsNaN(f) {
		return f, true
	}
	// ParseFloat fails only when float64 cannot hold the number, and
	// encoding/json then refuses too.
	f, err := strconv.ParseFloat(string(d.data[start:end]), 64)
	return f, err == nil
}

// scanNumber reads the JSON number at data[start] (a '-' or a digit) and
// returns where it ends and, when it is a plain integer short enough to be
// exact (up to 15 digits, the common case: ids), its value; NaN when
// strconv must convert it. ok is false when it is not a JSON number.
func scanNumber(data []byte, start int) (end int, f float64, ok bool) {
	i := start
	if data[i] == '-' {
		i++
	}
	intStart := i
	var n uint64 // the integer part while it is short enough to be exact
	for i < len(data) && data[i] >= '0' && data[i] <= '9' {
		n = n*10 + uint64(data[i]-'0')
		i++
	}
	intDigits := i - intStart
	if intDigits == 0 || (data[intStart] == '0' && intDigits > 1) {
		return 0, 0, false
	}
	simple := true
	digits := func() bool {
		j := i
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(data) && data[i] == '.' {
		simple = false
		i++
		if !digits() {
			return 0, 0, false
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		simple = false
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if !digits() {
			return 0, 0, false
		}
	}
	if !simple || intDigits > 15 {
		return i, math.NaN(), true
	}
	f = float64(n)
	if data[start] == '-' {
		f = -f
	}
	return i, f, true
}

// afterItem moves past the comma or the closing bracket that follows an
// object's member or an array's element at i: done at the closing one, ok
// false at anything else.
func afterItem(data []byte, i int, closing byte) (next int, done, ok bool) {
	i = skipSpace(data, i)
	if i >= len(data) {
		return i, false, false
	}
	c := data[i]
	return i + 1, c == closing, c == closing || c == ','
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// knownKeys holds every property name the schemas define, so decoding a
// payload does not allocate its keys.
var knownKeys = func() map[string]string {
	m := map[string]string{"event": "event", "record": "record", "workOrder": "workOrder"}
	add := func(ps []prop) {
		for _, p := range ps {
			m[p.name] = p.name
		}
	}
	for _, d := range definitions {
		add(d.props)
	}
	for _, t := range triggers {
		add(extraProps(t))
	}
	return m
}()

// Numbers beyond float64's range are kept as json.Number, and the schema
// validator turns those into big.Rat: 1e999999 costs a million-digit power
// of ten, half a CPU-second for a dozen bytes. So that a payload's cost stays
// a small constant factor of its size whatever its numbers look like, such a
// number is replaced, in the decoded value only, by a stand-in of bounded
// size that every check this project makes answers alike: the same sign, the
// same integral or not, and beyond any bound a schema sets.
const (
	hugeInteger  = "1e400"
	hugeFraction = "1" + zeros400 + ".5"
	zeros400     = "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
		"0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
		"0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
		"0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
)

// boundNumbers walks a value decoded with UseNumber: a number float64 holds
// becomes a float64, as on the fast path; one it cannot becomes a stand-in.
func boundNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = boundNumbers(e)
		}
	case []any:
		for i, e := range t {
			t[i] = boundNumbers(e)
		}
	case json.Number:
		if f, err := strconv.ParseFloat(string(t), 64); err == nil {
			return f
		}
		return standIn(string(t))
	}
	return v
}

// standIn is the bounded stand-in of s, a valid JSON number too large for
// float64. Its digits D, trailing zeros t and fraction digits f make it
// D x 10^(e+t-f): an integer when e+t >= f. One pass over s.
func standIn(s string) json.Number {
	neg := strings.HasPrefix(s, "-")
	mant, exp, _ := strings.Cut(strings.ToLower(strings.TrimPrefix(s, "-")), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	all := intPart + frac
	t := len(all) - len(strings.TrimRight(all, "0"))
	// The exponent saturates: past a billion its size makes no difference.
	e := 0
	for _, c := range strings.TrimLeft(exp, "+-") {
		if e < 1e9 {
			e = e*10 + int(c-'0')
		}
	}
	if strings.HasPrefix(exp, "-") {
		e = -e
	}
	out := hugeFraction
	if e+t >= len(frac) {
		out = hugeInteger
	}
	if neg {
		out = "-" + out
	}
	return json.Number(out)
}
