package schemas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/coperniq-mock/coperniq-mock/suggest"
)

//go:generate go run ../tools/schemagen -from-generator

// BaseURL is where the validator places the embedded files in memory: a
// file is known as BaseURL + level + "/" + its path, e.g. BaseURL +
// "strict/defs/record.json". The files themselves carry no $id, so every
// reference between them is relative to where the file is read from: a
// copy of a level's directory (docs/schemas/contract, what `schema export`
// writes) resolves offline in any tool, with nothing to map and nothing
// fetched. An absolute $id made bundlers and linters resolve references
// against a URL that serves nothing; a relative one still confuses those
// that inline a file into another document.
const BaseURL = "https://github.com/coperniq-mock/coperniq-mock/schemas/"

const draft = "https://json-schema.org/draft/2020-12/schema"

// Examples maps a dotted payload path, as Fields spells it ("record.stage.name"),
// to example values that the generated schemas show under "examples" for
// that property. Values are JSON values as encoding/json decodes them with
// UseNumber (json.Number, string, bool, nil, []any, map[string]any).
type Examples map[string][]any

// ParseExamples reads Examples from a JSON object of path → array of values,
// the format of schemas/examples.json.
func ParseExamples(data []byte) (Examples, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var ex Examples
	if err := dec.Decode(&ex); err != nil {
		return nil, fmt.Errorf("examples: %w", err)
	}
	return ex, nil
}

// GenerateFiles renders every schema file of both levels from the Go tables
// and ex (which may be nil). Keys are slash paths relative to the schemas
// directory, e.g. "contract/TASK_CREATED.json" and "strict/defs/record.json".
// An example keyed by a path no schema defines, or whose value has the wrong
// type for its property, is an error; a value outside a strict vocabulary is
// left out of the files whose vocabulary excludes it (event.status is
// IN_PROGRESS on *_PHASE_STARTED but COMPLETED on *_PHASE_COMPLETED) and is
// an error only if no file takes it.
func GenerateFiles(ex Examples) (map[string][]byte, error) {
	return GenerateFilesFor(ex, nil)
}

// GenerateFilesFor is GenerateFiles with the names and value lists of v (nil
// for the built-in vocabulary): the strict files close their vocabularies
// to v's, and say that the values came from v's file.
func GenerateFilesFor(ex Examples, v *Vocabulary) (map[string][]byte, error) {
	g := &schemaBuilder{ex: ex, used: map[string][]bool{}, vocab: v}
	if err := g.checkPaths(); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, level := range Levels() {
		for _, d := range definitions {
			files[level.String()+"/defs/"+d.name+".json"] = g.render(g.defFile(v.def(d), level))
		}
		for _, t := range triggers {
			files[level.String()+"/"+t.Key+".json"] = g.render(g.triggerFile(v.Trigger(t), level))
		}
	}
	files["contract/envelope.json"] = g.render(g.envelopeFile())
	if g.err != nil {
		return nil, g.err
	}
	// Examples outside a file's vocabulary are left out, not an error: they
	// come from the built-in vocabulary.
	if err := g.checkUsed(); err != nil && v.IsDefault() {
		return nil, err
	}
	return files, nil
}

type schemaBuilder struct {
	vocab *Vocabulary
	ex    Examples
	used  map[string][]bool // path → which of its examples some file shows
	err   error
}

func (g *schemaBuilder) checkPaths() error {
	known := map[string]bool{}
	for _, t := range triggers {
		for _, f := range propertyPaths(t) {
			known[f] = true
		}
	}
	for _, path := range slices.Sorted(maps.Keys(g.ex)) {
		if !known[path] {
			msg := fmt.Sprintf("examples: path %q isn't a property of any trigger's payload", path)
			// Only paths as deep: "record" contains every record path.
			var peers []string
			for k := range known {
				if strings.Count(k, ".") == strings.Count(path, ".") {
					peers = append(peers, k)
				}
			}
			slices.Sort(peers)
			if s := suggest.Nearest(path, peers); s != "" {
				msg += "; did you mean " + s + "?"
			}
			return fmt.Errorf("%s", msg)
		}
		g.used[path] = make([]bool, len(g.ex[path]))
	}
	return nil
}

func (g *schemaBuilder) checkUsed() error {
	for _, path := range slices.Sorted(maps.Keys(g.used)) {
		for i, ok := range g.used[path] {
			if !ok {
				return fmt.Errorf("examples: %s value %s fits no schema's vocabulary", path, jsonText(g.ex[path][i]))
			}
		}
	}
	return nil
}

// obj is a JSON object whose keys render in insertion order, so schema files
// read top-down: identity, description, type, then properties.
type obj []member

type member struct {
	key string
	val any
}

func (o *obj) add(key string, val any) { *o = append(*o, member{key, val}) }

func header(title, desc string) obj {
	return obj{
		{"$schema", draft},
		{"title", title},
		{"description", desc},
	}
}

// refTo applies the schema at target (a path relative to the file) with
// allOf rather than a bare $ref beside other keywords: draft-07 based
// tooling (AsyncAPI's default schema format, many code generators) ignores
// every sibling of $ref, which would drop the properties and consts a
// trigger adds to the shared definition.
func refTo(target string) []any { return []any{obj{{"$ref", target}}} }

func (g *schemaBuilder) defFile(d *definition, level Level) obj {
	d = g.withOwnLists(d)
	desc := d.desc
	if d.behaviourAssumed != "" {
		desc += " " + assumedBy + d.behaviourAssumed
	}
	o := header(d.title, desc)
	if !d.typed {
		o.add("$comment", "No type here: the property that uses this definition is nullable and declares type [object, null] itself.")
	}
	if d.extensible && level == Strict {
		o.add("$comment", "Open on purpose: each strict trigger file adds its own event fields and closes the object with unevaluatedProperties: false.")
	}
	if d.typed {
		o.add("type", "object")
	}
	o.add("required", propNames(d.props))
	o.add("properties", g.props(d.props, d.path, level))
	g.closeObject(&o, level, d.extensible)
	return o
}

// closeObject states the level's stance on unknown properties explicitly,
// even where it is the default, so a reader of one file sees it.
func (g *schemaBuilder) closeObject(o *obj, level Level, extensible bool) {
	switch {
	case level == Contract:
		o.add("additionalProperties", true)
	case !extensible:
		o.add("additionalProperties", false)
	}
}

func (g *schemaBuilder) triggerFile(t Trigger, level Level) obj {
	desc := fmt.Sprintf("The payload Coperniq POSTs when %s (trigger %s, \"%s\"). ", t.FiresWhen, t.Key, t.Name)
	if level == Contract {
		desc += "Contract level: what a receiver must accept. Coperniq may add properties and new status values, so unknown ones are allowed."
	} else {
		desc += "Strict level: exactly what coperniq-mock emits, with no extra properties and closed vocabularies."
	}
	o := header(t.Key+": "+t.Name, desc)
	o.add("type", "object")
	// Coperniq sends record only "when the trigger is associated with a
	// Project, Request, or Account": the contract level never requires it;
	// the strict level requires it where this tool always sends one.
	required := []string{"event"}
	if level == Strict && !t.RecordOptional {
		required = append(required, "record")
	}
	if t.WorkOrder {
		required = append(required, "workOrder")
	}
	o.add("required", required)

	extras := describeOwnLists(extraProps(t), "event")
	ev := obj{{"description", eventPropDesc}, {"type", "object"}, {"allOf", refTo("defs/event.json")}}
	if len(extras) > 0 {
		ev.add("required", propNames(extras))
	}
	evProps := obj{
		{"triggerKey", obj{{"description", "Always " + t.Key + " in this payload."}, {"const", t.Key}}},
	}
	if level == Strict {
		nameAssumed := ""
		nameDesc := "Always \"" + t.Name + "\", the name Coperniq documents for this trigger."
		var nameVocab *Vocabulary
		switch {
		case !g.vocab.IsDefault() && t.Name != defaultName(t.Key):
			nameVocab = g.vocab
			nameDesc = "Always \"" + t.Name + "\", the name " + NameVocabulary(vocabularyFileName(g.vocab)) + " gives this trigger."
		case !t.NameDocumented:
			nameAssumed = "Coperniq publishes only the name of TASK_STATUS_MOVEMENT; this one is the trigger's description in title case."
			nameDesc = "Always \"" + t.Name + "\" in what this tool sends; Coperniq's exact name for this trigger is unpublished."
		}
		evProps.add("triggerName", sourced(obj{{"description", nameDesc}, {"const", t.Name}}, "", nameAssumed, nameVocab, true))
	}
	evProps = append(evProps, g.props(extras, "event", level)...)
	ev.add("properties", evProps)
	if level == Strict {
		ev.add("unevaluatedProperties", false)
	}

	recDesc := recordPropDesc
	if level == Strict && t.RecordOptional {
		recDesc += " This tool leaves it out of some " + t.Key + " payloads (a call or appointment not tied to a record)."
	} else if level == Strict {
		recDesc += " This tool always sends it with " + t.Key + "."
	}
	rec := obj{{"description", recDesc}, {"type", "object"}, {"allOf", refTo("defs/record.json")}}
	if level == Strict {
		rec.add("properties", obj{{"type", obj{
			{"description", "This trigger carries a record of type " + orList(t.RecordTypes) + "."},
			{"enum", anySlice(t.RecordTypes)},
		}}})
	}
	props := obj{{"event", g.withExamples(ev, "event", nil)}, {"record", g.withExamples(rec, "record", nil)}}
	if t.WorkOrder {
		wo := obj{{"description", workOrderPropDesc}, {"type", "object"}, {"allOf", refTo("defs/workOrder.json")}}
		props.add("workOrder", g.withExamples(wo, "workOrder", nil))
	}
	o.add("properties", props)
	g.closeObject(&o, level, false)
	return o
}

func (g *schemaBuilder) envelopeFile() obj {
	o := header("Any Coperniq webhook payload",
		"What every payload has in common, for a triggerKey this project does not know: Coperniq may add triggers, and a receiver must accept them. "+
			"Only event is required; record and workOrder are checked when present.")
	o.add("type", "object")
	o.add("required", []string{"event"})
	o.add("properties", obj{
		{"event", g.withExamples(obj{{"description", eventPropDesc}, {"type", "object"}, {"allOf", refTo("defs/event.json")}}, "event", nil)},
		{"record", g.withExamples(obj{{"description", recordPropDesc}, {"type", "object"}, {"allOf", refTo("defs/record.json")}}, "record", nil)},
		{"workOrder", g.withExamples(obj{{"description", "The work order the event concerns, on work-order triggers."}, {"type", "object"}, {"allOf", refTo("defs/workOrder.json")}}, "workOrder", nil)},
	})
	o.add("additionalProperties", true)
	return o
}

// props renders a properties object. prefix is the dotted payload path of
// the object that holds them.
func (g *schemaBuilder) props(ps []prop, prefix string, level Level) obj {
	out := make(obj, 0, len(ps))
	for _, p := range ps {
		out.add(p.name, g.propSchema(p, prefix+"."+p.name, level))
	}
	return out
}

// Keywords that say, in every schema file, what Coperniq documents and what
// this project assumes. Validators ignore them; docgen and readers
// use them. SourceKeyword is on every property ("documented" or "assumed",
// with AssumptionKeyword giving the reason); ValuesSourceKeyword is on every
// strict-level value list (enum or const) likewise, with
// ValuesAssumptionKeyword.
const (
	SourceKeyword           = "x-source"
	AssumptionKeyword       = "x-assumption"
	ValuesSourceKeyword     = "x-values-source"
	ValuesAssumptionKeyword = "x-values-assumption"
	Documented              = "documented"
	Assumed                 = "assumed"
	// FromVocabulary is the ValuesSourceKeyword of a value list a team's
	// vocabulary set: neither Coperniq's nor this tool's guess.
	// ValuesVocabularyKeyword names the file (its base name, so that
	// published docs do not carry a local path).
	FromVocabulary          = "vocabulary"
	ValuesVocabularyKeyword = "x-values-vocabulary"
	// TypeSourceKeyword is "assumed" on a property whose name Coperniq
	// documents but whose type it does not (the trigger-specific event
	// fields it lists without types).
	TypeSourceKeyword = "x-type-source"
	// BehaviourSourceKeyword is "assumed" on a property Coperniq documents
	// whose behaviour the description also states from this project's
	// assumptions (a range, what a retry carries, when it is null), with
	// BehaviourAssumptionKeyword saying what is assumed. The description
	// gives it after "Assumed by coperniq-mock:".
	BehaviourSourceKeyword     = "x-behaviour-source"
	BehaviourAssumptionKeyword = "x-behaviour-assumption"
)

// sourced appends the source keywords of a property and, where the level
// closes its values, of its value list: vocab's, when not nil, a team's
// vocabulary that set the list.
func sourced(s obj, assumed, valuesAssumed string, vocab *Vocabulary, closed bool) obj {
	if assumed == "" {
		s.add(SourceKeyword, Documented)
	} else {
		s.add(SourceKeyword, Assumed)
		s.add(AssumptionKeyword, assumed)
	}
	if closed {
		if vocab != nil {
			s.add(ValuesSourceKeyword, FromVocabulary)
			if name := vocabularyFileName(vocab); name != "" {
				s.add(ValuesVocabularyKeyword, name)
			}
			return s
		}
		if valuesAssumed == "" {
			s.add(ValuesSourceKeyword, Documented)
		} else {
			s.add(ValuesSourceKeyword, Assumed)
			s.add(ValuesAssumptionKeyword, valuesAssumed)
		}
	}
	return s
}

// withOwnLists is d with the descriptions of the builder's vocabulary's
// own lists in its values (see describeOwnLists).
func (g *schemaBuilder) withOwnLists(d *definition) *definition {
	if g.vocab.IsDefault() {
		return d
	}
	c := *d
	c.props = describeOwnLists(d.props, d.path)
	return &c
}

// valuesDescriptions phrase a description that names values from the
// vocabulary's list, for a list a team's vocabulary changed: the built-in
// wording names the built-in values.
var valuesDescriptions = map[string]func(vals []string) string{
	"event.slaType": func(vals []string) string {
		if len(vals) == 2 {
			return fmt.Sprintf("Which threshold was crossed: %s (warning) or %s (violation).", vals[0], vals[1])
		}
		return fmt.Sprintf("Which threshold was crossed: %s (warning first).", orList(vals))
	},
	"event.phaseType": func(vals []string) string {
		return fmt.Sprintf("The kind of phase, such as %s.", orList(vals[:min(2, len(vals))]))
	},
	"record.trades": func(vals []string) string {
		return fmt.Sprintf("Trades the work involves, such as %s; accept names you do not know. Null when none are set.", strings.Replace(orList(vals[:min(2, len(vals))]), " or ", " and ", 1))
	},
	"workOrder.status": func(vals []string) string {
		return fmt.Sprintf("Status of the work order: %s as far as known; accept others.", orList(vals))
	},
}

// describeOwnLists gives each of ps whose value list is a team
// vocabulary's own (labelled so where the vocabulary set it, listLabel)
// the description that names its values, where the built-in one names
// the built-in values; prefix is their object's path.
func describeOwnLists(ps []prop, prefix string) []prop {
	out := slices.Clone(ps)
	for i, p := range out {
		if describe, ok := valuesDescriptions[prefix+"."+p.name]; ok && p.fromVocabulary {
			out[i].desc = describe(p.enum)
		}
	}
	return out
}

// assumedBy introduces, in a description, what this project assumes.
const assumedBy = "Assumed by coperniq-mock: "

// describe is a property's description with its source said in words, so a
// reader of the description alone knows what is a guess: behaviour is what
// is assumed of a documented property (behaviourAssumed), said after the
// label rather than as part of what Coperniq documents.
func describe(desc, assumed, behaviour string) string {
	if assumed == "" {
		desc += " Field documented by Coperniq."
		if behaviour != "" {
			desc += " " + assumedBy + behaviour
		}
		return desc
	}
	desc += " " + assumedBy + assumed
	if behaviour != "" {
		desc += " " + behaviour
	}
	return desc
}

func (g *schemaBuilder) propSchema(p prop, path string, level Level) obj {
	desc := describe(p.desc, p.assumed, p.behaviourAssumed)
	if p.typeAssumed != "" {
		desc += " Its type is assumed by coperniq-mock: " + p.typeAssumed
	}
	s := obj{{"description", desc}}
	closed := level == Strict && (len(p.enum) > 0 || p.alwaysNull)
	valuesAssumed := p.valuesAssumed
	if p.alwaysNull && valuesAssumed == "" {
		valuesAssumed = p.assumed // the one value is the assumption
	}
	var vocab *Vocabulary
	if p.fromVocabulary {
		vocab = g.vocab
	}
	s = sourced(s, p.assumed, valuesAssumed, vocab, closed)
	if p.typeAssumed != "" {
		s.add(TypeSourceKeyword, Assumed)
	}
	if p.behaviourAssumed != "" {
		s.add(BehaviourSourceKeyword, Assumed)
		s.add(BehaviourAssumptionKeyword, p.behaviourAssumed)
	}
	if level == Strict && p.alwaysNull {
		s.add("type", "null")
		return g.withExamples(s, path, func(v any) (fits, inVocab bool) {
			fits, _ = exampleFits(p, v, len(p.enum) > 0)
			return fits, v == nil
		})
	}
	closed = level == Strict && len(p.enum) > 0
	switch p.kind {
	case kindObject:
		if p.nullable {
			s.add("type", []any{"object", "null"})
		} else {
			s.add("type", "object")
		}
		s.add("allOf", refTo(p.def+".json"))
	case kindStringArr:
		s.add("type", jsonType("array", p.nullable))
		items := obj{{"description", "One entry."}, {"type", "string"}}
		if closed {
			one := "One of the trades this tool knows."
			if p.fromVocabulary {
				one = "One of the trades " + NameVocabulary(vocabularyFileName(g.vocab)) + " lists."
			}
			items = obj{{"description", one}, {"type", "string"}, {"enum", anySlice(p.enum)}}
		}
		s.add("items", items)
	default:
		k := p.kind
		if level == Contract && p.documentedNumber {
			k = kindNumber
		}
		s.add("type", jsonType(k.jsonType(), p.nullable))
		switch p.kind {
		case kindDateTime:
			s.add("format", "date-time")
		case kindEmail:
			s.add("format", "email")
		}
		if level == Strict && p.minLength > 0 {
			s.add("minLength", p.minLength)
		}
		if level == Strict && p.pattern != "" {
			s.add("pattern", p.pattern)
		}
		if closed {
			vals := anySlice(p.enum)
			if p.nullable {
				vals = append(vals, nil)
			}
			s.add("enum", vals)
		}
	}
	// Examples stay inside the catalog's vocabulary at both levels, so the
	// two levels show the same examples.
	return g.withExamples(s, path, func(v any) (fits, inVocab bool) { return exampleFits(p, v, len(p.enum) > 0) })
}

// withExamples appends the examples for path, if any. check reports whether
// a value has the property's type and whether it is inside the property's
// closed vocabulary; nil means anything goes.
func (g *schemaBuilder) withExamples(s obj, path string, check func(any) (fits, inVocab bool)) obj {
	vals := g.ex[path]
	if len(vals) == 0 {
		return s
	}
	var shown []any
	for i, v := range vals {
		fits, inVocab := true, true
		if check != nil {
			fits, inVocab = check(v)
		}
		if !fits && g.err == nil {
			g.err = fmt.Errorf("examples: %s value %s has the wrong type for the property", path, jsonText(v))
		}
		if fits && inVocab {
			shown = append(shown, v)
			g.used[path][i] = true
		}
	}
	if len(shown) > 0 {
		s.add("examples", shown)
	}
	return s
}

func (k propKind) jsonType() string {
	switch k {
	case kindInteger:
		return "integer"
	case kindNumber:
		return "number"
	case kindBoolean:
		return "boolean"
	case kindStringArr:
		return "array"
	case kindObject:
		return "object"
	}
	return "string"
}

func jsonType(t string, nullable bool) any {
	if nullable {
		return []any{t, "null"}
	}
	return t
}

// exampleFits checks an example value against a property's type (fits) and,
// for closed vocabularies, its values (inVocab).
func exampleFits(p prop, v any, closed bool) (fits, inVocab bool) {
	if v == nil {
		return p.nullable, true
	}
	inEnum := func(s string) bool { return !closed || slices.Contains(p.enum, s) }
	switch p.kind {
	case kindInteger:
		n, ok := v.(json.Number)
		if !ok {
			return false, false
		}
		f, err := n.Float64()
		return err == nil && f == math.Trunc(f), true
	case kindNumber:
		_, ok := v.(json.Number)
		return ok, true
	case kindBoolean:
		_, ok := v.(bool)
		return ok, true
	case kindStringArr:
		arr, ok := v.([]any)
		if !ok {
			return false, false
		}
		inVocab = true
		for _, e := range arr {
			s, ok := e.(string)
			if !ok {
				return false, false
			}
			inVocab = inVocab && inEnum(s)
		}
		return true, inVocab
	case kindObject:
		_, ok := v.(map[string]any)
		return ok, true
	}
	s, ok := v.(string)
	if !ok {
		return false, false
	}
	if utf8.RuneCountInString(s) < p.minLength || p.pattern != "" && !regexp.MustCompile(p.pattern).MatchString(s) {
		return true, false
	}
	return true, inEnum(s)
}

func propNames(ps []prop) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.name
	}
	return out
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func orList(ss []string) string {
	switch len(ss) {
	case 1:
		return ss[0]
	case 2:
		return ss[0] + " or " + ss[1]
	}
	return strings.Join(ss[:len(ss)-1], ", ") + " or " + ss[len(ss)-1]
}

// render writes o as indented JSON with a trailing newline. Arrays of
// scalars stay on one line when short, which keeps "type": ["string",
// "null"] and enums readable.
func (g *schemaBuilder) render(o obj) []byte {
	var b bytes.Buffer
	writeValue(&b, o, "")
	b.WriteByte('\n')
	return b.Bytes()
}

func writeValue(b *bytes.Buffer, v any, indent string) {
	inner := indent + "  "
	switch v := v.(type) {
	case obj:
		if len(v) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, m := range v {
			b.WriteString(inner)
			b.WriteString(jsonText(m.key))
			b.WriteString(": ")
			writeValue(b, m.val, inner)
			if i < len(v)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "}")
	case map[string]any:
		o := make(obj, 0, len(v))
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			o.add(k, v[k])
		}
		writeValue(b, o, indent)
	case []string:
		writeValue(b, anySlice(v), indent)
	case []any:
		if line, ok := oneLine(v); ok {
			b.WriteString(line)
			return
		}
		b.WriteString("[\n")
		for i, e := range v {
			b.WriteString(inner)
			writeValue(b, e, inner)
			if i < len(v)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "]")
	default:
		b.WriteString(jsonText(v))
	}
}

func oneLine(arr []any) (string, bool) {
	parts := make([]string, len(arr))
	n := 0
	for i, e := range arr {
		switch e.(type) {
		case obj, map[string]any, []any, []string:
			return "", false
		}
		parts[i] = jsonText(e)
		n += len(parts[i]) + 2
	}
	if n > 100 {
		return "", false
	}
	return "[" + strings.Join(parts, ", ") + "]", true
}

// jsonText encodes a scalar without HTML escaping, so descriptions keep
// their "<=" and "&" readable.
func jsonText(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%q", fmt.Sprint(v))
	}
	return strings.TrimSuffix(b.String(), "\n")
}
