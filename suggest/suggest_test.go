package suggest

import "testing"

func TestNearest(t *testing.T) {
	triggers := []string{"TASK_CREATED", "TASK_COMPLETED", "TASK_STATUS_MOVEMENT", "PROJECT_CREATED", "CALL_UPSERTED"}
	cases := []struct {
		name, in, want string
	}{
		{"one letter off", "TASK_COMPLETD", "TASK_COMPLETED"},
		{"lower case", "project_created", "PROJECT_CREATED"},
		{"fragment", "STATUS_MOVEMENT", "TASK_STATUS_MOVEMENT"},
		{"different word, not a typo", "TASK_DONE", ""},
		{"unrelated word", "banana", ""},
		{"empty", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Nearest(tc.in, triggers); got != tc.want {
				t.Errorf("Nearest(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNearestNoCandidates(t *testing.T) {
	if got := Nearest("x", nil); got != "" {
		t.Errorf("Nearest with no candidates = %q, want empty", got)
	}
}

func TestAbbreviated(t *testing.T) {
	names := []string{"rate", "duration", "retry"}
	for _, tc := range []struct{ name, want string }{
		{"rat", "rate"}, // begins rate, though duration contains it
		{"durat", "duration"},
		{"retyr", "retry"}, // no prefix: the nearest
		{"zzzzzzzz", ""},
	} {
		if got := Abbreviated(tc.name, names); got != tc.want {
			t.Errorf("Abbreviated(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestNotOneOf(t *testing.T) {
	retries := []string{"none", "default", "ci"}
	for _, tc := range []struct {
		name, got, near string
		valid           []string
		want            string
	}{
		{"with a guess", "cii", "ci", retries, `--retry "cii" isn't one of [none default ci]; did you mean ci?`},
		{"without", "cii", "", retries, `--retry "cii" isn't one of [none default ci]`},
		// Names of several words would run together, "[Sales Site Survey Design]".
		{"names with spaces", "Site Survy", "Site Survey", []string{"Sales", "Site Survey", "Design"},
			`--retry "Site Survy" isn't one of ["Sales" "Site Survey" "Design"]; did you mean Site Survey?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NotOneOf("--retry", tc.got, tc.valid, tc.near); got != tc.want {
				t.Errorf("got %s\nwant %s", got, tc.want)
			}
		})
	}
}
