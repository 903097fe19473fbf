package schemas

import (
	"errors"
	"strings"
	"testing"
)

func TestCatalogMatchesReference(t *testing.T) {
	ts := Triggers()
	if len(ts) != 18 {
		t.Fatalf("got %d triggers, the reference lists 18", len(ts))
	}
	seen := map[string]bool{}
	for _, tr := range ts {
		if seen[tr.Key] {
			t.Errorf("duplicate trigger %s", tr.Key)
		}
		seen[tr.Key] = true
		if tr.Name == "" || tr.FiresWhen == "" || len(tr.RecordTypes) == 0 {
			t.Errorf("%s: name, firesWhen and record types are required", tr.Key)
		}
		switch {
		case strings.HasPrefix(tr.Key, "PROJECT_"):
			if len(tr.RecordTypes) != 1 || tr.RecordTypes[0] != "PROJECT" {
				t.Errorf("%s must carry a PROJECT record, has %v", tr.Key, tr.RecordTypes)
			}
		case strings.HasPrefix(tr.Key, "REQUEST_"), strings.HasPrefix(tr.Key, "DEAL_"):
			if len(tr.RecordTypes) != 1 || tr.RecordTypes[0] != "DEAL" {
				t.Errorf("%s must carry a DEAL record, has %v", tr.Key, tr.RecordTypes)
			}
		}
		if tr.WorkOrder != strings.HasPrefix(tr.Key, "TASK_") {
			t.Errorf("%s: workOrder key presence is %v", tr.Key, tr.WorkOrder)
		}
	}
	// The one name Coperniq publishes.
	tr, err := Lookup("TASK_STATUS_MOVEMENT")
	if err != nil || tr.Name != "Work Order Status Movement" {
		t.Errorf("TASK_STATUS_MOVEMENT name = %q, %v", tr.Name, err)
	}
}

func TestLookupSuggests(t *testing.T) {
	cases := []struct{ name, key, want string }{
		{"synonym", "TASK_DONE", "TASK_COMPLETED"},
		{"typo", "PROJECT_CRAETED", "PROJECT_CREATED"},
		{"lower case", "call_upserted", "CALL_UPSERTED"},
		{"work order words", "WORK_ORDER_CREATED", "TASK_CREATED"},
		{"nothing close", "HELLO_WORLD_FOO", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Lookup(tc.key)
			var ute *UnknownTriggerError
			if !errors.As(err, &ute) {
				t.Fatalf("Lookup(%q) err = %v, want UnknownTriggerError", tc.key, err)
			}
			if got := ute.Suggestion(); got != tc.want {
				t.Errorf("suggestion = %q, want %q", got, tc.want)
			}
			if !strings.Contains(err.Error(), `"`+tc.key+`"`) || !strings.Contains(err.Error(), "TASK_STATUS_MOVEMENT") {
				t.Errorf("error should echo the key and list valid ones: %v", err)
			}
		})
	}
}
