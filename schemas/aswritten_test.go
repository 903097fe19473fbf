package schemas_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// TestIDRangeMessageNamesTheNumberAsWritten: the message names the id as
// the payload wrote it, not as decoding rounded it (2^53+1 read as a
// float64 is 2^53) or bounded it (1e999999).
func TestIDRangeMessageNamesTheNumberAsWritten(t *testing.T) {
	doc, err := os.ReadFile("testdata/documented-example.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, id, says string }{
		{"2^53+1", "9007199254740993", "event.eventId 9007199254740993 is above"},
		{"huge exponent", "1e999999", "event.eventId 1e999999 is above"},
		{"below one", "-0.0e5", "event.eventId -0.0e5 is below 1"},
		{"long", "1" + strings.Repeat("0", 300), "event.eventId 100000000000000000000000…(301 characters) is above"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := bytes.Replace(doc, []byte(`"eventId": 48291`), []byte(`"eventId": `+c.id), 1)
			if bytes.Equal(p, doc) {
				t.Fatal("the example's eventId was not found")
			}
			r, err := schemas.Validate(p, schemas.Strict)
			if err != nil {
				t.Fatal(err)
			}
			var msgs []string
			for _, v := range r.Violations {
				msgs = append(msgs, v.Message)
			}
			if !strings.Contains(strings.Join(msgs, "\n"), c.says) {
				t.Errorf("no message says %q:\n%s", c.says, strings.Join(msgs, "\n"))
			}
		})
	}
}
