package contract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
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
	p, err := (&plan{}).generate("TASK_CREATED", generator.Edge, 7, false)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := generator.New(7, generator.WithProfile(generator.Edge)).JSON("TASK_CREATED")
	if string(p.Body) != string(want) {
		t.Error("generate differs from a fresh generator's first payload")
	}
	if got := p.reproducer(dest{shown: "http://h/hook?token=***"}); got != "coperniq-mock send TASK_CREATED --seed 7 --profile edge --target 'http://h/hook?token=***'" {
		t.Errorf("reproducer %s", got)
	}
	u, err := (&plan{}).generate(unknownBase, generator.Realistic, 3, true, "event.triggerKey="+UnknownTriggerKey, "event.triggerName="+UnknownTriggerName)
	if err != nil {
		t.Fatal(err)
	}
	if u.Event.TriggerKey != UnknownTriggerKey || !strings.Contains(string(u.Body), `"triggerName":"Project Archived"`) {
		t.Errorf("unknown trigger payload: %s", u.Body)
	}
	if got := u.reproducer(dest{shown: "http://h/x"}); !strings.Contains(got, "--set event.triggerKey=PROJECT_ARCHIVED --set 'event.triggerName=Project Archived' --allow-invalid") {
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
		if len(e) != 3 || firedAtMillis.Match(e[0].Body) == firedAtMillis.Match(e[1].Body) {
			t.Errorf("%s: edge payloads do not cover firedAt with and without milliseconds", key)
			continue
		}
		// The last carries every integer id the trigger documents (and has
		// non-null) at 2^53-1, eventId just below it, contract-valid, and
		// its reproducer has the --set flags that make it.
		maxIDs := e[2]
		if maxIDs.AllowInvalid || len(maxIDs.Sets) < 5 || maxIDs.Event.EventID < MaxSafeID-highIDs {
			t.Errorf("%s: max-id payload %+v", key, maxIDs.Sets)
		}
		fields, _ := schemas.Fields(key)
		for _, f := range fields {
			k := f[strings.LastIndex(f, ".")+1:]
			if (k == "id" || k == "uid" || strings.HasSuffix(k, "Id")) && f != "event.eventId" && present(maxIDs.Body, f) &&
				!strings.Contains(maxIDs.reproducer(dest{shown: "U"}), "--set "+f+"=9007199254740991") {
				t.Errorf("%s: %s is not at 2^53-1 in %s", key, f, maxIDs.reproducer(dest{shown: "U"}))
			}
		}
		if !strings.Contains(string(maxIDs.Body), `"recordId":9007199254740991`) {
			t.Errorf("%s: %s", key, maxIDs.Body)
		}
	}
	for _, key := range []string{"TASK_CREATED", "TASK_COMPLETED", "TASK_STATUS_MOVEMENT"} {
		body := string(a.edge[key][2].Body)
		if !strings.Contains(body, `"workOrderId":9007199254740991`) || !strings.Contains(body, `"workOrder":{"id":9007199254740991`) {
			t.Errorf("%s: no work-order id at 2^53-1: %s", key, body)
		}
	}
	// Every event a payload-shape spec counts has an eventId of its own.
	for _, pl := range []*plan{a} {
		shapes := map[int64]string{}
		ps := []payload{pl.unknown}
		for _, key := range schemas.TriggerKeys() {
			ps = append(ps, pl.realistic[key], pl.minimal[key], pl.maximal[key])
			ps = append(ps, pl.edge[key]...)
		}
		for _, p := range ps {
			if other, ok := shapes[p.Event.EventID]; ok {
				t.Errorf("eventId %d is sent by %s and %s", p.Event.EventID, other, p.label())
			}
			shapes[p.Event.EventID] = p.label()
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
		seen[p.Event.EventID]++
	}
	for _, p := range []payload{a.dupAfter, a.dupConcurrent, a.gaveUp} {
		if seen[p.Event.EventID] > 0 {
			t.Errorf("counted event %d is also sent by another spec", p.Event.EventID)
		}
		seen[p.Event.EventID]++
	}
}

func TestTargetDefaults(t *testing.T) {
	got, err := Target{URL: "http://h/x"}.withDefaults()
	if err != nil || got.Deadline != DefaultDeadline || got.Burst != DefaultBurst || got.Seed < 2 || got.MaxLate != DefaultMaxLate || got.DrainBudget != DefaultDrainBudget {
		t.Errorf("%+v %v", got, err)
	}
	// Without a seed each run draws its own: a receiver keeping its state
	// between runs (a staging one) does not find them already applied.
	again, _ := Target{URL: "http://h/x"}.withDefaults()
	if again.Seed == got.Seed {
		t.Errorf("two runs drew seed %d", got.Seed)
	}
	if kept, _ := got.withDefaults(); kept.Seed != got.Seed {
		t.Error("a drawn seed is drawn again")
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
	if n, err := insp.Applied(ctx, schemas.Identity{EventID: 1, RecordID: 9, TriggerKey: "TASK_CREATED"}); n != 2 || err != nil {
		t.Errorf("applied %d, %v", n, err)
	}
	if got := seen.Load(); got != "/events/1?r=9&t=TASK_CREATED&key=s3cret-key" {
		t.Errorf("requested %v", got)
	}
	if n, err := insp.Applied(ctx, schemas.Identity{EventID: 2}); n != 0 || err != nil {
		t.Errorf("404: %d, %v", n, err)
	}
	for _, id := range []int64{3, 4} {
		_, err := insp.Applied(ctx, schemas.Identity{EventID: id})
		if err == nil || strings.Contains(err.Error(), "s3cret-key") {
			t.Errorf("event %d: %v", id, err)
		}
	}
	if _, err := InspectURL("http://h/_state/all"); err == nil || !strings.Contains(err.Error(), "{eventId}") {
		t.Errorf("no placeholder: %v", err)
	}
	// A bad template is reported as the inspect hook's, with its
	// placeholders, not as a "target" filled in with sample values.
	for _, bad := range []string{"http://[::1/_state/events/{eventId}", "ftp://h/_state/events/{eventId}", "http:///_state/events/{eventId}"} {
		_, err := InspectURL(bad)
		if err == nil || !strings.Contains(err.Error(), "inspect hook ") || !strings.Contains(err.Error(), "/_state/events/{eventId}") ||
			strings.Contains(err.Error(), "target") || strings.Contains(err.Error(), "events/1") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// A hook that does not answer by the protocol is named as the problem, with
// its template (not the filled-in URL), what it answered and how to ask it.
func TestInspectURLProtocolErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/events/1":
			http.Error(w, "boom for key s3cret-key", 500)
		case "/events/2":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body>Sign in</body></html>")
		case "/events/3":
			fmt.Fprint(w, `{}`)
		case "/events/4":
			fmt.Fprint(w, `{"applied": -1}`)
		}
	}))
	defer srv.Close()
	insp, err := InspectURL(srv.URL + "/events/{eventId}?key=s3cret-key")
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]string{
		1: "answered 500 Internal Server Error, not 200 or 404 for event 1 (TASK_STATUS_MOVEMENT, record 5): fix the hook (see the inspect protocol: " +
			`200 with {"applied": N}, or 404 for an event never applied)` + "\nits answer: \"boom for key ***\"\n",
		2: "answered 200 with text/html, not a JSON object with an \"applied\" count for event 2 (TASK_STATUS_MOVEMENT, record 5): fix the hook" +
			` (see the inspect protocol: 200 with {"applied": N}, or 404 for an event never applied)` + "\nits answer: \"<html><body>Sign in</body></html>\"\n",
		3: `answered 200 without an "applied" count for event 3`,
		4: `answered "applied": -1, not a count (0 or more) for event 4`,
	} {
		_, err := insp.Applied(context.Background(), schemas.Identity{EventID: id, RecordID: 5, TriggerKey: "TASK_STATUS_MOVEMENT"})
		var he *hookError
		if !errors.As(err, &he) {
			t.Errorf("event %d: %v is not a hook error", id, err)
			continue
		}
		msg := err.Error()
		for _, w := range []string{
			"the inspect hook at GET " + srv.URL + "/events/{eventId}?key=*** " + want,
			": fix the hook (see the inspect protocol: ",
			fmt.Sprintf("curl -i '%s/events/%d?key=***'", srv.URL, id),
		} {
			if !strings.Contains(msg, w) {
				t.Errorf("event %d: %q lacks %q", id, msg, w)
			}
		}
		if strings.Contains(msg, "s3cret") {
			t.Errorf("event %d: the key shows: %s", id, msg)
		}
	}
}

// The inspect command may hold a password: no message shows it, and what
// looks like a secret in it is masked in what the command printed.
func TestInspectCommandSecrets(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	ctx := context.Background()
	for _, c := range []struct{ command, want string }{
		{`PGPASSWORD=hunter2 sh -c 'echo "password authentication failed: hunter2" >&2; exit 3'`,
			"the inspect command failed (exit status 3) for event 9 (CALL_UPSERTED, record 3): fix the hook (see the inspect protocol: print how many times $COPERNIQ_EVENT_ID was applied, 0 when never)\n" +
				`its stderr: "password authentication failed: ***"` + "\n"},
		{`coperniq-no-such-psql "postgres://app:hunter2@db/app" -tAc "select 1" 2>/dev/null || echo "no hunter2 here"`,
			"the inspect command printed no count (0 or more) on stdout for event 9 (CALL_UPSERTED, record 3): fix the hook" +
				" (see the inspect protocol: print how many times $COPERNIQ_EVENT_ID was applied, 0 when never)\n" + `its stdout: "no *** here"` + "\n"},
	} {
		insp, _ := InspectCommand(c.command)
		_, err := insp.Applied(ctx, schemas.Identity{EventID: 9, RecordID: 3, TriggerKey: "CALL_UPSERTED"})
		if err == nil {
			t.Fatalf("%s: no error", c.command)
		}
		msg := err.Error()
		if !strings.Contains(msg, c.want) || strings.Contains(msg, "hunter2") || strings.Contains(msg, "PGPASSWORD") || strings.Contains(msg, "psql") || strings.Contains(msg, "sh -c") {
			t.Errorf("%q lacks %q or shows the command", msg, c.want)
		}
		if !strings.Contains(msg, "fix the hook") || !strings.Contains(msg, "COPERNIQ_EVENT_ID=9 COPERNIQ_RECORD_ID=3 COPERNIQ_TRIGGER_KEY=CALL_UPSERTED") {
			t.Errorf("%q says neither what to fix nor how to ask", msg)
		}
	}
	if got := commandSecrets(`PGPASSWORD='a b c d' psql "host=db password=pw12 dbname=x" -c "$COPERNIQ_EVENT_ID" --url=https://u:tok3n@h/`); !slices.Contains(got, "a b c d") || !slices.Contains(got, "pw12") || !slices.Contains(got, "tok3n") {
		t.Errorf("commandSecrets: %q", got)
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
	if n, err := insp.Applied(ctx, schemas.Identity{EventID: 42}); n != 3 || err != nil {
		t.Errorf("42: %d, %v", n, err)
	}
	if n, err := insp.Applied(ctx, schemas.Identity{EventID: 43}); n != 0 || err != nil {
		t.Errorf("43: %d, %v", n, err)
	}
	bad, _ := InspectCommand(`echo "$COPERNIQ_TRIGGER_KEY $COPERNIQ_RECORD_ID"`)
	if _, err := bad.Applied(ctx, schemas.Identity{EventID: 1, RecordID: 7, TriggerKey: "CALL_UPSERTED"}); err == nil || !strings.Contains(err.Error(), `"CALL_UPSERTED 7"`) {
		t.Errorf("non-count output: %v", err)
	}
	fails, _ := InspectCommand(`echo no database >&2; exit 3`)
	if _, err := fails.Applied(ctx, schemas.Identity{EventID: 1}); err == nil || !strings.Contains(err.Error(), "no database") {
		t.Errorf("failing command: %v", err)
	}
}

// testRun is a run with just enough to ask insp.
func testRun(insp Inspector, inspectTimeout time.Duration) *run {
	return &run{t: Target{Inspect: insp, InspectTimeout: inspectTimeout, DrainBudget: time.Second, MaxLate: DefaultMaxLate, MaxLateTotal: DefaultMaxLateTotal, Deadline: time.Second}}
}

// watchOne watches one event acknowledged now.
func watchOne(r *run, settle time.Duration) (*tracked, error) {
	now := time.Now()
	it := r.newTracked(schemas.Identity{EventID: 1}, "spec", now, now, r.t.InspectTimeout)
	return it, r.watch(context.Background(), []*tracked{it}, settle)
}

// countsFrom is an inspect hook that answers before until d has passed
// since *start, then after: an event applied (or applied again) late. start
// is read at each call, so a test may restart the clock.
func countsFrom(start *time.Time, d time.Duration, before, after int) InspectFunc {
	return func(context.Context, schemas.Identity) (int, error) {
		if time.Since(*start) < d {
			return before, nil
		}
		return after, nil
	}
}

func TestWatch(t *testing.T) {
	start := time.Now()
	// Applied asynchronously: 0 for a while, then 1.
	late := countsFrom(&start, 50*time.Millisecond, 0, 1)
	it, err := watchOne(testRun(late, time.Second), 20*time.Millisecond)
	if err != nil || it.n != 1 || it.took() < 40*time.Millisecond || it.settleTo.Sub(it.appliedAt) != 20*time.Millisecond {
		t.Errorf("late apply: %+v %v", it, err)
	}
	// A duplicate applied during the settle period is caught.
	start = time.Now()
	dup := countsFrom(&start, 30*time.Millisecond, 1, 2)
	if it, _ := watchOne(testRun(dup, time.Second), 200*time.Millisecond); it.n != 2 {
		t.Errorf("late duplicate not seen: %+v", it)
	}
	// Never applied: the timeout ends the wait, and the event is overdue.
	never := InspectFunc(func(context.Context, schemas.Identity) (int, error) { return 0, nil })
	if it, _ := watchOne(testRun(never, 50*time.Millisecond), -1); it.n != 0 || !it.overdue() {
		t.Errorf("never: %+v", it)
	}
	// A hook that answers nonsense fails at once, naming the event.
	broken := InspectFunc(func(context.Context, schemas.Identity) (int, error) { return 0, errors.New("bad answer") })
	t0 := time.Now()
	r := testRun(broken, 5*time.Second)
	it = r.newTracked(schemas.Identity{EventID: 7}, "spec", t0, t0, time.Second)
	err = r.watch(context.Background(), []*tracked{it}, -1)
	var ae *askError
	if !errors.As(err, &ae) || ae.ev.EventID != 7 || time.Since(t0) > time.Second {
		t.Errorf("broken hook: %v after %s", err, time.Since(t0))
	}
	// The check before sending asks once.
	one := InspectFunc(func(context.Context, schemas.Identity) (int, error) { return 1, nil })
	if got, err := testRun(one, time.Second).askEach(context.Background(), []schemas.Identity{{EventID: 1}, {EventID: 2}}, time.Second); err != nil || got[1] != 1 || got[2] != 1 {
		t.Errorf("precheck: %+v %v", got, err)
	}
	// But first the run asks about events it never sends: a hook that
	// says 1 for them does not count, and nothing is asked after that.
	var asked atomic.Int32 // about the event the spec would send
	counting := InspectFunc(func(_ context.Context, ev schemas.Identity) (int, error) {
		if ev.EventID == 1 {
			asked.Add(1)
		}
		return 1, nil
	})
	_, err = testRun(counting, time.Second).askOnce(context.Background(), []schemas.Identity{{EventID: 1}}, time.Second)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf(" said 1 for eventId %d, an event this run never sends", probeEvents[0].EventID)) || asked.Load() != 0 {
		t.Errorf("a hook that says 1 for an event never sent: %v (%d questions about the event sent)", err, asked.Load())
	}
}

// Events watched together share the settle window: each is watched from
// its own last delivery, and the whole watch lasts about one window.
func TestWatchTogether(t *testing.T) {
	start := time.Now()
	insp := InspectFunc(func(_ context.Context, ev schemas.Identity) (int, error) {
		if ev.EventID == 3 && time.Since(start) > 300*time.Millisecond {
			return 2, nil // a duplicate applied late
		}
		return 1, nil
	})
	r := testRun(insp, time.Second)
	var items []*tracked
	for id := int64(1); id <= 50; id++ {
		items = append(items, r.newTracked(schemas.Identity{EventID: id}, "spec", start, start, time.Second))
	}
	stall := startStallMeter()
	if err := r.watch(context.Background(), items, 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	// Less the time a busy machine kept this process from running (it
	// took 932ms once with the two cores loaded).
	if took, stalled := time.Since(start), stall.Stop(); took-stalled > 900*time.Millisecond {
		t.Errorf("50 events watched together took %s (%s of it stalled), want about one window of 500ms", took, stalled)
	}
	for _, it := range items {
		if want := map[bool]int{true: 2, false: 1}[it.ev.EventID == 3]; it.n != want {
			t.Errorf("event %d: count %d, want %d", it.ev.EventID, it.n, want)
		}
	}
}

// A hook that does not answer within the inspect timeout is the hook's
// fault; after HookHungAfter such questions in a row, it is hung.
func TestHookHung(t *testing.T) {
	hung := InspectFunc(func(ctx context.Context, _ schemas.Identity) (int, error) {
		<-ctx.Done()
		return 0, ctx.Err()
	})
	r := testRun(hung, 50*time.Millisecond)
	start := time.Now()
	_, err := r.askOnce(context.Background(), []schemas.Identity{{EventID: 1}}, time.Second)
	var he *hookError
	if !errors.As(err, &he) || !strings.Contains(err.Error(), "did not answer within 50ms (--inspect-timeout) for event 1") {
		t.Errorf("first question: %v", err)
	}
	_, _ = r.askOnce(context.Background(), []schemas.Identity{{EventID: 2}}, time.Second)
	_, err = r.askOnce(context.Background(), []schemas.Identity{{EventID: 3}}, time.Second)
	var hh *hookHungError
	if !errors.As(err, &hh) || !strings.Contains(err.Error(), "the inspect hook (Target.Inspect) answered none of the last 3 questions in a row within 50ms (--inspect-timeout): is it hung?") {
		t.Errorf("third question: %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("three questions to a hung hook took %s, want about 3 × 50ms", took)
	}
}

// The default settle adapts: a queue that applies a duplicate 600 ms after
// the first copy is caught (a fixed 250 ms missed it), and the watch lasts
// at least MinSettle.
func TestWatchAdaptiveSettle(t *testing.T) {
	if got := settleFor(0, 50*time.Millisecond); got != MinSettle {
		t.Errorf("settleFor(auto, 50ms) = %s, want %s", got, MinSettle)
	}
	if got := settleFor(0, 2*time.Second); got != 4*time.Second {
		t.Errorf("settleFor(auto, 2s) = %s", got)
	}
	if settleFor(-1, time.Second) != 0 || settleFor(300*time.Millisecond, time.Second) != 300*time.Millisecond {
		t.Error("an explicit settle is not kept")
	}
	start := time.Now()
	dup := countsFrom(&start, 600*time.Millisecond, 1, 2)
	it, err := watchOne(testRun(dup, time.Second), 0)
	if err != nil || it.n != 2 || it.settleTo.Sub(it.appliedAt) != MinSettle {
		t.Errorf("a duplicate 600 ms late: %+v %v", it, err)
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
	// Skipped counts the selected specs only: not the one --focus left out.
	if s.Passed != 1 || s.Failed != 1 || s.Skipped != 2 || s.NotSelected != 1 || s.Succeeded {
		t.Errorf("counts: %+v", s)
	}
	if len(s.Groups) != 4 || s.Groups[0].Name != FamilyText(schemas.FamilyCall) || s.Groups[1].Name != GroupDelivery {
		t.Errorf("groups in catalog order: %+v", s.Groups)
	}
	if len(s.Skips) != 1 || s.Skips[0].Specs != 2 || s.Skips[0].Reason != SkipNoInspect {
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

// Failures of the setup are told apart from the receiver's; a run whose every
// delivery got the same refusal says what it likely means; one delivery is
// "1 delivery".
func TestSummarizeSetupAndSameAnswer(t *testing.T) {
	spec := func(group, leaf string, state types.SpecState, problem string, statuses ...int) types.SpecReport {
		s := types.SpecReport{
			ContainerHierarchyTexts: []string{SuiteText, group},
			LeafNodeText:            leaf,
			LeafNodeType:            types.NodeTypeIt,
			State:                   state,
		}
		if problem != "" {
			s.ReportEntries = append(s.ReportEntries, types.ReportEntry{Name: EntryProblem, Value: types.WrapEntryValue(problem)})
		}
		for _, st := range statuses {
			s.ReportEntries = append(s.ReportEntries, types.ReportEntry{Name: EntryDelivery,
				Value: types.WrapEntryValue(DeliveryRecord{Status: st, Expect: ExpectAck, LatencyMS: 1})})
		}
		return s
	}
	s := Summarize(types.Report{SpecReports: []types.SpecReport{
		spec(GroupIdempotency, SpecDupAfter, types.SpecStateFailed, ProblemHook),
		spec(GroupIdempotency, SpecGaveUp, types.SpecStateFailed, ProblemStale),
		spec(GroupDelivery, SpecRedirect, types.SpecStatePassed, "", 200),
	}})
	if len(s.Setup) != 2 || s.Setup[0].Spec != GroupIdempotency+" "+SpecDupAfter || s.Setup[0].Kind != ProblemHook || s.Setup[1].Kind != ProblemStale || s.SameAnswer != 0 {
		t.Errorf("setup %+v, same answer %d", s.Setup, s.SameAnswer)
	}
	out := s.String()
	for _, w := range []string{
		"  " + GroupIdempotency + " " + SpecDupAfter + "  [inspect hook]\n",
		"1 spec marked [inspect hook] failed because of the inspect hook, not because of the receiver",
		"1 spec marked [stale state] found their events already applied before they were sent",
		"answer time: p50 1ms, p99 1ms, max 1ms over 1 delivery\n",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("summary lacks %q:\n%s", w, out)
		}
	}

	for status, want := range map[int]string{
		404: "every delivery was answered 404 Not Found: is --target the webhook's path?",
		405: "every delivery was answered 405 Method Not Allowed: is --target the webhook's path?",
		401: "every delivery was answered 401 Unauthorized: does the receiver want a token",
		502: "every delivery was answered 502 Bad Gateway: is the receiver at --target working at all?",
	} {
		s := Summarize(types.Report{SpecReports: []types.SpecReport{
			spec(GroupDelivery, SpecRedirect, types.SpecStatePassed, "", status),
			spec(FamilyText(schemas.FamilyCall), SpecRealistic, types.SpecStateFailed, "", status, status),
		}})
		if s.SameAnswer != status || !strings.Contains(s.String(), want) {
			t.Errorf("%d: same answer %d, summary:\n%s", status, s.SameAnswer, s.String())
		}
	}
	// One 2xx among them, or a scenario's acknowledged deliveries: no
	// such line.
	mixed := spec(FamilyText(schemas.FamilyCall), SpecRealistic, types.SpecStateFailed, "", 404, 404)
	acked := mixed
	acked.ReportEntries = append(slices.Clone(acked.ReportEntries), types.ReportEntry{Name: EntryLatencies, Value: types.WrapEntryValue([]float64{1})})
	for _, r := range []types.SpecReport{spec(GroupDelivery, SpecRedirect, types.SpecStatePassed, "", 200), acked} {
		specs := []types.SpecReport{r}
		if r.LeafNodeText == SpecRedirect {
			specs = append(specs, mixed)
		}
		if s := Summarize(types.Report{SpecReports: specs}); s.SameAnswer != 0 || strings.Contains(s.String(), "every delivery was answered") {
			t.Errorf("mixed answers reported as one:\n%s", s.String())
		}
	}
}

// The answer time's line names the deliveries it leaves out, so that they
// add up to what the receiver got: the one the sender hangs up on, those
// that got no answer, a malformed or interrupted one, and those sent that
// no spec recorded (a timeout is timed, not left out).
func TestSummarizeNamesDeliveriesLeftOut(t *testing.T) {
	for _, tc := range []struct {
		name       string
		deliveries []DeliveryRecord
		line       string
		sent       int
		abandoned  int
		unanswered int
		// aborted and interrupted are the stop, if any: only a --max-late
		// stop (AbortedHung) sends a probe.
		aborted, interrupted string
	}{
		{"all answered", []DeliveryRecord{{Status: 200, Expect: ExpectAck}, {Status: 200, Expect: ExpectAck}},
			"over 2 deliveries\n", 0, 0, 0, "", ""},
		{"one abandoned", []DeliveryRecord{{Expect: ExpectAbandon}, {Status: 200, Expect: ExpectAck}},
			"over 1 delivery (+1 abandoned on purpose)\n", 0, 1, 0, "", ""},
		{"abandoned, reset and timed out", []DeliveryRecord{{Expect: ExpectAbandon}, {Status: 200, Expect: ExpectAck},
			{Expect: ExpectAck, Error: "reset"}, {Expect: ExpectAck, Error: "timeout", LatencyMS: 2000}},
			"over 2 deliveries (+1 abandoned on purpose, +1 without an answer)\n", 0, 1, 1, "", ""},
		{"an abandon that could not connect", []DeliveryRecord{{Expect: ExpectAbandon, Error: "refused"}, {Status: 200, Expect: ExpectAck}},
			"over 1 delivery (+1 without an answer)\n", 0, 0, 1, "", ""},
		{"a malformed answer and an interrupted one", []DeliveryRecord{{Expect: ExpectAck, Error: "other"}, {Expect: ExpectAck, Error: "canceled"}, {Status: 200, Expect: ExpectAck}},
			"over 1 delivery (+1 answered malformed or failed otherwise, +1 cut off by the interruption)\n", 0, 0, 0, "", ""},
		{"sent but not recorded", []DeliveryRecord{{Status: 200, Expect: ExpectAck}},
			"over 1 delivery (+3 not recorded: made outside any spec's record)\n", 4, 0, 0, "", ""},
		{"not recorded after an interruption", []DeliveryRecord{{Status: 200, Expect: ExpectAck}},
			"over 1 delivery (+3 not recorded: made for specs the interruption left unjudged)\n", 4, 0, 0, "", "SIGTERM"},
		{"not recorded after a --max-late stop", []DeliveryRecord{{Status: 200, Expect: ExpectAck}},
			"over 1 delivery (+3 not recorded: made for specs the stop left unjudged, and the stop's probe)\n", 4, 0, 0, AbortedHung + " 5 deliveries within the deadline of 2s (--timeout).", ""},
		{"not recorded after a --max-late-total stop", []DeliveryRecord{{Status: 200, Expect: ExpectAck}},
			"over 1 delivery (+3 not recorded: made for specs the stop left unjudged, and the stop's probe)\n", 4, 0, 0, AbortedLateTotal + " of 2s (--timeout) 24 times", ""},
		{"not recorded after the hook hung", []DeliveryRecord{{Status: 200, Expect: ExpectAck}},
			"over 1 delivery (+3 not recorded: made for specs the stop left unjudged)\n", 4, 0, 0, "the inspect hook at GET http://127.0.0.1:1/{eventId} " + AbortedHookHung + " 3 questions", ""},
		{"nothing timed", []DeliveryRecord{{Expect: ExpectAck, Error: "reset"}},
			"answer time: no delivery was timed (+1 without an answer)\n", 0, 0, 1, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := types.SpecReport{ContainerHierarchyTexts: []string{SuiteText, GroupIdempotency}, LeafNodeText: SpecGaveUp,
				LeafNodeType: types.NodeTypeIt, State: types.SpecStatePassed}
			for _, d := range tc.deliveries {
				spec.ReportEntries = append(spec.ReportEntries, types.ReportEntry{Name: EntryDelivery, Value: types.WrapEntryValue(d)})
			}
			s := Summarize(types.Report{SpecReports: []types.SpecReport{spec}})
			s.Sent, s.Aborted, s.Interrupted = tc.sent, tc.aborted, tc.interrupted
			if s.Abandoned != tc.abandoned || s.Unanswered != tc.unanswered || !strings.Contains(s.String(), tc.line) {
				t.Errorf("abandoned %d, unanswered %d, summary:\n%s\nwant %d, %d and %q", s.Abandoned, s.Unanswered, s.String(), tc.abandoned, tc.unanswered, tc.line)
			}
		})
	}
}

// A receiver that kept the state of a run is told to pass another seed: any
// other seed, the next one included, must count other events.
func TestCountedEventsDependOnSeed(t *testing.T) {
	seen := map[int64]uint64{}
	for _, seed := range []uint64{1, 2, 3} {
		tg := Target{Seed: seed, Burst: 5, Scenarios: []string{"work-order-lifecycle", "call-logged"}}
		pl, err := newPlan(tg)
		if err != nil {
			t.Fatal(err)
		}
		sps, _, err := planScenarios(tg, pl, tg.Scenarios)
		if err != nil {
			t.Fatal(err)
		}
		counted := []payload{pl.dupAfter, pl.dupConcurrent, pl.gaveUp}
		for _, sp := range sps {
			counted = append(counted, sp.inOrder.payloads...)
			counted = append(counted, sp.shuffled.payloads...)
		}
		for _, p := range counted {
			if other, ok := seen[p.Event.EventID]; ok {
				t.Errorf("seeds %d and %d both count eventId %d", other, seed, p.Event.EventID)
			}
			seen[p.Event.EventID] = seed
		}
	}
}

// lateSent is a delivery started at start and answered after took.
func lateSent(start time.Time, took time.Duration, err error) sent {
	res := delivery.Result{Status: 202, Latency: took}
	if err != nil {
		res = delivery.Result{Err: err, ErrKind: delivery.KindTimeout, Latency: took}
	}
	return sent{expect: ExpectAck, res: res, start: start, at: start.Add(took)}
}

func TestNoteAnswerConcurrentBurstIsOneObservation(t *testing.T) {
	r := testRun(nil, time.Second) // deadline 1s, MaxLate DefaultMaxLate
	t0 := time.Now()
	// A burst of 50 sent at once: 31 answered at once, 19 queued behind
	// the accept backlog and answered after a SYN retransmit.
	for i := range 31 {
		r.noteAnswer(lateSent(t0, time.Duration(i+1)*time.Millisecond, nil))
	}
	for i := range 19 {
		r.noteAnswer(lateSent(t0, 1100*time.Millisecond+time.Duration(i)*time.Millisecond, nil))
	}
	if r.late != 1 || r.hung() {
		t.Fatalf("a burst's late deliveries counted as %d in a row (hung %v), want 1", r.late, r.hung())
	}
	// Deliveries one after another, each late, do count one by one.
	at := t0.Add(2 * time.Second)
	for range DefaultMaxLate - 1 {
		s := lateSent(at, 1500*time.Millisecond, nil)
		r.noteAnswer(s)
		at = s.at
	}
	if r.late != DefaultMaxLate || !r.hung() {
		t.Fatalf("sequential late deliveries: %d in a row (hung %v), want %d", r.late, r.hung(), DefaultMaxLate)
	}
	// An answer in time starts the count again.
	r.noteAnswer(lateSent(at, time.Millisecond, nil))
	if r.late != 0 {
		t.Fatalf("after an answer in time: %d", r.late)
	}
}

func TestProbeVerdict(t *testing.T) {
	p := payload{Event: schemas.Identity{EventID: 7, TriggerKey: "TASK_CREATED"}}
	for _, tc := range []struct {
		name      string
		s         sent
		want, not string
	}{
		{"in time", sent{p: p, res: delivery.Result{Status: 202, Latency: 1210 * time.Microsecond}}, "was answered in time: 202 Accepted in 1.21ms, within the deadline of 2s", "late"},
		{"late", sent{p: p, res: delivery.Result{Status: 200, Latency: 3 * time.Second}}, "was answered late: 200 OK in 3s, past the deadline of 2s", "in time"},
		{"none", sent{p: p, res: delivery.Result{Err: context.DeadlineExceeded, ErrKind: delivery.KindTimeout, Latency: 4 * time.Second}}, "got no answer either: is it hung?", "answered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := probeVerdict(tc.s, 4*time.Second, 2*time.Second)
			if !strings.Contains(got, tc.want) || strings.Contains(got, tc.not) {
				t.Errorf("got %q\nwant it to say %q and not %q", got, tc.want, tc.not)
			}
		})
	}
}

// A watch that starts past the inspect timeout (a lifecycle job's events
// are asked about once all its deliveries are done) must not report how
// late it asked as the apply time, nor call the event applied within.
func TestWatchLateStart(t *testing.T) {
	r := testRun(InspectFunc(func(context.Context, schemas.Identity) (int, error) { return 1, nil }), 100*time.Millisecond)
	acked := time.Now().Add(-2 * time.Second)
	it := r.newTracked(schemas.Identity{EventID: 1}, "spec", acked, acked, r.t.InspectTimeout)
	if err := r.watch(context.Background(), []*tracked{it}, -1); err != nil {
		t.Fatal(err)
	}
	lat, unknown := r.settled([]*tracked{it}, false)
	if len(lat) != 0 || unknown != 1 || !it.lateStart() {
		t.Errorf("first asked 2s after the ack: apply times %v, unknown %d, want none and 1", lat, unknown)
	}
	if note := lateStartNote([]*tracked{it}, unknown); !strings.Contains(note, "1 event were first asked about up to 2") || !strings.Contains(note, "whether within 100ms is not known") {
		t.Errorf("note: %s", note)
	}
	// Asked in time, the figure is kept.
	prompt := r.newTracked(schemas.Identity{EventID: 2}, "spec", time.Now(), time.Now(), r.t.InspectTimeout)
	if err := r.watch(context.Background(), []*tracked{prompt}, -1); err != nil {
		t.Fatal(err)
	}
	if lat, unknown := r.settled([]*tracked{prompt}, false); len(lat) != 1 || unknown != 0 {
		t.Errorf("asked at once: %v, %d", lat, unknown)
	}
}

// "still said 0 N after it was acknowledged" names when the hook said 0,
// not when the verdict was written.
func TestOverdueSaysWhenItWasAsked(t *testing.T) {
	r := testRun(InspectFunc(func(context.Context, schemas.Identity) (int, error) { return 0, nil }), 50*time.Millisecond)
	acked := time.Now()
	it := r.newTracked(schemas.Identity{EventID: 1, TriggerKey: "TASK_CREATED"}, "spec", acked, acked, r.t.InspectTimeout)
	if err := r.watch(context.Background(), []*tracked{it}, -1); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // the verdict comes much later
	line := overdueLine(it)
	if !strings.Contains(line, "still said 0 ") || strings.Contains(line, "still said 0 1.") || it.saidZero() > 500*time.Millisecond {
		t.Errorf("the hook said 0 about %s after the ack; the line says: %s", it.saidZero(), line)
	}
	l := LateApplication{Spec: "s", EventID: 1, TriggerKey: "TASK_CREATED", AppliedAfterMS: 16500, NotWithinMS: 5000}
	if got := l.String(); !strings.Contains(got, "was found applied when asked again 16.5s after it was acknowledged (not applied within 5s, --inspect-timeout)") {
		t.Errorf("late application: %s", got)
	}
}

// The slow-answer warning states what was measured and lists causes; it
// cannot know which one it is.
func TestSlowWarningNamesNoSingleCause(t *testing.T) {
	w := slowWarning(1231 * time.Millisecond)
	for _, want := range []string{"p99 answer time 1.231s is over 1s.", "Possible causes:", "works before acknowledging", "accept backlog", "inspect hook"} {
		if !strings.Contains(w, want) {
			t.Errorf("warning lacks %q: %s", want, w)
		}
	}
	if strings.Contains(w, "over 1s: the receiver works before acknowledging") {
		t.Errorf("warning names one cause as fact: %s", w)
	}
}

// The duplicate-delivery scenario's spec sends the duplicates its name
// promises, and the job still counts each event once.
func TestScenarioJobSendsItsDuplicates(t *testing.T) {
	var mu sync.Mutex
	got := map[int64]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		id, _ := schemas.DecodeIdentity(body)
		mu.Lock()
		got[id.EventID]++
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	sc, err := scenarios.Load("duplicate-delivery")
	if err != nil {
		t.Fatal(err)
	}
	seed := uint64(1)
	sr, err := renderFresh(sc, &seed, &plan{used: map[int64]bool{}}, idBase(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	r := testRun(nil, time.Second)
	if r.to, err = newDest(srv.URL+"/hook", ""); err != nil {
		t.Fatal(err)
	}
	j := r.buildScenarioJob(sc.Name, sr)
	ctx, early := r.startEarly(context.Background())
	sent, failure := j.deliver(ctx)
	early.finish()
	if failure != "" {
		t.Fatal(failure)
	}
	if len(early.items) != len(sr.events) {
		t.Errorf("the early watch heard of %d acknowledged events, want %d", len(early.items), len(sr.events))
	}
	if len(got) != len(sr.events) || len(sent) != 2*len(sr.events) {
		t.Fatalf("%d events, %d deliveries: want %d events each delivered twice (the scenario's duplicate: 1)", len(got), len(sent), len(sr.events))
	}
	for id, n := range got {
		if n != 2 {
			t.Errorf("event %d delivered %d times, want 2", id, n)
		}
	}
	if !strings.Contains(j.how, "each event delivered twice") || !strings.Contains(j.reproduce, "--duplicate 1 --duplicate-mode after") {
		t.Errorf("the verdict does not say what was sent: %q / %q", j.how, j.reproduce)
	}
	if items := r.track(j.name(), j.ps, sent); len(items) != len(sr.events) {
		t.Errorf("%d tracked, want one per event (%d)", len(items), len(sr.events))
	}
}

// Once an event is counted, the settle window is checked with one question
// at its end (the count only grows), not one per polling interval: a full
// run otherwise asked the hook 61k times for 2.2k deliveries.
func TestWatchSettleAsksOnceAtTheEnd(t *testing.T) {
	var asked atomic.Int32
	n := atomic.Int32{}
	n.Store(1)
	hook := InspectFunc(func(context.Context, schemas.Identity) (int, error) {
		asked.Add(1)
		return int(n.Load()), nil
	})
	it, err := watchOne(testRun(hook, time.Second), 500*time.Millisecond)
	if err != nil || it.n != 1 || !it.done {
		t.Fatalf("%+v %v", it, err)
	}
	if got := asked.Load(); got > 3 {
		t.Errorf("the hook was asked %d times for one event settled over 500ms, want at most 3", got)
	}
	// A duplicate applied within the window is still caught.
	go func() { time.Sleep(200 * time.Millisecond); n.Store(2) }()
	it, err = watchOne(testRun(hook, time.Second), 500*time.Millisecond)
	if err != nil || it.n != 2 {
		t.Errorf("a duplicate applied in the settle window: %+v %v", it, err)
	}
}

// A long job's events are asked about from their acknowledgement on, while
// the rest is still delivered: the apply time is the receiver's, not how
// long the job took to deliver.
func TestEarlyWatchMeasuresFromTheAck(t *testing.T) {
	acked := time.Now()
	hook := countsFrom(&acked, 50*time.Millisecond, 0, 1)
	r := testRun(hook, time.Second)
	ctx, early := r.startEarly(context.Background())
	ev := schemas.Identity{EventID: 1}
	earlyFrom(ctx).acked(ev, acked)
	time.Sleep(400 * time.Millisecond) // the job's other deliveries
	early.finish()
	last := time.Now()
	items := []*tracked{r.newTracked(ev, "spec", acked, last, r.t.InspectTimeout)}
	early.merge(items, 100*time.Millisecond)
	if err := r.watch(context.Background(), items, 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	it := items[0]
	if it.n != 1 || it.took() < 50*time.Millisecond || it.took() > 300*time.Millisecond || it.lateStart() {
		t.Errorf("applied 50ms after the ack, watched while 400ms more were delivered: took %s (n %d, late start %v)", it.took(), it.n, it.lateStart())
	}
	if it.settleTo.Before(last.Add(100 * time.Millisecond)) {
		t.Errorf("the settle window ends %s, before 100ms after the last delivery", it.settleTo.Sub(last))
	}
	// Seen at 0 past its deadline, it was not applied in time, whatever
	// came after.
	r2 := testRun(InspectFunc(func(context.Context, schemas.Identity) (int, error) { return 0, nil }), 30*time.Millisecond)
	ctx2, early2 := r2.startEarly(context.Background())
	a2 := time.Now()
	earlyFrom(ctx2).acked(ev, a2)
	time.Sleep(150 * time.Millisecond)
	early2.finish()
	items2 := []*tracked{r2.newTracked(ev, "spec", a2, time.Now(), r2.t.InspectTimeout)}
	early2.merge(items2, 0)
	if !items2[0].done || !items2[0].overdue() || items2[0].saidZero() < 30*time.Millisecond {
		t.Errorf("seen at 0 past the deadline: %+v", items2[0])
	}
}

// The watch's schedule (pollGap): an event whose count appears D after its
// acknowledgement, asked about alone over loopback HTTP, is reported no
// sooner than D (an upper bound), no later than D plus its stated
// uncertainty, and the hook is asked no more often than the schedule says
// (10 ms apart, then a quarter of the age, at most 100 ms apart: for 1 s,
// at most 24 questions, where every 10 ms would be 100). How close the
// figure comes to D depends on how soon a busy machine wakes the watch:
// TestApplyTimeBound checks the stated bound in a full run.
func TestApplyTimeResolution(t *testing.T) {
	for _, d := range []time.Duration{0, 30 * time.Millisecond, 300 * time.Millisecond, time.Second} {
		t.Run(d.String(), func(t *testing.T) {
			// Compared on the monotonic clock, as verify measures: the
			// wall clock may be slewed while the test runs (a clean-clone run saw
			// the count 0.55 ms "before" its time by the wall clock).
			now := time.Now()
			applyAt := now.Add(d)
			var questions atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				questions.Add(1)
				if time.Now().Before(applyAt) {
					http.NotFound(w, r)
					return
				}
				fmt.Fprint(w, `{"applied": 1}`)
			}))
			defer srv.Close()
			insp, err := InspectURL(srv.URL + "/{eventId}")
			if err != nil {
				t.Fatal(err)
			}
			r := testRun(insp, 5*time.Second)
			it := r.newTracked(schemas.Identity{EventID: 1}, "spec", now, now, r.t.InspectTimeout)
			if err := r.watch(context.Background(), []*tracked{it}, -1); err != nil {
				t.Fatal(err)
			}
			if it.took() < d {
				t.Errorf("apply time %s, below the true %s: not an upper bound", it.took(), d)
			}
			if it.took()-d > it.uncertainty() {
				t.Errorf("apply time %s is %s above the true %s, more than its stated uncertainty %s", it.took(), it.took()-d, d, it.uncertainty())
			}
			// The most questions the schedule allows until the count is
			// seen: one at the acknowledgement, then one per gap, each
			// gap from the answer before (here taken as instant).
			most := 1
			for age := time.Duration(0); age < it.took(); age += pollGap(age) {
				most++
			}
			if n := int(questions.Load()); n > most {
				t.Errorf("%d questions in %s, want at most %d (the schedule)", n, it.took(), most)
			}
		})
	}
	// The schedule itself.
	for _, c := range []struct{ age, want time.Duration }{
		{0, MinPollGap}, {30 * time.Millisecond, MinPollGap}, {200 * time.Millisecond, 50 * time.Millisecond},
		{time.Second, MaxPollGap}, {time.Minute, MaxPollGap},
	} {
		if got := pollGap(c.age); got != c.want {
			t.Errorf("pollGap(%s) = %s, want %s", c.age, got, c.want)
		}
	}
}
