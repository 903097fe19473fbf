package main

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync/atomic"
	"testing"
)

// TestLoadInterruptedStatesItsExitStatus: a load run interrupted while
// every request is answered 404 exits 1 (the interruption is its
// verdict), and its report says so, not the exit status 2 of a run that
// ended refused alike, held to --min-success or not.
func TestLoadInterruptedStatesItsExitStatus(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.NotFound(w, r)
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name string
		args []string
		says string
	}{
		{"--min-success 0", []string{"--min-success", "0"}, ""},
		{"the default --min-success", nil, "below --min-success 99%: exit status 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"load", "--target", srv.URL + "/hook", "--rate", "50/s", "--duration", "30s", "--progress", "none"}, tc.args...)
			before := n.Load()
			r := interrupt(t, func() bool { return n.Load() > before+5 }, args...)
			if r.code != 1 {
				t.Fatalf("exit code %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			if regexp.MustCompile(`exit status [02]`).MatchString(r.stdout) {
				t.Errorf("the report states another exit status than 1:\n%s", r.stdout)
			}
			if tc.says != "" {
				has(t, tc.name, r.stdout, tc.says)
			}
		})
	}
}
