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
	)
	cmd := &cobra.Command{
		Use:   "export --out DIR",
		Short: "Write every trigger's schema and the shared definitions to DIR",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usage(fmt.Errorf("--out DIR is required"))
			}
			if err := schemas.Export(out, level(strict)); err != nil {
				return usage(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote the %s schemas of %d triggers to %s\n", level(strict), len(schemas.TriggerKeys()), out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write into (created if missing)")
	levelFlag(cmd, &strict)
	return cmd
}

func newSchemaShowCmd() *cobra.Command {
	var strict bool
	cmd := &cobra.Command{
		Use:               "show TRIGGER",
		Short:             "Print one trigger's schema",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeTriggers(false),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := schemas.Schema(args[0], level(strict))
			return writeShown(cmd, b, err)
		},
	}
	levelFlag(cmd, &strict)
	return cmd
}
