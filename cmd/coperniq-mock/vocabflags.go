package main

import (
	"errors"

	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/spf13/cobra"
)

// vocabularyInto gives cmd --vocabulary FILE: before cmd runs, the file is
// read into *dst (nil without the flag: the built-in vocabulary), and a bad
// file is bad usage, reported file:line:col. listen checks deliveries
// against the vocabulary's schemas, verify generates its payloads and
// scenarios in it.
func vocabularyInto(cmd *cobra.Command, dst **schemas.Vocabulary) {
	var f vocabularyFlag
	f.register(cmd)
	run := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		v, err := f.load()
		if err != nil {
			return err
		}
		for _, other := range []string{"chaos", "chaos-replay"} {
			if v != nil && c.Flags().Lookup(other) != nil && c.Flags().Changed(other) {
				// Chaos schedules name built-in scenarios and replay
				// from a file alone; they do not carry a vocabulary.
				return usage(errors.New("--vocabulary does not apply to --" + other + " runs yet: drop one of them"))
			}
		}
		*dst = v
		return run(c, args)
	}
}
