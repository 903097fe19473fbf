package load

import (
	"strings"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// MixCompletion is how a Mix being typed goes on (shell completion): done
// is what is typed up to its last comma, kept, and next are the triggers
// not yet in it, each to follow done as KEY=.
func MixCompletion(typed string) (done string, next []schemas.Trigger) {
	if i := strings.LastIndexByte(typed, ','); i >= 0 {
		done = typed[:i+1]
	}
	used := map[string]bool{}
	for _, part := range strings.Split(done, ",") {
		k, _, _ := strings.Cut(part, "=")
		used[k] = true
	}
	for _, t := range schemas.Triggers() {
		if !used[t.Key] {
			next = append(next, t)
		}
	}
	return done, next
}
