package main

import (
	"fmt"
	"os"

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

// vocabularyFlag is --vocabulary FILE, shared by the commands it drives.
type vocabularyFlag struct{ path string }

func (f *vocabularyFlag) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.path, "vocabulary", "", "a vocabulary file (YAML; `coperniq-mock vocabulary` prints the built-in one) with the names real Coperniq traffic uses")
}

// load reads the file; without the flag it returns nil, the built-in
// vocabulary. A bad file is bad usage, reported file:line:col.
func (f *vocabularyFlag) load() (*schemas.Vocabulary, error) {
	if f.path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(f.path)
	if err != nil {
		return nil, usage(fmt.Errorf("--vocabulary: %w", err))
	}
	v, err := schemas.ParseVocabulary(f.path, data)
	if err != nil {
		return nil, usage(err)
	}
	return v, nil
}
