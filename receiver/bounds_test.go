package receiver

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

func TestMemoryBoundsByDefault(t *testing.T) {
	rc, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if rc.cfg.max != 10_000 || rc.cfg.maxBytes != 64<<20 || rc.cfg.maxEvents != 100_000 {
		t.Errorf("defaults: %d deliveries, %d bytes, %d eventIds", rc.cfg.max, rc.cfg.maxBytes, rc.cfg.maxEvents)
	}
	// 0 asks for no bound, explicitly.
	s := start(t, WithMaxDeliveries(0), WithMaxBytes(0), WithMaxEventIDs(0))
	for i := range 5 {
		post(t, s.URL, withEventID(t, example(t), int64(i)))
	}
	for _, d := range s.Deliveries() {
		if d.PayloadDropped || len(d.Payload) == 0 {
			t.Errorf("delivery %d lost its payload without a bound", d.Seq)
		}
	}
}

func TestMaxBytesShedsTheOldestPayloads(t *testing.T) {
	size := len(withEventID(t, example(t), 1))
	s := start(t, WithMaxBytes(int64(size*5/2)), WithFailFirst(1))
	for _, id := range []int64{1, 2, 1, 3, 1} {
		post(t, s.URL+"/hook", withEventID(t, example(t), id))
	}
	ds := s.Deliveries()
	if len(ds) != 5 {
		t.Fatalf("%d deliveries kept, want all 5: MaxBytes sheds payloads, not deliveries", len(ds))
	}
	for i, d := range ds {
		shed := i < 3 // 2 payloads fit in 2.5
		if d.PayloadDropped != shed || (len(d.Payload) == 0) != shed {
			t.Errorf("delivery %d: dropped=%v with %d bytes of payload, want dropped=%v", d.Seq, d.PayloadDropped, len(d.Payload), shed)
		}
		if d.EventID == nil || d.TriggerKey != "TASK_STATUS_MOVEMENT" || !d.Valid || d.Size != int64(size) || d.Path != "/hook" {
			t.Errorf("delivery %d lost its metadata: %+v", d.Seq, d)
		}
	}
	if sum := s.Summary(); sum.Deliveries != 5 || sum.Valid != 5 || sum.UniqueEvents != 3 {
		t.Errorf("summary %+v", sum)
	}

	// The event's report still compares its attempts' payloads, and shows
	// the latest.
	var ev eventReport
	do(t, http.MethodGet, s.InspectURL+PathEvents+"1", nil).json(t, &ev)
	if ev.Received != 3 || !ev.SamePayload || !ev.Attempts[0].PayloadDropped || ev.Attempts[2].PayloadDropped || len(ev.Payload) == 0 {
		t.Errorf("event 1: %+v", ev)
	}
	changed := edit(t, withEventID(t, example(t), 2), func(p map[string]any) { p["record"].(map[string]any)["title"] = "changed" })
	post(t, s.URL+"/hook", changed)
	for range 2 { // shed the changed one
		post(t, s.URL+"/hook", withEventID(t, example(t), 4))
	}
	do(t, http.MethodGet, s.InspectURL+PathEvents+"2", nil).json(t, &ev)
	if ev.Received != 2 || ev.SamePayload || string(ev.Payload) != "null" {
		t.Errorf("event 2, both payloads dropped, the second changed: samePayload=%v payload=%.40s", ev.SamePayload, ev.Payload)
	}

	// A delivery dropped by MaxDeliveries gives its bytes back.
	small := start(t, WithMaxDeliveries(2), WithMaxBytes(int64(size*5/2)))
	for i := range 6 {
		post(t, small.URL, withEventID(t, example(t), int64(i)))
	}
	for _, d := range small.Deliveries() {
		if d.PayloadDropped {
			t.Errorf("delivery %d was shed though 2 payloads fit", d.Seq)
		}
	}
	if small.kept != int64(2*size) || small.shed != 0 {
		t.Errorf("accounting: %d bytes kept, %d shed, want %d and 0", small.kept, small.shed, 2*size)
	}
}

func TestShedDeliveryKeepsItsFirstViolations(t *testing.T) {
	s := start(t, WithLevel(schemas.Strict), WithMaxBytes(1))
	long := strings.Repeat("x", 1000)
	payload := edit(t, example(t), func(p map[string]any) {
		rec := p["record"].(map[string]any)
		for i := range 30 {
			rec[fmt.Sprintf("unknown%s%02d", long, i)] = i
		}
	})
	res := post(t, s.URL, payload)
	var a ack
	res.json(t, &a)
	d := s.Deliveries()[0]
	if !d.PayloadDropped || d.Payload != nil || d.Valid || len(d.Violations) != keptViolations {
		t.Fatalf("shed delivery: dropped=%v valid=%v with %d violations", d.PayloadDropped, d.Valid, len(d.Violations))
	}
	for _, v := range d.Violations {
		if len(v.Location) > maxViolationLen+len("…") || len(v.Message) > maxViolationLen+len("…") {
			t.Errorf("violation kept at full length: %.60s...", v.String())
		}
	}
	if len(a.Violations) == 0 {
		t.Error("the answer lost its violations")
	}
	s.Clear()
	// Unreadable bodies' excerpts are shed too.
	post(t, s.URL, []byte("<html>not json</html>"))
	if d := s.Deliveries()[0]; d.Body != "" || !d.PayloadDropped || d.Unreadable == "" {
		t.Errorf("unreadable delivery, shed: %+v", d)
	}
}

func TestMaxEventIDsForgetsTheLeastRecent(t *testing.T) {
	s := start(t, WithMaxEventIDs(2), WithFailFirst(1))
	for i, step := range []struct {
		id      int64
		attempt int
		status  int
	}{
		{1, 1, 503},
		{2, 1, 503},
		{1, 2, 200}, // 1 is now the most recent
		{3, 1, 503}, // forgets 2, the least recently delivered
		{1, 3, 200},
		{2, 1, 503}, // forgotten: fails first again
	} {
		res := post(t, s.URL, withEventID(t, example(t), step.id))
		var a ack
		res.json(t, &a)
		if res.status != step.status || a.Attempt != step.attempt {
			t.Errorf("delivery %d (event %d): %d attempt %d, want %d attempt %d", i+1, step.id, res.status, a.Attempt, step.status, step.attempt)
		}
	}
	if sum := s.Summary(); sum.UniqueEvents != 4 || sum.Deliveries != 6 {
		t.Errorf("summary %+v: a forgotten eventId counts again", sum)
	}
	if n := len(s.attempts.byID); n != 2 {
		t.Errorf("%d eventIds counted, want 2", n)
	}
}

func TestSenderChosenKeysAreBounded(t *testing.T) {
	rc, err := New()
	if err != nil {
		t.Fatal(err)
	}
	deliver := func(path, key string) Delivery {
		body := fmt.Sprintf(`{"event":{"eventId":1,"triggerKey":%q}}`, key)
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		rc.ServeHTTP(httptest.NewRecorder(), req)
		ds := rc.Deliveries()
		return ds[len(ds)-1]
	}
	for i := range MaxUnknownTriggers + 6 {
		deliver("/", fmt.Sprintf("UNKNOWN_%d", i))
	}
	deliver("/", "PROJECT_CREATED") // the catalog's keys always count alone
	deliver("/", "UNKNOWN_0")       // so does a key already counted
	by := rc.Summary().ByTrigger
	if len(by) != MaxUnknownTriggers+2 || by[OtherTriggers] != 6 || by["PROJECT_CREATED"] != 1 || by["UNKNOWN_0"] != 2 {
		t.Errorf("%d keys, %d under %s: %v", len(by), by[OtherTriggers], OtherTriggers, by)
	}

	d := deliver("/"+strings.Repeat("p", 100_000), strings.Repeat("K", 100_000))
	if len(d.Path) > maxPathLen+len("…") || !strings.HasSuffix(d.Path, "…") {
		t.Errorf("path kept at %d bytes", len(d.Path))
	}
	if len(d.TriggerKey) > maxShortLen+len("…") || !strings.HasPrefix(d.TriggerKey, "KKK") {
		t.Errorf("triggerKey kept at %d bytes", len(d.TriggerKey))
	}
	if got := clip("ab€", 3); got != "ab…" {
		t.Errorf("clip cut a rune: %q", got)
	}
}
