package docgen_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every flag the reference's switch column names is one the binary
// takes: on the command the cell names, or, for a bare flag, on some
// command.
func TestReferenceSwitchesExist(t *testing.T) {
	h := builtHelp(t)
	top := h.get(nil)
	anyFlag := map[string]bool{}
	for _, sub := range top.subcommands {
		c := h.get([]string{sub})
		for f := range c.flags {
			anyFlag[f] = true
		}
		for _, subsub := range c.subcommands {
			for f := range h.get([]string{sub, subsub}).flags {
				anyFlag[f] = true
			}
		}
	}
	span := regexp.MustCompile("`([^`]+)`")
	checked := 0
	ref, err := os.ReadFile(filepath.Join("..", "docs", "coperniq.md"))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(ref), "\n") {
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		if len(cells) != 6 || strings.HasPrefix(line, "|---") || strings.TrimSpace(cells[0]) == "id" {
			continue
		}
		row := struct{ id, change string }{strings.TrimSpace(cells[0]), cells[5]}
		for _, m := range span.FindAllStringSubmatch(row.change, -1) {
			inv := parseWords(0, strings.Fields(m[1]))
			if len(inv.flags) == 0 {
				continue // a scenario key (`slaLag:`) or a Go option
			}
			path, c := h.command(inv.words)
			for _, f := range inv.flags {
				checked++
				if len(path) == 0 && !anyFlag[f] {
					t.Errorf("row %s: no command takes %s", row.id, f)
				}
				if len(path) > 0 && !c.flags[f] {
					t.Errorf("row %s: coperniq-mock %s has no flag %s", row.id, strings.Join(path, " "), f)
				}
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d flags found in the switch column: is the parser broken?", checked)
	}
}
