package scenarios

import (
	"fmt"
	"slices"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/suggest"
	"github.com/goccy/go-yaml/ast"
)

type declared struct {
	name string
	kind entityKind
	pos  pos
	// pinned marks a project (or request) whose workflow the file fixes,
	// by workflow:, trades: or the request it came from; otherwise the
	// seed picks it.
	pinned bool
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
