package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/spf13/cobra"
)

func newTriggersCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "triggers",
		Short: "List every Coperniq trigger: family, what fires it, extra event fields",
		Example: `  coperniq-mock triggers
  coperniq-mock triggers --output json | jq -r '.[].triggerKey'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOneOf("output", output, []string{"table", "json"}); err != nil {
				return err
			}
			ts := schemas.Triggers()
			if output == "json" {
				return printTriggersJSON(cmd, ts)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "TRIGGER\tFAMILY\tFIRES WHEN\tEXTRA EVENT FIELDS")
			for _, t := range ts {
				fields := make([]string, len(t.Fields))
				for i, f := range t.Fields {
					fields[i] = f.Name
				}
				extra := strings.Join(fields, ", ")
				if extra == "" {
					extra = "-"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", t.Key, t.Family, t.FiresWhen, extra)
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	_ = cmd.RegisterFlagCompletionFunc("output", completeWords("table", "json"))
	return cmd
}

type triggerJSON struct {
	TriggerKey  string `json:"triggerKey"`
	TriggerName string `json:"triggerName"`
	// NameDocumented is false where triggerName is this project's guess.
	NameDocumented bool     `json:"nameDocumented"`
	Family         string   `json:"family"`
	FiresWhen      string   `json:"firesWhen"`
	RecordTypes    []string `json:"recordTypes"`
	WorkOrder      bool     `json:"workOrder"`
	// RecordOptional: the payload may lack record (our assumption which).
	RecordOptional bool        `json:"recordOptional"`
	ExtraFields    []fieldJSON `json:"extraFields"`
}

type fieldJSON struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Nullable bool     `json:"nullable"`
	Values   []string `json:"values,omitempty"`
	// Documented and ValuesDocumented say whether Coperniq documents the
	// field and its value list, or this project assumes them.
	Documented       bool  `json:"documented"`
	ValuesDocumented *bool `json:"valuesDocumented,omitempty"`
}

func printTriggersJSON(cmd *cobra.Command, ts []schemas.Trigger) error {
	out := make([]triggerJSON, 0, len(ts))
	for _, t := range ts {
		tj := triggerJSON{TriggerKey: t.Key, TriggerName: t.Name, NameDocumented: t.NameDocumented, Family: string(t.Family), FiresWhen: t.FiresWhen,
			RecordTypes: t.RecordTypes, WorkOrder: t.WorkOrder, RecordOptional: t.RecordOptional, ExtraFields: []fieldJSON{}}
		for _, f := range t.Fields {
			fj := fieldJSON{Name: f.Name, Type: string(f.Type), Nullable: f.Nullable, Values: f.Enum, Documented: f.Assumed == ""}
			if len(f.Enum) > 0 {
				vd := f.ValuesAssumed == ""
				fj.ValuesDocumented = &vd
			}
			tj.ExtraFields = append(tj.ExtraFields, fj)
		}
		out = append(out, tj)
	}
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
