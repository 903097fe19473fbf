package main

import (
	"bytes"
	"encoding/json"
	"os"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// examplesPerPath is how many distinct values a property shows: enough to
// suggest the range, few enough to keep the schema readable.
const examplesPerPath = 2

// writeGeneratorExamples collects example values for every property from
// realistic payloads of every trigger (fixed seed, so the files are stable)
// and writes them as the examples file.
func writeGeneratorExamples(path string) error {
	ex, err := generatorExamples()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ex); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func generatorExamples() (map[string][]any, error) {
	ex := map[string][]any{}
	seen := map[string]map[string]bool{}
	g := generator.New(generator.DefaultSeed)
	// Several rounds so that values drawn rarely (a second SLA type, the
	// other phase status) get a chance to appear.
	for range 3 {
		for _, key := range schemas.TriggerKeys() {
			payload, err := g.JSON(key)
			if err != nil {
				return nil, err
			}
			dec := json.NewDecoder(bytes.NewReader(payload))
			dec.UseNumber()
			var doc any
			if err := dec.Decode(&doc); err != nil {
				return nil, err
			}
			collect(doc, "", func(path string, v any) {
				text, _ := json.Marshal(v)
				if seen[path] == nil {
					seen[path] = map[string]bool{}
				}
				if len(ex[path]) >= examplesPerPath || seen[path][string(text)] {
					return
				}
				seen[path][string(text)] = true
				ex[path] = append(ex[path], v)
			})
		}
	}
	return ex, nil
}

// collect calls fn with every non-null leaf of doc by dotted path; arrays
// are leaves (record.trades is shown whole).
func collect(doc any, prefix string, fn func(string, any)) {
	switch v := doc.(type) {
	case map[string]any:
		for k, child := range v {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			collect(child, p, fn)
		}
	case nil:
	default:
		fn(prefix, v)
	}
}
