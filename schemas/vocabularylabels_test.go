package schemas

import (
	"strings"
	"testing"
)

// Vocabulary.Trigger labels its value lists by the rule the schemas follow:
// a list the file changed is the file's (named by its base name), one it
// leaves alone keeps the built-in label, documented or assumed.
func TestVocabularyTriggerLabels(t *testing.T) {
	v, err := ParseVocabulary("/home/me/team.yaml", []byte("slaTypes: [AMBER, BREACH]\n"))
	if err != nil {
		t.Fatal(err)
	}
	builtin := func(key, field string) Field {
		tr, err := Lookup(key)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range tr.Fields {
			if f.Name == field {
				return f
			}
		}
		t.Fatalf("%s has no %s", key, field)
		return Field{}
	}
	for _, tc := range []struct {
		name, key, field, want string
	}{
		{"a list the file changed", "PROJECT_PHASE_SLA_VIOLATION", "slaType", "set by your vocabulary file team.yaml."},
		{"a documented list it leaves alone", "TASK_STATUS_MOVEMENT", "currentStatus", builtin("TASK_STATUS_MOVEMENT", "currentStatus").ValuesAssumed},
		{"an assumed list it leaves alone", "PROJECT_PHASE_STARTED", "phaseType", builtin("PROJECT_PHASE_STARTED", "phaseType").ValuesAssumed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := Lookup(tc.key)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range v.Trigger(tr).Fields {
				if f.Name == tc.field && f.ValuesAssumed != tc.want {
					t.Errorf("%s.%s labelled %q, want %q", tc.key, tc.field, f.ValuesAssumed, tc.want)
				}
			}
		})
	}
	if !strings.HasPrefix(builtin("PROJECT_PHASE_STARTED", "phaseType").ValuesAssumed, "Coperniq does not publish") {
		t.Fatal("the test's assumed list is no longer assumed")
	}
}
