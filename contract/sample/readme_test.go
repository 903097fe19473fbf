package sample_test

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEShowsApply: the README's convergence example is the sample's
// Store.Apply, the one the final-state specs pass.
func TestREADMEShowsApply(t *testing.T) {
	src, err := os.ReadFile("receiver.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	start := strings.Index(s, "func (s *Store) Apply(")
	end := strings.Index(s[start:], "\n}\n")
	if start < 0 || end < 0 {
		t.Fatal("no Store.Apply in receiver.go")
	}
	if fn := s[start : start+end+3]; !strings.Contains(string(readme), fn) {
		t.Errorf("README.md does not show Store.Apply as receiver.go has it:\n%s", fn)
	}
}
