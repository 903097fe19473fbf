package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README's Shell completion section says what each script needs, as
// the script's own help does: bash's completion script does nothing
// without the bash-completion package, and a user who follows the README
// alone got no completion and no error.
func TestREADMECompletionNamesItsNeeds(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	start := strings.Index(readme, "### Shell completion")
	if start < 0 {
		t.Fatal("README has no Shell completion section")
	}
	section := readme[start:]
	if end := strings.Index(section[1:], "\n#"); end >= 0 {
		section = section[:end+1]
	}
	help := cli(t, "", "completion", "bash", "--help").want(t, 0).stdout
	if strings.Contains(help, "'bash-completion' package") && !strings.Contains(section, "`bash-completion` package") {
		t.Errorf("completion bash --help says the script needs the bash-completion package; the README's section does not:\n%s", section)
	}
}
