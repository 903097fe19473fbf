package docgen_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/coperniq-mock/coperniq-mock/docgen"
)

func ExampleWrite() {
	dir, err := os.MkdirTemp("", "docs")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	formats, err := docgen.ParseFormats("markdown,openapi")
	if err != nil {
		panic(err)
	}
	// OpenAPI brings the schema files its request bodies reference.
	if err := docgen.Write(dir, docgen.WithFormats(formats...), docgen.WithSeed(1)); err != nil {
		panic(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "triggers", "*.md"))
	fmt.Println(len(pages), "trigger pages")

	_, err = docgen.ParseFormats("markdown,asyncap")
	fmt.Println(err)
	// Output:
	// README.md
	// openapi.yaml
	// schemas
	// triggers
	// 18 trigger pages
	// format "asyncap" isn't one of [markdown html asyncapi openapi schema]; did you mean asyncapi?
}
