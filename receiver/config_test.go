package receiver_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/receiver"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Options checks each field alone and names the bad one by its Config
// field, the option's own message after it; the default config is good.
// Listen checks the config the same way before it binds anything, runs a
// good one with its options, and leaves the garbage collector as it found
// it.
func TestConfig(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(*receiver.Config)
		field string // "" for a good config
		msg   string // the error's message
		want  string // in the output of a run of a good config
	}{
		{"default", func(*receiver.Config) {}, "", "", "validating at the contract level"},
		{"strict, bounded memory", func(c *receiver.Config) { c.Strict, c.MaxBytes = true, 1<<20 }, "", "", "validating at the strict level"},
		{"negative fail first", func(c *receiver.Config) { c.FailFirst = -1 }, "FailFirst", "FailFirst: fail-first -1 is negative", ""},
		{"fail rate over 1", func(c *receiver.Config) { c.FailRate = 2 }, "FailRate", "FailRate: fail rate 2 must be between 0 and 1", ""},
		{"status under 200", func(c *receiver.Config) { c.Status = 100 }, "Status", "Status: status 100 is not a final HTTP status (200 to 599)", ""},
		{"negative latency", func(c *receiver.Config) { c.Latency = -time.Second }, "Latency", "Latency: latency -1s is negative", ""},
		{"reset rate over 1", func(c *receiver.Config) { c.ResetRate = 1.5 }, "ResetRate", "ResetRate: reset rate 1.5 must be between 0 and 1", ""},
		{"negative body limit", func(c *receiver.Config) { c.BodyLimit = -1 }, "BodyLimit", "BodyLimit: body limit -1 must be at least 1 byte", ""},
		{"negative max deliveries", func(c *receiver.Config) { c.MaxDeliveries = -1 }, "MaxDeliveries", "MaxDeliveries: max deliveries -1 is negative", ""},
		{"negative max bytes", func(c *receiver.Config) { c.MaxBytes = -1 }, "MaxBytes", "MaxBytes: max bytes -1 is negative", ""},
		{"short inspect token", func(c *receiver.Config) { c.InspectToken = "short" }, "InspectToken",
			"InspectToken: inspect token of 5 characters is too short: at least 16 (e.g. openssl rand -hex 16)", ""},
		{"negative max connections", func(c *receiver.Config) { c.MaxConnections = -1 }, "MaxConnections", "MaxConnections: max connections -1 is negative", ""},
		{"negative max in flight", func(c *receiver.Config) { c.MaxInFlight = -1 }, "MaxInFlight", "MaxInFlight: max in-flight bytes -1 is negative", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := receiver.DefaultConfig()
			c.edit(&cfg)
			t.Run("Options", func(t *testing.T) { checkOptions(t, cfg, c.field, c.msg) })
			t.Run("Listen", func(t *testing.T) { checkListen(t, cfg, c.field, c.want) })
		})
	}
}

// checkOptions wants cfg's options, or a *schemas.FieldError naming field
// (a Config field) with the message msg.
func checkOptions(t *testing.T, cfg receiver.Config, field, msg string) {
	t.Helper()
	opts, err := cfg.Options()
	var fe *schemas.FieldError
	switch {
	case field == "" && err != nil:
		t.Fatal(err)
	case field == "" && len(opts) == 0:
		t.Fatal("no options")
	case field == "":
		return
	case !errors.As(err, &fe) || fe.Field != field:
		t.Fatalf("err = %v, want a *schemas.FieldError naming %s", err, field)
	case err.Error() != msg:
		t.Errorf("err = %q, want %q", err, msg)
	case fe.Err == nil:
		t.Error("the option's error is not kept as Err")
	}
	// A caller maps Field to its own names (a flag): it must be a
	// Config field.
	if _, ok := reflect.TypeOf(cfg).FieldByName(fe.Field); !ok {
		t.Errorf("Field %q is not a Config field", fe.Field)
	}
}

// checkListen runs Listen on cfg, stopped at once: a bad config (field
// names it) binds nothing, a good one prints want.
func checkListen(t *testing.T, cfg receiver.Config, field, want string) {
	t.Helper()
	cfg.InspectAddr = ""
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // stops at once: the address lines and the summary
	percent := debug.SetGCPercent(100)
	defer debug.SetGCPercent(percent)
	var out bytes.Buffer
	err := cfg.Listen(ctx, &out, receiver.Session{Addr: "127.0.0.1:0"})
	if after := debug.SetGCPercent(percent); after != 100 {
		t.Errorf("GC percent after Listen: %d, want it restored to 100", after)
	}
	var fe *schemas.FieldError
	if field != "" {
		if !errors.As(err, &fe) || fe.Field != field {
			t.Fatalf("Listen: %v, want a *schemas.FieldError on %s", err, field)
		}
		if out.Len() != 0 {
			t.Errorf("a bad config printed %q: want nothing bound", out.String())
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
}
