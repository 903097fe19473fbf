package docgen_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The README is the first thing a user runs: a flag it shows that the
// command does not have is an "unknown flag" on their first try. This test
// builds the real binary, finds every coperniq-mock command line in the
// README's code blocks (and every inline `command --flag` in its prose), and
// asserts each flag is in that command's --help; it also asserts every
// `make TARGET` shown is a Makefile target.

// readmeShellLines returns the commands of the README's code blocks: the
// lines of sh and yaml blocks and the "$ " lines of console blocks (not
// their output), continuations joined and comments cut, with their line
// numbers; and the README's inline code spans.
func readmeShellLines(t *testing.T) (lines []readmeLine, spans []readmeLine) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	span := regexp.MustCompile("`([^`]+)`")
	sc := bufio.NewScanner(f)
	in, lang, n, pending := false, "", 0, ""
	// A span may wrap: prose is read a paragraph at a time.
	para, paraLine := "", 0
	endPara := func() {
		for _, m := range span.FindAllStringSubmatch(para, -1) {
			spans = append(spans, readmeLine{paraLine, m[1]})
		}
		para = ""
	}
	for sc.Scan() {
		n++
		text := sc.Text()
		if fence := strings.TrimSpace(text); strings.HasPrefix(fence, "```") {
			endPara()
			in = !in
			lang = strings.TrimPrefix(fence, "```")
			continue
		}
		if !in {
			if strings.TrimSpace(text) == "" {
				endPara()
				continue
			}
			if para == "" {
				paraLine = n
			}
			para += text + " "
			continue
		}
		switch {
		case lang == "console" && pending == "":
			cmd, ok := strings.CutPrefix(text, "$ ")
			if !ok {
				continue // output
			}
			text = cmd
		case lang == "console", lang == "sh", lang == "yaml":
		default:
			continue
		}
		if i := commentRE.FindStringIndex(text); i != nil {
			text = text[:i[0]]
		}
		if strings.HasSuffix(text, `\`) {
			pending += strings.TrimSuffix(text, `\`) + " "
			continue
		}
		lines = append(lines, readmeLine{n, pending + text})
		pending = ""
	}
	endPara()
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines, spans
}

var commentRE = regexp.MustCompile(`(?:^|\s)#`)

type readmeLine struct {
	n    int
	text string
}

// invocation is one coperniq-mock command shown in the README: the words
// after the program name (command, subcommand, arguments) and its flags.
type invocation struct {
	line  int
	words []string
	flags []string
}

var programRE = regexp.MustCompile(`(?:^|[\s/(])coperniq-mock\s+([^|;&#]*)`)

// invocations finds the coperniq-mock commands on a shell line; a comment
// ends the line and a pipe, ; or && ends a command.
func invocations(l readmeLine) []invocation {
	text := l.text
	if !strings.Contains(text, "coperniq-mock ") {
		return nil
	}
	var out []invocation
	for _, m := range programRE.FindAllStringSubmatch(text, -1) {
		out = append(out, parseWords(l.n, strings.Fields(m[1])))
	}
	return out
}

func parseWords(line int, fields []string) invocation {
	inv := invocation{line: line}
	for _, w := range fields {
		w = strings.Trim(w, `"'`)
		switch {
		case strings.HasPrefix(w, "--") && len(w) > 2:
			name, _, _ := strings.Cut(w, "=")
			inv.flags = append(inv.flags, name)
		case len(w) == 2 && w[0] == '-' && w[1] != '-':
			inv.flags = append(inv.flags, w)
		default:
			inv.words = append(inv.words, w)
		}
	}
	return inv
}

// builtHelp builds the binary, skipping the test in -short mode, and reads
// its help through it.
func builtHelp(t *testing.T) *helpOf {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "coperniq-mock")
	if out, err := exec.Command("go", "build", "-trimpath", "-o", bin, "../cmd/coperniq-mock").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return &helpOf{t: t, bin: bin, c: map[string]*cmdHelp{}}
}

// helpOf caches each command path's --help: the subcommands it lists and
// the flags it takes (its own and the inherited ones).
type helpOf struct {
	t   *testing.T
	bin string
	c   map[string]*cmdHelp
}

type cmdHelp struct {
	subcommands []string
	flags       map[string]bool
}

var flagDefRE = regexp.MustCompile(`^\s+(?:(-\w), )?(--[\w-]+)`)

func (h *helpOf) get(path []string) *cmdHelp {
	key := strings.Join(path, " ")
	if c, ok := h.c[key]; ok {
		return c
	}
	out, err := exec.Command(h.bin, append(slices.Clone(path), "--help")...).CombinedOutput()
	if err != nil {
		h.t.Fatalf("coperniq-mock %s --help: %v\n%s", key, err, out)
	}
	c := &cmdHelp{flags: map[string]bool{}}
	section := ""
	for l := range strings.SplitSeq(string(out), "\n") {
		if l != "" && !strings.HasPrefix(l, " ") {
			section = l
			continue
		}
		switch section {
		case "Available Commands:":
			if f := strings.Fields(l); len(f) > 0 {
				c.subcommands = append(c.subcommands, f[0])
			}
		case "Flags:", "Global Flags:":
			if m := flagDefRE.FindStringSubmatch(l); m != nil {
				c.flags[m[2]] = true
				if m[1] != "" {
					c.flags[m[1]] = true
				}
			}
		}
	}
	h.c[key] = c
	return c
}

// command resolves an invocation's words to a command path: the longest
// prefix of subcommands --help lists.
func (h *helpOf) command(words []string) ([]string, *cmdHelp) {
	var path []string
	c := h.get(nil)
	for _, w := range words {
		if !slices.Contains(c.subcommands, w) {
			break
		}
		path = append(path, w)
		c = h.get(path)
	}
	return path, c
}

func TestREADMEFlagsExist(t *testing.T) {
	h := builtHelp(t)
	top := h.get(nil)

	lines, spans := readmeShellLines(t)
	var invs []invocation
	for _, l := range lines {
		invs = append(invs, invocations(l)...)
	}
	// Prose: `scenario run --api ADDR`, `listen --out`: a span that starts
	// with a command name and shows a flag.
	for _, s := range spans {
		f := strings.Fields(strings.TrimPrefix(s.text, "coperniq-mock "))
		if len(f) > 1 && slices.Contains(top.subcommands, f[0]) && strings.Contains(s.text, " -") {
			invs = append(invs, parseWords(s.n, f))
		}
	}
	if len(invs) < 50 {
		t.Fatalf("found only %d coperniq-mock commands in the README: is the parser broken?", len(invs))
	}
	// A mistake shown on purpose: "unknown flag: --taget; did you mean".
	shownUnknown := map[string]bool{}
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`unknown flag: (--[\w-]+)`).FindAllStringSubmatch(string(readme), -1) {
		shownUnknown[m[1]] = true
	}
	checked := 0
	for _, inv := range invs {
		path, c := h.command(inv.words)
		if len(path) == 0 {
			if len(inv.words) > 0 && !strings.HasPrefix(inv.words[0], "-") {
				t.Errorf("README.md:%d: coperniq-mock %s: no such command (commands: %s)", inv.line, inv.words[0], strings.Join(top.subcommands, ", "))
			}
			c = top
		}
		for _, f := range inv.flags {
			checked++
			if !c.flags[f] && !shownUnknown[f] {
				t.Errorf("README.md:%d: coperniq-mock %s has no flag %s", inv.line, strings.Join(path, " "), f)
			}
		}
	}
	t.Logf("%d commands, %d flags checked against --help", len(invs), checked)
}

func TestREADMEMakeTargetsExist(t *testing.T) {
	mk, err := os.ReadFile(filepath.Join("..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^([\w-]+):`).FindAllStringSubmatch(string(mk), -1) {
		targets[m[1]] = true
	}
	lines, spans := readmeShellLines(t)
	makeRE := regexp.MustCompile(`(?:^|[\s$(])make ([a-z][\w-]*)`)
	n := 0
	for _, l := range append(lines, spans...) {
		for _, m := range makeRE.FindAllStringSubmatch(l.text, -1) {
			n++
			if !targets[m[1]] {
				t.Errorf("README.md:%d: make %s: no such Makefile target", l.n, m[1])
			}
		}
	}
	if n < 5 {
		t.Fatalf("found only %d make commands in the README: is the parser broken?", n)
	}
}
