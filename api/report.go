package api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Summary spells a call log: how many calls, answered how, then the calls
// by operation (or method and path, for paths the document lacks).
func Summary(calls []Call) string {
	by := map[string]int{}
	var ok, faults, denied int
	for _, c := range calls {
		key := c.Operation
		if key == "" {
			key = c.Method + " " + c.Path
		}
		by[key]++
		switch {
		case c.Fault != "":
			faults++
		case c.Status == 401:
			denied++
		case c.Status/100 == 2:
			ok++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "API: %d calls, %d answered 2xx, %d faults injected, %d refused for the key\n", len(calls), ok, faults, denied)
	for _, k := range slices.Sorted(maps.Keys(by)) {
		fmt.Fprintf(&b, "  %-40s %d\n", k, by[k])
	}
	return b.String()
}

// WriteCalls writes a call log as JSON lines, as /_mock/api-calls lists it.
func WriteCalls(w io.Writer, calls []Call) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, c := range calls {
		if err := enc.Encode(c); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// OperationList lists what the mock serves and, apart, the documented
// operations that answer 501.
func OperationList() string {
	var impl, not []string
	for _, op := range Operations() {
		line := fmt.Sprintf("  %-6s %s", op.Method, op.Path)
		if op.Implemented {
			impl = append(impl, line)
		} else {
			not = append(not, line)
		}
	}
	return fmt.Sprintf("Implemented (%d operations):\n%s\n\nNot implemented: these documented operations answer 501 Not Implemented (%d):\n%s",
		len(impl), strings.Join(impl, "\n"), len(not), strings.Join(not, "\n"))
}
