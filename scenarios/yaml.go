package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// The scenario file is read from goccy/go-yaml's syntax tree rather than
// unmarshalled into structs: every value keeps its line and column, so an
// error can point at the exact step, key or name, and unknown keys get a
// did-you-mean instead of being silently dropped.

// parseYAML returns the body of the file's single document, nil for an
// empty file.
func parseYAML(src []byte, c *errCollector) (body ast.Node) {
	defer func() {
		// A parser bug must not take the caller down with it; the file
		// is still rejected, with a position the user can look at.
		if r := recover(); r != nil {
			c.add(pos{1, 1}, "the YAML parser failed on this file (%v); check its syntax", r)
			body = nil
		}
	}()
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		p, msg := pos{1, 1}, err.Error()
		if ye, ok := err.(yaml.Error); ok {
			msg = ye.GetMessage()
			if tk := ye.GetToken(); tk != nil && tk.Position != nil {
				p = pos{tk.Position.Line, tk.Position.Column}
			}
		}
		c.add(p, "YAML syntax: %s", msg)
		return nil
	}
	var docs []ast.Node
	for _, d := range f.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d.Body)
		}
	}
	if len(docs) > 1 {
		c.add(nodePos(docs[1]), "a scenario file holds one YAML document; this is a second one")
		return nil
	}
	if len(docs) == 0 {
		return nil
	}
	return docs[0]
}

// nodePos is where a node starts. A mapping's own token is the colon of
// its first entry, so the first key is used instead.
func nodePos(n ast.Node) pos {
	switch v := n.(type) {
	case nil:
		return pos{1, 1}
	case *ast.MappingNode:
		if len(v.Values) > 0 {
			return nodePos(v.Values[0].Key)
		}
		if v.Start != nil {
			return tokenPos(v.Start.Position.Line, v.Start.Position.Column)
		}
	case *ast.MappingValueNode:
		return nodePos(v.Key)
	case *ast.MappingKeyNode:
		if v.Value != nil {
			return nodePos(v.Value)
		}
	case *ast.LiteralNode:
		if v.Start != nil {
			return tokenPos(v.Start.Position.Line, v.Start.Position.Column)
		}
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tokenPos(tk.Position.Line, tk.Position.Column)
	}
	return pos{1, 1}
}

func tokenPos(line, col int) pos { return pos{max(line, 1), max(col, 1)} }

// unwrap looks through tags (!!str) and anchors, and resolves aliases to
// the anchored node, so that a file may use anchors to share a block of
// steps or overrides.
func unwrap(n ast.Node, anchors map[string]ast.Node) ast.Node {
	for depth := 0; depth < 32 && n != nil; depth++ {
		switch v := n.(type) {
		case *ast.TagNode:
			n = v.Value
		case *ast.AnchorNode:
			n = v.Value
		case *ast.AliasNode:
			name := ""
			if v.Value != nil {
				name = v.Value.GetToken().Value
			}
			target, ok := anchors[name]
			if !ok {
				return n
			}
			n = target
		default:
			return n
		}
	}
	return n
}

// collectAnchors finds every &anchor in the tree, so aliases can be
// resolved wherever they appear.
func collectAnchors(n ast.Node, into map[string]ast.Node) {
	if n == nil {
		return
	}
	ast.Walk(anchorVisitor(into), n)
}

type anchorVisitor map[string]ast.Node

func (a anchorVisitor) Visit(n ast.Node) ast.Visitor {
	if v, ok := n.(*ast.AnchorNode); ok && v.Name != nil {
		a[v.Name.GetToken().Value] = v.Value
	}
	return a
}

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

// describe names what a node is, for "must be X, not Y" messages.
func describe(n ast.Node) string {
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return "empty"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode:
		return fmt.Sprintf("%q", clip(v.Value))
	case *ast.LiteralNode:
		return "a block of text"
	case *ast.AliasNode:
		return "an alias to an unknown anchor"
	}
	if tk := n.GetToken(); tk != nil {
		return fmt.Sprintf("%q", clip(tk.Value))
	}
	return n.Type().String()
}

func clip(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
