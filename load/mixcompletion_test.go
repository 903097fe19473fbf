package load_test

import (
	"testing"

	"github.com/coperniq-mock/coperniq-mock/load"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// MixCompletion keeps the entries typed and offers only the triggers not
// in them.
func TestMixCompletion(t *testing.T) {
	done, next := load.MixCompletion("TASK_CREATED=2,PROJECT_CREATED=1,PRO")
	if done != "TASK_CREATED=2,PROJECT_CREATED=1," {
		t.Errorf("done = %q", done)
	}
	if len(next) != len(schemas.Triggers())-2 {
		t.Errorf("%d triggers offered, want all but the 2 typed", len(next))
	}
	for _, tr := range next {
		if tr.Key == "TASK_CREATED" || tr.Key == "PROJECT_CREATED" {
			t.Errorf("%s offered again", tr.Key)
		}
	}
}
