package schemas

import (
	"bytes"
	"encoding/json"
	"math/big"
	"runtime"
	"strings"
	"testing"
)

// allocated is the bytes fn allocates, a proxy for its work that does not
// depend on how busy the machine is.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHugeNumbersCostLikeOthers holds the CPU bound that keeps a hostile
// payload from stalling validation: a payload whose numbers are written
// 1e999999 costs no more than the same payload with ordinary numbers,
// within a small factor, whichever level checks it.
// Before the bound, each such number cost a million-digit big.Rat.
func TestHugeNumbersCostLikeOthers(t *testing.T) {
	doc := documentedBytes(t)
	payload := func(num string) []byte {
		p := bytes.Replace(doc, []byte(`"eventId": `), []byte(`"eventId": `+num+`, "x-eventId": `), 1)
		p = bytes.Replace(p, []byte(`"recordId": `), []byte(`"recordId": `+num+`, "x-recordId": `), 1)
		if bytes.Equal(p, doc) {
			t.Fatal("the example has no eventId to replace")
		}
		return p
	}
	for _, level := range Levels() {
		for _, hostile := range []string{"1e999999", "-1e999999", "1.5e999999", "123456789e99999"} {
			ordinary, huge := payload("1e99"), payload(hostile)
			var base, cost uint64
			for range 3 { // the smallest of three: a GC cycle may land in one
				b := allocated(func() { _, _ = Validate(ordinary, level) })
				c := allocated(func() { _, _ = Validate(huge, level) })
				if base == 0 || b < base {
					base = b
				}
				if cost == 0 || c < cost {
					cost = c
				}
			}
			// The fallback decodes twice through encoding/json: a few times
			// the fast path's cost, far from a million digits' 400 KB.
			if cost > 8*base+64<<10 {
				t.Errorf("%s, %s: %d bytes allocated, ordinary numbers %d", level, hostile, cost, base)
			}
			if _, err := Validate(huge, level); err != nil {
				t.Errorf("%s, %s: %v; it is JSON", level, hostile, err)
			}
		}
	}
}

// TestStandInKeepsVerdicts checks that a stand-in is an integer exactly when
// the number it stands for is, with the same sign and beyond float64.
func TestStandInKeepsVerdicts(t *testing.T) {
	for _, s := range []string{
		"1e400", "1e999999", "-1e999999", "1.5e999999", "1" + strings.Repeat("0", 400) + ".5",
		"1" + strings.Repeat("0", 400) + ".50000", "1.0e400", "-" + strings.Repeat("9", 500), "12.34e309", "1.23456e310",
		"1" + strings.Repeat("0", 320) + "." + strings.Repeat("0", 30) + "1", "1e+400", "1E400", "9" + strings.Repeat("0", 5) + "e999999999999999999",
	} {
		want, ok := new(big.Rat).SetString(s)
		if !ok {
			continue // not a number big.Rat reads (a typo in the table)
		}
		if want.Abs(want).Cmp(new(big.Rat).SetFloat64(1.7e308)) < 0 {
			continue
		}
		got := standIn(s)
		r, _ := new(big.Rat).SetString(string(got))
		w, _ := new(big.Rat).SetString(s)
		if r.IsInt() != w.IsInt() || r.Sign() != w.Sign() {
			t.Errorf("standIn(%.40s) = %.40s: integer %v, sign %d; want %v, %d", s, got, r.IsInt(), r.Sign(), w.IsInt(), w.Sign())
		}
		if len(got) > 410 {
			t.Errorf("standIn(%.40s) is %d bytes", s, len(got))
		}
	}
	var v any
	if err := json.Unmarshal([]byte(hugeFraction), &v); err == nil {
		t.Errorf("hugeFraction %v fits a float64: it would not stand for a huge number", v)
	}
}

// BenchmarkValidateHugeNumbers is the cost of a payload whose ids are
// written 1e999999, next to BenchmarkValidate's ordinary ones (make bench).
func BenchmarkValidateHugeNumbers(b *testing.B) {
	doc := documentedBytes(b)
	p := bytes.Replace(doc, []byte(`"eventId": `), []byte(`"eventId": 1e999999, "x-eventId": `), 1)
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		_, _ = Validate(p, Strict)
	}
}
