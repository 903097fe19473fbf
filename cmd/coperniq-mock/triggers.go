package main

import (
	"github.com/coperniq-mock/coperniq-mock/docgen"
	"github.com/spf13/cobra"
)

func newTriggersCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "triggers",
		Short: "List every Coperniq trigger: family, what fires it, extra event fields",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOneOf("output", output, []string{"table", "json"}); err != nil {
				return err
			}
			if output == "json" {
				return docgen.WriteTriggersJSON(cmd.OutOrStdout())
			}
			return docgen.WriteTriggersTable(cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	_ = cmd.RegisterFlagCompletionFunc("output", completeWords("table", "json"))
	return cmd
}
