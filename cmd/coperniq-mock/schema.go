package main

import (
	"fmt"

	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/spf13/cobra"
)

func newSchemaCmd() *cobra.Command {
	return groupCmd("schema", "Export or print the JSON Schemas (contract or strict level)", newSchemaExportCmd(), newSchemaShowCmd())
}

func levelFlag(cmd *cobra.Command, strict *bool) {
	cmd.Flags().BoolVar(strict, "strict", false, "the strict level (what coperniq-mock emits) instead of the contract level (what a receiver must accept)")
}

func level(strict bool) schemas.Level {
	if strict {
		return schemas.Strict
	}
	return schemas.Contract
}

func newSchemaExportCmd() *cobra.Command {
	var (
		out    string
		strict bool
		vocab  *schemas.Vocabulary
	)
	cmd := &cobra.Command{
		Use:   "export --out DIR",
		Short: "Write every trigger's schema and the shared definitions to DIR",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usage(fmt.Errorf("--out DIR is required"))
			}
			noteContractVocabulary(cmd, vocab, strict)
			if err := schemas.ExportFor(vocab, out, level(strict)); err != nil {
				return usage(err)
			}
			of := ""
			if strict && !vocab.IsDefault() {
				of = " in the vocabulary " + vocab.File()
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote the %s schemas of %d triggers%s to %s\n", level(strict), len(schemas.TriggerKeys()), of, out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write into (created if missing)")
	levelFlag(cmd, &strict)
	vocabularyInto(cmd, &vocab)
	return cmd
}

func newSchemaShowCmd() *cobra.Command {
	var (
		strict bool
		vocab  *schemas.Vocabulary
	)
	cmd := &cobra.Command{
		Use:               "show TRIGGER",
		Short:             "Print one trigger's schema",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeTriggers(false),
		RunE: func(cmd *cobra.Command, args []string) error {
			noteContractVocabulary(cmd, vocab, strict)
			b, err := schemas.SchemaFor(vocab, args[0], level(strict))
			return writeShown(cmd, b, err)
		},
	}
	levelFlag(cmd, &strict)
	vocabularyInto(cmd, &vocab)
	return cmd
}

// noteContractVocabulary says on stderr that a vocabulary given without
// --strict changes nothing: the contract level takes any names, and a
// user who meant to check against the team's names would otherwise think
// they had.
func noteContractVocabulary(cmd *cobra.Command, v *schemas.Vocabulary, strict bool) {
	if !strict && !v.IsDefault() {
		fmt.Fprintf(cmd.ErrOrStderr(), "coperniq-mock: note: the contract level takes any names; the vocabulary %s applies with --strict\n", v.File())
	}
}
