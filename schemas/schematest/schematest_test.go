package schematest_test

import (
	"reflect"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas/schematest"
)

// A clone is equal to its original, and breaking it at any depth leaves the
// original as it was.
func TestClone(t *testing.T) {
	doc := func() map[string]any {
		return map[string]any{
			"event":  map[string]any{"eventId": 1.0, "previousStatus": nil},
			"trades": []any{"SOLAR", map[string]any{"deep": []any{2.0}}},
		}
	}
	orig := doc()
	c := schematest.Clone(orig)
	if !reflect.DeepEqual(c, orig) {
		t.Fatalf("clone %v, want %v", c, orig)
	}
	c["event"].(map[string]any)["eventId"] = 2.0
	c["trades"].([]any)[0] = "HVAC"
	c["trades"].([]any)[1].(map[string]any)["deep"].([]any)[0] = 3.0
	delete(c, "event")
	if !reflect.DeepEqual(orig, doc()) {
		t.Errorf("breaking the clone changed the original: %v", orig)
	}
}

func TestCloneNil(t *testing.T) {
	if got := schematest.Clone[any](nil); got != nil {
		t.Fatalf("Clone(nil) = %v, want nil", got)
	}
}
