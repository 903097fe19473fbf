package receiver_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

func TestRunPrintsAddressAndSummary(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // stops at once: the address lines and an empty summary
	var out bytes.Buffer
	if err := receiver.Run(ctx, &out, receiver.Session{Addr: "127.0.0.1:0", JSON: true}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if !strings.Contains(lines[0], "http://127.0.0.1:") {
		t.Errorf("first line %q: want the address", lines[0])
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, `{"summary":`) {
		t.Errorf("last line %q: want the JSON summary", last)
	}
}

func TestRunSessionErrors(t *testing.T) {
	running, err := receiver.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer running.Close()
	for _, tc := range []struct {
		name  string
		s     receiver.Session
		field string
	}{
		{"address taken", receiver.Session{Addr: running.Addr}, "Addr"},
		{"out in a missing folder", receiver.Session{Addr: "127.0.0.1:0", Out: filepath.Join(t.TempDir(), "no", "such.jsonl")}, "Out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := receiver.Run(context.Background(), &bytes.Buffer{}, tc.s)
			var fe *schemas.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("err %v: want a FieldError on %s", err, tc.field)
			}
		})
	}
}
