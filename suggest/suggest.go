// Package suggest finds the nearest valid spelling of a mistyped name, so that
// every "isn't one of" error in the tool can end with "did you mean X?".
package suggest

import (
	"fmt"
	"slices"
	"strings"
)

// NotOneOf is the message for got, a what outside valid: it echoes the
// value, lists the valid ones, and ends with "did you mean near?" when near
// (Nearest, or the caller's own guess) is not "".
func NotOneOf(what, got string, valid []string, near string) string {
	list := "[" + strings.Join(valid, " ") + "]"
	if slices.ContainsFunc(valid, func(v string) bool { return v == "" || strings.ContainsAny(v, " \t") }) {
		// Names of several words would run together: quote each.
		list = fmt.Sprintf("%q", valid)
	}
	msg := fmt.Sprintf("%s %q isn't one of %s", what, got, list)
	if near != "" {
		msg += "; did you mean " + near + "?"
	}
	return msg
}

// Nearest returns the candidate closest to name by case-insensitive edit
// distance, or "" when none is close enough to be a plausible typo. A
// candidate that contains name (or is contained by it) counts as close: users
// often type a fragment such as "STATUS_MOVEMENT".
func Nearest(name string, candidates []string) string {
	lname := strings.ToLower(name)
	best, bestDist := "", -1
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := distance(lname, lc)
		if lname != "" && (strings.Contains(lc, lname) || strings.Contains(lname, lc)) {
			d = min(d, 1)
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	// Beyond a third of the name's length an edit is a different word, not a typo.
	if bestDist < 0 || bestDist > max(2, len(name)/3) {
		return ""
	}
	return best
}

// distance is the Levenshtein distance between a and b, counted in bytes:
// names here are ASCII identifiers and paths.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Abbreviated is Nearest for a name that may be cut short: a candidate it
// begins (--rat for --rate) wins over one merely near it (--duration).
func Abbreviated(name string, candidates []string) string {
	var prefixed []string
	for _, c := range candidates {
		if strings.HasPrefix(c, name) {
			prefixed = append(prefixed, c)
		}
	}
	if s := Nearest(name, prefixed); s != "" {
		return s
	}
	return Nearest(name, candidates)
}
