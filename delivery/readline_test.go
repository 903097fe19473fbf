package delivery_test

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

func TestReadJSONLine(t *testing.T) {
	long := strings.Repeat("x", 100) // longer than the 16-byte buffer below
	cases := []struct {
		name, in string
		limit    int
		want     []string // lines in order, then the error of the last read
		last     error
	}{
		{name: "lines keep their newline", in: "{}\n[1]\n", limit: 10, want: []string{"{}\n", "[1]\n"}, last: io.EOF},
		{name: "last line without newline comes with EOF", in: "{}\n[1]", limit: 10, want: []string{"{}\n"}, last: io.EOF},
		{name: "CRLF counts toward the limit", in: "1234\r\n", limit: 5, last: delivery.ErrLongLine},
		{name: "a line at the limit is read", in: "1234\n", limit: 5, want: []string{"1234\n"}, last: io.EOF},
		{name: "a line longer than the buffer is read whole", in: long + "\n", limit: 200, want: []string{long + "\n"}, last: io.EOF},
		{name: "a line over the limit is refused", in: long + "\n", limit: 50, last: delivery.ErrLongLine},
		{name: "empty input", in: "", limit: 10, last: io.EOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(c.in), 16)
			var got []string
			for {
				line, err := delivery.ReadJSONLine(br, c.limit)
				if err == nil {
					got = append(got, string(line))
					continue
				}
				if errors.Is(err, io.EOF) && len(line) > 0 {
					if c.last != io.EOF || !strings.HasSuffix(c.in, string(line)) || strings.HasSuffix(string(line), "\n") {
						t.Fatalf("last line %q with EOF", line)
					}
				}
				if !errors.Is(err, c.last) {
					t.Fatalf("error %v, want %v", err, c.last)
				}
				break
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Fatalf("lines %q, want %q", got, c.want)
			}
		})
	}
}
