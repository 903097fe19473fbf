package schemas_test

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// ExpandTriggers stands "all" for every key, keeps the order given, and
// refuses an unknown name before returning any.
func TestExpandTriggers(t *testing.T) {
	keys, err := schemas.ExpandTriggers([]string{"PROJECT_CREATED", "all"})
	if err != nil || len(keys) != 1+len(schemas.TriggerKeys()) || keys[0] != "PROJECT_CREATED" {
		t.Fatalf("got %v, %v", keys, err)
	}
	if keys, err := schemas.ExpandTriggers([]string{"PROJECT_CREATED", "PROJECT_CREATD"}); err == nil || keys != nil {
		t.Fatalf("a typo: got %v, %v; want an error and no keys", keys, err)
	}
}

// ReadVocabulary reads nothing for "" (the built-in vocabulary) and says
// which file it could not read.
func TestReadVocabulary(t *testing.T) {
	if v, err := schemas.ReadVocabulary(""); v != nil || err != nil {
		t.Fatalf("no file: %v, %v", v, err)
	}
	var pe *fs.PathError
	if _, err := schemas.ReadVocabulary("/nonexistent/vocabulary.yaml"); !errors.As(err, &pe) {
		t.Fatalf("missing file: %v, want an *fs.PathError", err)
	}
}
