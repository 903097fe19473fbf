package load

import (
	"strings"
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	good := map[string]Rate{
		"500/s": 500, "500": 500, "1200/m": 20, "36000/h": 10, "1/5s": 0.2, "2.5/s": 2.5, " 10 / s ": 10, "0/s": 0, "60/min": 1,
	}
	for in, want := range good {
		got, err := ParseRate(in)
		if err != nil || got != want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "fast", "500/q", "-5/s", "5/-1s", "1e9/s", "NaN/s"} {
		_, err := ParseRate(in)
		if err == nil {
			t.Errorf("ParseRate(%q) accepted", in)
			continue
		}
		// The message echoes the input and shows the valid form.
		if !strings.Contains(err.Error(), `"`+in+`"`) || !strings.Contains(err.Error(), "500/s") {
			t.Errorf("ParseRate(%q): message %q does not echo the value and the form", in, err)
		}
	}
	if s := Rate(0.2).String(); s != "0.2/s" {
		t.Errorf("String = %q", s)
	}
}

func TestParseStages(t *testing.T) {
	st, err := ParseStages("0/s..500/s:30s, 500/s:2m")
	if err != nil {
		t.Fatal(err)
	}
	want := []Stage{{0, 500, 30 * time.Second}, {500, 500, 2 * time.Minute}}
	if len(st) != 2 || st[0] != want[0] || st[1] != want[1] {
		t.Fatalf("got %v", st)
	}
	if got := FormatStages(st); got != "0/s..500/s:30s,500/s:2m0s" {
		t.Errorf("FormatStages = %q", got)
	}
	for _, in := range []string{"", "500/s", "500/s:soon", "500/s:-1s", "x..500/s:1s", "0/s..y:1s", "0/s:10s"} {
		_, err := ParseStages(in)
		if err == nil {
			t.Errorf("ParseStages(%q) accepted", in)
			continue
		}
		if !strings.Contains(err.Error(), "0/s..500/s:30s") {
			t.Errorf("ParseStages(%q): message %q does not show the valid form", in, err)
		}
	}
}

func TestParseMix(t *testing.T) {
	m, err := ParseMix("TASK_STATUS_MOVEMENT=5, PROJECT_CREATED")
	if err != nil {
		t.Fatal(err)
	}
	if m.String() != "TASK_STATUS_MOVEMENT=5,PROJECT_CREATED=1" {
		t.Errorf("got %s", m)
	}
	if m, err := ParseMix("all"); err != nil || len(m) != 18 {
		t.Errorf("all: %v %v", m, err)
	}
	cases := map[string]string{
		"TASK_DONE=2":               "did you mean TASK_COMPLETED",
		"PROJECT_CREATED=x":         `weight "x"`,
		"PROJECT_CREATED=0":         "every weight is 0",
		"TASK_CREATED,TASK_CREATED": "twice",
		"":                          "TRIGGER=WEIGHT",
	}
	for in, want := range cases {
		_, err := ParseMix(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseMix(%q) = %v, want an error containing %q", in, err, want)
		}
	}
}

func TestParseShard(t *testing.T) {
	if s, err := ParseShard("1/4"); err != nil || s != (Shard{1, 4}) {
		t.Errorf("got %v %v", s, err)
	}
	cases := map[string]string{
		"4/4":  "index must be 0..3",
		"-1/4": "index must be 0..3",
		"0/0":  "count must be 1..",
		"1":    "isn't i/n",
		"a/b":  "isn't i/n",
	}
	for in, want := range cases {
		_, err := ParseShard(in)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), `"`+in+`"`) || !strings.Contains(err.Error(), "like 0/4") {
			t.Errorf("ParseShard(%q) = %v, want an error echoing it, containing %q and the form", in, err, want)
		}
	}
}

func TestScheduleHasNoDriftAndShardsPartitionIt(t *testing.T) {
	s := newSchedule([]Stage{{0, 500, 30 * time.Second}, {500, 500, 2 * time.Minute}, {500, 0, 10 * time.Second}})
	// 7,500 in the ramp up, 60,000 on the plateau, 2,500 in the ramp down.
	if s.slots != 70000 {
		t.Fatalf("slots = %d, want 70000", s.slots)
	}
	// Every time comes from the start: slot 30,000 of a constant 500/s
	// plateau that began at 30 s with 7,500 events behind it is due at
	// exactly 30 s + 22,500/500 s.
	if got, want := s.at(30000), 30*time.Second+45*time.Second; got != want {
		t.Errorf("at(30000) = %v, want %v", got, want)
	}
	prev := time.Duration(-1)
	for g := int64(0); g < s.slots; g++ {
		at := s.at(g)
		if at <= prev || at >= s.planned {
			t.Fatalf("slot %d at %v after %v (planned %v)", g, at, prev, s.planned)
		}
		prev = at
	}
	if got := s.count(s.at(1234) + 1); got != 1235 {
		t.Errorf("count just after slot 1234 = %d", got)
	}
	// The shards of a run take every slot exactly once.
	for _, n := range []int{1, 3, 7} {
		total := int64(0)
		for i := range n {
			total += shardSlots(s.slots, Shard{i, n})
		}
		if total != s.slots {
			t.Errorf("%d shards take %d slots, want %d", n, total, s.slots)
		}
	}
	// A quiet last stage schedules nothing and must not hang.
	q := newSchedule([]Stage{{100, 100, time.Second}, {0, 0, time.Second}})
	if q.slots != 100 || q.planned != 2*time.Second {
		t.Errorf("quiet tail: %d slots over %v", q.slots, q.planned)
	}
}
