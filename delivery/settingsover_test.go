package delivery_test

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Over takes exactly the given fields from the flags, lets Retry and
// Schedule replace each other, and names a bad field.
func TestSettingsOver(t *testing.T) {
	base := delivery.DefaultSettings()
	base.Schedule, base.Retry, base.Concurrency = "1s,2s", "", 8
	flags := delivery.Settings{Retry: "ci", Concurrency: 3, Duplicate: 0.5}
	for _, c := range []struct {
		name  string
		given []string
		check func(delivery.Settings) bool
		field string // of the *FieldError, "" for none
	}{
		{"nothing given keeps the base", nil, func(s delivery.Settings) bool { return s.Schedule == "1s,2s" && s.Concurrency == 8 }, ""},
		{"retry replaces the schedule", []string{"Retry"}, func(s delivery.Settings) bool { return s.Retry == "ci" && s.Schedule == "" }, ""},
		{"only given fields", []string{"Concurrency"}, func(s delivery.Settings) bool { return s.Concurrency == 3 && s.Duplicate == 0 }, ""},
		{"a bad value names its field", []string{"DuplicateMode"}, nil, "DuplicateMode"},
	} {
		t.Run(c.name, func(t *testing.T) {
			given := func(f string) bool { return strings.Contains(strings.Join(c.given, ","), f) }
			got, err := flags.Over(base, given)
			var fe *schemas.FieldError
			switch {
			case c.field != "":
				if !errors.As(err, &fe) || fe.Field != c.field {
					t.Fatalf("err = %v, want a *FieldError naming %s", err, c.field)
				}
			case err != nil:
				t.Fatal(err)
			case !c.check(got):
				t.Errorf("got %+v", got)
			}
		})
	}
}

// Check tells a target that accepts connections from one that does not,
// and says what to do about the latter.
func TestTargetCheck(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	up, _ := delivery.NewTarget("http://"+ln.Addr().String()+"/hook?token=s3cret", nil)
	if err := up.Check(t.Context(), nil, time.Second); err != nil {
		t.Errorf("listening target: %v", err)
	}
	ln.Close()
	err = up.Check(t.Context(), nil, time.Second)
	if err == nil || !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), "is it running?") {
		t.Errorf("closed target: %v, want connection refused and what to do", err)
	}
	if err != nil && strings.Contains(err.Error(), "s3cret") {
		t.Errorf("the token leaks: %v", err)
	}
}
