package scenarios

import (
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/goccy/go-yaml/ast"
)

// deliveryKeys are the delivery: block's keys, in the order they are
// documented; each sets the delivery.Settings field of its name,
// capitalised (timeScale sets TimeScale).
var deliveryKeys = []string{"retry", "schedule", "timeout", "timeScale", "concurrency", "recordOrder", "duplicate", "duplicateMode", "reorder", "jitter"}

// fieldNouns name two fields in errors as the file's reader knows them;
// the others go by their key.
var fieldNouns = map[string]string{"Retry": "retry preset", "Reorder": "reorder window"}

func fieldOf(key string) string { return strings.ToUpper(key[:1]) + key[1:] }

// into stores what read finds in n in *dst, converted; a value read
// cannot take is reported by read and leaves *dst alone.
func into[T, V any](read func(ast.Node, string) (T, bool), conv func(T) V, dst *V) func(ast.Node, string) {
	return func(n ast.Node, what string) {
		if v, ok := read(n, what); ok {
			*dst = conv(v)
		}
	}
}

func same[T any](v T) T { return v }

// clampInt keeps a YAML integer within int, so that Validate sees an
// out-of-range count rather than a wrapped one where int is 32 bits.
func clampInt(v int64) int { return int(max(math.MinInt, min(v, math.MaxInt))) }

// parseDelivery decodes a delivery: block over d. The bounds are
// delivery.Settings.Validate's; an error it reports points at the value of
// the key that set the field.
func (p *parsing) parseDelivery(n ast.Node, d *delivery.Settings) {
	entries, ok := p.mapping(n, "delivery")
	if !ok {
		return
	}
	duration := func(dst *time.Duration) func(ast.Node, string) {
		return func(n ast.Node, what string) {
			if v, ok := p.str(n, what); ok {
				j, err := parseDuration(v)
				if err != nil {
					p.errs.add(nodePos(n), "%s: %v", what, err)
					return
				}
				*dst = j
			}
		}
	}
	decode := map[string]func(ast.Node, string){
		"retry":         into(p.str, same, &d.Retry),
		"schedule":      into(p.str, same, &d.Schedule),
		"timeScale":     into(p.number, same, &d.TimeScale),
		"concurrency":   into(p.integer, clampInt, &d.Concurrency),
		"recordOrder":   into(p.boolean, same, &d.RecordOrder),
		"duplicate":     into(p.number, same, &d.Duplicate),
		"duplicateMode": into(p.str, func(v string) delivery.DupMode { return delivery.DupMode(v) }, &d.DuplicateMode),
		"reorder":       into(p.integer, clampInt, &d.Reorder),
		"jitter":        duration(&d.Jitter),
		"timeout":       duration(&d.Timeout),
	}
	at := map[string]pos{} // field -> position of the value that set it
	for _, e := range entries {
		if !slices.Contains(deliveryKeys, e.key) {
			p.errs.add(e.keyPos, "%s", oneOf("delivery key", e.key, deliveryKeys))
			continue
		}
		decode[e.key](e.value, e.key)
		at[fieldOf(e.key)] = nodePos(e.value)
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
	p.settingErrors(d.Validate(), nodePos(n), at)
}

// settingErrors reports each *schemas.FieldError of err at the value
// that set its field (at block when a default is wrong), in the file's words.
func (p *parsing) settingErrors(err error, block pos, at map[string]pos) {
	if err == nil {
		return
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var fe *schemas.FieldError
		if !errors.As(e, &fe) {
			p.errs.add(block, "delivery: %v", e)
			continue
		}
		name, where := fieldNouns[fe.Field], block
		if name == "" {
			name = strings.ToLower(fe.Field[:1]) + fe.Field[1:]
		}
		if vp, ok := at[fe.Field]; ok {
			where = vp
		}
		p.errs.add(where, "%s", fe.Named(func(string) string { return name }))
	}
}
