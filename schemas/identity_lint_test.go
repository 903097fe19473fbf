package schemas

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// identityKeys are the payload fields only DecodeIdentity reads.
var identityKeys = []string{"eventId", "recordId", "triggerKey"}

// identityExempt are the folders (slash-separated, from the module root)
// that may read the identity themselves: this package, which owns it, and
// the sample and test receivers, which stand for users' code.
var identityExempt = []string{"schemas", "contract/sample", "contract/testreceivers", "tools"}

// adHocIdentityDecoders lists, as "file:line: what", every place under root
// outside identityExempt where non-test Go code reads a payload's identity
// itself: a map read of an identity key (event["eventId"]), or a struct that
// encoding/json would fill with one from a payload's event object (a field
// tagged json:"event" whose struct has a field tagged json:"eventId").
// Structs of our own formats, where eventId is a top-level field (a log
// line, a report), are not payloads and pass.
func adHocIdentityDecoders(root string) ([]string, error) {
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || slices.Contains(identityExempt, rel)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		report := func(n ast.Node, what string) {
			found = append(found, fmt.Sprintf("%s:%d: %s", rel, fset.Position(n.Pos()).Line, what))
		}
		structs := map[string]*ast.StructType{} // the file's named struct types
		ast.Inspect(f, func(n ast.Node) bool {
			if ts, ok := n.(*ast.TypeSpec); ok {
				if st, ok := ts.Type.(*ast.StructType); ok {
					structs[ts.Name.Name] = st
				}
			}
			return true
		})
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.IndexExpr:
				if key := identityLiteral(n.Index); key != "" {
					report(n, fmt.Sprintf("reads [%q] itself", key))
				}
			case *ast.Field:
				if jsonName(n) != "event" {
					return true
				}
				t := n.Type
				if star, ok := t.(*ast.StarExpr); ok {
					t = star.X
				}
				st, _ := t.(*ast.StructType)
				if id, ok := t.(*ast.Ident); ok {
					st = structs[id.Name]
				}
				if st == nil {
					return true
				}
				for _, inner := range st.Fields.List {
					if name := jsonName(inner); slices.Contains(identityKeys, name) {
						report(inner, fmt.Sprintf("decodes event.%s into a struct field", name))
					}
				}
			}
			return true
		})
		return nil
	})
	return found, err
}

func identityLiteral(e ast.Expr) string {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return ""
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil || !slices.Contains(identityKeys, s) {
		return ""
	}
	return s
}

// jsonName is the name a field's json tag gives it, or "".
func jsonName(f *ast.Field) string {
	if f.Tag == nil {
		return ""
	}
	tag, err := strconv.Unquote(f.Tag.Value)
	if err != nil {
		return ""
	}
	name, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
	return name
}

// TestNoAdHocIdentityDecoders keeps DecodeIdentity the one reader of a
// payload's eventId, recordId and triggerKey: a package that needs them takes
// a schemas.Identity (or a delivery.Message, scenarios.Rendered...) instead of
// decoding its own.
func TestNoAdHocIdentityDecoders(t *testing.T) {
	found, err := adHocIdentityDecoders("..")
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Errorf("a payload's identity is read outside schemas.DecodeIdentity; use it (or the Identity already read) instead:\n  %s", strings.Join(found, "\n  "))
	}
}

// TestAdHocIdentityDecodersFound shows the check above can fail: a fake
// module with the usual ad-hoc decoders, and the formats that may name the
// same keys.
func TestAdHocIdentityDecodersFound(t *testing.T) {
	root := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("lib/anon.go", "package lib\n\nvar p struct {\n\tEvent *struct {\n\t\tID int64 `json:\"eventId\"`\n\t} `json:\"event\"`\n}\n")
	write("lib/named.go", "package lib\n\ntype ev struct {\n\tKey string `json:\"triggerKey,omitempty\"`\n}\n\ntype body struct {\n\tE ev `json:\"event\"`\n}\n")
	write("lib/maps.go", "package lib\n\nfunc rec(m map[string]any) any { return m[\"recordId\"] }\n")
	// Not payload decoders: a top-level log line, a test, exempt folders.
	write("lib/log.go", "package lib\n\ntype line struct {\n\tEventID int64 `json:\"eventId\"`\n}\n")
	write("lib/lib_test.go", "package lib\n\nfunc f(m map[string]any) any { return m[\"eventId\"] }\n")
	write("contract/sample/r.go", "package sample\n\nfunc f(m map[string]any) any { return m[\"eventId\"] }\n")
	write("schemas/s.go", "package schemas\n\nfunc f(m map[string]any) any { return m[\"eventId\"] }\n")

	found, err := adHocIdentityDecoders(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`lib/anon.go:5: decodes event.eventId into a struct field`,
		`lib/maps.go:3: reads ["recordId"] itself`,
		`lib/named.go:4: decodes event.triggerKey into a struct field`,
	}
	if !slices.Equal(found, want) {
		t.Errorf("found\n  %s\nwant\n  %s", strings.Join(found, "\n  "), strings.Join(want, "\n  "))
	}
}
