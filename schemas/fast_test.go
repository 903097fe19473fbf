package schemas_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/coperniq-mock/coperniq-mock/schemas/schematest"
)

// The fast path's verdict equals the full validator's (see fast.go): these
// tests and FuzzFastMatchesFull check it on generated payloads of every
// profile, in the built-in vocabulary and a team's, and on thousands of
// mutations of them; the schema tests check it on every payload they
// validate (checkFast), and their mutations seed the fuzz corpus.

// teamVocabulary differs from the built-in one in every list the strict
// schemas close.
const teamVocabulary = `triggerNames:
  TASK_STATUS_MOVEMENT: Task Status Changed
  PROJECT_CREATED: New Project
workOrderStatuses: [QUEUED, SCHEDULED, WORKING, ON_HOLD, COMPLETED, CANCELLED]
workingStatus: WORKING
phaseTypes: [SALES, ENGINEERING, FIELD]
phaseStatuses: {started: ACTIVE, completed: DONE}
slaTypes: [YELLOW, ORANGE, RED]
requestStatuses: [OPEN, QUOTED, SIGNED, DECLINED]
wonStatus: SIGNED
lostStatus: DECLINED
`

type vocabCase struct {
	name  string
	vocab *schemas.Vocabulary // nil: built-in
	val   *schemas.Validator
}

var (
	vocabsOnce sync.Once
	vocabs     []vocabCase
	vocabsErr  error
)

// testVocabularies are the built-in vocabulary and a team's, each with its
// validator.
func testVocabularies(t testing.TB) []vocabCase {
	t.Helper()
	vocabsOnce.Do(func() {
		team, err := schemas.ParseVocabulary("team.yaml", []byte(teamVocabulary))
		if err != nil {
			vocabsErr = err
			return
		}
		val, err := schemas.NewValidator(team)
		if err != nil {
			vocabsErr = err
			return
		}
		builtin, _ := schemas.NewValidator(nil)
		vocabs = []vocabCase{{"built-in", nil, builtin}, {"team", team, val}}
	})
	if vocabsErr != nil {
		t.Fatal(vocabsErr)
	}
	return vocabs
}

// generated returns payloads of every trigger in each of profiles (nil:
// all), perTrigger of each, in vocab.
func generated(t testing.TB, vocab *schemas.Vocabulary, perTrigger int, profiles ...generator.Profile) [][]byte {
	t.Helper()
	if profiles == nil {
		profiles = generator.Profiles()
	}
	var out [][]byte
	for pi, profile := range profiles {
		opts := []generator.Option{generator.WithProfile(profile)}
		if vocab != nil {
			opts = append(opts, generator.WithVocabulary(vocab))
		}
		g := generator.New(uint64(11+pi), opts...)
		for range perTrigger {
			for _, key := range schemas.TriggerKeys() {
				p, err := g.JSON(key)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, p)
			}
		}
	}
	return out
}

func mismatches(val *schemas.Validator, payload []byte) string {
	var msgs []string
	for _, level := range schemas.Levels() {
		if msg := schemas.FastMismatch(val, payload, level); msg != "" {
			msgs = append(msgs, msg)
		}
	}
	if msg := schemas.IdentityMismatch(payload); msg != "" {
		msgs = append(msgs, msg)
	}
	if len(msgs) == 0 {
		return ""
	}
	return fmt.Sprintf("%v\npayload: %s", msgs, payload)
}

// Every generated payload is clean at the contract level, and at the
// strict level but for the maximal profile's extra properties and the edge
// profile's out-of-vocabulary values; the fast path says so, and Validate
// returns its result.
func TestFastPathTakesGeneratedPayloads(t *testing.T) {
	for _, vc := range testVocabularies(t) {
		for _, profile := range generator.Profiles() {
			for _, p := range generated(t, vc.vocab, 3, profile) {
				if msg := mismatches(vc.val, p); msg != "" {
					t.Fatalf("%s: %s", vc.name, msg)
				}
				for _, level := range schemas.Levels() {
					r, err := vc.val.Validate(p, level)
					if level == schemas.Strict && (profile == generator.Maximal || profile == generator.Edge) {
						continue
					}
					if err != nil || len(r.Violations) != 0 || !schemas.FastClean(vc.val, p, level) || !schemas.FastIdentity(p) {
						t.Fatalf("%s, %s at %s: a generated payload fails or misses the fast path: %v %v\n%s", vc.name, profile, level, err, r.Violations, p)
					}
				}
			}
		}
	}
}

// mutation changes one value of a decoded payload; nil deletes it.
type mutation struct {
	name  string
	value func(old any) (any, bool) // the new value; false: delete the key
}

// valueMutations are applied to every property of every object of a
// payload: each breaks a type, a vocabulary, a format, a range or a
// cross-field rule somewhere, or changes nothing that matters somewhere
// else, and the two validators must agree either way.
var valueMutations = []mutation{
	{"delete", func(any) (any, bool) { return nil, false }},
	{"null", func(any) (any, bool) { return nil, true }},
	{"true", func(any) (any, bool) { return true, true }},
	{"empty string", func(any) (any, bool) { return "", true }},
	{"string", func(any) (any, bool) { return "x", true }},
	{"zero", func(any) (any, bool) { return 0.0, true }},
	{"negative", func(any) (any, bool) { return -1.0, true }},
	{"fraction", func(any) (any, bool) { return 1.5, true }},
	{"2^53", func(any) (any, bool) { return 9007199254740992.0, true }},
	{"empty object", func(any) (any, bool) { return map[string]any{}, true }},
	{"empty array", func(any) (any, bool) { return []any{}, true }},
	{"array of the value", func(old any) (any, bool) { return []any{old}, true }},
	{"number plus one", func(old any) (any, bool) {
		if f, ok := old.(float64); ok {
			return f + 1, true
		}
		return old, true
	}},
	{"string in lower case", func(old any) (any, bool) {
		if s, ok := old.(string); ok {
			return string(bytes.ToLower([]byte(s))), true
		}
		return old, true
	}},
	{"timestamp earlier", func(old any) (any, bool) { return "2020-01-01T00:00:00Z", true }},
	{"timestamp later", func(old any) (any, bool) { return "2099-12-31T23:59:59.999Z", true }},
	{"timestamp with an offset", func(old any) (any, bool) { return "2026-03-31T19:04:22+02:00", true }},
	{"status", func(old any) (any, bool) { return "COMPLETED", true }},
	{"status of the team", func(old any) (any, bool) { return "ON_HOLD", true }},
	{"record type", func(old any) (any, bool) { return "DEAL", true }},
	{"non-ASCII", func(old any) (any, bool) { return "Zürich ☀", true }},
}

// mutate calls fn with a fresh copy of doc for each mutation of each
// property of each object in doc (and with an unknown property added to
// each object).
func mutate(doc map[string]any, fn func(name string, mutated map[string]any)) {
	var walk func(path []string, obj map[string]any)
	walk = func(path []string, obj map[string]any) {
		fresh := func() (map[string]any, map[string]any) {
			c := schematest.Clone(doc)
			o := c
			for _, k := range path {
				o = o[k].(map[string]any)
			}
			return c, o
		}
		c, o := fresh()
		o["unknownProperty"] = 1.0
		fn(fmt.Sprintf("%v+unknownProperty", path), c)
		for _, key := range slices.Sorted(maps.Keys(obj)) {
			for _, m := range valueMutations {
				c, o := fresh()
				if v, keep := m.value(o[key]); keep {
					o[key] = v
				} else {
					delete(o, key)
				}
				fn(fmt.Sprintf("%v.%s %s", path, key, m.name), c)
			}
			if sub, ok := obj[key].(map[string]any); ok {
				walk(append(slices.Clone(path), key), sub)
			}
		}
	}
	walk(nil, doc)
}

// rawMutations change a payload's bytes where decoding would hide the
// change: spelling, white space, escapes, encodings, duplicates.
var rawMutations = []struct {
	name string
	fn   func(p []byte) []byte
}{
	{"indented", func(p []byte) []byte {
		var b bytes.Buffer
		_ = json.Indent(&b, p, "", "\t")
		return b.Bytes()
	}},
	{"space around", func(p []byte) []byte { return append(append([]byte(" \r\n"), p...), "\n "...) }},
	{"trailing garbage", func(p []byte) []byte { return append(slices.Clone(p), "x"...) }},
	{"second value", func(p []byte) []byte { return append(slices.Clone(p), p...) }},
	{"truncated", func(p []byte) []byte { return p[:len(p)-1] }},
	{"byte order mark", func(p []byte) []byte { return append([]byte("\xef\xbb\xbf"), p...) }},
	{"duplicate event", func(p []byte) []byte { return bytes.Replace(p, []byte(`{"event":`), []byte(`{"event":{},"event":`), 1) }},
	{"escaped key", func(p []byte) []byte { return bytes.Replace(p, []byte(`"triggerKey"`), []byte(`"trigger\u004bey"`), 1) }},
	{"escaped value", func(p []byte) []byte { return bytes.Replace(p, []byte(`"PROJECT"`), []byte(`"PROJ\u0045CT"`), 1) }},
	{"escaped slash", func(p []byte) []byte { return bytes.Replace(p, []byte(`"PROJECT"`), []byte(`"PROJECT\/"`), 1) }},
	{"duplicate record id", func(p []byte) []byte {
		return bytes.Replace(p, []byte(`"record":{"id":`), []byte(`"record":{"id":1,"id":`), 1)
	}},
	{"id as 1e3 notation", func(p []byte) []byte { return bytes.Replace(p, []byte(`"uid":`), []byte(`"uid":1e0+`), 1) }},
	{"huge number", func(p []byte) []byte {
		return bytes.Replace(p, []byte(`"dealValue":`), []byte(`"dealValue":1e400,"x":`), 1)
	}},
	{"huge negative number", func(p []byte) []byte {
		return bytes.Replace(p, []byte(`"dealValue":`), []byte(`"dealValue":-1e400,"y":`), 1)
	}},
	{"invalid UTF-8", func(p []byte) []byte { return bytes.Replace(p, []byte(`"title":"`), []byte("\"title\":\"\xff"), 1) }},
	{"lone surrogate", func(p []byte) []byte { return bytes.Replace(p, []byte(`"title":"`), []byte(`"title":"\ud800`), 1) }},
	{"surrogate pair", func(p []byte) []byte {
		return bytes.Replace(p, []byte(`"title":"`), []byte(`"title":"\ud83d\ude00`), 1)
	}},
	{"control character", func(p []byte) []byte { return bytes.Replace(p, []byte(`"title":"`), []byte("\"title\":\"\t"), 1) }},
	{"leading zero", func(p []byte) []byte { return bytes.Replace(p, []byte(`"eventId":`), []byte(`"eventId":0`), 1) }},
	{"minus zero", func(p []byte) []byte {
		return bytes.Replace(p, []byte(`"dealValue":`), []byte(`"dealValue":-0,"z":`), 1)
	}},
	{"exponent", func(p []byte) []byte { return bytes.Replace(p, []byte(`"lat":`), []byte(`"lat":1E1,"w":`), 1) }},
}

// TestFastMatchesFull: the two validators agree on every value and raw
// mutation of generated payloads: one per trigger in the built-in
// vocabulary, in each profile in turn, and one per trigger in a team's
// (with -short, the built-in vocabulary's only).
func TestFastMatchesFull(t *testing.T) {
	profiles := generator.Profiles()
	for i, vc := range testVocabularies(t) {
		if i > 0 && testing.Short() {
			break
		}
		all := generated(t, vc.vocab, 1)
		n := len(schemas.TriggerKeys())
		for k := range n {
			p := all[k]
			if i == 0 {
				p = all[(k%len(profiles))*n+k] // trigger k in profile k mod 4
			}
			for _, m := range rawMutations {
				if msg := mismatches(vc.val, m.fn(p)); msg != "" {
					t.Fatalf("%s, %s: %s", vc.name, m.name, msg)
				}
			}
			var doc map[string]any
			if err := json.Unmarshal(p, &doc); err != nil {
				t.Fatal(err)
			}
			mutate(doc, func(name string, mutated map[string]any) {
				b, err := json.Marshal(mutated)
				if err != nil {
					t.Fatal(err)
				}
				if msg := mismatches(vc.val, b); msg != "" {
					t.Fatalf("%s, %s: %s", vc.name, name, msg)
				}
			})
		}
	}
}

// FuzzFastMatchesFull: on any bytes, the fast path says clean exactly when
// the full validator finds nothing, in both vocabularies. Seeds: generated
// payloads, the documented example, the invalid examples, and (under
// testdata/fuzz) every mutation the schema tests make, written there by
// `go test ./schemas -update-fast-corpus`, and ids in the three id pairs
// that float64s cannot tell apart (IDSeeds).
func FuzzFastMatchesFull(f *testing.F) {
	for _, vc := range testVocabularies(f) {
		for _, p := range generated(f, vc.vocab, 1) {
			f.Add(p)
		}
	}
	for _, pattern := range []string{"documented-example.json", filepath.Join("invalid", "*.json")} {
		files, _ := filepath.Glob(filepath.Join("testdata", pattern))
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	for _, s := range []string{"", "{", "[]", "null", `{"event":{"triggerKey":"TASK_CREATED"}}`, `{"event":{"triggerKey":"X"}}`,
		`{"event":{"triggerKey":"PROJECT_X"},"record":{"type":"DEAL","id":1e400}}`, `{"a":1,"a":2}`, "\"\xff\""} {
		f.Add([]byte(s))
	}
	for _, p := range schemas.IDSeeds(f) {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, vc := range testVocabularies(t) {
			if msg := mismatches(vc.val, data); msg != "" {
				t.Fatalf("%s: %s", vc.name, msg)
			}
		}
	})
}
