package contract_test

import (
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/contract"
)

// FuzzParseTokenParam: NAME=VALUE splits into a name and a value that give
// the input back, and an error never depends on the value (a secret).
func FuzzParseTokenParam(f *testing.F) {
	for _, s := range []string{"token=s3cret", " token =a=b", "=x", "token=", "s3cret", "", "a=\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, value, err := contract.ParseTokenParam(s)
		if err != nil {
			// The error is the same whatever the secret (the value, or the
			// whole argument without "="), bar its being empty.
			other := "Z"
			if n, v, ok := strings.Cut(s, "="); ok && v != "" {
				other = n + "=Z"
			} else if ok {
				other = s
			}
			if _, _, err2 := contract.ParseTokenParam(other); err2 == nil || err2.Error() != err.Error() {
				t.Fatalf("ParseTokenParam(%q): error %q depends on the secret (%q gives %v)", s, err, other, err2)
			}
			return
		}
		if name == "" || value == "" || strings.TrimSpace(name) != name {
			t.Fatalf("ParseTokenParam(%q) = %q, %q", s, name, value)
		}
		if n, v, _ := strings.Cut(s, "="); strings.TrimSpace(n) != name || v != value {
			t.Fatalf("ParseTokenParam(%q) = %q, %q", s, name, value)
		}
	})
}
