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
// by operation (or method and path, for paths the document lacks), each
// with its statuses, so that refused writes show.
func Summary(calls []Call) string {
	by := map[string]map[int]int{}
	others := map[int]int{}
	var ok, faults, denied, other int
	for _, c := range calls {
		key := c.Operation
		if key == "" {
			key = c.Method + " " + c.Path
		}
		if by[key] == nil {
			by[key] = map[int]int{}
		}
		by[key][c.Status]++
		switch {
		case c.Fault != "":
			faults++
		case c.Status == 401:
			denied++
		case c.Status/100 == 2:
			ok++
		default:
			other++
			others[c.Status]++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "API: %d calls, %d answered 2xx, %d faults injected, %d refused for the key", len(calls), ok, faults, denied)
	if other > 0 {
		fmt.Fprintf(&b, ", %d other errors (%s)", other, statusCounts(others))
	}
	b.WriteString("\n")
	for _, k := range slices.Sorted(maps.Keys(by)) {
		n := 0
		for _, c := range by[k] {
			n += c
		}
		fmt.Fprintf(&b, "  %-40s %d (%s)\n", k, n, statusCounts(by[k]))
	}
	return b.String()
}

// statusCounts spells calls by status: "200 ×43, 429 ×3".
func statusCounts(by map[int]int) string {
	var parts []string
	for _, status := range slices.Sorted(maps.Keys(by)) {
		parts = append(parts, fmt.Sprintf("%d ×%d", status, by[status]))
	}
	return strings.Join(parts, ", ")
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
