package api_test

import (
	"os"
	"strings"
	"testing"
)

// The README's Go block under "In Go: `api.NewServer`" is
// ExampleHandler_Transport, which runs: each of its paragraphs that holds
// code is in the example as written (paragraphs of comments only stand for
// the example's receiver and output).
func TestREADMEShowsTheTransportExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	i := strings.Index(section, "### In Go: `api.NewServer`")
	if i < 0 {
		t.Fatal("README.md has no section \"In Go: `api.NewServer`\"")
	}
	section = section[i:]
	start := strings.Index(section, "```go\n")
	end := strings.Index(section, "\n```\n")
	if start < 0 || end < start {
		t.Fatal("the README's section \"In Go: `api.NewServer`\" has no go block")
	}
	example := string(src)
	i = strings.Index(example, "func ExampleHandler_Transport() {\n")
	if i < 0 {
		t.Fatal("example_test.go has no ExampleHandler_Transport")
	}
	example = example[i : i+strings.Index(example[i:], "\n}\n")]
	code := 0
	for _, para := range strings.Split(section[start+len("```go\n"):end], "\n\n") {
		lines := strings.Split(para, "\n")
		commentsOnly := true
		for k, l := range lines {
			commentsOnly = commentsOnly && strings.HasPrefix(l, "//")
			lines[k] = "\t" + l
		}
		if commentsOnly {
			continue
		}
		code++
		if !strings.Contains(example, strings.Join(lines, "\n")+"\n") {
			t.Errorf("ExampleHandler_Transport does not have this paragraph of the README as written (copy it there, or from there):\n%s", para)
		}
	}
	if code < 2 {
		t.Errorf("the README's go block has %d paragraphs of code, want the API's start and the delivery", code)
	}
}
