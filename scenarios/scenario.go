package scenarios

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/coperniq-mock/coperniq-mock/suggest"
	"github.com/goccy/go-yaml/ast"
)

// Scenario is a parsed, checked scenario file. It is immutable: Render
// may be called any number of times, concurrently.
type Scenario struct {
	// Name is the file's name: field, else the name given to Parse
	// without its directory and .yaml extension.
	Name string
	// Description is the file's description: field, trimmed.
	Description string
	// Params are the declared parameters with their defaults, in file
	// order; WithParam changes them for one Render.
	Params []Param
	// Delivery is how the file asks for its events to be delivered;
	// command-line flags override it field by field.
	Delivery Delivery

	file  string
	start time.Time // zero: the generator's epoch
	// activation is when the automation was switched on, as a time or an
	// offset from start (activation.go); events fired before it are not
	// delivered.
	activation activation
	// slaLag is how long after a phase is overdue its SLA violation fires
	// (the slaLag: setting); unset, 5 minutes to 3 hours.
	slaLag span
	// src and vocab: the file as read and the vocabulary it was parsed
	// with, so WithVocabulary can parse it again (vocabulary.go).
	src      []byte
	vocab    *schemas.Vocabulary
	steps    []*step
	events   int      // with the default parameters
	triggers []string // fired with the default parameters, catalog order
}

// Param is a numeric parameter of a scenario, such as the number of
// projects.
type Param struct {
	Name    string
	Default int
}

// Delivery is a scenario's delivery: block. The zero value of a field
// means "not set": the command line's flag, or the engine's default,
// applies.
type Delivery struct {
	Retry         string // a retry preset name (delivery.Presets)
	Schedule      string // an explicit backoff, such as 1s,5s,30s,5m (delivery.ParseBackoff)
	TimeScale     float64
	Concurrency   int
	RecordOrder   *bool
	Duplicate     float64
	DuplicateMode string
	Reorder       int
	Jitter        time.Duration
}

// Events is how many events the scenario fires with its default
// parameters; it does not depend on the seed.
func (s *Scenario) Events() int { return s.events }

// Triggers lists the trigger keys the scenario fires with its default
// parameters, in catalog order.
func (s *Scenario) Triggers() []string { return slices.Clone(s.triggers) }

// step is one parsed step; repeat steps have no kind and a body.
type step struct {
	kind *stepKind
	name string // the kind's name as written, repeat included
	pos  pos    // of the kind's key
	args map[string]arg
	// recordParam is which record reference the step was given, one of
	// kind.recordRefs; "" for steps without one.
	recordParam string
	after       span
	overrides   *generator.Overrides
	overPos     pos

	// repeat
	count      int
	countParam string
	countPos   pos
	parallel   bool
	stagger    span
	body       []*step
}

type arg struct {
	pos    pos
	text   string
	trades []string
	b      bool
	span   span
	num    float64
}

// Limits that keep a hostile or mistaken file from exhausting memory:
// scenarios are lifecycles, not load tests (the load command is for that).
const (
	maxRepeatCount = 10000
	maxNesting     = 16
	maxNodes       = 200000 // YAML nodes visited, aliases expanded
	// MaxEvents bounds what one Render may fire: 2,000 projects of the
	// residential-solar kind. Volume is the load command's job.
	MaxEvents = 100000
)

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// parsing is the state of one Parse.
type parsing struct {
	errs     *errCollector
	anchors  map[string]ast.Node
	budget   int
	declWalk int
	decls    []declared // every name declared anywhere, for "created later" hints
	params   []Param
	vocab    *schemas.Vocabulary // nil: the built-in one (vocabulary.go)
}

type declared struct {
	name string
	kind entityKind
	pos  pos
	// pinned marks a project (or request) whose workflow the file fixes,
	// by workflow:, trades: or the request it came from; otherwise the
	// seed picks it.
	pinned bool
}

var topKeys = []string{"name", "description", "params", "start", "activation", "slaLag", "delivery", "steps"}

var deliveryKeys = []string{"retry", "schedule", "timeScale", "concurrency", "recordOrder", "duplicate", "duplicateMode", "reorder", "jitter"}

// Parse reads a scenario file. name is used in error positions
// ("name:line:col: ...") and, without directory and extension, as the
// scenario's name when the file gives none. Every problem found is
// reported, as an ErrorList of *Error, before anything could be sent:
// YAML syntax, unknown step kinds, parameters and entity names (with a
// did-you-mean), wrong value types, and impossible lifecycles (moving a
// work order that does not exist, completing a phase with open work
// orders), the latter found by rendering the scenario once with its
// default parameters.
func Parse(name string, src []byte) (*Scenario, error) { return parseWith(name, src, nil) }

func parseWith(name string, src []byte, vocab *schemas.Vocabulary) (*Scenario, error) {
	c := &errCollector{file: name}
	p := &parsing{errs: c, anchors: map[string]ast.Node{}, budget: maxNodes, vocab: vocab}
	body := parseYAML(src, c)
	if c.err() != nil {
		return nil, c.err()
	}
	if body == nil {
		c.add(pos{1, 1}, "the file is empty; a scenario is a mapping with at least steps: (a list of steps)")
		return nil, c.err()
	}
	collectAnchors(body, p.anchors)
	s := &Scenario{file: name, Name: baseName(name), src: src, vocab: vocab}
	entries, ok := p.mapping(body, "a scenario")
	if !ok {
		return nil, c.err()
	}
	seen := map[string]pos{}
	var stepsNode ast.Node
	var stepsPos pos
	for _, e := range entries {
		if prev, dup := seen[e.key]; dup {
			c.add(e.keyPos, "%s is given twice (first at %s)", e.key, prev)
			continue
		}
		seen[e.key] = e.keyPos
		switch e.key {
		case "name":
			if v, ok := p.str(e.value, "name"); ok {
				if !identRE.MatchString(v) {
					c.add(nodePos(e.value), "name %q must be a word of letters, digits, dashes and dots", clip(v))
				} else {
					s.Name = v
				}
			}
		case "description":
			if v, ok := p.str(e.value, "description"); ok {
				s.Description = strings.TrimSpace(v)
			}
		case "params":
			p.parseParams(e.value)
			s.Params = p.params
		case "start":
			if v, ok := p.str(e.value, "start"); ok {
				t, err := time.Parse(time.RFC3339, v)
				if err != nil {
					c.add(nodePos(e.value), "start %q isn't an RFC 3339 time such as 2026-03-31T14:00:00Z", clip(v))
				} else {
					s.start = t.UTC()
				}
			}
		case "activation":
			if v, ok := p.str(e.value, "activation"); ok {
				if a, err := parseActivation(v); err != nil {
					c.add(nodePos(e.value), "%v", err)
				} else {
					s.activation = a
				}
			}
		case "slaLag":
			if v, ok := p.str(e.value, "slaLag"); ok {
				if sp, err := parseSpan(v); err != nil || sp.lo < 0 {
					c.add(nodePos(e.value), "slaLag %q isn't a duration or range such as 5m..3h", clip(v))
				} else {
					s.slaLag = sp
				}
			}
		case "delivery":
			s.Delivery = p.parseDelivery(e.value)
		case "steps":
			stepsNode, stepsPos = e.value, e.keyPos
		default:
			c.add(e.keyPos, "%s", oneOf("top-level key", e.key, topKeys))
		}
	}
	if stepsNode == nil {
		if _, given := seen["steps"]; !given {
			c.add(nodePos(body), "the scenario has no steps: key; add a list of steps such as - createProject: {name: p1}")
		} else {
			c.add(stepsPos, "steps: is empty; add a list of steps such as - createProject: {name: p1}")
		}
		return nil, c.err()
	}
	p.collectDecls(stepsNode, 0)
	s.steps = p.parseSteps(stepsNode, newStaticScope(nil, false), 0)
	if c.err() != nil {
		return nil, c.err()
	}
	if len(s.steps) == 0 {
		c.add(stepsPos, "steps: is empty; add a list of steps such as - createProject: {name: p1}")
		return nil, c.err()
	}
	// The lifecycle check: render once with the defaults. Names and types
	// are right by now, so what fails here is the story itself.
	res, err := s.render(generator.DefaultSeed, renderConfig{params: map[string]int{}}, true)
	if err != nil {
		return nil, err
	}
	s.events = res.count
	for _, k := range schemas.TriggerKeys() {
		if res.triggers[k] > 0 {
			s.triggers = append(s.triggers, k)
		}
	}
	return s, nil
}

func baseName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSuffix(name, ".yaml")
	return strings.TrimSuffix(name, ".yml")
}

func (p *parsing) spend(n ast.Node) bool {
	p.budget--
	if p.budget == 0 {
		p.errs.add(nodePos(n), "the file expands to more than %d YAML nodes (aliases included); split it up", maxNodes)
	}
	return p.budget > 0
}

func (p *parsing) parseParams(n ast.Node) {
	entries, ok := p.mapping(n, "params")
	if !ok {
		return
	}
	for _, e := range entries {
		if !identRE.MatchString(e.key) || strings.ContainsAny(e.key, ".-") {
			p.errs.add(e.keyPos, "parameter name %q must be a word of letters, digits and underscores", clip(e.key))
			continue
		}
		if slices.ContainsFunc(p.params, func(q Param) bool { return q.Name == e.key }) {
			p.errs.add(e.keyPos, "parameter %s is declared twice", e.key)
			continue
		}
		v, ok := p.integer(e.value, "parameter "+e.key)
		if !ok {
			continue
		}
		if v < 0 || v > maxRepeatCount {
			p.errs.add(nodePos(e.value), "parameter %s = %d must be between 0 and %d", e.key, v, maxRepeatCount)
			continue
		}
		p.params = append(p.params, Param{Name: e.key, Default: int(v)})
	}
}

func (p *parsing) parseDelivery(n ast.Node) Delivery {
	var d Delivery
	entries, ok := p.mapping(n, "delivery")
	if !ok {
		return d
	}
	for _, e := range entries {
		vp := nodePos(e.value)
		switch e.key {
		case "retry":
			if v, ok := p.str(e.value, "retry"); ok {
				if _, err := delivery.ParsePreset(v); err != nil {
					p.errs.add(vp, "%s", oneOf("retry preset", v, delivery.Presets()))
				}
				d.Retry = v
			}
		case "schedule":
			if v, ok := p.str(e.value, "schedule"); ok {
				if _, err := delivery.ParseBackoff(v); err != nil {
					p.errs.add(vp, "schedule: %v", err)
				}
				d.Schedule = v
			}
		case "timeScale":
			if v, ok := p.number(e.value, "timeScale"); ok {
				if _, err := delivery.VirtualClock(v); err != nil {
					p.errs.add(vp, "timeScale: %v", err)
				}
				d.TimeScale = v
			}
		case "concurrency":
			if v, ok := p.integer(e.value, "concurrency"); ok {
				if v < 1 || v > 1024 {
					p.errs.add(vp, "concurrency %d must be between 1 and 1024", v)
				}
				d.Concurrency = int(v)
			}
		case "recordOrder":
			if v, ok := p.boolean(e.value, "recordOrder"); ok {
				d.RecordOrder = &v
			}
		case "duplicate":
			if v, ok := p.number(e.value, "duplicate"); ok {
				if !(v >= 0 && v <= 1) {
					p.errs.add(vp, "duplicate %v must be a fraction between 0 and 1", v)
				}
				d.Duplicate = v
			}
		case "duplicateMode":
			if v, ok := p.str(e.value, "duplicateMode"); ok {
				if _, err := delivery.ParseDupMode(v); err != nil {
					p.errs.add(vp, "%s", oneOf("duplicateMode", v, delivery.DupModes()))
				}
				d.DuplicateMode = v
			}
		case "reorder":
			if v, ok := p.integer(e.value, "reorder"); ok {
				if v < 0 || v > math.MaxInt32 {
					p.errs.add(vp, "reorder window %d must be 0 or more", v)
				}
				d.Reorder = int(v)
			}
		case "jitter":
			if v, ok := p.str(e.value, "jitter"); ok {
				j, err := parseDuration(v)
				switch {
				case err != nil:
					p.errs.add(vp, "jitter: %v", err)
				case j < 0:
					p.errs.add(vp, "jitter %s is negative", v)
				}
				d.Jitter = j
			}
		default:
			p.errs.add(e.keyPos, "%s", oneOf("delivery key", e.key, deliveryKeys))
		}
	}
	if d.Retry != "" && d.Schedule != "" {
		p.errs.add(nodePos(n), "delivery gives both retry: and schedule:; keep one")
	}
	return d
}

// staticScope resolves names while parsing. A repeat's body is a scope of
// its own: what it creates exists once per iteration and is not visible
// after the repeat.
type staticScope struct {
	parent   *staticScope
	names    map[string]declared
	parallel bool // the body of a parallel repeat
}

func newStaticScope(parent *staticScope, parallel bool) *staticScope {
	return &staticScope{parent: parent, names: map[string]declared{}, parallel: parallel}
}

// lookup finds name, and reports whether it was declared outside the
// innermost parallel repeat around the reference.
func (sc *staticScope) lookup(name string) (d declared, outsideParallel, ok bool) {
	crossed := false
	for s := sc; s != nil; s = s.parent {
		if d, ok := s.names[name]; ok {
			return d, crossed, true
		}
		if s.parallel {
			crossed = true
		}
	}
	return declared{}, false, false
}

func (sc *staticScope) visible(kind entityKind) []string {
	var out []string
	for s := sc; s != nil; s = s.parent {
		for n, d := range s.names {
			if kind == "" || d.kind == kind {
				out = append(out, n)
			}
		}
	}
	slices.Sort(out)
	return out
}

// collectDecls records every name any step declares, wherever it is, so
// that a reference to a name created later or inside another repeat gets
// a precise message rather than "unknown".
func (p *parsing) collectDecls(n ast.Node, depth int) {
	// Aliases can make the tree a graph that is exponential to walk; the
	// hints this collects are worth only so much time.
	if depth > maxNesting || p.declWalk >= maxNodes {
		return
	}
	p.declWalk++
	items, ok := unwrap(n, p.anchors).(*ast.SequenceNode)
	if !ok {
		return
	}
	for _, it := range items.Values {
		m, ok := unwrap(it, p.anchors).(*ast.MappingNode)
		if !ok {
			continue
		}
		for _, mv := range m.Values {
			key, _ := scalarText(unwrap(mv.Key, p.anchors))
			params, ok := unwrap(mv.Value, p.anchors).(*ast.MappingNode)
			if !ok {
				continue
			}
			for _, pv := range params.Values {
				pk, _ := scalarText(unwrap(pv.Key, p.anchors))
				switch {
				case key == repeatKind && pk == "steps":
					p.collectDecls(pv.Value, depth+1)
				case pk == "name":
					if k := stepKindNamed(key); k != nil {
						if spec := k.param("name"); spec != nil {
							if v, ok := scalarText(unwrap(pv.Value, p.anchors)); ok {
								p.decls = append(p.decls, declared{name: v, kind: spec.kind, pos: nodePos(pv.Value)})
							}
						}
					}
				}
			}
		}
	}
}

func (p *parsing) parseSteps(n ast.Node, sc *staticScope, depth int) []*step {
	items, ok := p.sequence(n, "steps")
	if !ok {
		return nil
	}
	var out []*step
	for _, it := range items {
		if !p.spend(it) {
			return out
		}
		if st := p.parseStep(it, sc, depth); st != nil {
			out = append(out, st)
		}
	}
	return out
}

func (p *parsing) parseStep(n ast.Node, sc *staticScope, depth int) *step {
	entries, ok := p.mapping(n, "a step")
	if !ok {
		return nil
	}
	// One key names the step; the common keys may sit beside it.
	var kindEntry *entry
	var common []entry
	for i, e := range entries {
		switch {
		case slices.Contains(commonParams, e.key):
			common = append(common, e)
		case kindEntry == nil:
			kindEntry = &entries[i]
		default:
			p.errs.add(e.keyPos, "a step has one kind, and this one already is %s; start a new step with - %s: ...", kindEntry.key, e.key)
		}
	}
	if kindEntry == nil {
		p.errs.add(nodePos(n), "this step has no kind; start it with one of [%s]", strings.Join(StepKinds(), " "))
		return nil
	}
	st := &step{name: kindEntry.key, pos: kindEntry.keyPos, args: map[string]arg{}}
	var params []entry
	switch v := unwrap(kindEntry.value, p.anchors).(type) {
	case nil, *ast.NullNode:
	default:
		var ok bool
		if params, ok = p.mapping(v, kindEntry.key+"'s parameters"); !ok {
			return nil
		}
	}
	if kindEntry.key == repeatKind {
		return p.parseRepeat(st, params, common, sc, depth)
	}
	st.kind = stepKindNamed(kindEntry.key)
	if st.kind == nil {
		p.errs.add(st.pos, "%s", oneOf("step", kindEntry.key, StepKinds()))
		return nil
	}
	for _, e := range params {
		if slices.Contains(commonParams, e.key) {
			common = append(common, e)
		}
	}
	p.parseCommon(st, common)
	seen := map[string]bool{}
	for _, e := range params {
		if slices.Contains(commonParams, e.key) {
			continue
		}
		spec := st.kind.param(e.key)
		if spec == nil {
			p.errs.add(e.keyPos, "%s", oneOf(st.name+" parameter", e.key, st.kind.paramNames()))
			continue
		}
		seen[e.key] = true
		if a, ok := p.parseArg(st, spec, e, sc); ok {
			st.args[e.key] = a
		}
	}
	for _, spec := range st.kind.params {
		if spec.required && !seen[spec.name] {
			p.errs.add(st.pos, "%s needs %s:", st.name, spec.name)
		}
	}
	if len(st.kind.recordRefs) > 0 {
		var given []string
		for _, r := range st.kind.recordRefs {
			if seen[r] {
				given = append(given, r)
			}
		}
		switch len(given) {
		case 0:
			p.errs.add(st.pos, "%s needs the record it concerns: one of %s", st.name, strings.Join(st.kind.recordRefs, ", "))
		case 1:
			st.recordParam = given[0]
		default:
			p.errs.add(st.pos, "%s concerns one record; it was given %s", st.name, strings.Join(given, " and "))
		}
	}
	if a, ok := st.args["to"]; ok && st.name == "moveRequest" {
		if requestWorkflow.phaseNamed(a.text) < 0 && !slices.Contains(schemas.RequestStatuses, a.text) {
			p.errs.add(a.pos, "%s", oneOf("request stage or status", a.text, requestTargets()))
		}
	}
	if st.overrides != nil {
		p.checkOverrides(st)
	}
	p.checkPhaseNamed(st, sc)
	// Declare last: a step can't refer to what it creates.
	if a, ok := st.args["name"]; ok {
		p.declare(sc, declared{a.text, st.kind.param("name").kind, a.pos, p.pinned(st, sc)})
	}
	if st.overrides != nil && len(st.kind.emitted()) == 0 {
		p.errs.add(st.overPos, "%s fires no event, so there is nothing to override", st.name)
	}
	return st
}

func (p *parsing) declare(sc *staticScope, d declared) {
	if prev, _, exists := sc.lookup(d.name); exists {
		p.errs.add(d.pos, "name %q is taken by the %s created at %s; give this %s another name", d.name, prev.kind.words(), prev.pos, d.kind.words())
		return
	}
	sc.names[d.name] = d
}

func (p *parsing) pinned(st *step, sc *staticScope) bool {
	if _, ok := st.args["workflow"]; ok {
		return true
	}
	if _, ok := st.args["trades"]; ok {
		return true
	}
	if a, ok := st.args["from"]; ok {
		d, _, _ := sc.lookup(a.text)
		return d.pinned
	}
	return false
}

// checkPhaseNamed rejects naming a phase of a project whose workflow the
// seed picks: the phase would exist for some seeds and not others.
func (p *parsing) checkPhaseNamed(st *step, sc *staticScope) {
	a, ok := st.args["phase"]
	r, isProject := st.args["project"]
	if !ok || !isProject {
		return
	}
	if d, _, found := sc.lookup(r.text); found && d.kind == kProject && !d.pinned {
		p.errs.add(a.pos, "phase %s names a phase of project %s, whose workflow depends on the seed; give createProject (at %s) a workflow: or trades:", a.text, r.text, d.pos)
	}
}

func (p *parsing) parseCommon(st *step, common []entry) {
	seen := map[string]pos{}
	for _, e := range common {
		if prev, dup := seen[e.key]; dup {
			p.errs.add(e.keyPos, "%s is given twice in this step (first at %s)", e.key, prev)
			continue
		}
		seen[e.key] = e.keyPos
		switch e.key {
		case "after":
			if v, ok := p.str(e.value, "after"); ok {
				sp, err := parseSpan(v)
				switch {
				case err != nil:
					p.errs.add(nodePos(e.value), "after: %v", err)
				case sp.lo < 0:
					p.errs.add(nodePos(e.value), "after %q is negative; steps happen in order", v)
				default:
					st.after = sp
				}
			}
		case "set":
			p.parseSet(st, e)
		case "merge":
			v, ok := p.value(e.value, 0)
			if !ok {
				continue
			}
			if _, isObj := v.(map[string]any); !isObj {
				p.errs.add(nodePos(e.value), "merge must be a mapping, a JSON Merge Patch such as {record: {dealValue: 0}}")
				continue
			}
			if st.overrides == nil {
				st.overrides, st.overPos = &generator.Overrides{}, e.keyPos
			}
			data, err := jsonMarshal(v)
			if err == nil {
				err = st.overrides.Merge(data)
			}
			if err != nil {
				p.errs.add(nodePos(e.value), "merge: %v", err)
			}
		}
	}
}

// parseSet reads set: as a mapping (path: value, the value typed by YAML)
// or as a list of "path=value" strings read exactly like the command
// line's --set (JSON when the value parses as JSON, else a string).
func (p *parsing) parseSet(st *step, e entry) {
	if st.overrides == nil {
		st.overrides, st.overPos = &generator.Overrides{}, e.keyPos
	}
	switch v := unwrap(e.value, p.anchors).(type) {
	case *ast.SequenceNode:
		for _, item := range v.Values {
			expr, ok := p.str(item, "a set: item")
			if !ok {
				continue
			}
			path, val, err := generator.ParseSet(expr)
			if err != nil {
				p.errs.add(nodePos(item), "set: %v", err)
				continue
			}
			st.overrides.Set(path, val)
		}
	default:
		entries, ok := p.mapping(v, "set (path: value lines, or a list of path=value)")
		if !ok {
			return
		}
		for _, en := range entries {
			val, ok := p.value(en.value, 0)
			if ok {
				st.overrides.Set(en.key, val)
			}
		}
	}
}

func (p *parsing) parseArg(st *step, spec *paramSpec, e entry, sc *staticScope) (arg, bool) {
	a := arg{pos: nodePos(e.value)}
	what := st.name + " " + spec.name
	switch spec.typ {
	case pDecl:
		v, ok := p.str(e.value, what)
		if !ok {
			return a, false
		}
		if !identRE.MatchString(v) {
			p.errs.add(a.pos, "%s %q must be a word of letters, digits, dashes, dots and underscores", what, clip(v))
			return a, false
		}
		a.text = v
	case pRef:
		v, ok := p.str(e.value, what)
		if !ok {
			return a, false
		}
		a.text = v
		return a, p.resolve(st, spec, v, a.pos, sc)
	case pText:
		v, ok := p.str(e.value, what)
		if !ok {
			return a, false
		}
		if strings.TrimSpace(v) == "" {
			p.errs.add(a.pos, "%s is empty", what)
			return a, false
		}
		a.text = v
	case pEnum:
		v, ok := p.str(e.value, what)
		if !ok {
			return a, false
		}
		if enum := p.enumFor(st.name, spec); !slices.Contains(enum, v) {
			p.errs.add(a.pos, "%s", oneOf(what, v, enum))
			return a, false
		}
		if st.name == "moveWorkOrder" && v == "COMPLETED" {
			p.errs.add(a.pos, "moveWorkOrder to: COMPLETED: use completeWorkOrder, which fires TASK_COMPLETED as well as the status movement")
			return a, false
		}
		a.text = v
	case pTrades:
		var items []ast.Node
		if seq, isSeq := unwrap(e.value, p.anchors).(*ast.SequenceNode); isSeq {
			items = seq.Values
		} else {
			items = []ast.Node{e.value}
		}
		if len(items) == 0 {
			p.errs.add(a.pos, "%s is an empty list; give at least one of [%s]", what, strings.Join(schemas.Trades, ", "))
			return a, false
		}
		for _, it := range items {
			v, ok := p.str(it, what)
			if !ok {
				return a, false
			}
			if !slices.Contains(schemas.Trades, v) {
				p.errs.add(nodePos(it), "%s", oneOf("trade", v, schemas.Trades))
				return a, false
			}
			a.trades = append(a.trades, v)
		}
	case pBool:
		v, ok := p.boolean(e.value, what)
		if !ok {
			return a, false
		}
		a.b = v
	case pSpan, pSigned:
		v, ok := p.str(e.value, what)
		if !ok {
			return a, false
		}
		var err error
		if spec.typ == pSigned {
			var d time.Duration
			d, err = parseDuration(v)
			a.span = fixed(d)
		} else {
			a.span, err = parseSpan(v)
			if err == nil && a.span.lo < 0 {
				err = fmt.Errorf("%q is negative", v)
			}
		}
		if err != nil {
			p.errs.add(a.pos, "%s: %v", what, err)
			return a, false
		}
		if spec.typ == pSigned && a.span.lo == 0 {
			p.errs.add(a.pos, "%s: 0 moves nothing", what)
			return a, false
		}
	case pNumber:
		v, ok := p.number(e.value, what)
		if !ok {
			return a, false
		}
		if v < 0 || v > 1e9 {
			p.errs.add(a.pos, "%s %v must be between 0 and 1e9", what, v)
			return a, false
		}
		a.num = v
	case pPhase:
		v, ok := p.str(e.value, what)
		if !ok {
			return a, false
		}
		all := allPhaseNames()
		if !slices.ContainsFunc(all, func(n string) bool { return phaseKey(n) == phaseKey(v) }) {
			p.errs.add(a.pos, "%s", oneOf("phase", v, all))
			return a, false
		}
		a.text = v
	case pWorkflow:
		v, ok := p.str(e.value, what)
		if !ok {
			return a, false
		}
		if workflowNamed(v) == nil {
			p.errs.add(a.pos, "%s", oneOf("workflow", v, workflowNames()))
			return a, false
		}
		a.text = v
	}
	return a, true
}

func allPhaseNames() []string {
	var out []string
	for _, wf := range append(slices.Clone(projectWorkflows), requestWorkflow) {
		for _, ph := range wf.phases {
			if !slices.Contains(out, ph.name) {
				out = append(out, ph.name)
			}
		}
	}
	return out
}

// resolve checks a reference: the name exists here, is of the right kind,
// and may be changed from here.
func (p *parsing) resolve(st *step, spec *paramSpec, name string, at pos, sc *staticScope) bool {
	d, outside, ok := sc.lookup(name)
	if !ok {
		p.errs.add(at, "%s", p.unknownName(spec.kind, name, sc))
		return false
	}
	if d.kind != spec.kind {
		hint := ""
		for _, r := range st.kind.params {
			if r.typ == pRef && r.kind == d.kind {
				hint = fmt.Sprintf("; write %s: %s", r.name, name)
				break
			}
		}
		p.errs.add(at, "%q is a %s (created at %s), not a %s%s", name, d.kind.words(), d.pos, spec.kind.words(), hint)
		return false
	}
	if outside && spec.mutates && !(st.name == "createWorkOrder" && spec.kind == kAccount) {
		p.errs.add(at, "%s changes %s %q, which was created outside this parallel repeat (at %s): parallel iterations may only change what they create themselves", st.name, d.kind.words(), name, d.pos)
		return false
	}
	return true
}

func (p *parsing) unknownName(kind entityKind, name string, sc *staticScope) string {
	for _, d := range p.decls {
		if d.name == name && d.kind == kind {
			return fmt.Sprintf("%s %q isn't visible here: it is created at %s, later or inside a repeat (names created in a repeat exist only within it)", kind.words(), name, d.pos)
		}
	}
	same := sc.visible(kind)
	msg := fmt.Sprintf("no %s named %q was created before this step", kind.words(), name)
	if len(same) > 0 {
		msg += fmt.Sprintf(" (there are: %s)", strings.Join(same, ", "))
	}
	if s := suggest.Nearest(name, same); s != "" {
		msg += "; did you mean " + s + "?"
	} else if s := suggest.Nearest(name, sc.visible("")); s != "" {
		d, _, _ := sc.lookup(s)
		msg += fmt.Sprintf("; %q is a %s", s, d.kind.words())
	}
	return msg
}

func (p *parsing) parseRepeat(st *step, params, common []entry, sc *staticScope, depth int) *step {
	if depth >= maxNesting {
		p.errs.add(st.pos, "repeats nest more than %d deep", maxNesting)
		return nil
	}
	for _, e := range params {
		if slices.Contains(commonParams, e.key) {
			common = append(common, e)
		}
	}
	for _, e := range common {
		if e.key != "after" {
			p.errs.add(e.keyPos, "repeat takes no %s:; put it on the steps inside", e.key)
		}
	}
	p.parseCommon(st, slices.DeleteFunc(slices.Clone(common), func(e entry) bool { return e.key != "after" }))
	var bodyNode ast.Node
	countSeen := false
	for _, e := range params {
		switch e.key {
		case "after", "set", "merge":
		case "count":
			countSeen = true
			st.countPos = nodePos(e.value)
			v := unwrap(e.value, p.anchors)
			if _, isInt := v.(*ast.IntegerNode); isInt {
				n, ok := p.integer(v, "repeat count")
				if ok && (n < 0 || n > maxRepeatCount) {
					p.errs.add(st.countPos, "repeat count %d must be between 0 and %d", n, maxRepeatCount)
				}
				st.count = int(n)
				continue
			}
			name, ok := p.str(v, "repeat count")
			if !ok {
				continue
			}
			var names []string
			for _, q := range p.params {
				names = append(names, q.Name)
			}
			if !slices.Contains(names, name) {
				msg := fmt.Sprintf("repeat count %q is neither a whole number nor a parameter", name)
				if len(names) > 0 {
					msg = oneOf("repeat count parameter", name, names)
				} else {
					msg += " (declare it under params:, such as params: {projects: 3})"
				}
				p.errs.add(st.countPos, "%s", msg)
				continue
			}
			st.countParam = name
		case "parallel":
			if v, ok := p.boolean(e.value, "repeat parallel"); ok {
				st.parallel = v
			}
		case "stagger":
			if v, ok := p.str(e.value, "repeat stagger"); ok {
				sp, err := parseSpan(v)
				if err == nil && sp.lo < 0 {
					err = fmt.Errorf("%q is negative", v)
				}
				if err != nil {
					p.errs.add(nodePos(e.value), "stagger: %v", err)
				} else {
					st.stagger = sp
				}
			}
		case "steps":
			bodyNode = e.value
		default:
			p.errs.add(e.keyPos, "%s", oneOf("repeat parameter", e.key, append(slices.Clone(repeatParams), "after")))
		}
	}
	if !countSeen {
		p.errs.add(st.pos, "repeat needs count: (a whole number, or a parameter name)")
	}
	if st.stagger.set && !st.parallel {
		p.errs.add(st.pos, "stagger: only applies to parallel: true repeats")
	}
	if bodyNode == nil {
		p.errs.add(st.pos, "repeat needs steps: (the steps of one iteration)")
		return nil
	}
	st.body = p.parseSteps(bodyNode, newStaticScope(sc, st.parallel), depth+1)
	if len(st.body) == 0 && len(p.errs.list) == 0 {
		p.errs.add(st.pos, "repeat has no steps")
	}
	return st
}

// samplePayloads are one generated payload per trigger, to check a step's
// overrides against before anything is rendered.
var samplePayloads = sync.OnceValue(func() map[string][]byte {
	g := generator.New(generator.DefaultSeed)
	out := map[string][]byte{}
	for _, key := range schemas.TriggerKeys() {
		if b, err := g.JSON(key); err == nil {
			out[key] = b
		}
	}
	return out
})

// checkOverrides applies st's overrides to a sample payload of every
// trigger the step can fire, so that a misspelt path is reported at parse
// time, at the step.
func (p *parsing) checkOverrides(st *step) {
	for _, key := range st.kind.emitted() {
		if _, err := st.overrides.Apply(key, samplePayloads()[key]); err != nil {
			p.errs.add(st.overPos, "%v", err)
			return
		}
	}
}
