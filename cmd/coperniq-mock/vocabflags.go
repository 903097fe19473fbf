package main

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/spf13/cobra"
)

// vocabularyInto gives cmd --vocabulary FILE: before cmd runs, the file is
// read into *dst (nil without the flag: the built-in vocabulary), and a bad
// file is bad usage, reported file:line:col, and the values it leaves to a
// guess are warned about on stderr. Every command that generates,
// validates or documents payloads takes it.
func vocabularyInto(cmd *cobra.Command, dst **schemas.Vocabulary) {
	var path string
	cmd.Flags().StringVar(&path, "vocabulary", "", "a vocabulary `FILE` (YAML; 'coperniq-mock vocabulary' prints the built-in one) with the names real Coperniq traffic uses")
	run := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		v, err := schemas.ReadVocabulary(path)
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			return usage(fmt.Errorf("--vocabulary: %w", err))
		}
		if err != nil {
			return usage(err)
		}
		// The file leaves these to a guess by position: said, not
		// silently sent as if the file had chosen them.
		for _, w := range v.Substitutions() {
			fmt.Fprintf(c.ErrOrStderr(), "coperniq-mock: warning: %s: %s\n", v.File(), w)
		}
		*dst = v
		return run(c, args)
	}
}
