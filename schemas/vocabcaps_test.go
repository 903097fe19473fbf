package schemas

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVocabularyCaps: a vocabulary file of unknown origin is bounded
// before the YAML parser sees it. Before, 100,000 workflow keys (8 MB)
// took the parser 2 minutes and 2 GB before the first error, and 100,000
// phases in one workflow 768 MB.
func TestVocabularyCaps(t *testing.T) {
	var keys strings.Builder
	keys.WriteString("workflows:\n")
	for i := range MaxVocabularyKeys {
		fmt.Fprintf(&keys, "  w%d:\n    - {id: %d, templateId: %d, name: Sales, phaseType: SALES}\n", i, 100000+i, 200000+i)
	}
	for _, tc := range []struct{ name, src, want string }{
		{"keys past the cap", keys.String(), "team.yaml:2001:1: the file has more than 5000 keys (this line passes the cap for a vocabulary file)"},
		{"nested past the cap", "slaTypes: [A]\nphaseTypes: " + strings.Repeat("[", 500_000) + strings.Repeat("]", 500_000) + "\n",
			"team.yaml:2:1: the file nests [ ] and { } more than 100 deep (this line passes the cap for a vocabulary file)"},
		{"over the size cap", "slaTypes: [" + strings.Repeat("A, ", MaxVocabularySize/3) + "B]\n", "team.yaml:1:1: the file is over the 1024 KiB cap for a vocabulary file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseVocabulary("team.yaml", []byte(tc.src))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("ParseVocabulary: %v, want %q", err, tc.want)
			}
		})
	}
	// ReadVocabulary reads no more than the cap of a file past it.
	path := filepath.Join(t.TempDir(), "huge.yaml")
	if err := os.WriteFile(path, []byte(strings.Repeat("#", 4*MaxVocabularySize)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadVocabulary(path); err == nil || !strings.Contains(err.Error(), "over the 1024 KiB cap") {
		t.Fatalf("ReadVocabulary(4 MiB): %v", err)
	}
}

// TestVocabularyLongList: a list of 100,000 names under the caps parses
// (its duplicate check was quadratic: a minute), and a duplicate at its
// end is still found.
func TestVocabularyLongList(t *testing.T) {
	names := make([]string, 100000)
	for i := range names {
		names[i] = fmt.Sprintf("S%06d", i)
	}
	list := "[QUEUED, ASSIGNED, SCHEDULED, WORKING, IN_PROGRESS, WAITING, REVIEW, COMPLETED, CANCELLED, " + strings.Join(names, ", ")
	v, err := ParseVocabulary("team.yaml", []byte("workOrderStatuses: "+list+"]\n"))
	if err != nil || len(v.WorkOrderStatuses) != 100009 {
		t.Fatalf("100,000 statuses: %v", err)
	}
	_, err = ParseVocabulary("team.yaml", []byte("workOrderStatuses: "+list+", S000000]\n"))
	if err == nil || !strings.Contains(err.Error(), "workOrderStatuses lists S000000 twice") {
		t.Fatalf("a duplicate at the end: %v", err)
	}
}

// TestYAMLFlowDepthOver: brackets in quoted scalars and comments do not
// count; brackets past the cap in any layout do.
func TestYAMLFlowDepthOver(t *testing.T) {
	deep := strings.Repeat("[", 4) + strings.Repeat("]", 4)
	for _, tc := range []struct {
		name, src string
		line      int
	}{
		{"flow, at the cap", "a: [[[1]]]\n", 0},
		{"flow, past it", "a: 1\nb: " + deep + "\n", 2},
		{"double-quoted", `a: "[[[[[" ` + "\n", 0},
		{"escaped quote in double quotes", `a: "\"[[[[" ` + "\n", 0},
		{"single-quoted", "a: '[[[[['\n", 0},
		{"single quotes doubled", "a: 'it''s [[[['\n", 0},
		{"apostrophe in a plain scalar", "a: it's\nb: " + deep + "\n", 2},
		{"comment", "a: 1 # [[[[[\n", 0},
		{"hash in a plain scalar", "a: x#[[[[[\n", 1},
		{"closing without opening", "a: ]]]]\nb: [[[1]]]\n", 0},
		{"mappings", "a: {b: {c: {d: 1}}}\n", 0},
		{"mappings past the cap", "a: {b: {c: {d: {e: 1}}}}\n", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := YAMLFlowDepthOver([]byte(tc.src), 3); got != tc.line {
				t.Errorf("YAMLFlowDepthOver(%q, 3) = %d, want %d", tc.src, got, tc.line)
			}
		})
	}
}
