package generator

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// TestAppendFloatMatchesEncodingJSON: the whole-millionths fast path and
// the rest write what encoding/json writes, for values of every kind near
// its edges (signs, rounding, the 1e9 bound, tiny and huge magnitudes).
func TestAppendFloatMatchesEncodingJSON(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	check := func(f float64) {
		want, err := json.Marshal(f)
		if err != nil {
			return // NaN, Inf: appendFloat writes null, json refuses
		}
		if got := appendFloat(nil, f); string(got) != string(want) {
			t.Fatalf("appendFloat(%v) = %s, encoding/json %s", f, got, want)
		}
	}
	for _, f := range []float64{0, math.Copysign(0, -1), 1e-6, -1e-6, 5e-7, 1e-7, 0.1, 0.3, 1.0000005, 999999999.999999, -999999999.999999, 1e9, -1e9, 1e9 - 1, 123.456, -0.000001, 1e21, 1e20, math.MaxFloat64, math.SmallestNonzeroFloat64} {
		check(f)
	}
	for range 200_000 {
		n := rnd.Int64N(2e15) - 1e15
		check(float64(n) / 1e6)
		check(float64(rnd.Int64N(2e9)-1e9) / 1e3)
		check((rnd.Float64() - 0.5) * math.Pow(10, float64(rnd.IntN(30)-10)))
		check(math.Nextafter(float64(n)/1e6, math.Inf(1)))
	}
}

// TestAppendStringMatchesEncodingJSONAtEveryOffset: eight bytes at a time or one, the
// escaping is encoding/json's without its HTML escapes, wherever in a
// word the byte needing a look falls.
func TestAppendStringMatchesEncodingJSONAtEveryOffset(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "Z", " ", "~", "\x7f", "\"", "\\", "\n", "\x00", "\x1f", "<", ">", "&", "é", "\u2028", "\u2029", "\xff", "\xe2\x80", "😀", "\xed\xa0\x80"}
	for range 200_000 {
		var s string
		for range rnd.IntN(40) {
			s += alphabet[rnd.IntN(len(alphabet))]
		}
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSuffix(b.String(), "\n")
		if got := string(appendString(nil, s)); got != want {
			t.Fatalf("appendString(%q) = %s, encoding/json %s", s, got, want)
		}
	}
}

// A generator that promises verbatim strings (the built-in tables, no edge
// profile, no vocabulary) writes what the encoder writes when it looks at
// every string, over many seeds of every trigger; and the built-in tables
// are verbatim, or AppendJSON would silently lose its fast path.
func TestVerbatimPayloadsNeedNoEscaping(t *testing.T) {
	if !tablesVerbatim() {
		t.Fatal("a built-in table holds a string that needs escaping in JSON: tablesVerbatim is false, so AppendJSON looks at every string")
	}
	for _, profile := range Profiles() {
		for seed := uint64(1); seed <= 300; seed++ {
			g := New(seed, WithProfile(profile))
			if g.verbatim != (profile != Edge) {
				t.Fatalf("%s: verbatim = %v", profile, g.verbatim)
			}
			for _, key := range schemas.TriggerKeys() {
				ti, _ := lookupTrigger(key)
				g.begin(ti)
				g.build(&g.scratch, ti)
				looked := appendPayload(nil, false, &g.scratch.p, ti)
				if fast := appendPayload(nil, g.verbatim, &g.scratch.p, ti); string(fast) != string(looked) {
					t.Fatalf("%s seed %d %s: verbatim encoding\n%s\ndiffers from\n%s", profile, seed, key, fast, looked)
				}
			}
		}
	}
	if g := New(1, WithVocabulary(schemas.DefaultVocabulary())); g.verbatim {
		t.Error("a generator with a vocabulary promises verbatim strings")
	}
}
