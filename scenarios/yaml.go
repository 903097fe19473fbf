package scenarios

import (
	"fmt"

	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

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
		line, col, msg := schemas.YAMLSyntax(src, err)
		c.add(pos{line, col}, "YAML syntax: %s", msg)
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
