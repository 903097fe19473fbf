package main

import (
	"embed"
	"strings"
)

// helpFiles hold the commands' long help and examples: prose, read and
// edited as text, kept out of the code that parses flags. --help shows them
// as they are.
//
//go:embed help/*.txt
var helpFiles embed.FS

// help is help/name.txt without its final newline (cobra adds its own).
func help(name string) string {
	b, err := helpFiles.ReadFile("help/" + name + ".txt")
	if err != nil {
		panic("help: " + err.Error()) // a programming error, caught by every test that asks for help
	}
	return strings.TrimSuffix(string(b), "\n")
}
