package receiver

import (
	"bytes"
	"io"
	"testing"
)

// Telling a log from a capture reads only the first line and gives every
// byte back to the reader that follows.
func FuzzSniffCapture(f *testing.F) {
	f.Add([]byte(`{"type":"run","version":1}` + "\n" + `{"type":"event"}` + "\n"))
	f.Add([]byte(`{"seq":1,"path":"/","status":200}` + "\n"))
	f.Add([]byte("hello"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, in []byte) {
		r, _, err := SniffCapture(bytes.NewReader(in))
		if err != nil {
			return
		}
		got, _ := io.ReadAll(r)
		if !bytes.Equal(got, in) {
			t.Fatalf("read back %q, want %q", got, in)
		}
	})
}

func TestSniffCapture(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		capture  bool
	}{
		{"delivery log", `{"type":"run","version":1}` + "\n", false},
		{"capture", `{"seq":1,"path":"/","status":200}` + "\n", true},
		{"neither", "hello", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, capture, err := SniffCapture(bytes.NewReader([]byte(tc.in)))
			if err != nil || capture != tc.capture {
				t.Errorf("capture %v, err %v; want %v", capture, err, tc.capture)
			}
		})
	}
}
