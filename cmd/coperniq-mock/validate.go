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
		Long: `Check each payload against the contract schema (what a receiver must accept) or,
with --strict, the strict schema (what coperniq-mock emits). Input is JSON values
in any layout: one document, NDJSON, pretty-printed documents one after another
(any indentation), a JSON array of payloads, or listen --out capture lines; with
no FILE, or with -, standard input is read. One payload may take up to 64 MiB
(a larger one is reported unreadable and skipped; the others are still checked).
With --output json, results are written as they come, then the totals.

Exit status: 0 every payload valid, 1 some payload invalid, 2 unreadable input
or bad usage.`,
		Example: `  coperniq-mock generate all --count 100 --seed 7 | coperniq-mock validate --strict -
  coperniq-mock validate captured.ndjson --quiet
  coperniq-mock validate payload.json --output json | jq '.results[].violations'`,
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
				return failureError{msg: err.Error(), silent: true}
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
