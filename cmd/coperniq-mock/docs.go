package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/docgen"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/spf13/cobra"
)

func newDocsCmd() *cobra.Command {
	var (
		vocab   *schemas.Vocabulary
		out     string
		formats string
		seed    uint64
	)
	names := docgen.Names(docgen.Formats()...)
	cmd := &cobra.Command{
		Use:   "docs --out DIR",
		Short: "Write docs for your integrators: Markdown, one HTML page, AsyncAPI 3.0, OpenAPI 3.1, JSON Schemas",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usage(fmt.Errorf("--out DIR is required"))
			}
			chosen := docgen.Formats()
			if formats != "" {
				var err error
				if chosen, err = docgen.ParseFormats(formats); err != nil {
					if uf := (*docgen.UnknownFormatError)(nil); errors.As(err, &uf) {
						return usage(fmt.Errorf("--%w", uf)) // "format %q isn't one of ..."
					}
					return usage(fmt.Errorf("--format: %w", err))
				}
			}
			err := docgen.Write(out, docgen.WithSeed(seed), docgen.WithFormats(chosen...), docgen.WithVocabulary(vocab))
			var invalid *docgen.InvalidExampleError
			if errors.As(err, &invalid) {
				// A finding about the generator or the schemas, not bad usage.
				return failureError{err: err}
			}
			if err != nil {
				return usage(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s docs for %d triggers to %s\n", strings.Join(docgen.Names(docgen.Written(chosen)...), ", "), len(schemas.TriggerKeys()), out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write into (created if missing)")
	vocabularyInto(cmd, &vocab)
	cmd.Flags().StringVar(&formats, "format", "", "comma-separated formats: "+strings.Join(names, ", ")+" (default all; asyncapi and openapi bring the schema files they reference)")
	cmd.Flags().Uint64Var(&seed, "seed", generator.DefaultSeed, "seed of the example payloads: the same seed gives byte-identical docs")
	_ = cmd.RegisterFlagCompletionFunc("format", completeWords(names...))
	return cmd
}
