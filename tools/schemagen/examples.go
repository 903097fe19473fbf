package main

import (
	"bytes"
	"encoding/json"
	"os"

	"github.com/coperniq-mock/coperniq-mock/docgen"
)

// writeGeneratorExamples collects example values for every property from
// realistic payloads of every trigger (fixed seed, so the files are stable)
// and writes them as the examples file.
func writeGeneratorExamples(path string) error {
	ex, err := docgen.GeneratorExamples()
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
