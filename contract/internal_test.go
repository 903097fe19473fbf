package contract

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

func TestWithQuery(t *testing.T) {
	cases := []struct {
		raw, name, value string
		remove           bool
		want             string
	}{
		{"http://h/hook", "token", "s3cret", false, "http://h/hook?token=s3cret"},
		{"http://h/hook?a=1&token=old&b=2", "token", "new", false, "http://h/hook?a=1&b=2&token=new"},
		{"http://h/hook?a=1&token=old", "token", "", true, "http://h/hook?a=1"},
		{"http://h/hook?token=old", "token", "", true, "http://h/hook"},
		{"http://h/hook", "k", "a b&c", false, "http://h/hook?k=a+b%26c"},
	}
	for _, c := range cases {
		if got := withQuery(c.raw, c.name, c.value, c.remove); got != c.want {
			t.Errorf("withQuery(%q, %q, %q, %v) = %q, want %q", c.raw, c.name, c.value, c.remove, got, c.want)
		}
	}
}

func TestParseTokenParam(t *testing.T) {
	if n, v, err := ParseTokenParam("token=a=b"); n != "token" || v != "a=b" || err != nil {
		t.Errorf("got %q %q %v", n, v, err)
	}
	for _, bad := range []string{"s3cretonly", "=v", "token="} {
		_, _, err := ParseTokenParam(bad)
		if err == nil {
			t.Errorf("%q: no error", bad)
			continue
		}
		if bad == "s3cretonly" && strings.Contains(err.Error(), bad) {
			t.Errorf("the error echoes what may be the token: %v", err)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"PROJECT_CREATED":                    "PROJECT_CREATED",
		"http://h:1/hook":                    "http://h:1/hook",
		"http://h/hook?token=***":            "'http://h/hook?token=***'",
		"event.triggerName=Project Archived": "'event.triggerName=Project Archived'",
		"it's":                               `'it'\''s'`,
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// The reproducer must send what the spec sent: the same generator call as
// `coperniq-mock send`, flags included.
func TestReproducer(t *testing.T) {
	p, err := generate("TASK_CREATED", generator.Edge, 7, false)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := generator.New(7, generator.WithProfile(generator.Edge)).JSON("TASK_CREATED")
	if string(p.Body) != string(want) {
		t.Error("generate differs from a fresh generator's first payload")
	}
	if got := p.reproducer("http://h/hook?token=***"); got != "coperniq-mock send TASK_CREATED --seed 7 --profile edge --to 'http://h/hook?token=***'" {
		t.Errorf("reproducer %s", got)
	}
	u, err := generate(unknownBase, generator.Realistic, 3, true, "event.triggerKey="+UnknownTriggerKey, "event.triggerName="+UnknownTriggerName)
	if err != nil {
		t.Fatal(err)
	}
	if u.Event.TriggerKey != UnknownTriggerKey || !strings.Contains(string(u.Body), `"triggerName":"Project Archived"`) {
		t.Errorf("unknown trigger payload: %s", u.Body)
	}
	if got := u.reproducer("http://h/x"); !strings.Contains(got, "--set event.triggerKey=PROJECT_ARCHIVED --set 'event.triggerName=Project Archived' --allow-invalid") {
		t.Errorf("reproducer %s", got)
	}
	if got := u.label(); got != "PROJECT_CREATED as PROJECT_ARCHIVED (realistic, seed 3)" {
		t.Errorf("label %s", got)
	}
}

func TestPlan(t *testing.T) {
	a, err := newPlan(Target{Seed: 5, Burst: 30})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := newPlan(Target{Seed: 5, Burst: 30})
	if string(a.dupAfter.Body) != string(b.dupAfter.Body) || len(a.burst) != 30 {
		t.Fatal("the plan is not deterministic")
	}
	for _, key := range schemas.TriggerKeys() {
		e := a.edge[key]
		if len(e) != 2 || firedAtMillis.Match(e[0].Body) == firedAtMillis.Match(e[1].Body) {
			t.Errorf("%s: edge payloads do not cover firedAt with and without milliseconds", key)
		}
	}
	// Counted events share no eventId with any other payload, nor with
	// each other.
	seen := map[int64]int{}
	all := []payload{a.unknown, a.tokenMissing, a.tokenWrong, a.tokenRight}
	all = append(all, a.burst...)
	for _, key := range schemas.TriggerKeys() {
		all = append(all, a.realistic[key], a.minimal[key], a.maximal[key])
		all = append(all, a.edge[key]...)
	}
	for _, p := range all {
		seen[p.Event.ID]++
	}
	for _, p := range []payload{a.dupAfter, a.dupConcurrent, a.gaveUp} {
		if seen[p.Event.ID] > 0 {
			t.Errorf("counted event %d is also sent by another spec", p.Event.ID)
		}
		seen[p.Event.ID]++
	}
}

func TestTargetDefaults(t *testing.T) {
	got, err := Target{URL: "http://h/x"}.withDefaults()
	if err != nil || got.Deadline != DefaultDeadline || got.Burst != DefaultBurst || got.Seed != DefaultSeed {
		t.Errorf("%+v %v", got, err)
	}
	for _, bad := range []Target{{}, {URL: "ftp://h/x"}, {URL: "http://h/x", Burst: -1}, {URL: "http://h/x", TokenParam: "x"}} {
		if _, err := bad.withDefaults(); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

func TestInspectURL(t *testing.T) {
	var seen atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.URL.RequestURI())
		switch r.URL.Path {
		case "/events/1":
			fmt.Fprint(w, `{"applied": 2, "other": true}`)
		case "/events/2":
			http.NotFound(w, r)
		case "/events/3":
			fmt.Fprint(w, `{"count": 1}`)
		case "/events/4":
			http.Error(w, "boom", 500)
		}
	}))
	defer srv.Close()
	insp, err := InspectURL(srv.URL + "/events/{eventId}?r={recordId}&t={triggerKey}&key=s3cret-key")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if n, err := insp.Applied(ctx, Event{ID: 1, RecordID: 9, TriggerKey: "TASK_CREATED"}); n != 2 || err != nil {
		t.Errorf("applied %d, %v", n, err)
	}
	if got := seen.Load(); got != "/events/1?r=9&t=TASK_CREATED&key=s3cret-key" {
		t.Errorf("requested %v", got)
	}
	if n, err := insp.Applied(ctx, Event{ID: 2}); n != 0 || err != nil {
		t.Errorf("404: %d, %v", n, err)
	}
	for _, id := range []int64{3, 4} {
		_, err := insp.Applied(ctx, Event{ID: id})
		if err == nil || strings.Contains(err.Error(), "s3cret-key") {
			t.Errorf("event %d: %v", id, err)
		}
	}
	if _, err := InspectURL("http://h/_state/all"); err == nil || !strings.Contains(err.Error(), "{eventId}") {
		t.Errorf("no placeholder: %v", err)
	}
}

func TestInspectCommand(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "42"), []byte(" 3\n"), 0o644)
	insp, _ := InspectCommand(`cat "` + dir + `/$COPERNIQ_EVENT_ID" 2>/dev/null || echo 0`)
	ctx := context.Background()
	if n, err := insp.Applied(ctx, Event{ID: 42}); n != 3 || err != nil {
		t.Errorf("42: %d, %v", n, err)
	}
	if n, err := insp.Applied(ctx, Event{ID: 43}); n != 0 || err != nil {
		t.Errorf("43: %d, %v", n, err)
	}
	bad, _ := InspectCommand(`echo "$COPERNIQ_TRIGGER_KEY $COPERNIQ_RECORD_ID"`)
	if _, err := bad.Applied(ctx, Event{ID: 1, RecordID: 7, TriggerKey: "CALL_UPSERTED"}); err == nil || !strings.Contains(err.Error(), `"CALL_UPSERTED 7"`) {
		t.Errorf("non-count output: %v", err)
	}
	fails, _ := InspectCommand(`echo no database >&2; exit 3`)
	if _, err := fails.Applied(ctx, Event{ID: 1}); err == nil || !strings.Contains(err.Error(), "no database") {
		t.Errorf("failing command: %v", err)
	}
}

func TestAwaitApplied(t *testing.T) {
	ctx := context.Background()
	start := time.Now()
	// Applied asynchronously: 0 for a while, then 1.
	late := InspectFunc(func(context.Context, Event) (int, error) {
		if time.Since(start) < 50*time.Millisecond {
			return 0, nil
		}
		return 1, nil
	})
	got, err := awaitApplied(ctx, late, []Event{{ID: 1}}, 1, time.Second, 20*time.Millisecond)
	if err != nil || got[1] != 1 {
		t.Errorf("late apply: %v %v", got, err)
	}
	// A duplicate applied during the settle period is caught.
	start = time.Now()
	dup := InspectFunc(func(context.Context, Event) (int, error) {
		if time.Since(start) < 30*time.Millisecond {
			return 1, nil
		}
		return 2, nil
	})
	if got, _ := awaitApplied(ctx, dup, []Event{{ID: 1}}, 1, time.Second, 200*time.Millisecond); got[1] != 2 {
		t.Errorf("late duplicate not seen: %v", got)
	}
	// Never applied: the timeout ends the wait.
	never := InspectFunc(func(context.Context, Event) (int, error) { return 0, nil })
	if got, _ := awaitApplied(ctx, never, []Event{{ID: 1}}, 1, 50*time.Millisecond, 0); got[1] != 0 {
		t.Errorf("never: %v", got)
	}
	// A hook that answers nonsense fails at once.
	broken := InspectFunc(func(context.Context, Event) (int, error) { return 0, errors.New("bad answer") })
	t0 := time.Now()
	if _, err := awaitApplied(ctx, broken, []Event{{ID: 1}}, 1, 5*time.Second, 0); err == nil || time.Since(t0) > time.Second {
		t.Errorf("broken hook: %v after %s", err, time.Since(t0))
	}
}

func TestQuantiles(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	q := quantiles(d)
	if q.P50 != 50*time.Millisecond || q.P99 != 99*time.Millisecond || q.Max != 100*time.Millisecond {
		t.Errorf("%+v", q)
	}
	if q := quantiles([]time.Duration{3 * time.Second}); q.P50 != 3*time.Second || q.P99 != 3*time.Second {
		t.Errorf("one sample: %+v", q)
	}
}

func TestSecretsScrubbed(t *testing.T) {
	s := sent{secrets: secretsOf("http://h/x?token=s3cret&page=1&api=longer-secret", "s3cret")}
	got := s.scrub("Location: https://h/x?token=s3cret&api=longer-secret&page=1")
	if strings.Contains(got, "s3cret") || strings.Contains(got, "longer-secret") || !strings.Contains(got, "page=1") {
		t.Errorf("scrubbed: %s", got)
	}
}

func TestSummarize(t *testing.T) {
	spec := func(group, leaf string, state types.SpecState, msg string, latencies ...time.Duration) types.SpecReport {
		s := types.SpecReport{
			ContainerHierarchyTexts: []string{"my suite", SuiteText, group},
			LeafNodeText:            leaf,
			LeafNodeType:            types.NodeTypeIt,
			State:                   state,
			Failure:                 types.Failure{Message: msg},
		}
		for _, l := range latencies {
			s.ReportEntries = append(s.ReportEntries, types.ReportEntry{Name: EntryDelivery,
				Value: types.WrapEntryValue(DeliveryRecord{Status: 200, Expect: ExpectAck, LatencyMS: float64(l) / float64(time.Millisecond)})})
		}
		return s
	}
	report := types.Report{SuiteSucceeded: false, SpecReports: []types.SpecReport{
		spec(GroupDelivery, SpecRedirect, types.SpecStatePassed, "", 10*time.Millisecond, 20*time.Millisecond),
		spec(FamilyText(schemas.FamilyCall), SpecRealistic, types.SpecStateFailed, "boom", 1500*time.Millisecond),
		spec(GroupIdempotency, SpecDupAfter, types.SpecStateSkipped, SkipNoInspect),
		spec(GroupIdempotency, SpecGaveUp, types.SpecStateSkipped, SkipNoInspect),
		spec(GroupToken, SpecTokenRight, types.SpecStateSkipped, ""),
		{ContainerHierarchyTexts: []string{"not ours"}, LeafNodeText: "x", LeafNodeType: types.NodeTypeIt, State: types.SpecStateFailed},
	}}
	s := Summarize(report)
	if s.Passed != 1 || s.Failed != 1 || s.Skipped != 3 || s.NotSelected != 1 || s.Succeeded {
		t.Errorf("counts: %+v", s)
	}
	if len(s.Groups) != 4 || s.Groups[0].Name != FamilyText(schemas.FamilyCall) || s.Groups[1].Name != GroupDelivery {
		t.Errorf("groups in catalog order: %+v", s.Groups)
	}
	if len(s.Skips) != 2 || s.Skips[1].Specs != 2 || s.Skips[1].Reason != SkipNoInspect {
		t.Errorf("skips: %+v", s.Skips)
	}
	if s.Latency.N != 3 || s.Latency.P99 != 1500*time.Millisecond || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "p99 answer time 1.5s is over 1s") {
		t.Errorf("latency %+v, warnings %q", s.Latency, s.Warnings)
	}
	out := s.String()
	for _, w := range []string{"call triggers", "total", "answer time: p50 20ms, p99 1.5s", "failed:\n  call triggers " + SpecRealistic, "warning: p99"} {
		if !strings.Contains(out, w) {
			t.Errorf("summary lacks %q:\n%s", w, out)
		}
	}
}
