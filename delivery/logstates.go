package delivery

import (
	"fmt"
	"strings"
)

// StateCounts says how many of the log's events are in each final state:
// "acked 3, dead 1, pending 0".
func (log *Log) StateCounts() string {
	n := map[State]int{}
	for _, e := range log.Events {
		n[e.State]++
	}
	var parts []string
	for _, st := range []State{StateAcked, StateDead, StatePending} {
		parts = append(parts, fmt.Sprintf("%s %d", st, n[st]))
	}
	return strings.Join(parts, ", ")
}
