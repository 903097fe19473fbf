package main

import (
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/spf13/cobra"
)

func newVocabularyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "vocabulary",
		Short: "Print the built-in vocabulary: the names Coperniq does not publish, as a file to edit",
		Long: `Print the built-in vocabulary as YAML: trigger names, work-order statuses and
the working state's name, phase types and statuses, SLA types, request
statuses, and each project workflow's stages in order. Coperniq publishes none
of these except one trigger name and the work-order statuses; a team that sees
real traffic edits the file and passes it with --vocabulary FILE to generate,
send, scenario run, validate, listen, verify and docs.`,
		Example: `  coperniq-mock vocabulary > vocabulary.yaml
  coperniq-mock generate TASK_STATUS_MOVEMENT --vocabulary vocabulary.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write(schemas.DefaultVocabulary().Marshal())
			return err
		},
	}
}
