// Package schematest helps tests that work with payloads as the schemas
// describe them, as net/http/httptest helps tests of HTTP code: it reads a
// payload the way a receiver does (Payload), and copies a decoded document
// for a test that breaks it on purpose to see a schema or a validator
// refuse it (Clone). It imports nothing of this module, so the schemas
// package's and the generator's own tests may use it too.
package schematest

// Clone copies a document decoded by encoding/json into any (objects,
// arrays and scalars) all the way down, so a test can break the copy and
// keep the original for the next case. T is any or map[string]any.
func Clone[T any](doc T) T {
	c, _ := clone(doc).(T) // a nil document clones to nil
	return c
}

func clone(v any) any {
	switch t := v.(type) {
	case map[string]any:
		c := make(map[string]any, len(t))
		for k, e := range t {
			c[k] = clone(e)
		}
		return c
	case []any:
		c := make([]any, len(t))
		for i, e := range t {
			c[i] = clone(e)
		}
		return c
	}
	return v
}
