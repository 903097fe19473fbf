package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/receiver"
)

// A run against a receiver that is down leaves every event dead in the
// log; replaying the dead ones to a healthy receiver delivers the same
// bytes.
func TestReplayDeadEvents(t *testing.T) {
	broken := startReceiver(t, receiver.Status(http.StatusBadGateway))
	logPath := filepath.Join(t.TempDir(), "run.jsonl")
	cli(t, "", "scenario", "run", "request-lost", "--to", broken.URL, "--retry", "none", "--log", logPath).want(t, 1)

	healthy := startReceiver(t, receiver.FailFirst(1))
	r := cli(t, "", "replay", logPath, "--to", healthy.URL+"/again", "--retry", "ci").want(t, 0)
	for _, w := range []string{"replaying 11 of 11 events (dead) from " + logPath, "events 11 = acked 11 + dead 0", "retried 11"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
		}
	}
	sent := map[int64][]byte{}
	for _, d := range broken.Deliveries() {
		sent[*d.EventID] = d.Payload
	}
	for _, d := range healthy.Deliveries() {
		if !bytes.Equal(sent[*d.EventID], d.Payload) {
			t.Errorf("event %d replayed with different bytes", *d.EventID)
		}
	}

	// Nothing acked in that log: nothing to do, and that is not a failure.
	r = cli(t, "", "replay", logPath, "--only", "acked", "--to", healthy.URL).want(t, 0)
	if !strings.Contains(r.stdout, "nothing to replay: no acked events among the 11") {
		t.Errorf("stdout: %s", r.stdout)
	}
	// From standard input, everything, and into a log of its own.
	log, _ := os.ReadFile(logPath)
	second := filepath.Join(t.TempDir(), "replay.jsonl")
	r = cli(t, string(log), "replay", "-", "--only", "all", "--to", healthy.URL, "--retry", "ci", "--log", second).want(t, 0)
	f, _ := os.Open(second)
	defer f.Close()
	if l, err := delivery.ReadLog(f); err != nil || len(l.Select(delivery.StateAcked)) != 11 {
		t.Errorf("the replay's own log: %v\n%s", err, r.stdout)
	}
	// Still failing: exit 1, and the events are dead again.
	r = cli(t, "", "replay", logPath, "--to", broken.URL, "--retry", "none").want(t, 1)
	if !strings.Contains(r.stdout, "events 11 = acked 0 + dead 11") {
		t.Errorf("stdout: %s", r.stdout)
	}
}

func TestReplayBadInput(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.jsonl")
	os.WriteFile(garbage, []byte(`{"type":"run","version":1}`+"\n"+`{"type":"evnt","eventId":1}`+"\n"), 0o644)
	up := startReceiver(t)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no --to", []string{"replay", garbage}, "--to URL is required"},
		{"bad --only", []string{"replay", garbage, "--to", up.URL, "--only", "daed"}, `did you mean "dead"?`},
		{"missing log", []string{"replay", filepath.Join(dir, "none.jsonl"), "--to", up.URL}, "none.jsonl"},
		{"not a log", []string{"replay", garbage, "--to", up.URL}, "line 2:"},
		{"no log argument", []string{"replay", "--to", up.URL}, "accepts 1 arg"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, "", tc.args...).want(t, 2)
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr lacks %q: %s", tc.want, r.stderr)
			}
		})
	}
}
