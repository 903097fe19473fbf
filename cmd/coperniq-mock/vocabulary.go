package main

import (
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/spf13/cobra"
)

func newVocabularyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "vocabulary",
		Short: "Print the built-in vocabulary: the names Coperniq does not publish, as a file to edit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write(schemas.DefaultVocabulary().Marshal())
			return err
		},
	}
}
