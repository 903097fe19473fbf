package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// TestValidateFiles: validate reads JSON values, not lines, from real files
// of unusual but valid layout, as editors and other tools write them.
func TestValidateFiles(t *testing.T) {
	example := documentedExample(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("a payload over 16 MiB on one line, then another", func(t *testing.T) {
		huge := strings.Replace(compact(t, example), `"title":`, `"x-notes":"`+strings.Repeat("n", 17<<20)+`","title":`, 1)
		if len(huge) < 17<<20 {
			t.Fatal("the example has no title to pad before")
		}
		file := write("huge.ndjson", []byte(huge+"\n"+compact(t, example)+"\n"))
		r := cli(t, "", "validate", file).want(t, 0)
		if !strings.Contains(r.stdout, "2 payloads: 2 valid") {
			t.Errorf("the payloads around a 17 MiB line:\n%.2000s", r.stdout)
		}
	})

	t.Run("30 MB pretty-printed array is one document of payloads", func(t *testing.T) {
		var v any
		if err := json.Unmarshal(example, &v); err != nil {
			t.Fatal(err)
		}
		n := 30<<20/len(example) + 1
		arr := make([]any, n)
		for i := range arr {
			arr[i] = v
		}
		pretty, err := json.MarshalIndent(arr, "", "    ")
		if err != nil {
			t.Fatal(err)
		}
		file := write("pretty.json", pretty)
		r := cli(t, "", "validate", "--quiet", file).want(t, 0)
		if want := schemas.Plural(n, "payload") + ": " + itoa(n) + " valid"; !strings.Contains(r.stdout, want) {
			t.Errorf("want %q in:\n%.2000s", want, r.stdout)
		}
	})

	t.Run("python json.dumps indent=0", func(t *testing.T) {
		src := write("example.json", example)
		py := `import json,sys
d=json.load(open(sys.argv[1]))
d["record"]["x-list"]=[{"a":1},{"b":[{"c":2}]}]
for _ in range(3): print(json.dumps(d, indent=0))`
		out, err := exec.Command("python3", "-c", py, src).Output()
		if err != nil {
			t.Skipf("python3: %v", err)
		}
		file := write("indent0.json", out)
		r := cli(t, "", "validate", file).want(t, 0)
		if !strings.Contains(r.stdout, "3 payloads: 3 valid, 0 invalid, 0 unreadable") {
			t.Errorf("indent=0 documents split wrongly:\n%s", r.stdout)
		}
	})

	t.Run("byte order mark and CRLF", func(t *testing.T) {
		file := write("bom.json", []byte("\xef\xbb\xbf"+strings.ReplaceAll(string(example), "\n", "\r\n")))
		cli(t, "", "validate", file).want(t, 0)
	})
}

// TestValidateJSONStreams holds the other half of item 6: -o json writes
// each result as it comes, before the input ends, so that memory does not
// grow with the input.
func TestValidateJSONStreams(t *testing.T) {
	line := compact(t, documentedExample(t)) + "\n"
	cmd := exec.Command(binary, "validate", "-o", "json", "-")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := startPiped(t, cmd)
	// Enough payloads that their results fill the output buffer.
	for range 200 {
		if _, err := stdin.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	got := make(chan string, 1)
	go func() {
		br := bufio.NewReader(stdout)
		var b bytes.Buffer
		for b.Len() < 2000 {
			l, err := br.ReadString('\n')
			b.WriteString(l)
			if err != nil {
				break
			}
		}
		got <- b.String()
	}()
	select {
	case out := <-got:
		if !strings.Contains(out, `"results": [`) || !strings.Contains(out, `"valid":true`) {
			t.Errorf("first results: %.500s", out)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no result before the input ended: -o json holds every result until the end")
	}
	stdin.Close()
	_, _ = io.Copy(io.Discard, stdout)
	_ = cmd.Wait()
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// A payload file saved as UTF-16 or UTF-32 (PowerShell's `>`, Notepad's
// "Unicode") is one unreadable payload that says what it is and how to
// convert it: before, the UTF-16 file read as two payloads, each "invalid
// character 'ÿ'" or '\x00'. UTF-8 with its byte order mark stays valid.
func TestValidateWideEncodings(t *testing.T) {
	example := []byte(compact(t, documentedExample(t)) + "\n")
	toUTF16 := func(bigEndian bool, bom []byte) []byte {
		out := append([]byte(nil), bom...)
		for _, u := range utf16.Encode([]rune(string(example))) {
			if bigEndian {
				out = append(out, byte(u>>8), byte(u))
			} else {
				out = append(out, byte(u), byte(u>>8))
			}
		}
		return out
	}
	toUTF32LE := func(bom []byte) []byte {
		out := append([]byte(nil), bom...)
		for _, r := range string(example) {
			out = append(out, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
		}
		return out
	}
	for _, c := range []struct {
		name  string
		data  []byte
		wants []string // in stdout; none: the payload is valid
	}{
		{"UTF-16LE with its byte order mark", toUTF16(false, []byte{0xFF, 0xFE}), []string{"UTF-16LE text, not UTF-8 (it starts with the byte order mark FF FE)", "iconv -f UTF-16 -t UTF-8"}},
		{"UTF-16BE with its byte order mark", toUTF16(true, []byte{0xFE, 0xFF}), []string{"UTF-16BE text", "byte order mark FE FF", "iconv -f UTF-16 -t UTF-8"}},
		{"UTF-16LE without a byte order mark", toUTF16(false, nil), []string{"UTF-16LE text, not UTF-8 (its first bytes hold NULs)", "iconv -f UTF-16LE -t UTF-8"}},
		{"UTF-32LE with its byte order mark", toUTF32LE([]byte{0xFF, 0xFE, 0, 0}), []string{"UTF-32LE text", "iconv -f UTF-32 -t UTF-8"}},
		{"UTF-8 with its byte order mark", append([]byte{0xEF, 0xBB, 0xBF}, example...), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "payload.json")
			if err := os.WriteFile(file, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			if c.wants == nil {
				r := cli(t, "", "validate", file).want(t, 0)
				has(t, "validate", r.stdout, "1 payload: 1 valid")
				return
			}
			r := cli(t, "", "validate", file).want(t, 2)
			has(t, "validate", r.stdout, append(c.wants, file+":1: unreadable: ", "1 payload: 0 valid, 0 invalid, 1 unreadable")...)
			hasNot(t, "validate", r.stdout, "invalid character")
			r = cli(t, string(c.data), "validate", "-").want(t, 2)
			has(t, "validate -", r.stdout, append(c.wants, "1 payload: 0 valid, 0 invalid, 1 unreadable")...)
		})
	}
}
