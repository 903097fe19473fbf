package docgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Everything the pages say about a field is read from the committed schema
// files, not from the Go tables that generated them, so that the docs
// describe what a validator enforces even if someone edits a file by hand.
// Types, nullability, meaning and examples come from the contract level
// (what a receiver must accept); the strict level adds the closed
// vocabularies, shown as known values.

// field is one row of a field table.
type field struct {
	name     string
	path     string // dotted, "record.stage.name"
	typ      string // "integer", "string (date-time)", "array of string", "object"
	nullable bool
	required bool
	meaning  string
	known    []any // the strict level's enum or const values
	pinned   bool  // the contract level fixes the value too (a const)
	// valuesAssumed is the strict level's reason for calling its value list
	// an assumption (x-values-assumption), "" when Coperniq documents it.
	valuesAssumed string
	// valuesFrom names the team's vocabulary that set the value list
	// (x-values-source: vocabulary): "your vocabulary file team.yaml";
	// "" when Coperniq or this tool gave it.
	valuesFrom string
	example    string // compact JSON of the value in the page's example payload (the contract example where the payload lacks the path), "" if none or an object
	extra      bool   // specific to this trigger (not in the shared definition)
	object     string // for an object-typed field, the path of its own table
}

// object is one field table: the properties of one JSON object.
type object struct {
	path        string // "event", "record.stage"
	description string
	nullable    bool
	fields      []field
	exampleFrom string // on the HTML page's shared tables: the trigger whose payload gave the examples
}

// page is everything the docs say about one trigger.
type page struct {
	trigger     schemas.Trigger
	summary     string   // the trigger schema's description
	keys        []field  // top-level keys
	objects     []object // event, record, record.stage, ..., workOrder
	extras      []field  // the trigger's own event fields
	recordTypes []any    // record.type values the strict schema allows here
	example     []byte   // the realistic payload, indented as generate --pretty prints it
	exampleTree any
	vocab       *schemas.Vocabulary // nil: the built-in one
	validator   *schemas.Validator
}

// site is the content every format renders.
type site struct {
	seed  uint64
	vocab *schemas.Vocabulary // nil: the built-in one
	pages []*page
	// formats are the formats being written; links to the others are left
	// out. Nil (as in tests that render one format directly) means all.
	formats []Format
	// generated are the schema files made for a vocabulary file, by path
	// under schemas/ (nil for the built-in vocabulary, whose files are
	// committed): read for the pages and written as they are.
	generated map[string][]byte
}

// writes reports whether f is among the formats being written.
func (s *site) writes(f Format) bool {
	return s.formats == nil || slices.Contains(s.formats, f)
}

// buildSite reads the schemas and generates one validated example per
// trigger.
func buildSite(seed uint64) (*site, error) { return buildSiteFor(seed, nil) }

// buildSiteFor is buildSite in a vocabulary (nil: the built-in one).
func buildSiteFor(seed uint64, v *schemas.Vocabulary) (*site, error) {
	set, generated, err := loadSchemasFor(v)
	if err != nil {
		return nil, err
	}
	val, err := schemas.NewValidator(v)
	if err != nil {
		return nil, err
	}
	s := &site{seed: seed, vocab: v, generated: generated}
	for _, t := range schemas.Triggers() {
		p, err := set.page(v.Trigger(t))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.Key, err)
		}
		p.vocab, p.validator = v, val
		if err := p.generateExample(seed); err != nil {
			return nil, err
		}
		p.fillExamples()
		s.pages = append(s.pages, p)
	}
	return s, nil
}

// InvalidExampleError reports a generated example payload that its own
// schema rejects. Docs are not written with it: an example that a
// validator would refuse teaches integrators the wrong thing.
type InvalidExampleError struct {
	TriggerKey string
	Seed       uint64
	Level      schemas.Level
	Violations []schemas.Violation
}

func (e *InvalidExampleError) Error() string {
	vs := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		vs[i] = v.String()
	}
	return fmt.Sprintf("the example payload of %s (seed %d) fails the %s schema: %s", e.TriggerKey, e.Seed, e.Level, strings.Join(vs, "; "))
}

func (p *page) generateExample(seed uint64) error {
	key := p.trigger.Key
	// A fresh generator per trigger: each page's example is then exactly
	// what `coperniq-mock generate KEY --seed N` prints, whatever the order.
	raw, err := generator.New(seed, generator.WithProfile(generator.Realistic), generator.WithVocabulary(p.vocab)).JSON(key)
	if err != nil {
		return fmt.Errorf("generating the example of %s: %w", key, err)
	}
	return p.checkExample(raw, seed)
}

// checkExample validates raw at both levels and, if it passes, keeps it as
// the page's example.
func (p *page) checkExample(raw []byte, seed uint64) error {
	key := p.trigger.Key
	for _, level := range []schemas.Level{schemas.Strict, schemas.Contract} {
		validate := schemas.Validate
		if p.validator != nil {
			validate = p.validator.Validate
		}
		r, err := validate(raw, level)
		if err != nil {
			return fmt.Errorf("the example payload of %s is not JSON: %w", key, err)
		}
		if !r.Valid() || r.TriggerKey != key {
			return &InvalidExampleError{TriggerKey: key, Seed: seed, Level: level, Violations: r.Violations}
		}
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return err
	}
	tree, err := decodeOrdered(raw)
	p.example, p.exampleTree = buf.Bytes(), tree
	return err
}

// fillExamples replaces each field's schema example with the value at its
// path in the page's own example payload, so that a table agrees with the
// payload printed below it: one record, one address, timestamps in order.
// A field the payload lacks (inside a null record.stage, say) keeps the
// schema's example; an object value leaves the cell to its own table.
func (p *page) fillExamples() {
	fill := func(fs []field) {
		for i := range fs {
			if v, ok := valueAt(p.exampleTree, fs[i].path); ok {
				fs[i].example = payloadExample(v)
			}
		}
	}
	fill(p.keys)
	fill(p.extras)
	for _, o := range p.objects {
		fill(o.fields)
	}
}

// payloadExample renders a payload value for an Example cell: compact
// JSON, null as null, "" for an object (its own table shows its fields).
func payloadExample(v any) string {
	if _, isObj := v.(obj); isObj {
		return ""
	}
	return compactJSON(v)
}

// valueAt finds the value at a dotted path in an ordered JSON tree.
func valueAt(tree any, dotted string) (any, bool) {
	v := tree
	for _, k := range strings.Split(dotted, ".") {
		o, ok := v.(obj)
		if !ok {
			return nil, false
		}
		if v, ok = o.get(k); !ok {
			return nil, false
		}
	}
	return v, true
}

// schemaSet holds every schema file of both levels as ordered trees, keyed
// by slash path: "contract/TASK_CREATED.json", "strict/defs/record.json".
type schemaSet map[string]obj

// loadSchemasFor reads the committed schema files (through schemas.Export,
// the package's one way to hand out the definitions under defs/, into a
// scratch directory), or for a vocabulary file the ones generated from it.
func loadSchemasFor(v *schemas.Vocabulary) (set schemaSet, generated map[string][]byte, err error) {
	tmp, err := os.MkdirTemp("", "coperniq-mock-docgen-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(tmp)
	set = schemaSet{}
	if v.IsDefault() {
		for _, level := range schemas.Levels() {
			if err := schemas.Export(filepath.Join(tmp, level.String()), level); err != nil {
				return nil, nil, err
			}
		}
	} else {
		generated, err = generateFiles(v)
		if err != nil {
			return nil, nil, err
		}
		for name, data := range generated {
			p := filepath.Join(tmp, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return nil, nil, err
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				return nil, nil, err
			}
		}
	}
	err = filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".json" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(tmp, p)
		tree, err := decodeOrdered(data)
		if err != nil {
			return fmt.Errorf("schema %s: %w", filepath.ToSlash(rel), err)
		}
		o, ok := tree.(obj)
		if !ok {
			return fmt.Errorf("schema %s is not a JSON object", filepath.ToSlash(rel))
		}
		set[filepath.ToSlash(rel)] = o
		return nil
	})
	return set, generated, err
}

// node is a schema object with the file it sits in, which its $ref is
// relative to.
type node struct {
	o    obj
	file string
}

func (n node) str(key string) string {
	v, _ := n.o.get(key)
	s, _ := v.(string)
	return s
}

func (n node) child(key string) (node, bool) {
	v, ok := n.o.get(key)
	o, isObj := v.(obj)
	return node{o, n.file}, ok && isObj
}

// ref is the definition n applies: the $ref of its one-entry allOf (the
// form the schema files use, so that draft-07 tooling keeps n's own
// keywords), or a bare $ref.
func (n node) ref() string {
	if v, ok := n.o.get("allOf"); ok {
		if all, _ := v.([]any); len(all) == 1 {
			if o, ok := all[0].(obj); ok {
				return node{o, n.file}.str("$ref")
			}
		}
	}
	return n.str("$ref")
}

// deref follows n's $ref, if any, to the definition it names. Only relative
// file references occur in these schemas; anything else is an error, so the
// docs fail loudly rather than silently drop fields if that changes.
func (s schemaSet) deref(n node) (node, bool, error) {
	ref := n.ref()
	if ref == "" {
		return node{}, false, nil
	}
	if strings.Contains(ref, "#") || strings.Contains(ref, ":") {
		return node{}, false, fmt.Errorf("%s: $ref %q is not a relative file reference", n.file, ref)
	}
	file := path.Join(path.Dir(n.file), ref)
	o, ok := s[file]
	if !ok {
		return node{}, false, fmt.Errorf("%s: $ref %q names a missing file %s", n.file, ref, file)
	}
	return node{o, file}, true, nil
}

// prop is one property of an object schema, seen through a $ref: def is its
// schema in the referenced definition, local its schema in the referencing
// file, which adds trigger fields and narrows shared ones (a const
// triggerKey, a closed record.type).
type prop struct {
	name       string
	def, local *node
}

// attr reads a keyword, the local schema winning.
func (p prop) attr(key string) any {
	for _, n := range []*node{p.local, p.def} {
		if n == nil {
			continue
		}
		if v, ok := n.o.get(key); ok {
			return v
		}
	}
	return nil
}

// description prefers the shared definition's wording: a local override
// says what is special here ("Always TASK_CREATED"), which the known values
// already show.
func (p prop) description() string {
	for _, n := range []*node{p.def, p.local} {
		if n != nil {
			if d := n.str("description"); d != "" {
				return d
			}
		}
	}
	return ""
}

// objectNode is the schema to descend into for an object-typed property.
func (p prop) objectNode() node {
	if p.local != nil && p.local.ref() != "" {
		return *p.local
	}
	if p.def != nil {
		return *p.def
	}
	return *p.local
}

// properties merges n's own properties over those of its $ref target, in
// the target's order with n's additions after, and the required lists.
func (s schemaSet) properties(n node) (props []prop, required []string, viaRef bool, err error) {
	target, viaRef, err := s.deref(n)
	if err != nil {
		return nil, nil, false, err
	}
	add := func(src node, local bool) {
		ps, _ := src.child("properties")
		for _, m := range ps.o {
			po, ok := m.v.(obj)
			if !ok {
				continue
			}
			nn := &node{po, src.file}
			i := slices.IndexFunc(props, func(p prop) bool { return p.name == m.k })
			if i < 0 {
				props = append(props, prop{name: m.k})
				i = len(props) - 1
			}
			if local {
				props[i].local = nn
			} else {
				props[i].def = nn
			}
		}
		r, _ := src.o.get("required")
		list, _ := r.([]any)
		for _, k := range list {
			if name, ok := k.(string); ok {
				required = append(required, name)
			}
		}
	}
	if viaRef {
		add(target, false)
	}
	add(n, true)
	return props, required, viaRef, nil
}

// page derives the field tables of trigger t.
func (s schemaSet) page(t schemas.Trigger) (*page, error) {
	cFile := schemas.Contract.String() + "/" + t.Key + ".json"
	sFile := schemas.Strict.String() + "/" + t.Key + ".json"
	c, ok1 := s[cFile]
	st, ok2 := s[sFile]
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("no schema file for %s", t.Key)
	}
	p := &page{trigger: t, summary: node{c, cFile}.str("description")}
	root := node{c, cFile}
	sroot := node{st, sFile}
	var walk func(path string, cn, sn *node, top bool) ([]field, error)
	walk = func(objPath string, cn, sn *node, top bool) ([]field, error) {
		cprops, creq, viaRef, err := s.properties(*cn)
		if err != nil {
			return nil, err
		}
		var sprops []prop
		if sn != nil {
			if sprops, _, _, err = s.properties(*sn); err != nil {
				return nil, err
			}
		}
		var fields []field
		for _, cp := range cprops {
			f := field{name: cp.name, path: joinPath(objPath, cp.name), meaning: cp.description(),
				required: slices.Contains(creq, cp.name), extra: viaRef && cp.def == nil}
			if top {
				// The root's own words for its keys ("Always present").
				f.meaning = cp.local.str("description")
			}
			f.typ, f.nullable = typeOf(cp)
			f.pinned = cp.attr("const") != nil
			var sp *prop
			if i := slices.IndexFunc(sprops, func(p prop) bool { return p.name == cp.name }); i >= 0 {
				sp = &sprops[i]
				f.known = knownValues(*sp)
				switch sp.attr(schemas.ValuesSourceKeyword) {
				case schemas.FromVocabulary:
					name, _ := sp.attr(schemas.ValuesVocabularyKeyword).(string)
					f.valuesFrom = schemas.NameVocabulary(name)
				case schemas.Assumed:
					f.valuesAssumed, _ = sp.attr(schemas.ValuesAssumptionKeyword).(string)
					if f.valuesAssumed == "" {
						f.valuesAssumed = "Coperniq does not publish these values."
					}
				}
			}
			f.example = exampleOf(cp, f.known)
			if f.typ == "object" {
				f.object = f.path
				cn := cp.objectNode()
				var snn *node
				if sp != nil {
					x := sp.objectNode()
					snn = &x
				}
				sub, err := walk(f.path, &cn, snn, false)
				if err != nil {
					return nil, err
				}
				desc := f.meaning
				if top {
					if target, ok, _ := s.deref(cn); ok {
						desc = target.str("description")
					}
				}
				p.objects = append(p.objects, object{path: f.path, description: desc, nullable: f.nullable, fields: sub})
			}
			fields = append(fields, f)
		}
		return fields, nil
	}
	keys, err := walk("", &root, &sroot, true)
	if err != nil {
		return nil, err
	}
	p.keys = keys
	p.objects = orderObjects(keys, p.objects)
	for _, o := range p.objects {
		for _, f := range o.fields {
			if f.extra {
				p.extras = append(p.extras, f)
			}
			if f.path == "record.type" {
				p.recordTypes = f.known
			}
		}
	}
	return p, nil
}

// orderObjects lists tables depth first in property order, which is how a
// reader scans a payload: event, record, record.stage, ..., workOrder.
func orderObjects(keys []field, objs []object) []object {
	byPath := map[string]object{}
	for _, o := range objs {
		byPath[o.path] = o
	}
	var out []object
	var visit func(fs []field)
	visit = func(fs []field) {
		for _, f := range fs {
			if o, ok := byPath[f.object]; ok && f.object != "" {
				out = append(out, o)
				visit(o.fields)
			}
		}
	}
	visit(keys)
	return out
}

func joinPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// typeOf renders a property's JSON type for a table and reports whether
// null is allowed (its type includes "null").
func typeOf(p prop) (string, bool) {
	var types []string
	switch t := p.attr("type").(type) {
	case string:
		types = []string{t}
	case []any:
		for _, e := range t {
			types = append(types, e.(string))
		}
	}
	nullable := slices.Contains(types, "null")
	types = slices.DeleteFunc(types, func(s string) bool { return s == "null" })
	if len(types) == 0 {
		if c, ok := p.attr("const").(string); ok && c != "" {
			types = []string{"string"}
		}
	}
	s := strings.Join(types, " or ")
	switch s {
	case "string":
		if f, ok := p.attr("format").(string); ok {
			s += " (" + f + ")"
		}
	case "array":
		if items, ok := p.attr("items").(obj); ok {
			if it, ok := items.get("type"); ok {
				if its, ok := it.(string); ok {
					s += " of " + its
				}
			}
		}
	}
	return s, nullable
}

// knownValues are the strict level's closed vocabulary for a property (or
// for its array items), without null, which the nullable column shows.
func knownValues(p prop) []any {
	if c, ok := p.local.get("const"); ok {
		return []any{c}
	}
	if t, _ := p.local.get("type"); t == "null" {
		// The strict level narrows a nullable field to null: what this
		// tool always sends there.
		return []any{nil}
	}
	var enum []any
	if e, ok := p.attr("enum").([]any); ok {
		enum = e
	} else if items, ok := p.attr("items").(obj); ok {
		if e, ok := items.get("enum"); ok {
			enum, _ = e.([]any)
		}
	}
	return slices.DeleteFunc(slices.Clone(enum), func(v any) bool { return v == nil })
}

// get on a nil node pointer finds nothing, which keeps knownValues short.
func (n *node) get(key string) (any, bool) {
	if n == nil {
		return nil, false
	}
	return n.o.get(key)
}

func display(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return compactJSON(v)
}

// exampleOf is the property's first contract example, unless the strict
// level's known values exclude it: the shared definition's example
// triggerKey is TASK_STATUS_MOVEMENT, which would be wrong on every other
// trigger's page.
func exampleOf(p prop, known []any) string {
	ex, _ := p.attr("examples").([]any)
	if len(ex) > 0 {
		if _, isObj := ex[0].(obj); isObj {
			return ""
		}
		_, isArray := ex[0].([]any)
		// Known values of an array property constrain its items, not the array.
		if isArray || len(known) == 0 || slices.ContainsFunc(known, func(k any) bool { return compactJSON(k) == compactJSON(ex[0]) }) {
			return compactJSON(ex[0])
		}
	}
	if len(known) > 0 {
		return compactJSON(known[0])
	}
	return ""
}
