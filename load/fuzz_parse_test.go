package load

import (
	"bytes"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// refused says whether parsing s failed; its error must name what it is
// about, one of the words, for a user to find the flag at fault.
func refused(t *testing.T, s string, err error, words ...string) bool {
	t.Helper()
	if err == nil {
		return false
	}
	for _, w := range words {
		if strings.Contains(err.Error(), w) {
			return true
		}
	}
	t.Fatalf("%q: error %q names none of %q", s, err, words)
	return true
}

// FuzzParseRate: whatever --rate says, a rate that parses is finite, within
// 0..MaxRate, or RateMax (only from "max"), and reads back the same from
// its String.
func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"500/s", "1200/m", "36000/h", "1/5s", "0", " 2.5 / sec ", "1e400/s", "NaN", "-1/s", "1/0s", "1/-1s", "9e99/h", "1/1ns",
		"max", " MAX ", "max/s", "-1", "maximum", "1/max"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if refused(t, s, err, "rate") {
			return
		}
		if r == RateMax {
			if !strings.EqualFold(strings.TrimSpace(s), "max") {
				t.Fatalf("%q parsed as the closed loop", s)
			}
		} else if math.IsNaN(float64(r)) || r < 0 || r > MaxRate {
			t.Fatalf("%q parsed as %v", s, float64(r))
		}
		again, err := ParseRate(r.String())
		if err != nil || again != r {
			t.Fatalf("%q parsed as %s, which reads back as %v, %v", s, r, again, err)
		}
	})
}

// FuzzParseStages: stages that parse have positive durations, send at least
// one event, and FormatStages gives them back.
func FuzzParseStages(f *testing.F) {
	for _, s := range []string{"0/s..500/s:30s,500/s:2m", "10:1s", "1/5s:1m", ",", ":", "1..:1s", "..2:1s", "1:1s,", "0:1h", "5/s:-1s", "1e7/s..1e7/s:9999999h", "max:1s", "1..max:1s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseStages(s)
		if err != nil {
			return
		}
		total := 0.0
		for _, x := range st {
			if x.Duration <= 0 || x.From < 0 || x.To < 0 || x.From > MaxRate || x.To > MaxRate {
				t.Fatalf("%q: stage %+v", s, x)
			}
			total += x.events()
		}
		if total < 1 {
			t.Fatalf("%q: %v events", s, total)
		}
		again, err := ParseStages(FormatStages(st))
		if err != nil || !reflect.DeepEqual(again, st) {
			t.Fatalf("%q parsed as %s, which reads back as %v, %v", s, FormatStages(st), again, err)
		}
	})
}

// FuzzParseMix: a mix that parses names each trigger once, weighs more
// than nothing in all, and reads back the same from its String.
func FuzzParseMix(f *testing.F) {
	for _, s := range []string{"TASK_STATUS_MOVEMENT=5,PROJECT_CREATED=1", "all", "all=0,PROJECT_CREATED=1", "PROJECT_CREATED=-1", "x", "PROJECT_CREATED,PROJECT_CREATED", "=", ",", "PROJECT_CREATED=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMix(s)
		if refused(t, s, err, "mix", "trigger") {
			return
		}
		seen := map[string]bool{}
		for _, w := range m {
			if seen[w.Trigger] || w.Weight < 0 {
				t.Fatalf("%q: %v", s, m)
			}
			seen[w.Trigger] = true
		}
		again, err := ParseMix(m.String())
		if err != nil || !reflect.DeepEqual(again, m) {
			t.Fatalf("%q parsed as %s, which reads back as %v, %v", s, m, again, err)
		}
	})
}

// FuzzParseShard: a shard that parses is valid and reads back the same.
func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"0/4", " 3 / 4 ", "4/4", "-1/2", "0/0", "0/4097", "1/", "/", "0/99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sh, err := ParseShard(s)
		if refused(t, s, err, "shard") {
			return
		}
		if sh.valid() != nil {
			t.Fatalf("%q parsed as the invalid %+v", s, sh)
		}
		if again, err := ParseShard(sh.String()); err != nil || again != sh {
			t.Fatalf("%q parsed as %s, which reads back as %v, %v", s, sh, again, err)
		}
	})
}

// fuzzReport is a small report of shard i of n as EncodeJSON writes it.
func fuzzReport(tb testing.TB, i, n int) []byte {
	r := &Report{Version: ReportVersion, Scheduled: 10, Sent: 10, Acked: 9, Dead: 1, Stages: "10/s:1s", Interval: Duration(time.Second),
		Corrected: newHist(histDigits), Raw: newHist(histDigits), Lateness: newHist(histDigitsSmall), Shards: []Shard{{i, n}},
		Statuses: map[string]int64{"200": 9, "500": 1}, Errors: map[string]int64{}, Triggers: map[string]*TriggerStats{}}
	r.Corrected.record(3 * time.Millisecond)
	r.Raw.record(2 * time.Millisecond)
	r.Timeline = []Point{{At: Duration(time.Second), Done: 10, Corrected: newHist(histDigitsSmall), Raw: newHist(histDigitsSmall)}}
	r.Triggers["PROJECT_CREATED"] = &TriggerStats{Sent: 10, Acked: 9, Corrected: newHist(histDigitsSmall)}
	var b bytes.Buffer
	if err := r.EncodeJSON(&b); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// FuzzDecodeReport: a report file of unknown origin (load --merge reads
// them from every shard) never makes DecodeReport or a merge with a good
// shard panic or grow without bound, and what decodes encodes again.
func FuzzDecodeReport(f *testing.F) {
	good := fuzzReport(f, 0, 2)
	f.Add(good)
	f.Add(fuzzReport(f, 1, 2))
	f.Add(bytes.Replace(good, []byte(`"count": 2`), []byte(`"count": 1000000000000`), 1))
	f.Add(bytes.Replace(good, []byte(`"index": 0`), []byte(`"index": -7`), 1))
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{`))
	other := fuzzReport(f, 1, 2)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeReport(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, s := range r.Shards {
			if s.valid() != nil {
				t.Fatalf("a report of shard %s decoded", s)
			}
		}
		var b bytes.Buffer
		if err := r.EncodeJSON(&b); err != nil {
			t.Fatalf("a decoded report does not encode: %v", err)
		}
		if _, err := DecodeReport(&b); err != nil {
			t.Fatalf("a decoded report, encoded, does not decode: %v", err)
		}
		if alone, err := MergePartial(r); err == nil && len(alone.Missing) > MaxShards {
			t.Fatalf("report merged alone misses %d shards", len(alone.Missing))
		}
		o, err := DecodeReport(bytes.NewReader(other))
		if err != nil {
			t.Fatal(err)
		}
		m, err := MergePartial(r, o)
		if err != nil {
			return
		}
		if len(m.Missing) > MaxShards {
			t.Fatalf("merged report misses %d shards", len(m.Missing))
		}
		// The merged report is printed: every writer copes with it.
		for _, write := range []func(io.Writer) error{m.WriteText, m.WriteHTML, m.EncodeJSON} {
			if err := write(io.Discard); err != nil {
				t.Fatalf("merged report: %v", err)
			}
		}
	})
}

// TestDecodeReportBadShard: a report naming a shard ParseShard would refuse
// is refused when read, with the shard in the error. Before, a count of a
// trillion decoded, and merging the report alone listed a trillion missing
// shards (unbounded memory); a negative index merged as a shard.
func TestDecodeReportBadShard(t *testing.T) {
	good := fuzzReport(t, 0, 2)
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"huge count", `"count": 2`, `"count": 1000000000000`, "shard 0/1000000000000: count must be 1..4096"},
		{"zero count", `"count": 2`, `"count": 0`, "shard 0/0: count must be 1..4096"},
		{"negative index", `"index": 0`, `"index": -7`, "shard -7/2: index must be 0..1"},
		{"index past count", `"index": 0`, `"index": 2`, "shard 2/2: index must be 0..1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := bytes.Replace(good, []byte(tc.old), []byte(tc.new), 1)
			if bytes.Equal(data, good) {
				t.Fatalf("%s not in the report", tc.old)
			}
			_, err := DecodeReport(bytes.NewReader(data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("DecodeReport: %v, want %q", err, tc.want)
			}
		})
	}
}
