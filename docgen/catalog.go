package docgen

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// WriteTriggersTable writes the trigger catalog as a table: key, family,
// what fires it, its extra event fields.
func WriteTriggersTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TRIGGER\tFAMILY\tFIRES WHEN\tEXTRA EVENT FIELDS")
	for _, t := range schemas.Triggers() {
		fields := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			fields[i] = f.Name
		}
		extra := strings.Join(fields, ", ")
		if extra == "" {
			extra = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Key, t.Family, t.FiresWhen, extra)
	}
	return tw.Flush()
}

type catalogTrigger struct {
	TriggerKey  string `json:"triggerKey"`
	TriggerName string `json:"triggerName"`
	// NameDocumented is false where triggerName is this project's guess.
	NameDocumented bool     `json:"nameDocumented"`
	Family         string   `json:"family"`
	FiresWhen      string   `json:"firesWhen"`
	RecordTypes    []string `json:"recordTypes"`
	WorkOrder      bool     `json:"workOrder"`
	// RecordOptional: the payload may lack record (our assumption which).
	RecordOptional bool           `json:"recordOptional"`
	ExtraFields    []catalogField `json:"extraFields"`
}

type catalogField struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Nullable bool     `json:"nullable"`
	Values   []string `json:"values,omitempty"`
	// Documented and ValuesDocumented say whether Coperniq documents the
	// field and its value list, or this project assumes them.
	Documented       bool  `json:"documented"`
	ValuesDocumented *bool `json:"valuesDocumented,omitempty"`
}

// WriteTriggersJSON writes the trigger catalog as an indented JSON array,
// one object per trigger with its extra event fields, each saying what
// Coperniq documents and what this project assumes.
func WriteTriggersJSON(w io.Writer) error {
	ts := schemas.Triggers()
	out := make([]catalogTrigger, 0, len(ts))
	for _, t := range ts {
		tj := catalogTrigger{TriggerKey: t.Key, TriggerName: t.Name, NameDocumented: t.NameDocumented, Family: string(t.Family), FiresWhen: t.FiresWhen,
			RecordTypes: t.RecordTypes, WorkOrder: t.WorkOrder, RecordOptional: t.RecordOptional, ExtraFields: []catalogField{}}
		for _, f := range t.Fields {
			fj := catalogField{Name: f.Name, Type: string(f.Type), Nullable: f.Nullable, Values: f.Enum, Documented: f.Assumed == ""}
			if len(f.Enum) > 0 {
				vd := f.ValuesAssumed == ""
				fj.ValuesDocumented = &vd
			}
			tj.ExtraFields = append(tj.ExtraFields, fj)
		}
		out = append(out, tj)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
