package docgen

import (
	"slices"
	"strings"
	"testing"
)

// FuzzParseFormats: --format parses to known formats in Formats order,
// each once, or to an error that echoes the input and lists the formats.
func FuzzParseFormats(f *testing.F) {
	for _, s := range []string{"markdown,html", " HTML , markdown,html", "", ",", "pdf", "markdwn", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fs, err := ParseFormats(s)
		if err != nil {
			if !strings.Contains(err.Error(), "markdown") {
				t.Fatalf("ParseFormats(%q): %q does not list the formats", s, err)
			}
			return
		}
		if len(fs) == 0 || !slices.IsSortedFunc(fs, func(a, b Format) int {
			return slices.Index(Formats(), a) - slices.Index(Formats(), b)
		}) || len(slices.Compact(slices.Clone(fs))) != len(fs) {
			t.Fatalf("ParseFormats(%q) = %v", s, fs)
		}
		for _, x := range fs {
			if !slices.Contains(Formats(), x) {
				t.Fatalf("ParseFormats(%q) = %v", s, fs)
			}
		}
	})
}
