package contract

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// runScenarios renders every built-in scenario in the vocabulary to tell
// which fit: the run does it once (newRun) and its lifecycle, final-state
// and API specs plan from what it found, instead of rendering them all again
// each (three times a run, and more).
func TestRunScenariosOncePerRun(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var callers []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok {
					if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "runScenarios" {
						callers = append(callers, fn.Name.Name)
					}
				}
				return true
			})
		}
	}
	// checkVocabularyScenarios lists the fitting ones in an error, before
	// any run.
	want := map[string]bool{"newRun": true, "checkVocabularyScenarios": true}
	for _, c := range callers {
		if !want[c] {
			t.Errorf("%s calls runScenarios: use the run's (run.replayed, run.unfit)", c)
		}
	}
	if len(callers) != len(want) {
		t.Errorf("runScenarios called from %v, want once each from newRun and checkVocabularyScenarios", callers)
	}
}
