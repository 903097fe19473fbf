package main

import "testing"

// displayFor's cases: what a pipe, a terminal, a dumb one and NO_COLOR
// allow. A person still watches a dumb terminal (verify's progress comes
// at the terminal's pace) but it redraws nothing and shows no colour.
func TestDisplayFor(t *testing.T) {
	for _, c := range []struct {
		name     string
		terminal bool
		env      map[string]string
		want     display
	}{
		{"a pipe", false, nil, display{}},
		{"a pipe, TERM=xterm", false, map[string]string{"TERM": "xterm"}, display{}},
		{"a terminal", true, map[string]string{"TERM": "xterm-256color"}, display{terminal: true, live: true, color: true}},
		{"a terminal, no TERM", true, nil, display{terminal: true, live: true, color: true}},
		{"TERM=dumb", true, map[string]string{"TERM": "dumb"}, display{terminal: true}},
		{"NO_COLOR", true, map[string]string{"TERM": "xterm", "NO_COLOR": "1"}, display{terminal: true, live: true}},
		{"NO_COLOR empty", true, map[string]string{"TERM": "xterm", "NO_COLOR": ""}, display{terminal: true, live: true, color: true}},
		{"TERM=dumb and NO_COLOR", true, map[string]string{"TERM": "dumb", "NO_COLOR": "1"}, display{terminal: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := displayFor(c.terminal, func(k string) string { return c.env[k] }); got != c.want {
				t.Errorf("displayFor = %+v, want %+v", got, c.want)
			}
		})
	}
}
