package generator

import (
	"encoding/json"
	"maps"
	"slices"
	"sync"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Tables derived from the vocabulary once, at init.

type combo struct {
	trades []string
	mask   uint16
	ranges [][2]int
}

var (
	// combos is a variable initializer, not init work, so that workflows
	// built at variable initialization (defaultWorkflows) can index them.
	combos, comboTable = buildCombos() // comboTable: uniform draw → combo index, following the weights
	// templatesFor lists work-order templates by record letter (P, D, A),
	// indexed by the letter: an array, not a map, as it is read per work
	// order.
	templatesFor [128][]int
	fieldTotal   int
	officeTotal  int
)

func buildCombos() (list []combo, table []uint8) {
	for i, c := range tradeCombos {
		cb := combo{trades: c.trades}
		for _, t := range c.trades {
			cb.mask |= tradeBits[t]
			cb.ranges = append(cb.ranges, tradeValue[t])
		}
		list = append(list, cb)
		for range c.weight {
			table = append(table, uint8(i))
		}
	}
	return list, table
}

func init() {
	for i, t := range woTemplates {
		for j := 0; j < len(t.records); j++ {
			templatesFor[t.records[j]] = append(templatesFor[t.records[j]], i)
		}
	}
	for _, t := range fieldTransitions {
		fieldTotal += t.weight
	}
	for _, t := range officeTransitions {
		officeTotal += t.weight
	}
}

// Values for the maximal profile's extra fields, parsed once so every payload
// shares them. They are read-only: a caller that wants to change an Extra
// value assigns a new one.
var (
	moduleModels = []string{"REC Alpha Pure-R 410", "Qcells Q.PEAK DUO BLK ML-G10+ 400", "Silfab SIL-400 HC+", "Canadian Solar HiKu6 400W", "Panasonic EverVolt 410"}
	roofTypes    = []string{"Composition Shingle", "Concrete Tile", "Clay Tile", "Standing Seam Metal", "TPO Flat"}
	financing    = []string{"Cash", "Loan", "Lease", "PPA"}

	rawNull       = json.RawMessage(`null`)
	rawAccuracy   = json.RawMessage(`"ROOFTOP"`)
	rawPortal     = json.RawMessage(`"https://permits.example.com/portal"`)
	rawVersion    = json.RawMessage(`"2026-03-01"`)
	rawFutureTop  = json.RawMessage(`{"note":"a property Coperniq may add later","nested":{"enabled":true,"count":3}}`)
	rawSmallInts  = raws(`1`, `2`, `3`, `4`, `5`, `6`, `7`, `8`)
	rawTags       = raws(`["residential","priority"]`, `["commercial"]`, `[]`, `["referral","battery-upsell"]`)
	rawLabels     = raws(`["install"]`, `["permit","urgent"]`, `[]`, `["callback"]`)
	rawChecklists = raws(
		`[{"item":"Photos uploaded","done":true},{"item":"Customer signature","done":false}]`,
		`[{"item":"Plan set attached","done":true}]`,
		`[]`,
	)
	// Edge extras: keys and values that trip naive decoders, named as
	// ours (x-coperniq-mock-*, as maximal's) so that nobody reading a
	// capture takes them for Coperniq's; the empty key cannot carry the
	// prefix, nor pass for a field name.
	edgeExtras = []RawField{
		{"", json.RawMessage(`"empty key"`)},
		{"x-coperniq-mock-ünïcödé_kéy", json.RawMessage(`"✓ \u00e9\ud83d\ude00"`)},
		{"x-coperniq-mock-future.field", rawNull},
		{"x-coperniq-mock-bigNumber", json.RawMessage(`12345678901234567890`)},
		{"x-coperniq-mock-nested", json.RawMessage(`{"deep":{"deeper":[1,2.5,-0.0,1e21,true,null,"\u0000",{}]}}`)},
		{"x-coperniq-mock-emptyObject", json.RawMessage(`{}`)},
		{"x-coperniq-mock-tiny", json.RawMessage(`1.0E-7`)},
	}
)

func raws(ss ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(ss))
	for i, s := range ss {
		out[i] = json.RawMessage(s)
	}
	return out
}

// tablesVerbatim reports whether every string of the built-in tables that
// realistic, minimal and maximal payloads are made of (and join, as
// addresses, names, emails and phone numbers) needs no escaping in JSON
// (verbatimString). Then AppendJSON skips looking at each string of such a
// payload; the edge profile and a team's vocabulary bring strings of their
// own and are always looked at.
var tablesVerbatim = sync.OnceValue(func() bool {
	lists := [][]string{firstNames, lastNames, streetNames, streetSuffixes, emailDomains, vendorNames,
		schemas.WorkOrderStatuses, schemas.RequestStatuses, schemas.PhaseTypes, schemas.SLATypes, WorkingStatuses()}
	for _, f := range append(slices.Clone(firstNameForms), lastNameForms...) {
		lists = append(lists, []string{f.mail})
	}
	for _, streets := range regionalStreets {
		lists = append(lists, streets)
	}
	for _, c := range tradeCombos {
		lists = append(lists, c.trades)
	}
	for _, t := range schemas.Triggers() {
		lists = append(lists, []string{t.Key, t.Name}, t.RecordTypes)
	}
	for _, wf := range append(slices.Collect(maps.Values(defaultWorkflows.projects)), defaultWorkflows.request) {
		for _, s := range wf.stages {
			lists = append(lists, []string{s.name, s.phaseType, s.requestStatus})
		}
	}
	for _, t := range woTemplates {
		lists = append(lists, []string{t.title}, t.descs)
	}
	for _, t := range append(slices.Clone(fieldTransitions), officeTransitions...) {
		lists = append(lists, []string{t.from, t.to})
	}
	for _, p := range places {
		lists = append(lists, []string{p.City, p.State, p.County, p.AreaCode, p.cityJur.Name, p.countyJur.Name}, p.ZIPs)
	}
	for _, list := range lists {
		for _, s := range list {
			if !verbatimString(s) {
				return false
			}
		}
	}
	return true
})
