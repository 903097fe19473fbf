package schemas

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FastMismatch says how the fast path and the full validator disagree on
// payload at level, or "" when they agree: the fast path says clean only
// when the full validator finds no violation (and then returns the same
// result), and it recognises every clean payload it can walk (nesting up to
// fastMaxDepth). Validate takes the fast result when it says clean and the
// full one otherwise, so it then returns exactly what the full validator
// does.
func FastMismatch(val *Validator, payload []byte, level Level) string {
	c := val.compiled()
	full, fullErr := validateFull(c, payload, level)
	fast, clean := c.fast.check(payload, level)
	fullClean := fullErr == nil && len(full.Violations) == 0
	switch {
	case clean && !fullClean:
		return fmt.Sprintf("%s: the fast path says clean, the full validator finds: error %v, violations %v", level, fullErr, full.Violations)
	case clean && !reflect.DeepEqual(fast, full):
		return fmt.Sprintf("%s: the fast path returns %+v, the full validator %+v", level, fast, full)
	case !clean && fullClean && nesting(payload) <= fastMaxDepth:
		return fmt.Sprintf("%s: the fast path missed a clean payload", level)
	}
	return ""
}

// nesting is the deepest nesting of objects and arrays in data.
func nesting(data []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// updateFastCorpus writes every payload the schema tests validate through
// validateDoc (each mutation of the documented example they make) into the
// seed corpus of FuzzFastMatchesFull, which `go test` runs.
var updateFastCorpus = flag.Bool("update-fast-corpus", false, "write the payloads the schema tests validate to testdata/fuzz/FuzzFastMatchesFull")

// checkFast is the differential check the schema tests make on every
// payload they validate (through validateDoc and elsewhere): each mutation
// of the documented example they make is checked against the fast path.
func checkFast(t testing.TB, val *Validator, payload []byte) {
	t.Helper()
	for _, level := range Levels() {
		if msg := FastMismatch(val, payload, level); msg != "" {
			t.Errorf("%s\npayload: %s", msg, payload)
		}
	}
	if *updateFastCorpus {
		dir := filepath.Join("testdata", "fuzz", "FuzzFastMatchesFull")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("mutation-%x", sha256.Sum256(payload))[:25]
		if err := os.WriteFile(filepath.Join(dir, name), fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", payload), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// FastClean reports whether the fast path takes payload as clean.
func FastClean(val *Validator, payload []byte, level Level) bool {
	_, clean := val.compiled().fast.check(payload, level)
	return clean
}

// ValidateFull is Validate without the fast path: the JSON Schema validator
// and the rules, as before it, for benchmarks to compare.
func ValidateFull(payload []byte, level Level) (Validation, error) {
	return validateFull(compiledSchemas(), payload, level)
}

// IdentityMismatch says how fastIdentity and the slow DecodeIdentity
// disagree on payload, or "" when they agree: the fast one answers only
// where the slow one finds the same identity and no error.
func IdentityMismatch(payload []byte) string {
	fast, ok := fastIdentity(payload)
	if !ok {
		return ""
	}
	slow, err := decodeIdentity(payload)
	if err != nil || slow != fast {
		return fmt.Sprintf("fastIdentity %+v; decodeIdentity %+v, %v", fast, slow, err)
	}
	return ""
}

// FastIdentity reports whether fastIdentity reads payload.
func FastIdentity(payload []byte) bool {
	_, ok := fastIdentity(payload)
	return ok
}
