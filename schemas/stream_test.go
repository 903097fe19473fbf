package schemas

import (
	"bytes"
	"strings"
	"testing"
)

func collect(t *testing.T, in string) []Document {
	t.Helper()
	var docs []Document
	if err := ReadStream(strings.NewReader(in), func(d Document) error {
		docs = append(docs, d)
		return nil
	}); err != nil {
		t.Fatalf("ReadStream: %v", err)
	}
	return docs
}

func TestReadStream(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		lines []int
		raws  []string
	}{
		{"one compact", `{"a":1}`, []int{1}, []string{`{"a":1}`}},
		{"ndjson", "{\"a\":1}\n{\"b\":2}\n", []int{1, 2}, []string{`{"a":1}`, `{"b":2}`}},
		{"blank lines between", "\n\n{\"a\":1}\n\n{\"b\":2}", []int{3, 5}, []string{`{"a":1}`, `{"b":2}`}},
		{"pretty stream", "{\n  \"a\": {\n    \"b\": 1\n  }\n}\n{\n  \"c\": 2\n}\n", []int{1, 6},
			[]string{"{\n  \"a\": {\n    \"b\": 1\n  }\n}", "{\n  \"c\": 2\n}"}},
		{"braces inside strings", "{\"t\":\"}{ \\\" ]\"}\n{\"u\":1}", []int{1, 2}, []string{`{"t":"}{ \" ]"}`, `{"u":1}`}},
		{"unclosed then next", "{\"a\":1\n{\"b\":2}\n", []int{1, 2}, []string{`{"a":1`, `{"b":2}`}},
		{"junk line kept", "{\"a\":1}\nnot json\n{\"b\":2}\n", []int{1, 2, 3}, []string{`{"a":1}`, "not json", `{"b":2}`}},
		{"scalar", "42\n", []int{1}, []string{"42"}},
		{"line cut inside a string", "{\"a\":\"tru\n{\"b\":2}\n{\"c\":3}\n", []int{1, 2, 3}, []string{`{"a":"tru`, `{"b":2}`, `{"c":3}`}},
		{"line cut after a backslash", "{\"a\":\"tru\\\n{\"b\":2}\n", []int{1, 2}, []string{`{"a":"tru\`, `{"b":2}`}},
		{"array with unindented elements", "[{\"a\":1},\n{\"b\":2}]\n{\"c\":3}\n", []int{1, 3}, []string{"[{\"a\":1},\n{\"b\":2}]", `{"c":3}`}},
		{"byte order mark", "\xef\xbb\xbf{\"a\":1}\n", []int{1}, []string{`{"a":1}`}},
		{"crlf", "{\"a\":1}\r\n{\"b\":2}\r\n", []int{1, 2}, []string{`{"a":1}`, `{"b":2}`}},
		{"empty", "", nil, nil},
		{"indent 0", "{\n\"a\": [\n{\n\"b\": 1\n},\n{\n\"c\": 2\n}\n]\n}\n{\n\"d\": 3\n}\n", []int{1, 11},
			[]string{"{\n\"a\": [\n{\n\"b\": 1\n},\n{\n\"c\": 2\n}\n]\n}", "{\n\"d\": 3\n}"}},
		{"indent 0, nested object after a key", "{\n\"a\":\n{\n\"b\": 1\n}\n}\n", []int{1}, []string{"{\n\"a\":\n{\n\"b\": 1\n}\n}"}},
		{"line cut after an object's comma", "{\"a\":{\"b\":1,\n{\"c\":3}\n", []int{1, 2}, []string{`{"a":{"b":1,`, `{"c":3}`}},
		{"line cut after an object's comma, a nested array closed", "{\"a\":[1],\n[2]\n", []int{1, 2}, []string{`{"a":[1],`, `[2]`}},
		{"array's comma, then an element of its own line", "[1,\n[2]]\n", []int{1}, []string{"[1,\n[2]]"}},
		{"object's comma deeper than the kinds kept", strings.Repeat("[", maxKinds) + "{\"a\":1,\n{}\n", []int{1}, []string{strings.Repeat("[", maxKinds) + "{\"a\":1,\n{}"}},
		{"two values on a line", `{"a":1} {"b":2}[3]`, []int{1, 1, 1}, []string{`{"a":1}`, `{"b":2}`, `[3]`}},
		{"junk after a value", "{\"a\":1} trailing junk\n{\"b\":2}", []int{1, 1, 2}, []string{`{"a":1}`, "trailing junk", `{"b":2}`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			docs := collect(t, tc.in)
			if len(docs) != len(tc.lines) {
				var raws []string
				for _, d := range docs {
					raws = append(raws, string(d.Raw))
				}
				t.Fatalf("got %d documents %q, want %d", len(docs), raws, len(tc.lines))
			}
			for i, d := range docs {
				if d.Line != tc.lines[i] || string(d.Raw) != tc.raws[i] {
					t.Errorf("doc %d = line %d %q, want line %d %q", i, d.Line, d.Raw, tc.lines[i], tc.raws[i])
				}
			}
		})
	}
}

// TestReadStreamCap holds the cap per payload: a value over it is reported,
// not kept, and the values after it are read as usual.
func TestReadStreamCap(t *testing.T) {
	big := `{"t":"` + strings.Repeat("x", 100) + `"}`
	in := `{"a":1}` + "\n" + big + "\n" + `{"b":2}` + "\n"
	var docs []Document
	if err := ReadStreamMax(strings.NewReader(in), 50, func(d Document) error {
		docs = append(docs, d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(docs) != 3 || !docs[1].TooLarge || docs[1].Raw != nil || docs[1].Size < int64(len(big)) || docs[1].Line != 2 ||
		docs[0].TooLarge || docs[2].TooLarge || string(docs[2].Raw) != `{"b":2}` || docs[2].Line != 3 {
		t.Fatalf("cap not applied value by value: %+v", docs)
	}
	if err := docs[1].Err(50); err == nil || !strings.Contains(err.Error(), "over the 50-byte cap") {
		t.Errorf("error: %v", err)
	}
}

// TestReadStreamHugeLine reads one payload longer than the old 16 MiB line
// limit, which used to stop the run.
func TestReadStreamHugeLine(t *testing.T) {
	long := `{"t":"` + strings.Repeat("x", 17<<20) + `"}`
	docs := collect(t, long+"\n"+`{"b":2}`)
	if len(docs) != 2 || len(docs[0].Raw) != len(long) || docs[0].TooLarge || docs[1].Line != 2 {
		t.Fatalf("a 17 MiB line not read whole: %d docs", len(docs))
	}
}

func TestReadStreamLongLine(t *testing.T) {
	long := `{"t":"` + strings.Repeat("x", 200<<10) + `"}`
	docs := collect(t, long+"\n"+`{"b":2}`)
	if len(docs) != 2 || len(docs[0].Raw) != len(long) || docs[1].Line != 2 {
		t.Fatalf("long line not kept whole: %d docs", len(docs))
	}
}

// FuzzReadStream checks that the reader never panics and never loses input:
// every non-space byte of the stream appears in exactly one document, in
// order, but in a UTF-16 or UTF-32 stream, which is one Document with Wide
// set, counting every byte.
func FuzzReadStream(f *testing.F) {
	for _, s := range []string{"{\n\"a\": [\n{\n\"b\": 1\n}\n]\n}", `{"a":1} {"b":2}[3] junk`, "{\"x\":\"0123456789\"}\n{}", "\xef\xbb\xbf{}", "{\"a\":1}\n{\"b\":[1,2]}", "{\n \"a\": \"}\"\n}\n", "[[[\n{", "\"\\", "}}}\n{", "\n\n\r\n", "\xff\xfe{\x00}\x00", "{\x00}\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var got []byte
		last := 0
		unbommed := bytes.TrimPrefix(in, []byte("\xef\xbb\xbf"))
		wide := DetectWideEncoding(unbommed) != nil
		err := ReadStream(bytes.NewReader(in), func(d Document) error {
			if wide != (d.Wide != nil) || wide && (d.Raw != nil || d.Size != int64(len(unbommed)) || d.Err(MaxDocumentSize) == nil) {
				t.Fatalf("a stream whose encoding is told as %v: %+v", DetectWideEncoding(unbommed), d)
			}
			if d.Line < last || d.Line < 1 {
				t.Fatalf("line numbers go backwards or start below 1: %d after %d", d.Line, last)
			}
			last = d.Line
			got = append(got, d.Raw...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if wide {
			return
		}
		strip := func(b []byte) []byte {
			var out []byte
			for _, c := range b {
				if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
					out = append(out, c)
				}
			}
			return out
		}
		// A leading byte order mark is the one thing the reader drops.
		if !bytes.Equal(strip(got), strip(bytes.TrimPrefix(in, []byte("\xef\xbb\xbf")))) {
			t.Fatalf("documents lost or changed input:\n in=%q\ngot=%q", in, got)
		}
		// With a small cap, values over it are reported, never kept, and
		// the values around them are read all the same.
		var kept, skipped int64
		if err := ReadStreamMax(bytes.NewReader(in), 8, func(d Document) error {
			switch {
			case d.TooLarge && (d.Raw != nil || d.Size <= 8):
				t.Fatalf("a value over the cap: %+v", d)
			case d.TooLarge:
				skipped += d.Size
			case int64(len(d.Raw)) > 8:
				t.Fatalf("a value of %d bytes kept under a cap of 8", len(d.Raw))
			default:
				kept += int64(len(strip(d.Raw)))
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if total := int64(len(strip(bytes.TrimPrefix(in, []byte("\xef\xbb\xbf"))))); kept > total || (skipped == 0 && kept != total) {
			t.Fatalf("kept %d and skipped %d bytes of %d", kept, skipped, total)
		}
	})
}
