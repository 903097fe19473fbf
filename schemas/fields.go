package schemas

import (
	"slices"
	"sort"
)

// Fields returns every leaf property path the strict schema of triggerKey
// defines, dotted and sorted: "event.eventId", "record.stage.name",
// "record.geoLocation.lat", "record.trades". Objects that only hold other
// properties (event, record, record.stage) are left out, so that a
// did-you-mean over this list suggests the property a user mistyped rather
// than the object that contains it. An unknown trigger gets the
// *UnknownTriggerError from Lookup.
func Fields(triggerKey string) ([]string, error) {
	t, err := Lookup(triggerKey)
	if err != nil {
		return nil, err
	}
	return leafPaths(t), nil
}

func leafPaths(t Trigger) []string { return paths(t, false) }

// propertyPaths lists the dotted paths of every property of t's payload,
// objects included, sorted.
func propertyPaths(t Trigger) []string { return paths(t, true) }

func paths(t Trigger, withObjects bool) []string {
	var out []string
	var walk func(prefix string, ps []prop)
	walk = func(prefix string, ps []prop) {
		for _, p := range ps {
			path := prefix + "." + p.name
			if p.kind != kindObject {
				out = append(out, path)
				continue
			}
			if withObjects {
				out = append(out, path)
			}
			walk(path, definitionNamed(p.def).props)
		}
	}
	if withObjects {
		out = append(out, "event", "record")
		if t.WorkOrder {
			out = append(out, "workOrder")
		}
	}
	walk("event", eventDef.props)
	walk("event", extraProps(t))
	walk("record", recordDef.props)
	if t.WorkOrder {
		walk("workOrder", workOrderDef.props)
	}
	sort.Strings(out)
	return slices.Compact(out)
}
