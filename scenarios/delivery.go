package scenarios

import (
	"errors"
	"math"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/goccy/go-yaml/ast"
)

// deliveryKeys maps the delivery: block's keys to the delivery.Settings
// fields they set, and names each field in errors as a reader of the file
// knows it.
var deliveryKeys = []struct{ key, field, noun string }{
	{"retry", "Retry", "retry preset"},
	{"schedule", "Schedule", "schedule"},
	{"timeScale", "TimeScale", "timeScale"},
	{"concurrency", "Concurrency", "concurrency"},
	{"recordOrder", "RecordOrder", "recordOrder"},
	{"duplicate", "Duplicate", "duplicate"},
	{"duplicateMode", "DuplicateMode", "duplicateMode"},
	{"reorder", "Reorder", "reorder window"},
	{"jitter", "Jitter", "jitter"},
}

// parseDelivery decodes a delivery: block over d. The bounds are
// delivery.Settings.Validate's; an error it reports points at the value of
// the key that set the field.
func (p *parsing) parseDelivery(n ast.Node, d *delivery.Settings) {
	entries, ok := p.mapping(n, "delivery")
	if !ok {
		return
	}
	at := map[string]pos{} // field -> position of its value
	for _, e := range entries {
		vp := nodePos(e.value)
		field := ""
		for _, k := range deliveryKeys {
			if k.key == e.key {
				field = k.field
			}
		}
		switch e.key {
		case "retry":
			if v, ok := p.str(e.value, "retry"); ok {
				d.Retry = v
			}
		case "schedule":
			if v, ok := p.str(e.value, "schedule"); ok {
				d.Schedule = v
			}
		case "timeScale":
			if v, ok := p.number(e.value, "timeScale"); ok {
				d.TimeScale = v
			}
		case "concurrency":
			if v, ok := p.integer(e.value, "concurrency"); ok {
				d.Concurrency = int(max(math.MinInt32, min(v, math.MaxInt32)))
			}
		case "recordOrder":
			if v, ok := p.boolean(e.value, "recordOrder"); ok {
				d.RecordOrder = v
			}
		case "duplicate":
			if v, ok := p.number(e.value, "duplicate"); ok {
				d.Duplicate = v
			}
		case "duplicateMode":
			if v, ok := p.str(e.value, "duplicateMode"); ok {
				d.DuplicateMode = delivery.DupMode(v)
			}
		case "reorder":
			if v, ok := p.integer(e.value, "reorder"); ok {
				d.Reorder = int(max(math.MinInt32, min(v, math.MaxInt32+1)))
			}
		case "jitter":
			if v, ok := p.str(e.value, "jitter"); ok {
				j, err := parseDuration(v)
				if err != nil {
					p.errs.add(vp, "jitter: %v", err)
					continue
				}
				d.Jitter = j
			}
		default:
			keys := make([]string, len(deliveryKeys))
			for i, k := range deliveryKeys {
				keys[i] = k.key
			}
			p.errs.add(e.keyPos, "%s", oneOf("delivery key", e.key, keys))
			continue
		}
		at[field] = vp
	}
	_, retry := at["Retry"]
	_, schedule := at["Schedule"]
	switch {
	case retry && schedule:
		p.errs.add(nodePos(n), "delivery gives both retry: and schedule:; keep one")
		return
	case schedule:
		d.Retry = "" // the file's schedule replaces the default preset
	}
	err := d.Validate()
	if err == nil {
		return
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		var fe *delivery.FieldError
		if !errors.As(e, &fe) {
			p.errs.add(nodePos(n), "delivery: %v", e)
			continue
		}
		name, where := fe.Field, nodePos(n)
		for _, k := range deliveryKeys {
			if k.field == fe.Field {
				name = k.noun
			}
		}
		if vp, ok := at[fe.Field]; ok {
			where = vp
		}
		p.errs.add(where, "%s", fe.Named(name))
	}
}
