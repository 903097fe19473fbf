package schemas

import (
	"encoding/json"
	"math"
	"math/big"
	"slices"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// The library checks "type": "integer" by formatting every number and
// parsing it back into a big.Rat, which was an eighth of the time spent on a
// payload. The published files keep "type": "integer"; only the copy the
// validator compiles hands that one check to integerExt, which applies the
// same rule (a number with no fractional part, as the draft defines it) with
// float arithmetic, and reports the library's own error kind. A test checks
// that both give the same verdicts.

// integerKeyword replaces "type" in the in-memory copy of a schema whose type
// is integer or [integer, null]. It never appears in a file.
const integerKeyword = "x-coperniq-mock-integer"

var integerVocab = &jsonschema.Vocabulary{
	URL: "https://github.com/coperniq-mock/coperniq-mock/schemas/vocab/integer",
	Compile: func(_ *jsonschema.CompilerContext, obj map[string]any) (jsonschema.SchemaExt, error) {
		want, ok := obj[integerKeyword].([]string)
		if !ok {
			return nil, nil
		}
		return &integerExt{want: want, nullable: slices.Contains(want, "null")}, nil
	},
}

type integerExt struct {
	want     []string // the type as the file states it, for the error
	nullable bool
}

func (e *integerExt) Validate(ctx *jsonschema.ValidatorContext, v any) {
	got := "number"
	switch n := v.(type) {
	case float64:
		if n == math.Trunc(n) {
			return
		}
	case float32:
		if float64(n) == math.Trunc(float64(n)) {
			return
		}
	case json.Number:
		if r, ok := new(big.Rat).SetString(n.String()); ok && r.IsInt() {
			return
		}
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return
	case nil:
		if e.nullable {
			return
		}
		got = "null"
	case bool:
		got = "boolean"
	case string:
		got = "string"
	case []any:
		got = "array"
	case map[string]any:
		got = "object"
	}
	ctx.AddError(&kind.Type{Got: got, Want: e.want})
}

// useIntegerExt rewrites, in a decoded schema document, every subschema whose
// type is integer (or integer and null) to use integerKeyword instead.
func useIntegerExt(s any) {
	m, ok := s.(map[string]any)
	if !ok {
		return
	}
	if want, ok := integerType(m["type"]); ok {
		delete(m, "type")
		m[integerKeyword] = want
	}
	for _, kw := range []string{"properties", "$defs", "patternProperties"} {
		if sub, ok := m[kw].(map[string]any); ok {
			for _, v := range sub {
				useIntegerExt(v)
			}
		}
	}
	for _, kw := range []string{"items", "additionalProperties", "unevaluatedProperties", "not", "contains", "if", "then", "else"} {
		useIntegerExt(m[kw])
	}
	for _, kw := range []string{"allOf", "anyOf", "oneOf", "prefixItems"} {
		if arr, ok := m[kw].([]any); ok {
			for _, v := range arr {
				useIntegerExt(v)
			}
		}
	}
}

func integerType(t any) ([]string, bool) {
	switch t := t.(type) {
	case string:
		return []string{t}, t == "integer"
	case []any:
		if len(t) != 2 || t[0] != "integer" || t[1] != "null" {
			return nil, false
		}
		return []string{"integer", "null"}, true
	}
	return nil, false
}
