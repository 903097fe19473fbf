package docgen

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// examplesPerPath is how many distinct values a property shows: enough to
// suggest the range, few enough to keep the schema readable. Several rounds
// give values drawn rarely (a second SLA type, the other phase status) a
// chance to appear.
const (
	examplesPerPath = 2
	exampleRounds   = 3
)

// generateFiles renders the schema files of a team's vocabulary v, with
// examples the generator wrote in v: the committed files' examples are in
// the built-in names, which v's strict files would refuse.
func generateFiles(v *schemas.Vocabulary) (map[string][]byte, error) {
	ex, err := GeneratorExamples(generator.WithVocabulary(v))
	if err != nil {
		return nil, err
	}
	return schemas.GenerateFilesFor(ex, v)
}

// GeneratorExamples collects, by dotted payload path, the first distinct
// non-null values of realistic payloads of every trigger, generated with
// the fixed seed (so the files are stable) and opts. It is the one source
// of schema examples: tools/schemagen writes the committed files' with it,
// and a team's docs get theirs in its vocabulary.
func GeneratorExamples(opts ...generator.Option) (schemas.Examples, error) {
	ex := schemas.Examples{}
	seen := map[string]map[string]bool{}
	g := generator.New(generator.DefaultSeed, opts...)
	for range exampleRounds {
		for _, key := range schemas.TriggerKeys() {
			payload, err := g.JSON(key)
			if err != nil {
				return nil, fmt.Errorf("generating examples of %s: %w", key, err)
			}
			dec := json.NewDecoder(bytes.NewReader(payload))
			dec.UseNumber()
			var doc any
			if err := dec.Decode(&doc); err != nil {
				return nil, err
			}
			collectLeaves(doc, "", func(path string, val any) {
				text, _ := json.Marshal(val)
				if seen[path] == nil {
					seen[path] = map[string]bool{}
				}
				if len(ex[path]) >= examplesPerPath || seen[path][string(text)] {
					return
				}
				seen[path][string(text)] = true
				ex[path] = append(ex[path], val)
			})
		}
	}
	return ex, nil
}

// collectLeaves calls fn with every non-null leaf of doc by dotted path;
// arrays are leaves (record.trades is shown whole).
func collectLeaves(doc any, prefix string, fn func(string, any)) {
	switch v := doc.(type) {
	case map[string]any:
		for k, child := range v {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			collectLeaves(child, p, fn)
		}
	case nil:
	default:
		fn(prefix, v)
	}
}
