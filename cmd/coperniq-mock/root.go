package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// version is stamped by make release with -ldflags "-X main.version=...";
// empty, --version reads the build info (see buildVersion).
var version = ""

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "coperniq-mock",
		Short:         "Stand-in for Coperniq's webhook sender: realistic payloads for all 18 triggers",
		Version:       buildVersion(),
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(unknownFlagError)
	// Secret flags may come from the environment (secretFromEnv); a
	// subcommand with hooks of its own must call fromEnv too.
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error { return fromEnv(cmd) }
	root.AddCommand(
		newTriggersCmd(),
		newGenerateCmd(),
		newValidateCmd(),
		newSchemaCmd(),
		newSendCmd(),
		newListenCmd(),
		newDocsCmd(),
		newLoadCmd(),
		newVerifyCmd(),
		newScenarioCmd(),
		newReplayCmd(),
		newDemoCmd(),
		newAPICmd(),
		newVocabularyCmd(),
	)
	// Cobra's completion command prints its help and exits 0 for a shell it
	// does not know. Giving it a RunE makes cobra check its arguments as
	// subcommands, so "completion fsh" is an unknown command: exit 2.
	root.InitDefaultCompletionCmd()
	if comp, _, err := root.Find([]string{"completion"}); err == nil && comp != root {
		comp.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	}
	attachHelp(root)
	return root
}

// groupCmd is a command that only holds subcommands; run without one, it
// names them (bad usage, exit 2).
func groupCmd(use, short string, subs ...*cobra.Command) *cobra.Command {
	names := make([]string, len(subs))
	for i, sub := range subs {
		names[i] = sub.Name()
	}
	list := strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usage(fmt.Errorf("%s needs a subcommand: %s (see coperniq-mock %s --help)", use, list, use))
		},
	}
	cmd.AddCommand(subs...)
	return cmd
}
