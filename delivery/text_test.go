package delivery

import "testing"

func TestPrintable(t *testing.T) {
	for name, tc := range map[string]struct {
		in   string
		max  int
		want string
	}{
		"plain":        {"TASK_STATUS_MOVEMENT", 60, "TASK_STATUS_MOVEMENT"},
		"newline, tab": {"a\nb\tc", 60, `a\nb\tc`},
		"escape":       {"\x1b[31mred", 60, `\x1b[31mred`},
		"cut":          {"abcdef", 3, "abc…"},
		"cut in runes": {"ééééé", 2, "éé…"},
		"exactly max":  {"abc", 3, "abc"},
	} {
		if got := Printable(tc.in, tc.max); got != tc.want {
			t.Errorf("%s: Printable(%q, %d) = %q, want %q", name, tc.in, tc.max, got, tc.want)
		}
	}
}
