package schemas

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"testing"
)

// idPairs are the three cross-field id rules: where their two ids are, and
// the third id that must follow the second for the other rules to hold.
var idPairs = []struct {
	rule, format string
	a, b, alsoB  string // quoted keys as the documented example writes them, with its value
}{
	{RuleEventRecordID, msgEventRecordID, `"recordId": 10423,
    "triggerKey"`, `"id": 10423`, `"recordId": 10423,
    "assigneeId"`},
	{RuleWorkOrderRecordID, msgWorkOrderRecordID, `"recordId": 10423,
    "assigneeId"`, `"id": 10423`, `"recordId": 10423,
    "triggerKey"`},
	{RuleEventWorkOrderID, msgEventWorkOrderID, `"workOrderId": 8812`, `"id": 8812`, ""},
}

// withID replaces the number in old, a key and its value as the example
// writes them (with what follows, to tell keys of the same name apart), by
// num.
func withID(t *testing.T, doc, old, num string) string {
	t.Helper()
	if !strings.Contains(doc, old) {
		t.Fatalf("%q is not in the example", old)
	}
	return strings.Replace(doc, old, replaceNumber(old, num), 1)
}

// replaceNumber is old with the number after its ": " replaced by num.
func replaceNumber(old, num string) string {
	i := strings.Index(old, ": ") + 2
	j := i
	for j < len(old) && old[j] >= '0' && old[j] <= '9' {
		j++
	}
	return old[:i] + num + old[j:]
}

// IDSeeds are the documented example with ids in each of the three id
// pairs that a float64 cannot tell apart, or can but only just: seeds for
// the fuzz tests that compare the fast path, the full one and
// ValidateValue.
func IDSeeds(t testing.TB) [][]byte {
	doc := string(documentedBytes(t))
	var out [][]byte
	for _, ids := range [][2]string{
		{"9007199254740993", "9007199254740993"}, {"9007199254740993", "9007199254740992"},
		{"9.007199254740993e15", "9007199254740993"}, {"-9007199254740993", "-9007199254740992"},
		{"1e400", "1e400"}, {"1e400", "2e400"}, {"1", "1.0000000000000001"}, {"0", "1e-400"},
	} {
		for _, pair := range idPairs {
			p := strings.Replace(doc, pair.a, replaceNumber(pair.a, ids[0]), 1)
			p = strings.Replace(p, pair.b, replaceNumber(pair.b, ids[1]), 1)
			if pair.alsoB != "" {
				p = strings.Replace(p, pair.alsoB, replaceNumber(pair.alsoB, ids[1]), 1)
			}
			out = append(out, []byte(p))
		}
	}
	return out
}

// TestIDRulesCompareIDsAsWritten: the three cross-field id rules compare
// the ids the payload wrote, numerically and exactly, also where a float64
// cannot tell them apart (past 2^53, beyond float64's range, below its
// precision), at both levels and on both paths (checkFast), and the
// violation names both ids as written.
func TestIDRulesCompareIDsAsWritten(t *testing.T) {
	doc := string(documentedBytes(t))
	for _, c := range []struct {
		name, a, b string
		differ     bool
	}{
		{"small ids equal", "10423", "10423", false},
		{"small ids differ", "10423", "10424", true},
		{"equal past 2^53", "9007199254740993", "9007199254740993", false},
		{"differ past 2^53 only in the written digits", "9007199254740993", "9007199254740992", true},
		{"differ past 2^53, the other way", "9007199254740992", "9007199254740993", true},
		{"differ past 2^53 as float64 too", "9007199254740993", "9007199254740996", true},
		{"equal in exponent form", "9.007199254740993e15", "9007199254740993", false},
		{"equal with a mantissa of trailing zeros", "90071992547409930E-1", "9007199254740993", false},
		{"small equal in exponent form", "1.0423e4", "10423", false},
		{"differ in exponent form", "9.007199254740993e+15", "9007199254740992", true},
		{"negative equal", "-9007199254740993", "-9007199254740993", false},
		{"negative differ", "-9007199254740993", "-9007199254740992", true},
		{"huge equal", "1e400", "1e400", false},
		{"huge differ", "1e400", "2e400", true},
		{"huge equal in another form", "1e400", "10.0e399", false},
		{"huge and negative huge", "1e400", "-1e400", true},
		{"huge of both signs, named as written", "5e999", "-3e999", true},
		{"huge fractions differ", "1.5e400", "2.5e400", true},
		{"huge exponents differ by one", "1e999999999", "1e1000000000", true},
		{"exponents past int64 equal", "1e99999999999999999999", "10e99999999999999999998", false},
		{"exponents past int64 differ", "1e99999999999999999999", "1e100000000000000000000", true},
		{"fractions below float64 precision", "0.1", "0.10000000000000000001", true},
		{"near an integer below 2^53", "1", "1.0000000000000001", true},
		{"long digits equal", "1234567890.123456", "1234567890.1234560", false},
		{"underflow to zero", "0", "1e-400", true},
		{"minus zero", "0", "-0", false},
	} {
		for _, pair := range idPairs {
			for _, level := range Levels() {
				t.Run(fmt.Sprintf("%s/%s/%s", c.name, pair.rule, level), func(t *testing.T) {
					p := withID(t, doc, pair.a, c.a)
					p = withID(t, p, pair.b, c.b)
					if pair.alsoB != "" {
						p = withID(t, p, pair.alsoB, c.b)
					}
					var got []Violation
					for _, v := range validatePayload(t, []byte(p), level).Violations {
						if v.Rule == RuleEventRecordID || v.Rule == RuleWorkOrderRecordID || v.Rule == RuleEventWorkOrderID {
							got = append(got, v)
						}
					}
					if !c.differ {
						if len(got) != 0 {
							t.Fatalf("equal ids %s and %s: %v", c.a, c.b, got)
						}
						return
					}
					want := fmt.Sprintf(pair.format, c.a, c.b)
					if len(got) != 1 || got[0].Rule != pair.rule || got[0].Message != want || got[0].Warning != (level == Contract) {
						t.Fatalf("ids %s and %s: %v, want one %s violation %q", c.a, c.b, got, pair.rule, want)
					}
				})
			}
		}
	}
}

// TestSameNumber: two JSON number texts are the same number exactly when
// their values are equal, whatever the notation, also with exponents past
// int64; hostile exponents cost neither time nor memory.
func TestSameNumber(t *testing.T) {
	for _, c := range []struct {
		name, a, b string
		same, ok   bool
	}{
		{"equal", "10423", "10423", true, true},
		{"past 2^53", "9007199254740993", "9007199254740992", false, true},
		{"exponent form", "9.007199254740993e15", "9007199254740993", true, true},
		{"leading and trailing zeros", "0.00100e3", "1", true, true},
		{"negative exponent", "12345e-2", "123.45", true, true},
		{"signs", "-1", "1", false, true},
		{"zeros", "-0.0e99", "0", true, true},
		{"zero and tiny", "0", "1e-400", false, true},
		{"huge", "1e400", "2e400", false, true},
		{"huge equal", "1e999999999", "0.1e1000000000", true, true},
		{"exponents past int64", "1e99999999999999999999", "10e99999999999999999998", true, true},
		{"exponents past int64, borrow", "1e-1000000000000000000", "0.1e-999999999999999999", true, true},
		{"exponents past int64, carry", "1.5e999999999999999999", "15e999999999999999998", true, true},
		{"exponents past int64 differ", "1e99999999999999999999", "1e99999999999999999998", false, true},
		{"exponents past int64, carry into the high digits", "1e1999999999999999999", "0.1e2000000000000000000", true, true},
		{"exponents past int64, a digit more", "1e9999999999999999999", "0.1e10000000000000000000", true, true},
		{"exponents past int64, carry, differ", "1e1999999999999999999", "1e2000000000000000000", false, true},
		{"exponent with leading zeros", "1e0000000000000000000000000001", "10", true, true},
		{"not a number", "1/2", "0.5", false, false},
		{"hex", "0x10", "16", false, false},
		{"empty", "", "0", false, false},
		{"leading zero", "01", "1", false, false},
		{"plus sign", "+1", "1", false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			same, ok := sameNumber(c.a, c.b)
			if same != c.same || ok != c.ok {
				t.Errorf("sameNumber(%q, %q) = %v, %v; want %v, %v", c.a, c.b, same, ok, c.same, c.ok)
			}
			if again, _ := sameNumber(c.b, c.a); again != same {
				t.Errorf("sameNumber(%q, %q) = %v, not symmetric", c.b, c.a, again)
			}
		})
	}
	cost := allocated(func() {
		for range 100 {
			sameNumber("1e999999999", "1e999999998")
			sameNumber("-9.99e-99999999999999999999999", "-9.99e-99999999999999999999999")
		}
	})
	// big.Rat would build a billion-digit power of ten for the first.
	if cost > 100<<10 {
		t.Errorf("hostile exponents: %d bytes allocated for 200 comparisons", cost)
	}
}

// TestNumbersDifferOnDecodedValues: ValidateValue compares what it is
// given, json.Number ids (a UseNumber decoding) exactly, hostile ones
// included, float64 ones as float64s.
func TestNumbersDifferOnDecodedValues(t *testing.T) {
	for _, c := range []struct {
		name   string
		a, b   any
		differ bool
	}{
		{"float64s", 10423.0, 10423.0, false},
		{"float64s rounded alike", 9007199254740993.0, 9007199254740992.0, false},
		{"json.Numbers past 2^53", json.Number("9007199254740993"), json.Number("9007199254740992"), true},
		{"json.Numbers equal", json.Number("9007199254740993"), json.Number("9.007199254740993e15"), false},
		{"json.Number and float64", json.Number("9007199254740992"), 9007199254740992.0, false},
		{"json.Number and float64 apart", json.Number("0.1"), 0.1, true}, // the float64 0.1 is 0.1000000000000000055…
		{"int and json.Number", 10423, json.Number("10423.0"), false},
		{"int64 and float64", int64(1) << 60, float64(1 << 60), false},
		{"hostile json.Numbers", json.Number("1e999999999"), json.Number("1e999999998"), true},
		{"not a number", json.Number("x"), json.Number("y"), false},
		{"missing", nil, 1.0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := numbersDiffer(c.a, c.b); got != c.differ {
				t.Errorf("numbersDiffer(%v, %v) = %v, want %v", c.a, c.b, got, c.differ)
			}
		})
	}
}

// FuzzSameNumber: sameNumber agrees with big.Rat on numbers whose exponent
// big.Rat can afford.
func FuzzSameNumber(f *testing.F) {
	for _, s := range [][2]string{{"9007199254740993", "9.007199254740993e15"}, {"0.1", "1e-1"}, {"-0", "0e5"},
		{"100", "1E2"}, {"1.0000000000000001", "1"}, {"12.50", "125e-1"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		same, ok := sameNumber(a, b)
		okA, okB := isJSONNumber(a), isJSONNumber(b)
		if ok != (okA && okB) {
			t.Fatalf("sameNumber(%q, %q): ok %v, but JSON numbers: %v, %v", a, b, ok, okA, okB)
		}
		if !ok || len(a) > 60 || len(b) > 60 || strings.ContainsAny(a+b, "eE") && !smallExponents(a, b) {
			return
		}
		ra, _ := new(big.Rat).SetString(a)
		rb, _ := new(big.Rat).SetString(b)
		if want := ra.Cmp(rb) == 0; same != want {
			t.Fatalf("sameNumber(%q, %q) = %v, big.Rat says %v", a, b, same, want)
		}
	})
}

// isJSONNumber is the oracle: a JSON text that is a number and nothing
// else, not even white space.
func isJSONNumber(s string) bool {
	return s != "" && strings.TrimSpace(s) == s && json.Valid([]byte(s)) && (s[0] == '-' || s[0] >= '0' && s[0] <= '9')
}

// smallExponents reports whether the exponents of a and b have at most
// four digits, which big.Rat turns into numbers quickly.
func smallExponents(a, b string) bool {
	for _, s := range []string{a, b} {
		if i := strings.IndexAny(s, "eE"); i >= 0 && len(strings.TrimLeft(s[i+1:], "+-0")) > 4 {
			return false
		}
	}
	return true
}

// TestHasLongDigits: the skipping scan finds what a byte-by-byte one does,
// runs of every length at every offset.
func TestHasLongDigits(t *testing.T) {
	plain := func(data []byte) bool {
		run := 0
		for _, c := range data {
			switch {
			case c >= '0' && c <= '9':
				if run++; run >= 16 {
					return true
				}
			case c != '.':
				run = 0
			}
		}
		return false
	}
	for n := range 40 {
		for pre := range 40 {
			for _, fill := range []string{"1", "1.", "..1", "12.3"} {
				s := strings.Repeat("x", pre) + strings.Repeat(fill, n)[:n] + strings.Repeat("y", 20) + "12345678901234.5"
				for _, data := range []string{s, s[:len(s)-1], s[:len(s)-3], s[pre:]} {
					if got, want := hasLongDigits([]byte(data)), plain([]byte(data)); got != want {
						t.Fatalf("hasLongDigits(%q) = %v, want %v", data, got, want)
					}
				}
			}
		}
	}
}
