package main

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Every help file is some command's --help, whole: a file left behind by a
// renamed command, or one read by the wrong name, fails here.
func TestEveryHelpFileIsShown(t *testing.T) {
	var shown strings.Builder
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		var out bytes.Buffer
		c.SetOut(&out)
		if err := c.Help(); err != nil {
			t.Fatalf("%s: %v", c.CommandPath(), err)
		}
		shown.WriteString(out.String())
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}))
	files, err := fs.Glob(helpFiles, "help/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("help files: %v, %v", files, err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "help/"), ".txt")
		if !strings.Contains(shown.String(), help(name)) {
			t.Errorf("%s is in no command's --help", f)
		}
	}
}
