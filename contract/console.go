package contract

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/onsi/ginkgo/v2/types"
)

// console is the run's progress as verify prints it without --verbose: our
// header (the target, masked, the seed, how many specs run), a dot per
// passed spec, and each failure as it happens, without Ginkgo's internals
// (the working directory, Ginkgo's random seed, node types, code
// locations). With --verbose, Ginkgo's own reporter prints instead.
type console struct {
	mu     sync.Mutex // the progress reports come from another goroutine
	w      io.Writer
	title  string
	color  bool
	inLine bool // dots printed since the last newline
}

func (c *console) header(r types.Report) {
	total, run := r.PreRunStats.TotalSpecs, r.PreRunStats.SpecsThatWillRun
	fmt.Fprintf(c.w, "%s\n", c.title)
	if run == total {
		fmt.Fprintf(c.w, "running %s\n\n", specs(total))
		return
	}
	fmt.Fprintf(c.w, "running %d of %s (%d not selected by --focus/--skip)\n\n", run, specs(total), total-run)
}

func (c *console) spec(spec types.SpecReport) {
	if _, ok := SpecName(spec); !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case spec.State.Is(types.SpecStatePassed):
		fmt.Fprint(c.w, "•")
		c.inLine = true
	case spec.State.Is(types.SpecStateInterrupted):
		// Not a failure: the run was stopped while it ran.
		c.interrupted(spec)
	case spec.State.Is(types.SpecStateFailureStates):
		c.failure(spec)
	}
}

// failure prints a failed spec: its name, then the failure, indented.
func (c *console) failure(spec types.SpecReport) {
	name, _ := SpecName(spec)
	msg := strings.TrimSpace(spec.Failure.Message)
	if msg == "" {
		msg = fmt.Sprintf("the spec %s", spec.State)
	}
	if c.inLine {
		fmt.Fprint(c.w, "\n\n")
		c.inLine = false
	}
	label := "FAIL"
	if c.color {
		label = "\x1b[1;31mFAIL\x1b[0m"
	}
	took := roundLatency(spec.RunTime).String()
	for _, e := range spec.ReportEntries {
		if e.Name == EntryRanFor {
			took = e.StringRepresentation() + ", run with the others"
		}
	}
	fmt.Fprintf(c.w, "%s %s (%s)\n", label, name, took)
	for _, line := range strings.Split(failureDetail(spec, msg), "\n") {
		if line == "" {
			fmt.Fprintln(c.w)
			continue
		}
		fmt.Fprintf(c.w, "  %s\n", line)
	}
	fmt.Fprintln(c.w)
}

// interrupted prints the spec a Ctrl-C or SIGTERM stopped.
func (c *console) interrupted(spec types.SpecReport) {
	name, _ := SpecName(spec)
	if c.inLine {
		fmt.Fprint(c.w, "\n\n")
		c.inLine = false
	}
	fmt.Fprintf(c.w, "INTERRUPTED %s (%s)\n  %s: the run stops here, and the specs left are not run\n\n", name, roundLatency(spec.RunTime), interruptedMidway)
}

// breakLine ends the line of dots, for a progress line on another stream
// of the same terminal.
func (c *console) breakLine() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.end()
}

// end finishes the line of dots.
func (c *console) end() {
	if c.inLine {
		fmt.Fprintln(c.w)
		c.inLine = false
	}
}
