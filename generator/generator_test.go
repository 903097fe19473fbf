package generator

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const seedsPerCase = 200

// levelsFor lists the schema levels a profile's payloads must pass.
func levelsFor(p Profile) []schemas.Level {
	if p == Realistic || p == Minimal {
		return []schemas.Level{schemas.Contract, schemas.Strict}
	}
	return []schemas.Level{schemas.Contract}
}

func TestPayloadsValidateAtTheirLevel(t *testing.T) {
	for _, p := range Profiles() {
		for _, key := range schemas.TriggerKeys() {
			t.Run(string(p)+"/"+key, func(t *testing.T) {
				t.Parallel()
				var buf []byte
				for seed := uint64(1); seed <= seedsPerCase; seed++ {
					g := New(seed, WithProfile(p))
					// The first payload of a seed, and one further along the
					// stream.
					for call := range 2 {
						var err error
						buf, err = g.AppendJSON(buf[:0], key)
						if err != nil {
							t.Fatalf("seed %d: %v", seed, err)
						}
						for _, level := range levelsFor(p) {
							res, err := schemas.Validate(buf, level)
							if err != nil {
								t.Fatalf("seed %d call %d: not JSON: %v\n%s", seed, call, err, buf)
							}
							if !res.Valid() || !res.Known {
								t.Fatalf("seed %d call %d: invalid at %s level: %v\n%s", seed, call, level, res.Violations, buf)
							}
						}
					}
				}
			})
		}
	}
}

func TestDocumentedExampleStillValidates(t *testing.T) {
	// The generator's encoder and the schemas must agree on the one real
	// payload: decode it into our types' JSON shape via overrides' tree
	// and re-encode it byte-compatibly.
	data, err := os.ReadFile("../schemas/testdata/documented-example.json")
	if err != nil {
		t.Fatal("the documented example, as copied into the repository:", err)
	}
	root, err := parseTree(data)
	if err != nil {
		t.Fatal(err)
	}
	out := appendNode(nil, root)
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, compact.Bytes()) {
		t.Errorf("tree round trip changed the documented example:\n got %s\nwant %s", out, compact.Bytes())
	}
}

func TestDeterminism(t *testing.T) {
	for _, p := range Profiles() {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			a, b := New(42, WithProfile(p)), New(42, WithProfile(p))
			for i := range 300 {
				key := schemas.TriggerKeys()[i%18]
				x, err1 := a.JSON(key)
				y, err2 := b.JSON(key)
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				if !bytes.Equal(x, y) {
					t.Fatalf("payload %d differs between two generators with one seed:\n%s\n%s", i, x, y)
				}
			}
		})
	}
}

func TestPayloadAndJSONAgree(t *testing.T) {
	for _, p := range Profiles() {
		for _, key := range schemas.TriggerKeys() {
			a, b := New(9, WithProfile(p)), New(9, WithProfile(p))
			for range 5 {
				pl, err := a.Payload(key)
				if err != nil {
					t.Fatal(err)
				}
				js, _ := b.JSON(key)
				if got := pl.AppendJSON(nil); !bytes.Equal(got, js) {
					t.Fatalf("%s %s: Payload and JSON differ:\n%s\n%s", p, key, got, js)
				}
				// encoding/json compacts a Marshaler's output and, unless
				// told not to, escapes HTML characters in it.
				var mj bytes.Buffer
				enc := json.NewEncoder(&mj)
				enc.SetEscapeHTML(false)
				if err := enc.Encode(pl); err != nil || !bytes.Equal(bytes.TrimSuffix(mj.Bytes(), []byte("\n")), js) {
					t.Fatalf("%s %s: encoding/json of the payload differs: %v\n%s", p, key, err, mj.Bytes())
				}
			}
		}
	}
}

func TestSeedsDiffer(t *testing.T) {
	for _, key := range schemas.TriggerKeys() {
		seen := map[string]uint64{}
		for seed := uint64(1); seed <= 50; seed++ {
			b, _ := New(seed).JSON(key)
			if prev, ok := seen[string(b)]; ok {
				t.Fatalf("%s: seeds %d and %d give the same payload", key, prev, seed)
			}
			seen[string(b)] = seed
		}
	}
	// Successive payloads of one stream differ too.
	g := New(1)
	a, _ := g.JSON("PROJECT_CREATED")
	b, _ := g.JSON("PROJECT_CREATED")
	if bytes.Equal(a, b) {
		t.Error("two successive payloads are identical")
	}
}

func TestUnknownTrigger(t *testing.T) {
	g := New(1)
	_, err := g.JSON("TASK_DONE")
	var ute *schemas.UnknownTriggerError
	if !errors.As(err, &ute) {
		t.Fatalf("got %v, want *schemas.UnknownTriggerError", err)
	}
	if !strings.Contains(err.Error(), "did you mean TASK_COMPLETED?") {
		t.Errorf("error lacks the suggestion: %v", err)
	}
	if _, err := g.Payload("NOPE"); !errors.As(err, &ute) {
		t.Errorf("Payload: got %v", err)
	}
}

// WithProfile reads a name as ParseProfile does; an unknown one is not
// quietly the default: every payload is its error, naming the name and the
// valid ones.
func TestWithProfile(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Profile
		want Profile // "": refused
	}{
		{"a constant", Minimal, Minimal},
		{"another case", "Minimal", Minimal},
		{"empty is the default", "", DefaultProfile},
		{"unknown", "bogus", ""},
		{"near miss", "maximum", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := New(1, WithProfile(tc.in))
			b, jsonErr := g.JSON("APPOINTMENT_CREATED")
			_, appendErr := g.AppendJSON(nil, "APPOINTMENT_CREATED")
			_, payloadErr := g.Payload("APPOINTMENT_CREATED")
			if tc.want != "" {
				want, _ := New(1, WithProfile(tc.want)).JSON("APPOINTMENT_CREATED")
				if jsonErr != nil || appendErr != nil || payloadErr != nil || g.Profile() != tc.want || !bytes.Equal(b, want) {
					t.Fatalf("profile %q, errors %v %v %v; want %s's payload", g.Profile(), jsonErr, appendErr, payloadErr, tc.want)
				}
				return
			}
			for name, err := range map[string]error{"JSON": jsonErr, "AppendJSON": appendErr, "Payload": payloadErr} {
				var upe *UnknownProfileError
				if !errors.As(err, &upe) || upe.Name != string(tc.in) {
					t.Errorf("%s: %v, want an *UnknownProfileError for %q", name, err, tc.in)
					continue
				}
				for _, w := range []string{fmt.Sprintf("%q", tc.in), "[realistic minimal maximal edge]"} {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%s: error %q does not name %s", name, err, w)
					}
				}
			}
		})
	}
}

// WithWorkingStatus takes the two names of the working state; "" is the
// default; another name is not quietly the default: every payload is its
// error, naming the name and the valid ones.
func TestWithWorkingStatus(t *testing.T) {
	const trigger = "TASK_STATUS_MOVEMENT"
	for _, tc := range []struct {
		name, in string
		want     string // the working state payloads use; "": refused
		near     string // the suggestion the refusal makes
	}{
		{"in progress", "IN_PROGRESS", "IN_PROGRESS", ""},
		{"working", "WORKING", "WORKING", ""},
		{"empty is the default", "", DefaultWorkingStatus, ""},
		{"lower case", "working", "", "WORKING"},
		{"misspelt", "IN_PROGRES", "", "IN_PROGRESS"},
		{"unrelated", "ON_HOLD", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := New(1, WithWorkingStatus(tc.in))
			b, jsonErr := g.JSON(trigger)
			_, appendErr := g.AppendJSON(nil, trigger)
			_, payloadErr := g.Payload(trigger)
			if tc.want != "" {
				if jsonErr != nil || appendErr != nil || payloadErr != nil || g.working != tc.want {
					t.Fatalf("working %q, errors %v %v %v; want %s", g.working, jsonErr, appendErr, payloadErr, tc.want)
				}
				if other := map[string]string{"IN_PROGRESS": "WORKING", "WORKING": "IN_PROGRESS"}[tc.want]; bytes.Contains(b, []byte(`"`+other+`"`)) {
					t.Errorf("payload names the working state %s, want %s: %s", other, tc.want, b)
				}
				return
			}
			for name, err := range map[string]error{"JSON": jsonErr, "AppendJSON": appendErr, "Payload": payloadErr} {
				var we *UnknownWorkingStatusError
				if !errors.As(err, &we) || we.Name != tc.in {
					t.Errorf("%s: %v, want an *UnknownWorkingStatusError for %q", name, err, tc.in)
					continue
				}
				want := fmt.Sprintf("working status %q isn't one of [IN_PROGRESS WORKING]", tc.in)
				if tc.near != "" {
					want += "; did you mean " + tc.near + "?"
				}
				if err.Error() != want {
					t.Errorf("%s: error %q, want %q", name, err, want)
				}
			}
		})
	}
}

func TestParseProfile(t *testing.T) {
	tests := []struct {
		name, in string
		want     Profile
		err      string
	}{
		{"exact", "realistic", Realistic, ""},
		{"case and space", " Maximal ", Maximal, ""},
		{"edge", "edge", Edge, ""},
		{"typo", "maximum", "", `profile "maximum" isn't one of [realistic minimal maximal edge]; did you mean maximal?`},
		{"no suggestion", "zzzzzzzzzzzz", "", `profile "zzzzzzzzzzzz" isn't one of [realistic minimal maximal edge]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseProfile(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	}
	if len(Profiles()) != 4 || Profiles()[0] != DefaultProfile {
		t.Errorf("Profiles() = %v", Profiles())
	}
}

func TestGolden(t *testing.T) {
	dir := filepath.Join("testdata", "golden")
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range Profiles() {
		for _, key := range schemas.TriggerKeys() {
			name := fmt.Sprintf("%s.%s.json", key, p)
			t.Run(name, func(t *testing.T) {
				b, err := New(DefaultSeed, WithProfile(p)).JSON(key)
				if err != nil {
					t.Fatal(err)
				}
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, b, "", "  "); err != nil {
					t.Fatal(err)
				}
				pretty.WriteByte('\n')
				path := filepath.Join(dir, name)
				if *update {
					if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./generator -update to create it)", err)
				}
				if !bytes.Equal(pretty.Bytes(), want) {
					t.Errorf("output differs from %s (run go test ./generator -update if the change is intended):\n%s", path, pretty.Bytes())
				}
			})
		}
	}
}

// Reproducers name (trigger, seed): a user sending each trigger once with the
// default seed must not get the same eventId for all of them, or an
// idempotent receiver would drop every trigger after the first.
func TestFirstPayloadsOfTriggersDiffer(t *testing.T) {
	seen := map[int64]string{}
	for _, key := range schemas.TriggerKeys() {
		p, err := New(DefaultSeed).Payload(key)
		if err != nil {
			t.Fatal(err)
		}
		if other, dup := seen[p.Event.EventID]; dup {
			t.Errorf("New(%d) gives %s and %s the same eventId %d", DefaultSeed, other, key, p.Event.EventID)
		}
		seen[p.Event.EventID] = key
	}
}

// Coperniq sends record only "when the trigger is associated with a Project,
// Request, or Account". The minimal profile leaves it out wherever this
// project assumes it may be absent, the edge profile sometimes, and the
// payloads stay valid at both levels with event.recordId still present.
func TestPayloadsWithoutRecord(t *testing.T) {
	for _, tr := range schemas.Triggers() {
		for _, profile := range []Profile{Minimal, Edge, Realistic} {
			without := 0
			for seed := uint64(1); seed <= 50; seed++ {
				b, err := New(seed, WithProfile(profile)).JSON(tr.Key)
				if err != nil {
					t.Fatal(err)
				}
				var doc map[string]map[string]any
				if err := json.Unmarshal(b, &doc); err != nil {
					t.Fatal(err)
				}
				if _, ok := doc["record"]; ok {
					continue
				}
				without++
				if id, _ := doc["event"]["recordId"].(float64); id < 1 {
					t.Fatalf("%s %s seed %d: event.recordId %v without record", tr.Key, profile, seed, doc["event"]["recordId"])
				}
				if a, ok := doc["event"]["appointmentId"]; ok && a != doc["event"]["recordId"] {
					t.Errorf("%s %s seed %d: recordId %v isn't the appointment's id %v", tr.Key, profile, seed, doc["event"]["recordId"], a)
				}
				for _, level := range schemas.Levels() {
					if profile == Edge && level == schemas.Strict {
						continue
					}
					if r, err := schemas.Validate(b, level); err != nil || !r.Valid() {
						t.Fatalf("%s %s seed %d at %s: %v %v\n%s", tr.Key, profile, seed, level, err, r.Violations, b)
					}
				}
			}
			switch {
			case !tr.RecordOptional || profile == Realistic:
				if without != 0 {
					t.Errorf("%s %s: %d of 50 payloads lack a record", tr.Key, profile, without)
				}
			case profile == Minimal && without != 50, profile == Edge && (without == 0 || without == 50):
				t.Errorf("%s %s: %d of 50 payloads lack a record", tr.Key, profile, without)
			}
		}
	}
}
