package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/receiver"
)

// A run against a receiver that is down leaves every event dead in the
// log; replaying the dead ones to a healthy receiver delivers the same
// bytes.
func TestReplayDeadEvents(t *testing.T) {
	broken := startReceiver(t, receiver.WithStatus(http.StatusBadGateway))
	logPath := filepath.Join(t.TempDir(), "run.jsonl")
	cli(t, "", "scenario", "run", "request-lost", "--to", broken.URL, "--retry", "none", "--log", logPath).want(t, 1)

	healthy := startReceiver(t, receiver.WithFailFirst(1))
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

	// Nothing acked in that log: nothing to do, and that is not a failure;
	// the message says what was selected and what the log holds.
	r = cli(t, "", "replay", logPath, "--only", "acked", "--to", healthy.URL).want(t, 0)
	if want := "nothing to replay: --only acked selects none of the 11 events in " + logPath + " (acked 0, dead 11, pending 0)\n"; r.stdout != want {
		t.Errorf("stdout: %q, want %q", r.stdout, want)
	}
	r = cli(t, "", "replay", logPath, "--only", "acked,pending", "--to", healthy.URL).want(t, 0)
	if !strings.Contains(r.stdout, "--only acked,pending selects none of the 11 events") || r.stderr != "" {
		t.Errorf("stdout: %s\nstderr: %s", r.stdout, r.stderr)
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

// A run killed while writing its log leaves the last line incomplete: the
// replay warns on stderr, skips that line and replays what comes before.
func TestReplayIncompleteLastLine(t *testing.T) {
	broken := startReceiver(t, receiver.WithStatus(http.StatusBadGateway))
	dir := t.TempDir()
	logPath := filepath.Join(dir, "run.jsonl")
	cli(t, "", "scenario", "run", "call-logged", "--to", broken.URL, "--retry", "none", "--concurrency", "1", "--log", logPath).want(t, 1)
	full, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(full), "\n")
	lines = lines[:len(lines)-1]
	// Cut in the middle of the last event's attempt line: the three
	// events before it are dead, the fourth has no attempt, so pending.
	k := len(lines)
	for !strings.Contains(lines[k-1], `"type":"attempt"`) {
		k--
	}
	cut := filepath.Join(dir, "cut.jsonl")
	os.WriteFile(cut, []byte(strings.Join(lines[:k-1], "")+lines[k-1][:len(lines[k-1])/2]), 0o644)

	healthy := startReceiver(t)
	r := cli(t, "", "replay", cut, "--only", "dead", "--to", healthy.URL).want(t, 0)
	if want := fmt.Sprintf("coperniq-mock: warning: %s: line %d is incomplete (no newline at its end, and not JSON)", cut, k); !strings.HasPrefix(r.stderr, want) {
		t.Errorf("stderr: %s\nwant %s", r.stderr, want)
	}
	if !strings.Contains(r.stdout, "replaying 3 of 4 events (dead) from "+cut) || !strings.Contains(r.stdout, "events 3 = acked 3 + dead 0") {
		t.Errorf("stdout: %s", r.stdout)
	}
	if n := healthy.Summary().Deliveries; n != 3 {
		t.Errorf("%d deliveries", n)
	}
	r = cli(t, "", "replay", cut, "--only", "acked", "--to", healthy.URL).want(t, 0)
	if !strings.Contains(r.stdout, "(acked 0, dead 3, pending 1)") || !strings.Contains(r.stderr, "is incomplete") {
		t.Errorf("stdout: %s\nstderr: %s", r.stdout, r.stderr)
	}
	// The same half line with a newline after it is no cut write: refused.
	os.WriteFile(cut, []byte(strings.Join(lines[:k-1], "")+lines[k-1][:len(lines[k-1])/2]+"\n"), 0o644)
	r = cli(t, "", "replay", cut, "--to", healthy.URL).want(t, 2)
	if !strings.Contains(r.stderr, fmt.Sprintf("line %d: not a JSON log line", k)) {
		t.Errorf("stderr: %s", r.stderr)
	}
}

func TestReplayBadInput(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.jsonl")
	os.WriteFile(garbage, []byte(`{"type":"run","version":1}`+"\n"+`{"type":"evnt","eventId":1}`+"\n"), 0o644)
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, nil, 0o644)
	payloads := filepath.Join(dir, "payloads.ndjson")
	os.WriteFile(payloads, []byte(cli(t, "", "generate", "PROJECT_CREATED").want(t, 0).stdout), 0o644)
	yaml := filepath.Join(dir, "scenario.yaml")
	os.WriteFile(yaml, []byte(cli(t, "", "scenario", "show", "call-logged").want(t, 0).stdout), 0o644)
	up := startReceiver(t)
	notLog := func(file, found string) string {
		return file + " is not a coperniq-mock delivery log: its first line should be a run record (" + found + "); write one with 'scenario run --log FILE', or capture deliveries with 'listen --out FILE'\n"
	}
	cases := []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"no --target", []string{"replay", garbage}, "", "--target URL is required"},
		{"bad --only", []string{"replay", garbage, "--to", up.URL, "--only", "daed"}, "", `did you mean "dead"?`},
		{"missing log", []string{"replay", filepath.Join(dir, "none.jsonl"), "--to", up.URL}, "", "none.jsonl"},
		{"bad line", []string{"replay", garbage, "--to", up.URL}, "", "line 2:"},
		{"no log argument", []string{"replay", "--to", up.URL}, "", "accepts 1 arg"},
		{"empty file", []string{"replay", empty, "--to", up.URL}, "", empty + " is empty: replay reads a delivery log (written by 'scenario run --log FILE') or a capture (written by 'listen --out FILE')\n"},
		{"empty stdin", []string{"replay", "-", "--only", "all", "--to", up.URL}, "", "standard input is empty: replay reads"},
		{"payloads", []string{"replay", payloads, "--to", up.URL}, "", notLog(payloads, `line 1 is JSON without a "type"`)},
		{"a scenario file", []string{"replay", yaml, "--to", up.URL}, "", notLog(yaml, "line 1 is not JSON")},
		{"an event line first", []string{"replay", "-", "--to", up.URL}, `{"type":"event","eventId":1,"body":"{}"}` + "\n", notLog("standard input", `line 1 is a "event" line`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, tc.stdin, tc.args...).want(t, 2)
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr lacks %q: %s", tc.want, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout: %s", r.stdout)
			}
		})
	}
}

// A capture interleaves records, and holds retries and duplicates; its
// events are replayed in the order they first arrived. With --concurrency 1
// and a receiver that acknowledges everything, the replay arrives in exactly
// that order. A receiver that fails every first attempt makes events wait
// for their retries: then a later event goes ahead of an earlier one only
// while the earlier one waits for its record's previous event, which is
// never overtaken.
func TestReplayCaptureKeepsArrivalOrder(t *testing.T) {
	// The capture is made by posting, in firing order, the payloads of four
	// projects whose events interleave: each event fails once and its retry
	// comes after the next event's first attempt; every fourth is sent once
	// more. Made by hand, its order does not depend on a sender's timing.
	ndjson := cli(t, "", "scenario", "run", "concurrent-projects", "--projects", "4", "--seed", "3", "--dry-run").want(t, 0).stdout
	payloads := strings.Split(strings.TrimSpace(ndjson), "\n")
	capture := filepath.Join(t.TempDir(), "captured.jsonl")
	f, err := os.Create(capture)
	if err != nil {
		t.Fatal(err)
	}
	first := startReceiver(t, receiver.WithFailFirst(1), receiver.WithOutput(f))
	post := func(body string) {
		resp, err := http.Post(first.URL+"/hook", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	for i, p := range payloads {
		post(p)
		if i > 0 {
			post(payloads[i-1])
			if i%4 == 0 {
				post(payloads[i-1])
			}
		}
	}
	post(payloads[len(payloads)-1])
	first.Close()
	f.Close()
	order := firstArrivals(first.Deliveries())
	if len(order) != len(payloads) {
		t.Fatalf("%d events captured, %d posted", len(order), len(payloads))
	}

	for _, tc := range []struct {
		name      string
		failFirst int
	}{{"acks everything", 0}, {"fails every event once", 1}} {
		t.Run(tc.name, func(t *testing.T) {
			// A few runs: the order must not depend on the scheduler's luck.
			for run := range 3 {
				rc := startReceiver(t, receiver.WithFailFirst(tc.failFirst))
				r := cli(t, "", "replay", capture, "--target", rc.URL+"/hook", "--retry", "ci", "--concurrency", "1").want(t, 0)
				got := rc.Deliveries()
				if len(got) != (1+tc.failFirst)*len(order) {
					t.Fatalf("%d deliveries of %d events:\n%s", len(got), len(order), r.stdout)
				}
				if tc.failFirst == 0 {
					if ids := firstArrivals(got); !slices.Equal(ids, order) {
						t.Fatalf("run %d: replayed in the order\n%v\nthe capture's first arrivals are\n%v", run, ids, order)
					}
					continue
				}
				overtakenOnlyWhenHeld(t, order, got)
			}
		})
	}
}

// firstArrivals is each event's first delivery's id, in arrival order.
func firstArrivals(ds []receiver.Delivery) []int64 {
	var ids []int64
	for _, d := range ds {
		if d.Attempt == 1 {
			ids = append(ids, *d.EventID)
		}
	}
	return ids
}

// overtakenOnlyWhenHeld checks deliveries made one at a time from events
// given in order: an event's first attempt comes after that of an event
// given later only when its record's previous event was not acknowledged
// yet, and a record's events arrive one after the other, each after the
// previous one's acknowledgement.
func overtakenOnlyWhenHeld(t *testing.T, order []int64, got []receiver.Delivery) {
	t.Helper()
	pos := map[int64]int{}
	for i, id := range order {
		pos[id] = i
	}
	record := map[int64]int64{}
	for _, d := range got {
		record[*d.EventID] = *d.RecordID
	}
	prev, last := map[int64]int64{}, map[int64]int64{}
	for _, id := range order {
		prev[id] = last[record[id]]
		last[record[id]] = id
	}
	firstAt, ackedAt := map[int64]int{}, map[int64]int{}
	for i, d := range got {
		if d.Attempt == 1 {
			firstAt[*d.EventID] = i
		}
		if d.Status/100 == 2 {
			ackedAt[*d.EventID] = i
		}
	}
	overtaken := 0
	for _, a := range order {
		if p := prev[a]; p != 0 && firstAt[a] < ackedAt[p] {
			t.Errorf("event %d was sent before its record's previous event %d was acknowledged", a, p)
		}
		for _, b := range order[pos[a]+1:] {
			if firstAt[b] > firstAt[a] {
				continue
			}
			overtaken++
			if p := prev[a]; p == 0 || ackedAt[p] < firstAt[b] {
				t.Errorf("event %d (position %d) was first sent after event %d (position %d), though nothing held it back", a, pos[a]+1, b, pos[b]+1)
			}
		}
	}
	if overtaken == 0 {
		t.Error("no event went ahead of an earlier one: the failures held nothing back, and the check proves nothing")
	}
}

// A capture whose line was edited by hand, its payload's eventId no longer
// the line's, is refused naming the line and both ids, and nothing is sent:
// replaying it would deliver an event never received and leave out the
// retry of the one the line names.
func TestReplayEditedCapture(t *testing.T) {
	ndjson := cli(t, "", "scenario", "run", "request-won", "--dry-run").want(t, 0).stdout
	capture := filepath.Join(t.TempDir(), "captured.jsonl")
	f, err := os.Create(capture)
	if err != nil {
		t.Fatal(err)
	}
	first := startReceiver(t, receiver.WithFailFirst(1), receiver.WithOutput(f))
	for _, p := range strings.Split(strings.TrimSpace(ndjson), "\n") {
		for range 2 {
			resp, err := http.Post(first.URL+"/hook", "application/json", strings.NewReader(p))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
	}
	first.Close()
	f.Close()
	third := first.Deliveries()[2]
	b, _ := os.ReadFile(capture)
	lines := strings.SplitAfter(string(b), "\n")
	was := fmt.Sprintf(`"payload":{"event":{"eventId":%d,`, *third.EventID)
	if !strings.Contains(lines[2], was) {
		t.Fatalf("line 3 lacks %s: %s", was, lines[2])
	}
	lines[2] = strings.Replace(lines[2], was, `"payload":{"event":{"eventId":999999,`, 1)
	os.WriteFile(capture, []byte(strings.Join(lines, "")), 0o644)

	rc := startReceiver(t)
	r := cli(t, "", "replay", capture, "--to", rc.URL).want(t, 2)
	want := fmt.Sprintf(`%s: line 3: its "eventId" is %d but its payload's event.eventId is 999999: the line was edited, and replay can't tell which event it is; set both to the event to deliver, or delete the line`, capture, *third.EventID)
	if !strings.Contains(r.stderr, want) || r.stdout != "" {
		t.Errorf("stderr: %s\nwant %s\nstdout: %s", r.stderr, want, r.stdout)
	}
	if n := rc.Summary().Deliveries; n != 0 {
		t.Errorf("%d deliveries from a refused capture", n)
	}
}
