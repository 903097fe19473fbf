package receiver_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/receiver"
)

const captureLine = `{"seq":%d,"time":"2026-01-01T00:00:00Z","path":"/hook","size":2,"eventId":%d,"status":200,"valid":true,"violations":[],"payload":{"event":{"eventId":%d},"n":%d}}`

func line(seq, id, n int) string { return fmt.Sprintf(captureLine, seq, id, id, n) }

func TestReadCapture(t *testing.T) {
	for _, tc := range []struct {
		name       string
		in         string
		payloads   []string
		missing    int
		warnings   int
		notCapture bool
		errHas     string
	}{
		{"retries of an event are replayed once", line(1, 7, 1) + "\n" + line(2, 7, 2) + "\n" + line(3, 8, 3) + "\n",
			[]string{`{"event":{"eventId":7},"n":1}`, `{"event":{"eventId":8},"n":3}`}, 0, 0, false, ""},
		{"a delivery without a body", line(1, 7, 1) + "\n" + `{"seq":2,"time":"2026-01-01T00:00:00Z","path":"/","size":5,"status":400,"valid":false,"unreadable":"not JSON","violations":[]}` + "\n",
			[]string{`{"event":{"eventId":7},"n":1}`}, 1, 0, false, ""},
		{"a last line cut short", line(1, 7, 1) + "\n" + `{"seq":2,"ti`, []string{`{"event":{"eventId":7},"n":1}`}, 0, 1, false, ""},
		{"a bad line inside", line(1, 7, 1) + "\n{oops\n" + line(3, 8, 3) + "\n", nil, 0, 0, false, "line 2"},
		{"empty", "", nil, 0, 0, true, "empty"},
		{"a delivery log", `{"type":"run","version":1}` + "\n", nil, 0, 0, true, "line 1"},
		{"not JSON", "hello\n", nil, 0, 0, true, "line 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := receiver.ReadCapture(strings.NewReader(tc.in))
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) || errors.Is(err, receiver.ErrNotCapture) != tc.notCapture {
					t.Fatalf("err %v; want one with %q (ErrNotCapture %v)", err, tc.errHas, tc.notCapture)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			payloads, missing := c.Payloads()
			var got []string
			for _, p := range payloads {
				got = append(got, string(p))
			}
			if strings.Join(got, " ") != strings.Join(tc.payloads, " ") || missing != tc.missing || len(c.Warnings) != tc.warnings {
				t.Errorf("payloads %q missing %d warnings %q; want %q, %d, %d", got, missing, c.Warnings, tc.payloads, tc.missing, tc.warnings)
			}
		})
	}
}

func TestReadCaptureBoundsALine(t *testing.T) {
	huge := bytes.Repeat([]byte("x"), receiver.MaxCaptureLine+10)
	if _, err := receiver.ReadCapture(bytes.NewReader(huge)); err == nil || !strings.Contains(err.Error(), "MiB") {
		t.Fatalf("err %v; want the line refused for its length", err)
	}
}

func FuzzReadCapture(f *testing.F) {
	f.Add([]byte(line(1, 7, 1) + "\n" + line(2, 7, 2) + "\n"))
	f.Add([]byte(`{"seq":1,"path":"/","status":0}`))
	f.Add([]byte("\n\n{"))
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := receiver.ReadCapture(bytes.NewReader(in))
		if err != nil {
			return
		}
		payloads, missing := c.Payloads()
		if len(payloads)+missing > len(c.Deliveries) {
			t.Fatalf("%d payloads and %d missing from %d deliveries", len(payloads), missing, len(c.Deliveries))
		}
	})
}

// TestCaptureMessagesNotes: what replay leaves out is counted in words that
// agree with the count.
func TestCaptureMessagesNotes(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"one payload not an event", line(1, 7, 1) + "\n", "1 payload is not a Coperniq event ("},
		{"two payloads not events", line(1, 7, 1) + "\n" + line(2, 8, 1) + "\n", "2 payloads are not Coperniq events (e.g. "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := receiver.ReadCapture(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			_, notes := c.Messages()
			if len(notes) != 1 || !strings.HasPrefix(notes[0], tc.want) {
				t.Errorf("notes %q; want one starting %q", notes, tc.want)
			}
		})
	}
}
