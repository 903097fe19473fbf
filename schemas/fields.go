package schemas

import "sort"

// Fields returns every property path the strict schema of triggerKey
// defines, dotted and sorted: objects ("record.stage") as well as leaves
// ("record.stage.name", "record.trades"), so a caller can check a path a
// user typed, or suggest the nearest one, before setting it. An unknown
// trigger gets the *UnknownTriggerError from Lookup.
func Fields(triggerKey string) ([]string, error) {
	t, err := Lookup(triggerKey)
	if err != nil {
		return nil, err
	}
	return fieldsOf(t), nil
}

func fieldsOf(t Trigger) []string {
	var out []string
	var walk func(prefix string, ps []prop)
	walk = func(prefix string, ps []prop) {
		for _, p := range ps {
			path := prefix + "." + p.name
			out = append(out, path)
			if p.kind == kindObject {
				walk(path, definitionNamed(p.def).props)
			}
		}
	}
	out = append(out, "event", "record")
	walk("event", eventDef.props)
	walk("event", extraProps(t))
	walk("record", recordDef.props)
	if t.WorkOrder {
		out = append(out, "workOrder")
		walk("workOrder", workOrderDef.props)
	}
	sort.Strings(out)
	return out
}
