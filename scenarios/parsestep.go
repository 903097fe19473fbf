package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/goccy/go-yaml/ast"
)

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
		if ws := workflowsOf(p.vocab); ws.request.phaseNamed(a.text) < 0 && ws.vocab.BuiltinRequestStatus(a.text) == "" {
			p.errs.add(a.pos, "%s", oneOf("request stage or status", a.text, ws.requestTargets()))
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
	var v string // the argument, for the kinds written as a string
	switch spec.typ {
	case pDecl, pRef, pText, pEnum, pSpan, pSigned, pPhase, pWorkflow:
		s, ok := p.str(e.value, what)
		if !ok {
			return a, false
		}
		v = s
	}
	switch spec.typ {
	case pDecl:
		if !identRE.MatchString(v) {
			p.errs.add(a.pos, "%s %q must be a word of letters, digits, dashes, dots and underscores", what, clip(v))
			return a, false
		}
		a.text = v
	case pRef:
		a.text = v
		return a, p.resolve(st, spec, v, a.pos, sc)
	case pText:
		if strings.TrimSpace(v) == "" {
			p.errs.add(a.pos, "%s is empty", what)
			return a, false
		}
		a.text = v
	case pEnum:
		if enum := p.enumFor(st.name, spec); !slices.Contains(enum, v) {
			// The working state's two built-in names are taken with any
			// vocabulary, but listing them among the file's statuses
			// would say the file has them.
			shown, also := enum, ""
			if p.vocab != nil && st.name == "moveWorkOrder" && spec.name == "to" {
				shown = p.vocab.WorkOrderStatuses
				also = "; IN_PROGRESS and WORKING are also taken, as the vocabulary's working state"
			}
			for _, b := range p.woAliases() {
				if slices.Contains(enum, b) {
					also += fmt.Sprintf("; %s is taken as %s", b, p.vocab.WorkOrderStatusName(b))
				}
			}
			p.errs.add(a.pos, "%s%s", oneOf(what, v, shown), also)
			return a, false
		}
		if st.name == "moveWorkOrder" && (v == "COMPLETED" || v == p.vocab.WorkOrderStatusName("COMPLETED")) {
			p.errs.add(a.pos, "moveWorkOrder to: %s: use completeWorkOrder, which fires TASK_COMPLETED as well as the status movement", v)
			return a, false
		}
		a.text = p.woStatus(st.name, v)
	case pTrades:
		trades := schemas.Trades
		if p.vocab != nil {
			trades = p.vocab.Trades
		}
		var items []ast.Node
		if seq, isSeq := unwrap(e.value, p.anchors).(*ast.SequenceNode); isSeq {
			items = seq.Values
		} else {
			items = []ast.Node{e.value}
		}
		if len(items) == 0 {
			p.errs.add(a.pos, "%s is an empty list; give at least one of [%s]", what, strings.Join(trades, ", "))
			return a, false
		}
		for _, it := range items {
			v, ok := p.str(it, what)
			if !ok {
				return a, false
			}
			if !slices.Contains(trades, v) {
				p.errs.add(nodePos(it), "%s", oneOf("trade", v, trades))
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
		all := workflowsOf(p.vocab).phaseNames()
		if !slices.ContainsFunc(all, func(n string) bool { return phaseKey(n) == phaseKey(v) }) {
			p.errs.add(a.pos, "%s", oneOf("phase", v, all))
			return a, false
		}
		a.text = v
	case pWorkflow:
		if ws := workflowsOf(p.vocab); ws.named(v) == nil {
			p.errs.add(a.pos, "%s", oneOf("workflow", v, ws.names()))
			return a, false
		}
		a.text = v
	}
	return a, true
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
