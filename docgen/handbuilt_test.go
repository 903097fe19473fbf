package docgen_test

import (
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/docgen"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// A vocabulary built in Go keeps the built-in value of each field it
// leaves empty, and one that breaks a rule is refused by name; neither
// panics.
func TestWriteTakesHandBuiltVocabulary(t *testing.T) {
	if err := docgen.Write(t.TempDir(), docgen.WithVocabulary(&schemas.Vocabulary{})); err != nil {
		t.Fatalf("zero vocabulary: %v", err)
	}
	v := schemas.DefaultVocabulary()
	v.SLATypes = []string{"RED"}
	err := docgen.Write(t.TempDir(), docgen.WithVocabulary(v))
	if err == nil || !strings.Contains(err.Error(), "slaTypes needs a warning and a violation threshold") {
		t.Fatalf("one SLA type: err %v, want the slaTypes rule", err)
	}
}
