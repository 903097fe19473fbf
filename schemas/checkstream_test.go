package schemas

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestCheckStream(t *testing.T) {
	doc := documentedBytes(t)
	var compact bytes.Buffer
	if err := json.Compact(&compact, doc); err != nil {
		t.Fatal(err)
	}
	one := compact.String()
	input := strings.Join([]string{
		one,                               // line 1: a payload
		"[" + one + `,{"event":{}}]`,      // line 2: an array of two
		`{"seq":1,"payload":` + one + `}`, // line 3: a capture line
		`{"seq":2,"unreadable":"line 1, column 1: not JSON"}`, // line 4: a capture of a non-JSON body
		`{"event": nope}`, // line 5: not JSON
	}, "\n")
	var got []Checked
	tally := Tally{Level: Contract.String()}
	if err := CheckStream(strings.NewReader(input), "in.ndjson", Contract, func(c Checked) {
		got = append(got, c)
		tally.Add(c)
	}); err != nil {
		t.Fatal(err)
	}
	type want struct {
		line   int
		index  int // -1: none
		valid  bool
		unread string
	}
	wants := []want{{1, -1, true, ""}, {2, 0, true, ""}, {2, 1, false, ""}, {3, -1, true, ""}, {4, -1, false, "captured body: line 1, column 1"}, {5, -1, false, "line 5, column"}}
	if len(got) != len(wants) {
		t.Fatalf("%d verdicts, want %d: %+v", len(got), len(wants), got)
	}
	for i, w := range wants {
		g := got[i]
		idx := -1
		if g.Index != nil {
			idx = *g.Index
		}
		if g.Source != "in.ndjson" || g.Line != w.line || idx != w.index || g.Valid != w.valid || !strings.HasPrefix(g.Unreadable, w.unread) || (w.unread == "") != (g.Unreadable == "") {
			t.Errorf("verdict %d: %+v, want %+v", i, g, w)
		}
	}
	if tally.String() != "6 payloads: 3 valid, 1 invalid, 2 unreadable, "+Plural(tally.Warnings, "warning")+" (contract level)" {
		t.Errorf("tally: %s", tally)
	}

	var text bytes.Buffer
	got[2].WriteText(&text, true)
	got[0].WriteText(&text, true) // fine: quiet leaves it out
	if s := text.String(); !strings.HasPrefix(s, "in.ndjson:2[1]: invalid (no triggerKey)\n  ") || strings.Contains(s, "in.ndjson:1") {
		t.Errorf("text:\n%s", s)
	}

	var out bytes.Buffer
	w := bufio.NewWriter(&out)
	js := &JSONResults{W: w}
	for _, c := range got {
		js.Add(c)
	}
	if err := js.Close(tally); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	var parsed struct {
		Results []Checked `json:"results"`
		Tally
	}
	if err := json.Unmarshal(out.Bytes(), &parsed); err != nil || len(parsed.Results) != 6 || parsed.Payloads != 6 || parsed.Unreadable != 2 {
		t.Errorf("-o json (%v):\n%s", err, out.String())
	}
	var empty bytes.Buffer
	w = bufio.NewWriter(&empty)
	if err := (&JSONResults{W: w}).Close(Tally{Level: "strict"}); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if err := json.Unmarshal(empty.Bytes(), &parsed); err != nil || len(parsed.Results) != 0 {
		t.Errorf("no results (%v):\n%s", err, empty.String())
	}
}

// TestUnreadableColumnIsTheStreams: a syntax error is placed at the column
// of the stream, not of the value, when the value does not start a line.
func TestUnreadableColumnIsTheStreams(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"after a value on its line", "{\"a\":1} x\n", "line 1, column 9"},
		{"indented", "{\"a\":1}\n\n   {\"b\": x}\n", "line 3, column 10"},
		{"after a multi-byte character", "{\"é\":1} {\"b\": x}\n", "line 1, column 15"},
		{"second line of an indented value", "  {\"a\":\n x}\n", "line 2, column 2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			err := CheckStream(strings.NewReader(c.in), "t", Contract, func(ch Checked) {
				if ch.Unreadable != "" {
					got = append(got, ch.Unreadable)
				}
			})
			if err != nil || len(got) != 1 || !strings.HasPrefix(got[0], c.want) {
				t.Errorf("unreadable %q (err %v), want one starting %q", got, err, c.want)
			}
		})
	}
}

func TestWriteResults(t *testing.T) {
	doc := documentedBytes(t)
	files := map[string]string{"good": string(doc), "bad": "{oops\n"}
	open := func(name string) (io.Reader, func() error, error) {
		s, ok := files[name]
		if !ok {
			return nil, nil, errors.New("no such input " + name)
		}
		return strings.NewReader(s), func() error { return nil }, nil
	}
	v, err := NewValidator(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		rs     Results
		inputs []string
		has    string // in the output
		hasnt  string // not in it
		errHas string
		tally  Tally
	}{
		{"text totals", Results{Open: open}, []string{"good", "bad"}, "2 payloads: 1 valid, 0 invalid, 1 unreadable", "", "", Tally{Payloads: 2, Valid: 1, Unreadable: 1}},
		{"quiet leaves out the valid one", Results{Open: open, Quiet: true}, []string{"good"}, "1 payload: 1 valid", "good:1: ok", "", Tally{Payloads: 1, Valid: 1}},
		{"json", Results{Open: open, JSON: true}, []string{"good"}, `"results": [`, "", "", Tally{Payloads: 1, Valid: 1}},
		{"an input that cannot be opened stops the run", Results{Open: open}, []string{"good", "missing"}, "good:1: ok", "", "no such input missing", Tally{Payloads: 1, Valid: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			got, err := v.WriteResults(&out, tc.rs, tc.inputs...)
			if tc.errHas == "" && err != nil || tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)) {
				t.Fatalf("err %v, want %q", err, tc.errHas)
			}
			got.Level, tc.tally.Level = "", ""
			if got != tc.tally || !strings.Contains(out.String(), tc.has) || tc.hasnt != "" && strings.Contains(out.String(), tc.hasnt) {
				t.Errorf("tally %+v, want %+v; output:\n%s", got, tc.tally, out.String())
			}
		})
	}
}

// TestCheckStreamResyncsAfterACutLine: a line cut short does not swallow
// the whole payloads after it: reading resumes at the next line that starts
// a value, so every later line is judged, and the cut one counts once.
func TestCheckStreamResyncsAfterACutLine(t *testing.T) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, documentedBytes(t)); err != nil {
		t.Fatal(err)
	}
	good := compact.String()
	// bad is whole JSON but not a valid payload: judged, invalid.
	bad := `{"event": {"eventId": 1, "triggerKey": "PROJECT_CREATED"}}`
	cut := func(at string) string { return good[:strings.Index(good, at)+len(at)] }
	type verdict struct {
		line int
		kind string // ok, invalid, unreadable
	}
	for _, c := range []struct {
		name  string
		lines []string
		eol   string
		want  []verdict
	}{
		{"cut after a comma, then an invalid payload (trial mixed.ndjson)",
			[]string{good, `{"event": {"eventId": 1,`, bad, "", "   ", good},
			"\n", []verdict{{1, "ok"}, {2, "unreadable"}, {3, "invalid"}, {6, "ok"}}},
		{"cut after a comma, then two payloads (trial trunc3.ndjson)",
			[]string{good[:strings.Index(good, "},")+2], good, good},
			"\n", []verdict{{1, "unreadable"}, {2, "ok"}, {3, "ok"}}},
		{"cut after a colon", []string{cut(`"event":`), good, good},
			"\n", []verdict{{1, "unreadable"}, {2, "ok"}, {3, "ok"}}},
		{"cut after an opening brace", []string{cut(`"event":{`), good},
			"\n", []verdict{{1, "unreadable"}, {2, "ok"}}},
		{"cut inside an array", []string{`[` + good + `,`, good, good},
			"\n", []verdict{{1, "unreadable"}, {2, "ok"}, {3, "ok"}}},
		{"cut after a colon, last payload", []string{cut(`"event":`), good},
			"\n", []verdict{{1, "unreadable"}, {2, "ok"}}},
		{"two cut lines in a row", []string{`{"event": {"eventId": 1,`, `{"event": {`, good},
			"\n", []verdict{{1, "unreadable"}, {2, "unreadable"}, {3, "ok"}}},
		{"CRLF", []string{`{"event": {"eventId": 1,`, bad, good},
			"\r\n", []verdict{{1, "unreadable"}, {2, "invalid"}, {3, "ok"}}},
		{"cut last line", []string{good, good, cut(`"event":`)},
			"\n", []verdict{{1, "ok"}, {2, "ok"}, {3, "unreadable"}}},
		{"junk then a payload", []string{`[[[`, good},
			"\n", []verdict{{1, "unreadable"}, {2, "ok"}}},
		{"pretty-printed, broken inside: one verdict", []string{"{", `"event": {`, `"eventId": 1 "recordId": 2`, "}", "}"},
			"\n", []verdict{{1, "unreadable"}}},
		// json.dumps(indent=0) writes an empty object or array as a line of
		// its own, which is JSON alone but no payload: it does not split the
		// payload around it.
		{"indent=0, broken, with {} and [] lines inside: one verdict", []string{"{", `"event": {`,
			`"triggerKey": "PROJECT_CREATED"`, `"eventId": 1`, "},", `"record": {`, `"custom": [`, "{", `"k": 1`, "},", "{}", "],", `"tags":`, "[]", "}", "}"},
			"\n", []verdict{{1, "unreadable"}}},
		{"cut after a colon, then a payload array and a capture line", []string{cut(`"event":`), "[" + good + "," + good + "]",
			`{"seq":1,"payload":` + good + "}"},
			"\n", []verdict{{1, "unreadable"}, {2, "ok"}, {2, "ok"}, {3, "ok"}}},
		{"cut inside an array, then a payload with no triggerKey", []string{`[` + good + `,`, `{"event": {}}`, good},
			"\n", []verdict{{1, "unreadable"}, {2, "invalid"}, {3, "ok"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []verdict
			var msgs []string
			err := CheckStream(strings.NewReader(strings.Join(c.lines, c.eol)), "t", Contract, func(ch Checked) {
				kind := "invalid"
				switch {
				case ch.Unreadable != "":
					kind = "unreadable"
					msgs = append(msgs, ch.Unreadable)
				case ch.Valid:
					kind = "ok"
				}
				got = append(got, verdict{ch.Line, kind})
			})
			if err != nil || fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("verdicts %v (err %v), want %v; unreadable: %q", got, err, c.want, msgs)
			}
		})
	}
}

// FuzzCheckStreamKeepsWholeLines: in NDJSON with lines cut short or junk
// among them, every whole payload on its own line is judged at its line.
func FuzzCheckStreamKeepsWholeLines(f *testing.F) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, documentedBytes(f)); err != nil {
		f.Fatal(err)
	}
	good := compact.String()
	f.Add([]byte{0, 25, 0, 3}, false)
	f.Add([]byte{0, 200, 1, 0, 2, 7, 0}, true)
	f.Fuzz(func(t *testing.T, plan []byte, crlf bool) {
		// plan: pairs (kind, n): kind%3 == 0 a whole payload, 1 one cut after
		// n bytes, 2 junk; the pairs are read until plan runs out.
		// No junk closes a bracket: `{"a":`, a payload, then `}` is one
		// whole value, rightly judged as such.
		junk := []string{"not json", "[[[", "{{", ",", `"x`, "{\"a\":", "[1,", "{\"a\":1,", ""}
		var lines []string
		wantOK := map[int]bool{}
		for i := 0; i+1 < len(plan) && len(lines) < 40; i += 2 {
			switch plan[i] % 3 {
			case 0:
				lines = append(lines, good)
				wantOK[len(lines)] = true
			case 1:
				n := int(plan[i+1]) * len(good) / 256
				lines = append(lines, good[:n])
			default:
				lines = append(lines, junk[int(plan[i+1])%len(junk)])
			}
		}
		eol := "\n"
		if crlf {
			eol = "\r\n"
		}
		in := strings.Join(lines, eol)
		okAt := map[int]bool{}
		err := CheckStream(strings.NewReader(in), "t", Contract, func(ch Checked) {
			if ch.Valid && ch.Index == nil {
				okAt[ch.Line] = true
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		for l := range wantOK {
			if !okAt[l] {
				t.Errorf("line %d, a whole payload, not judged ok; input:\n%s", l, in)
			}
		}
	})
}

// TestResyncReadsTheInputOnce: a value that is not JSON is read again at
// most once after its resync, however many lines in it start the next
// value; the rest was once read again at every such line, recursively,
// which took minutes on a megabyte. The figures still add up: every
// verdict is counted.
func TestResyncReadsTheInputOnce(t *testing.T) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, documentedBytes(t)); err != nil {
		t.Fatal(err)
	}
	good := compact.String()
	for _, c := range []struct {
		name     string
		unit     string
		n        int
		payloads int // verdicts per unit
	}{
		{"unclosed arrays around {} lines", "[\n{}\n,\n", 2000, 0},
		{"unclosed arrays around payload lines", "[\n" + good + "\n,\n", 300, 3},
		{"lines cut after a colon before payload lines", `{"event":` + "\n" + good + "\n", 500, 2},
		{"unclosed objects' members around payload lines", `{"a":[` + "\n" + good + "\n,\n", 300, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := strings.Repeat(c.unit, c.n)
			reread := 0
			var tally Tally
			sc := streamCheck{val: defaultValidator, source: "t", level: Contract, fn: tally.Add, reread: &reread}
			if err := ReadStream(strings.NewReader(in), func(d Document) error { sc.document(d); return nil }); err != nil {
				t.Fatal(err)
			}
			if reread > len(in) {
				t.Errorf("read %d bytes again for an input of %d", reread, len(in))
			}
			if c.payloads > 0 && tally.Payloads != c.payloads*c.n || tally.Payloads != tally.Valid+tally.Invalid+tally.Unreadable {
				t.Errorf("tally %+v, want %d payloads", tally, c.payloads*c.n)
			}
		})
	}
}

// TestPayloadLine: only a line that holds payloads is taken for the next
// value inside a value that is not JSON.
func TestPayloadLine(t *testing.T) {
	for _, c := range []struct {
		name, line string
		want       bool
	}{
		{"payload", `{"event": {"eventId": 1}, "record": {}}`, true},
		{"payload, CR left", "{\"event\": 1}\r", true},
		{"array of payloads", `[{"event": {}}, {"event": {}}]`, true},
		{"capture line", `{"seq":1,"payload":{"event":{}}}`, true},
		{"capture line of a body not JSON", `{"seq":2,"unreadable":"x"}`, true},
		{"empty object (indent=0)", `{}`, false},
		{"empty array", `[]`, false},
		{"object without event", `{"k": 1}`, false},
		{"event nested only", `{"record": {"event": 1}}`, false},
		{"array with a non-payload", `[{"event": {}}, {}]`, false},
		{"array of strings", `["Roofing"]`, false},
		{"not JSON", `{"event": {},`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := payloadLine([]byte(c.line)); got != c.want {
				t.Errorf("payloadLine(%q) = %v, want %v", c.line, got, c.want)
			}
		})
	}
}
