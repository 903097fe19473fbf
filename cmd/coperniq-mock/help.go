package main

import (
	"embed"
	"strings"

	"github.com/spf13/cobra"
)

// helpFiles hold the commands' long help and examples: prose, read and
// edited as text, kept out of the code that parses flags. --help shows them
// as they are.
//
//go:embed help/*.txt
var helpFiles embed.FS

// help is help/name.txt without its final newline (cobra adds its own).
func help(name string) string {
	text, ok := helpFile(name)
	if !ok {
		panic("help: no help/" + name + ".txt") // a programming error, caught by every test that asks for help
	}
	return text
}

func helpFile(name string) (string, bool) {
	b, err := helpFiles.ReadFile("help/" + name + ".txt")
	return strings.TrimSuffix(string(b), "\n"), err == nil
}

// attachHelp gives c and every command below it that has none of its own
// the help of the files named for its path below the root: "scenario run"
// reads help/scenario-run.txt and help/scenario-run.examples.txt, the root
// help/root.txt. So a command's constructor holds no prose, and
// TestEveryHelpFileIsShown catches a file no command's path names.
func attachHelp(c *cobra.Command) {
	name := "root"
	if c.HasParent() {
		name = strings.ReplaceAll(strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" "), " ", "-")
	}
	if text, ok := helpFile(name); ok && c.Long == "" {
		c.Long = text
	}
	if text, ok := helpFile(name + ".examples"); ok && c.Example == "" {
		c.Example = text
	}
	for _, sub := range c.Commands() {
		attachHelp(sub)
	}
}
