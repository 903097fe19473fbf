package scenarios

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/goccy/go-yaml/ast"
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

var topKeys = []string{"name", "description", "params", "start", "activation", "slaLag", "delivery", "steps"}

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
	vocab, err := vocab.Complete()
	if err != nil {
		return nil, err
	}
	c := &errCollector{file: name}
	p := &parsing{errs: c, anchors: map[string]ast.Node{}, budget: maxNodes, vocab: vocab}
	if why := checkCaps(src); why != "" {
		c.add(pos{1, 1}, "%s", why)
		return nil, c.err()
	}
	body := parseYAML(src, c)
	if c.err() != nil {
		return nil, c.err()
	}
	if body == nil {
		c.add(pos{1, 1}, "the file is empty; a scenario is a mapping with at least steps: (a list of steps)")
		return nil, c.err()
	}
	collectAnchors(body, p.anchors)
	s := newScenario(name)
	s.src, s.vocab = src, vocab
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
			p.parseDelivery(e.value, &s.Delivery)
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
