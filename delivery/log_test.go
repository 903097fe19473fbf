package delivery_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// A log read back gives every event's final state and exact body, and the
// events it selects can be replayed.
func TestLogRoundTrip(t *testing.T) {
	rc := newReceiver(t, func(h hit) action {
		switch {
		case h.EventID%4 == 0:
			return status(500) // dead
		case h.EventID%4 == 1 && h.N == 1:
			return reset // acked on the second attempt
		}
		return ok
	})
	evs := makeEvents(t, 16, 4)
	// A pretty-printed body and one that is not UTF-8 must come back byte
	// for byte.
	ev, _ := documentedMessage(t)
	evs = append(evs, ev)
	evs = append(evs, delivery.Message{Identity: schemas.Identity{EventID: 99, TriggerKey: "PROJECT_CREATED", RecordID: 9}, Body: []byte("{\"event\":{\"eventId\":99,\"recordId\":9,\"triggerKey\":\"PROJECT_CREATED\"},\"x\":\"\xff\"}")})

	var log bytes.Buffer
	var obs observed
	s := mustRun(t, mustNew(t, rc.url()+"?token=abcdef123", delivery.WithPolicy(fast(3)), delivery.WithLog(&log), delivery.WithSeed(3),
		delivery.WithDuplicate(0.25, delivery.DupAfter), delivery.WithObserver(obs.add)), evs)
	if s.Dead != 4 || s.Acked != 14 || s.Duplicates == 0 {
		t.Fatalf("%s", s)
	}

	for i, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		if !json.Valid([]byte(line)) {
			t.Fatalf("line %d is not JSON: %s", i+1, line)
		}
	}
	l, err := delivery.ReadLog(bytes.NewReader(log.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if l.Run.Version != delivery.LogVersion || l.Run.Target != s.Target || l.Run.Seed != 3 || l.Run.Events != 18 || !l.Run.Started.Equal(s.Started) {
		t.Errorf("run %+v", l.Run)
	}
	if len(l.Events) != len(evs) {
		t.Fatalf("%d events in the log, want %d", len(l.Events), len(evs))
	}
	byID := map[int64]delivery.LoggedEvent{}
	for _, e := range l.Events {
		byID[e.EventID] = e
	}
	for _, r := range s.Results {
		e := byID[r.EventID]
		if !bytes.Equal(e.Body, r.Body) {
			t.Errorf("event %d: body changed through the log\n got %q\nwant %q", r.EventID, e.Body, r.Body)
		}
		if e.State != r.State || e.Attempts != r.Attempts || e.Duplicates != r.Duplicates || e.TriggerKey != r.TriggerKey || e.RecordID != r.RecordID {
			t.Errorf("event %d: log says %s %d attempts %d duplicates (%s, record %d), summary %s %d %d (%s, %d)", r.EventID,
				e.State, e.Attempts, e.Duplicates, e.TriggerKey, e.RecordID, r.State, r.Attempts, r.Duplicates, r.TriggerKey, r.RecordID)
		}
	}
	if len(l.Attempts) != len(obs.all) {
		t.Fatalf("%d attempts in the log, %d observed", len(l.Attempts), len(obs.all))
	}
	for i, a := range l.Attempts {
		o := obs.all[i]
		if a.EventID != o.EventID || a.N != o.N || a.Duplicate != o.Duplicate || !a.Scheduled.Equal(o.Scheduled) ||
			!a.Started.Equal(o.Started) || a.Latency != o.Latency || a.Status != o.Status || a.ErrKind != o.ErrKind ||
			a.Err != o.Err || a.State != o.State {
			t.Errorf("attempt %d:\n log %+v\n obs %+v", i, a, o)
		}
	}

	dead := l.Select(delivery.StateDead)
	if len(dead) != 4 {
		t.Fatalf("%d dead events selected", len(dead))
	}
	only, err := delivery.ParseOnly("dead")
	if err != nil || !slices.Equal(only, []delivery.State{delivery.StateDead}) {
		t.Fatalf("ParseOnly: %v %v", only, err)
	}
	// Replay the dead ones to a receiver that now accepts them.
	rc2 := newReceiver(t, always(ok))
	s2 := mustRun(t, mustNew(t, rc2.url()), l.Select(only...))
	if s2.Acked != 4 {
		t.Fatalf("replay: %s", s2)
	}
	_, by := rc2.snapshot()
	for _, ev := range dead {
		sameBodies(t, ev.Body, by[ev.EventID])
	}
	if all, _ := delivery.ParseOnly("all"); len(l.Select(all...)) != len(evs) {
		t.Error("all does not select every event")
	}
	if _, err := delivery.ParseOnly("dead,acked"); err != nil {
		t.Error(err)
	}
	if _, err := delivery.ParseOnly("failed"); err == nil || !strings.Contains(err.Error(), `selection "failed" isn't one of [acked dead pending all]`) {
		t.Errorf("ParseOnly(failed) = %v", err)
	}
}

// A log cut off by a killed process still reads: unfinished events are
// pending unless their last attempt settled them.
func TestReadLogTruncated(t *testing.T) {
	rc := newReceiver(t, always(ok))
	var log bytes.Buffer
	if _, err := mustNew(t, rc.url(), delivery.WithConcurrency(1), delivery.WithLog(&log)).Run(context.Background(), makeEvents(t, 3, 3)); err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		if !strings.Contains(line, `"type":"result"`) {
			kept = append(kept, line)
		}
	}
	l, err := delivery.ReadLog(strings.NewReader(strings.Join(kept, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range l.Events {
		if e.State != delivery.StateAcked || e.Attempts != 1 {
			t.Errorf("%+v", e)
		}
	}
	if len(l.Warnings) != 0 {
		t.Errorf("warnings about a log that lacks only result lines: %q", l.Warnings)
	}
}

// A process killed while writing leaves the last line incomplete: that
// line is skipped with a warning and everything before it is read, wherever
// the cut falls. A bad line that ends in a newline is still an error.
func TestReadLogIncompleteLastLine(t *testing.T) {
	rc := newReceiver(t, func(h hit) action {
		if h.N == 1 {
			return status(503)
		}
		return ok
	})
	var log bytes.Buffer
	if _, err := mustNew(t, rc.url(), delivery.WithConcurrency(1), delivery.WithPolicy(fast(3)), delivery.WithLog(&log)).Run(context.Background(), makeEvents(t, 3, 3)); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(log.String(), "\n")
	lines = lines[:len(lines)-1] // the empty string after the last newline
	for k := 2; k <= len(lines); k++ {
		before := strings.Join(lines[:k-1], "")
		cut := lines[k-1][:len(lines[k-1])/2]
		l, err := delivery.ReadLog(strings.NewReader(before + cut))
		if err != nil {
			t.Errorf("cut in line %d: %v", k, err)
			continue
		}
		want, _ := delivery.ReadLog(strings.NewReader(before))
		if len(l.Events) != len(want.Events) || len(l.Attempts) != len(want.Attempts) {
			t.Errorf("cut in line %d: %d events and %d attempts, want those of the %d lines before: %d and %d",
				k, len(l.Events), len(l.Attempts), k-1, len(want.Events), len(want.Attempts))
		}
		if len(l.Warnings) == 0 || !strings.Contains(l.Warnings[0], fmt.Sprintf("line %d is incomplete", k)) ||
			!strings.Contains(l.Warnings[0], fmt.Sprintf("read the %d line(s) before it", k-1)) {
			t.Errorf("cut in line %d: warnings %q", k, l.Warnings)
		}
		// The run line counts 3 events: the log says when some never got
		// an event line.
		if missing := len(l.Events) < 3; missing != (len(l.Warnings) == 2) {
			t.Errorf("cut in line %d: %d events read, warnings %q", k, len(l.Events), l.Warnings)
		} else if missing && !strings.Contains(l.Warnings[1], fmt.Sprintf("counts 3 events but only %d have an event line", len(l.Events))) {
			t.Errorf("cut in line %d: %q", k, l.Warnings[1])
		}
		// The same half line followed by a newline isn't a cut write.
		if _, err := delivery.ReadLog(strings.NewReader(before + cut + "\n")); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("line %d: not a JSON log line", k)) {
			t.Errorf("half of line %d with a newline: %v", k, err)
		}
	}
}

// Input without a run line first is not a log, and the error says what it
// found instead.
func TestReadLogNotALog(t *testing.T) {
	cases := map[string]string{
		"":     "(the input is empty)",
		"\n\n": "(the input is empty)",
		`{"event":{"eventId":1,"recordId":2,"triggerKey":"PROJECT_CREATED"}}` + "\n": `(line 1 is JSON without a "type")`,
		"[1,2]\n":            `(line 1 is JSON without a "type")`,
		"steps:\n  - x: 1\n": "(line 1 is not JSON)",
		`{"type":"event","eventId":1,"triggerKey":"X","recordId":2,"body":"{}"}` + "\n" + `{"type":"run","version":1}` + "\n": `(line 1 is a "event" line)`,
		`{"type":"run","vers`: "(line 1, its only line, is incomplete)",
	}
	for in, want := range cases {
		_, err := delivery.ReadLog(strings.NewReader(in))
		if !errors.Is(err, delivery.ErrNotLog) || !strings.Contains(err.Error(), "its first line should be a run record "+want) {
			t.Errorf("ReadLog(%q) = %v, want ErrNotLog %s", in, err, want)
		}
	}
	// A run line alone is a log, of no events.
	l, err := delivery.ReadLog(strings.NewReader(`{"type":"run","version":1,"events":0}` + "\n"))
	if err != nil || len(l.Events) != 0 || len(l.Warnings) != 0 {
		t.Errorf("a run line alone: %+v %v", l, err)
	}
}

func TestReadLogErrors(t *testing.T) {
	run := `{"type":"run","version":1,"target":"http://h/","events":1}`
	event := `{"type":"event","eventId":1,"triggerKey":"X","recordId":2,"body":"{}"}`
	cases := map[string]string{
		run + "\nnot json\n": "line 2: not a JSON log line", // with its newline: not cut short
		run + "\n{}":         `line 2: no "type"`,
		run + "\n" + `{"type":"attempts","eventId":1}`:                             `line 2: line type "attempts" isn't one of [run event attempt result] (did you mean "attempt"?)`,
		run + "\n" + `{"type":"attempt","eventId":1,"attempt":1}`:                  "line 2: attempt of event 1 before its event line",
		run + "\n" + event + "\n" + event:                                          "line 3: event 1 already appeared on line 2",
		run + "\n" + `{"type":"event","eventId":1}`:                                "line 2: event 1 has no body",
		run + "\n" + event + "\n" + `{"type":"result","eventId":1,"state":"done"}`: `line 3: event state "done" isn't one of [acked dead pending]`,
		run + "\n" + event + "\n" + `{"type":"attempt","eventId":1,"attempt":0}`:   "line 3: attempt of event 1 has attempt number 0",
		run + "\n" + run: "line 2: a run line must be the first line",
		run + "\n" + event + "\nnot json\n" + event:      "line 3: not a JSON log line",
		`{"type":"run","version":7}`:                     "line 1: log version 7",
		run + "\n" + `{"type":"result","state":"acked"}`: "line 2: result line without eventId",
	}
	for in, want := range cases {
		_, err := delivery.ReadLog(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadLog(%q) = %v, want %q", in, err, want)
		}
	}
}

// A log writer that fails does not stop the deliveries; Run reports it.
func TestRunReportsLogWriteFailure(t *testing.T) {
	rc := newReceiver(t, always(ok))
	s, err := mustNew(t, rc.url(), delivery.WithLog(failingWriter{})).Run(context.Background(), makeEvents(t, 5, 5))
	if err == nil || !strings.Contains(err.Error(), "writing the delivery log") {
		t.Fatalf("err %v", err)
	}
	mustCheck(t, s)
	if s.Acked != 5 {
		t.Fatalf("%s", s)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }
