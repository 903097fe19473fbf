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

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// TestValidateFiles holds issue 11's item 6: validate reads JSON values, not
// lines, from real files of unusual but valid layout.
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
