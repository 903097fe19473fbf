package receiver_test

import (
	"bytes"
	"context"
	"errors"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Listen checks the config before it binds anything, runs with its options
// and leaves the garbage collector as it found it.
func TestConfigListen(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*receiver.Config)
		field string // the *schemas.FieldError's field; "" for a run
		want  string // in the output of a run
	}{
		{name: "defaults", edit: func(*receiver.Config) {}, want: "validating at the contract level"},
		{name: "strict, bounded memory", edit: func(c *receiver.Config) { c.Strict, c.MaxBytes = true, 1<<20 }, want: "validating at the strict level"},
		{name: "fail rate out of range", edit: func(c *receiver.Config) { c.FailRate = 2 }, field: "FailRate"},
		{name: "status out of range", edit: func(c *receiver.Config) { c.Status = 99 }, field: "Status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := receiver.DefaultConfig()
			c.InspectAddr = ""
			tc.edit(&c)
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // stops at once: the address lines and the summary
			percent := debug.SetGCPercent(100)
			defer debug.SetGCPercent(percent)
			var out bytes.Buffer
			err := c.Listen(ctx, &out, receiver.Session{Addr: "127.0.0.1:0"})
			if after := debug.SetGCPercent(percent); after != 100 {
				t.Errorf("GC percent after Listen: %d, want it restored to 100", after)
			}
			var fe *schemas.FieldError
			if tc.field != "" {
				if !errors.As(err, &fe) || fe.Field != tc.field {
					t.Fatalf("Listen: %v, want a *schemas.FieldError on %s", err, tc.field)
				}
				if out.Len() != 0 {
					t.Errorf("a bad config printed %q: want nothing bound", out.String())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out.String())
			}
		})
	}
}
