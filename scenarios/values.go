package scenarios

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/goccy/go-yaml/ast"
)

// entry is one key of a mapping with the positions of key and value.
type entry struct {
	key    string
	keyPos pos
	value  ast.Node
}

// mapping lists the entries of n, or reports that n is not a mapping.
func (p *parsing) mapping(n ast.Node, what string) ([]entry, bool) {
	n = unwrap(n, p.anchors)
	m, ok := n.(*ast.MappingNode)
	if !ok {
		if mv, isMV := n.(*ast.MappingValueNode); isMV {
			m = &ast.MappingNode{Values: []*ast.MappingValueNode{mv}}
		} else {
			p.errs.add(nodePos(n), "%s must be a mapping (key: value lines), not %s", what, describe(n))
			return nil, false
		}
	}
	out := make([]entry, 0, len(m.Values))
	for _, mv := range m.Values {
		k := unwrap(mv.Key, p.anchors)
		if mk, isKey := k.(*ast.MappingKeyNode); isKey {
			k = unwrap(mk.Value, p.anchors)
		}
		if _, isMerge := k.(*ast.MergeKeyNode); isMerge {
			p.errs.add(nodePos(mv.Key), "merge keys (<<) aren't supported in scenario files; repeat the keys, or use an alias (*name) for a whole value")
			continue
		}
		key, ok := scalarText(k)
		if !ok {
			p.errs.add(nodePos(mv.Key), "keys of %s must be plain words, not %s", what, describe(k))
			continue
		}
		out = append(out, entry{key: key, keyPos: nodePos(mv.Key), value: mv.Value})
	}
	return out, true
}

func (p *parsing) sequence(n ast.Node, what string) ([]ast.Node, bool) {
	n = unwrap(n, p.anchors)
	s, ok := n.(*ast.SequenceNode)
	if !ok {
		p.errs.add(nodePos(n), "%s must be a list (lines starting with -), not %s", what, describe(n))
		return nil, false
	}
	return s.Values, true
}

// scalarText is the text of a scalar node as written (numbers and booleans
// included, so that a name may be 1 or yes).
func scalarText(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if v.Value != nil {
			return v.Value.Value, true
		}
		return "", true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return n.GetToken().Value, true
	}
	return "", false
}

func (p *parsing) str(n ast.Node, what string) (string, bool) {
	n = unwrap(n, p.anchors)
	s, ok := scalarText(n)
	if !ok {
		p.errs.add(nodePos(n), "%s must be a single value, not %s", what, describe(n))
	}
	return s, ok
}

func (p *parsing) integer(n ast.Node, what string) (int64, bool) {
	n = unwrap(n, p.anchors)
	if v, ok := n.(*ast.IntegerNode); ok {
		switch x := v.Value.(type) {
		case int64:
			return x, true
		case uint64:
			if x <= math.MaxInt64 {
				return int64(x), true
			}
		}
	}
	p.errs.add(nodePos(n), "%s must be a whole number, not %s", what, describe(n))
	return 0, false
}

func (p *parsing) number(n ast.Node, what string) (float64, bool) {
	n = unwrap(n, p.anchors)
	switch v := n.(type) {
	case *ast.IntegerNode:
		switch x := v.Value.(type) {
		case int64:
			return float64(x), true
		case uint64:
			return float64(x), true
		}
	case *ast.FloatNode:
		return v.Value, true
	}
	p.errs.add(nodePos(n), "%s must be a number, not %s", what, describe(n))
	return 0, false
}

func (p *parsing) boolean(n ast.Node, what string) (bool, bool) {
	n = unwrap(n, p.anchors)
	if v, ok := n.(*ast.BoolNode); ok {
		return v.Value, true
	}
	p.errs.add(nodePos(n), "%s must be true or false, not %s", what, describe(n))
	return false, false
}

// value converts a YAML value to what encoding/json marshals to the same
// JSON: the form override values take.
func (p *parsing) value(n ast.Node, depth int) (any, bool) {
	n = unwrap(n, p.anchors)
	if depth > 64 {
		p.errs.add(nodePos(n), "value nested too deeply")
		return nil, false
	}
	if !p.spend(n) {
		return nil, false
	}
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return nil, true
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		s, _ := scalarText(v)
		return s, true
	case *ast.BoolNode:
		return v.Value, true
	case *ast.IntegerNode:
		switch x := v.Value.(type) {
		case int64:
			return json.Number(strconv.FormatInt(x, 10)), true
		case uint64:
			return json.Number(strconv.FormatUint(x, 10)), true
		}
	case *ast.FloatNode:
		if math.IsInf(v.Value, 0) || math.IsNaN(v.Value) {
			break
		}
		return json.Number(strconv.FormatFloat(v.Value, 'g', -1, 64)), true
	case *ast.SequenceNode:
		out := make([]any, 0, len(v.Values))
		for _, e := range v.Values {
			x, ok := p.value(e, depth+1)
			if !ok {
				return nil, false
			}
			out = append(out, x)
		}
		return out, true
	case *ast.MappingNode, *ast.MappingValueNode:
		entries, ok := p.mapping(v, "an object value")
		if !ok {
			return nil, false
		}
		out := make(map[string]any, len(entries))
		for _, e := range entries {
			x, ok := p.value(e.value, depth+1)
			if !ok {
				return nil, false
			}
			out[e.key] = x
		}
		return out, true
	}
	p.errs.add(nodePos(n), "%s can't be written as JSON", describe(n))
	return nil, false
}
