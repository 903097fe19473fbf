package schemas

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

func TestWriteResults(t *testing.T) {
	doc, err := os.ReadFile("testdata/documented-example.json")
	if err != nil {
		t.Fatal(err)
	}
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
