package main

import (
	"errors"
	"io"

	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/spf13/cobra"
)

func newValidateCmd() *cobra.Command {
	var (
		vocab  *schemas.Vocabulary
		strict bool
		output string
		quiet  bool
	)
	cmd := &cobra.Command{
		Use:   "validate [FILE...|-]",
		Short: "Check payloads (a JSON document or an NDJSON stream) against the schemas",
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveDefault
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOneOf("output", output, []string{"text", "json"}); err != nil {
				return err
			}
			if len(args) == 0 {
				args = []string{"-"}
			}
			noteContractVocabulary(cmd, vocab, strict)
			val, err := schemas.NewValidator(vocab)
			if err != nil {
				return err
			}
			open := func(name string) (io.Reader, func() error, error) {
				r, _, closeIn, err := openInput(cmd, name)
				return r, closeIn, err
			}
			totals, err := val.WriteResults(cmd.OutOrStdout(), schemas.Results{Level: level(strict), JSON: output == "json", Quiet: quiet, Open: open}, args...)
			if err != nil {
				return usage(err)
			}
			switch err := totals.Verdict(); {
			case errors.Is(err, schemas.ErrInvalidPayloads):
				return failureError{err: err, silent: true}
			case err != nil:
				return usage(err)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&strict, "strict", false, "validate at the strict level (what coperniq-mock emits) instead of the contract level")
	vocabularyInto(cmd, &vocab)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only payloads with problems, and the totals")
	_ = cmd.RegisterFlagCompletionFunc("output", completeWords("text", "json"))
	return cmd
}
