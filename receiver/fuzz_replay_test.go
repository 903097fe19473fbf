package receiver_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/receiver"
)

// FuzzReadReplay: a file handed to replay (a delivery log, a capture, or
// anything truncated or garbled) is read into events to re-deliver, or
// refused with an error naming the file; never a panic. Every event has
// a JSON body of at most MaxLogBody bytes, and a replay never holds more
// events than the file has lines.
func FuzzReadReplay(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "replay", "*.jsonl"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "")
		f.Add(b, "acked")
		f.Add(b[:len(b)*2/3], "dead,pending")
		f.Add(bytes.ReplaceAll(b, []byte(`"`), []byte(`'`)), "")
	}
	f.Add([]byte(""), "")
	f.Add([]byte("\x00\x01garbage\n"), "")
	f.Fuzz(func(t *testing.T, in []byte, only string) {
		sel := receiver.ReplayOnly{Written: "dead"}
		if only != "" {
			states, err := delivery.ParseOnly(only)
			if err != nil {
				return
			}
			sel = receiver.ReplayOnly{States: states, Written: only, Given: true}
		}
		r, err := receiver.ReadReplay(bytes.NewReader(in), "run.jsonl", sel)
		if err != nil {
			if !strings.Contains(err.Error(), "run.jsonl") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if len(r.Events) > bytes.Count(in, []byte("\n"))+1 {
			t.Fatalf("%d events from %d lines", len(r.Events), bytes.Count(in, []byte("\n"))+1)
		}
		if len(r.Events) == 0 && r.Nothing == "" {
			t.Fatalf("no event and no word why")
		}
		for _, e := range r.Events {
			if len(e.Body) == 0 || len(e.Body) > delivery.MaxLogBody || !json.Valid(e.Body) && r.Log == nil {
				t.Fatalf("event %d with a body of %d bytes: %.80q", e.EventID, len(e.Body), e.Body)
			}
		}
	})
}
