package contract_test

import (
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/contract"
)

// FuzzParseTokenParam: NAME=VALUE splits into a name and a value that give
// the input back, and an error never echoes the value (a secret).
func FuzzParseTokenParam(f *testing.F) {
	for _, s := range []string{"token=s3cret", " token =a=b", "=x", "token=", "s3cret", "", "a=\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, value, err := contract.ParseTokenParam(s)
		if err != nil {
			_, secret, _ := strings.Cut(s, "=")
			if len(secret) >= 4 && strings.Contains(err.Error(), secret) {
				t.Fatalf("ParseTokenParam(%q): error %q echoes the secret", s, err)
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
