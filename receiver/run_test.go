package receiver_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/receiver"
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
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, tc := range []struct {
		name  string
		s     receiver.Session
		field string
	}{
		{"address taken", receiver.Session{Addr: taken.Addr().String()}, "addr"},
		{"out in a missing folder", receiver.Session{Addr: "127.0.0.1:0", Out: filepath.Join(t.TempDir(), "no", "such.jsonl")}, "out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := receiver.Run(context.Background(), &bytes.Buffer{}, tc.s)
			var se *receiver.SessionError
			if !errors.As(err, &se) || se.Field != tc.field {
				t.Fatalf("err %v: want a SessionError on %s", err, tc.field)
			}
		})
	}
}
