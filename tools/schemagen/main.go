// Command schemagen writes the JSON Schema files of package schemas from its
// Go tables, so the contract and strict levels never drift apart. Run it
// through `go generate ./schemas`; a test in package schemas fails when the
// committed files differ from what it would write.
//
// Examples shown in the schemas come from examples.json (dotted payload path
// → array of values). With -from-generator (what go generate runs) that file
// is first rewritten from realistic generator output, so the examples are
// what the tool really emits; the generator imports package schemas, which
// is why this lives in a command and not in the package.
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

func main() {
	dir := flag.String("dir", ".", "the schemas package directory to write contract/ and strict/ into")
	examples := flag.String("examples", "examples.json", "the examples file, relative to -dir")
	fromGen := flag.Bool("from-generator", false, "rewrite the examples file from realistic generator output first")
	flag.Parse()
	if *fromGen {
		if err := writeGeneratorExamples(filepath.Join(*dir, *examples)); err != nil {
			fmt.Fprintln(os.Stderr, "schemagen:", err)
			os.Exit(1)
		}
	}
	if err := run(*dir, *examples); err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

func run(dir, examplesFile string) error {
	data, err := os.ReadFile(filepath.Join(dir, examplesFile))
	if err != nil {
		return err
	}
	ex, err := schemas.ParseExamples(data)
	if err != nil {
		return err
	}
	files, err := schemas.GenerateFiles(ex)
	if err != nil {
		return err
	}
	// A trigger or definition that left the tables must leave the tree too.
	for _, level := range schemas.Levels() {
		root := filepath.Join(dir, level.String())
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
				return err
			}
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			if _, ok := files[filepath.ToSlash(rel)]; !ok {
				return os.Remove(path)
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
