package schemas

import "testing"

func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		n          int
		noun, want string
	}{
		{1, "delivery", "1 delivery"},
		{2, "delivery", "2 deliveries"},
		{0, "payload", "0 payloads"},
		{3, "key", "3 keys"},
	} {
		if got := Plural(tc.n, tc.noun); got != tc.want {
			t.Errorf("Plural(%d, %q) = %q, want %q", tc.n, tc.noun, got, tc.want)
		}
	}
}
