package load

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestParseThreshold(t *testing.T) {
	for _, tc := range []struct {
		in, err string
	}{
		{in: "p99<50ms"}, {in: "p99.9 <= 200ms"}, {in: "max<1s"}, {in: "raw.p50<2ms"}, {in: "corrected.p99<10ms"},
		{in: "success>=99.9%"}, {in: "achieved>99%"},
		{in: "p99", err: "want METRIC OP VALUE"},
		{in: "latency<5ms", err: `metric "latency" isn't one of`},
		{in: "p101<5ms", err: "p followed by 0..100"},
		{in: "p99<fast", err: "must be a duration"},
		{in: "success>=99.9", err: "takes a percentage"},
		{in: "raw.success>=99%", err: `metric "success" isn't one of`},
		{in: "success>=120%", err: "takes a percentage"},
	} {
		th, err := ParseThreshold(tc.in)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%q: err %v, want %q", tc.in, err, tc.err)
		}
		if err == nil && th.String() != strings.ReplaceAll(tc.in, " ", "") {
			t.Errorf("%q reads back as %q", tc.in, th)
		}
	}
}

func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"p99<50ms", "raw.max<=1s", "success>=99.9%", "achieved>1%", "p<", "<=", "p99.9.9<1s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := ParseThreshold(s)
		if err != nil {
			return
		}
		// What parses, reads back the same and can be checked.
		again, err := ParseThreshold(th.String())
		if err != nil || again != th {
			t.Fatalf("%q parsed as %+v, which reads back as %+v, %v", s, th, again, err)
		}
		r := &Report{Scheduled: 1, Acked: 1, Corrected: newHist(histDigits), Raw: newHist(histDigits)}
		r.Check(th)
		if len(r.Thresholds) != 1 {
			t.Fatalf("%q: %d results", s, len(r.Thresholds))
		}
	})
}

// TestThresholdsJudgeTheRun: a threshold compares the figure it names
// (corrected latency unless raw), and a failed one fails the run in every
// report format.
func TestThresholdsJudgeTheRun(t *testing.T) {
	r := &Report{Version: ReportVersion, Scheduled: 1000, Sent: 1000, Acked: 995, Planned: Duration(time.Second), Stages: "1000/s:1s",
		Corrected: newHist(histDigits), Raw: newHist(histDigits), Lateness: newHist(histDigitsSmall), Shards: []Shard{{0, 1}}}
	r.Stages = FormatStages(Constant(1000, time.Second))
	for i := range 1000 {
		r.Corrected.record(time.Duration(i) * 40 * time.Microsecond) // p99 ≈ 39.6ms
		r.Raw.record(time.Duration(i) * time.Microsecond)            // p99 ≈ 990µs
	}
	var ts []Threshold
	for _, s := range []string{"p99<50ms", "p99<30ms", "raw.p99<2ms", "max<=40ms", "success>=99.9%", "success>=99%"} {
		th, err := ParseThreshold(s)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, th)
	}
	r.Check(ts...)
	want := map[string]bool{"p99<50ms": true, "p99<30ms": false, "raw.p99<2ms": true, "max<=40ms": true, "success>=99.9%": false, "success>=99%": true}
	for _, res := range r.Thresholds {
		if res.Passed != want[res.Threshold] {
			t.Errorf("%s: passed %v with %s, want %v", res.Threshold, res.Passed, res.Actual, want[res.Threshold])
		}
	}
	if r.Passed() || strings.Join(r.FailedThresholds(), " ") != "p99<30ms success>=99.9%" {
		t.Errorf("passed %v, failed %v", r.Passed(), r.FailedThresholds())
	}
	var text, js, page bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := r.EncodeJSON(&js); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "json": js.String(), "html": page.String()} {
		for _, w := range []string{"p99", "30ms"} {
			if !strings.Contains(out, w) {
				t.Errorf("%s report lacks %q", name, w)
			}
		}
	}
	if !strings.Contains(text.String(), "p99<30ms FAILED (39.") || !strings.Contains(text.String(), "exit status 1") {
		t.Errorf("text:\n%s", text.String())
	}
	if !strings.Contains(js.String(), `"passed":false`) && !strings.Contains(js.String(), `"passed": false`) {
		t.Errorf("json has no failed threshold:\n%s", js.String())
	}
	if !strings.Contains(page.String(), `class="fail">p99&lt;30ms FAILED`) {
		t.Errorf("html does not mark the failed threshold")
	}
	dec, err := DecodeReport(&js)
	if err != nil {
		t.Fatal(err)
	}
	if len(dec.Thresholds) != len(ts) || dec.Passed() {
		t.Errorf("decoded: %d thresholds, passed %v", len(dec.Thresholds), dec.Passed())
	}
}
