package receiver_test

import (
	"errors"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/receiver"
)

// Options checks each field alone and names the bad one; the default
// config is good.
func TestConfigOptions(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(*receiver.Config)
		field string // "" for a good config
	}{
		{"default", func(*receiver.Config) {}, ""},
		{"fail rate over 1", func(c *receiver.Config) { c.FailRate = 2 }, "FailRate"},
		{"status under 200", func(c *receiver.Config) { c.Status = 100 }, "Status"},
		{"short inspect token", func(c *receiver.Config) { c.InspectToken = "short" }, "InspectToken"},
		{"negative body limit", func(c *receiver.Config) { c.BodyLimit = -1 }, "BodyLimit"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := receiver.DefaultConfig()
			c.edit(&cfg)
			opts, err := cfg.Options()
			var ce *receiver.ConfigError
			switch {
			case c.field == "" && err != nil:
				t.Fatal(err)
			case c.field == "" && len(opts) == 0:
				t.Fatal("no options")
			case c.field != "" && (!errors.As(err, &ce) || ce.Field != c.field):
				t.Fatalf("err = %v, want a *ConfigError naming %s", err, c.field)
			}
		})
	}
}
