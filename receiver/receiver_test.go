package receiver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// example is Coperniq's documented payload (eventId 48291, recordId 10423),
// copied from shared/coperniq so that the package tests alone.
func example(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/documented-example.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// edit decodes payload, lets fn change it, and re-encodes it.
func edit(t testing.TB, payload []byte, fn func(p map[string]any)) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var p map[string]any
	if err := dec.Decode(&p); err != nil {
		t.Fatal(err)
	}
	fn(p)
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func withEventID(t testing.TB, payload []byte, id int64) []byte {
	return edit(t, payload, func(p map[string]any) { p["event"].(map[string]any)["eventId"] = id })
}

func start(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s, err := Start("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

var client = &http.Client{Timeout: 10 * time.Second}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("answer is not JSON (%v): %s", err, r.body)
	}
}

func do(t testing.TB, method, url string, body []byte) response {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, b}
}

func post(t testing.TB, url string, body []byte) response {
	t.Helper()
	return do(t, http.MethodPost, url, body)
}

func TestValidDeliveryIsRecordedAndAcked(t *testing.T) {
	s := start(t)
	res := post(t, s.URL+"/webhooks/coperniq?token=s3cret", example(t))
	if res.status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", res.status, res.body)
	}
	var a ack
	res.json(t, &a)
	if !a.Received || !a.Valid || a.EventID == nil || *a.EventID != 48291 || a.Attempt != 1 || len(a.Violations) != 0 {
		t.Errorf("answer %s", res.body)
	}

	ds := s.Deliveries()
	if len(ds) != 1 {
		t.Fatalf("%d deliveries recorded, want 1", len(ds))
	}
	d := ds[0]
	if d.Seq != 1 || d.TriggerKey != "TASK_STATUS_MOVEMENT" || *d.EventID != 48291 || *d.RecordID != 10423 ||
		d.Attempt != 1 || d.Status != 200 || !d.Valid || d.Unreadable != "" || d.Path != "/webhooks/coperniq" ||
		d.ContentType != "application/json" || d.Size != int64(len(example(t))) {
		t.Errorf("recorded %+v", d)
	}
	if !bytes.Equal(d.Payload, example(t)) {
		t.Error("the payload was not kept as received")
	}
	if time.Since(d.Time) > time.Minute || d.Time.After(time.Now()) {
		t.Errorf("arrival time %v", d.Time)
	}
	all := do(t, http.MethodGet, s.URL+PathDeliveries, nil)
	if bytes.Contains(all.body, []byte("s3cret")) {
		t.Error("the token in the query string was recorded")
	}
	sum := s.Summary()
	if sum.Deliveries != 1 || sum.UniqueEvents != 1 || sum.Valid != 1 || sum.ByTrigger["TASK_STATUS_MOVEMENT"] != 1 || sum.ByStatus[200] != 1 {
		t.Errorf("summary %+v", sum)
	}
}

func TestInvalidDeliveryIsAckedWithItsViolations(t *testing.T) {
	s := start(t)
	bad := bytes.Replace(example(t), []byte(`"id": 16651`), []byte(`"id": "16651"`), 1)
	res := post(t, s.URL+"/hook", bad)
	// Acknowledged: Coperniq would only re-send the same invalid payload.
	if res.status != http.StatusOK {
		t.Fatalf("status %d, want 200", res.status)
	}
	var a ack
	res.json(t, &a)
	want := "/record/stage/id: want integer, got string"
	if a.Valid || len(a.Violations) != 1 || a.Violations[0] != want {
		t.Errorf("answer %s, want the violation %q", res.body, want)
	}
	d := s.Deliveries()[0]
	if d.Valid || len(d.Violations) != 1 || d.Violations[0].Location != "/record/stage/id" || d.Violations[0].String() != want {
		t.Errorf("recorded %+v", d)
	}
	if sum := s.Summary(); sum.Invalid != 1 || sum.Valid != 0 {
		t.Errorf("summary %+v", sum)
	}
}

func TestStrictLevelCatchesWhatContractAccepts(t *testing.T) {
	extra := edit(t, example(t), func(p map[string]any) { p["record"].(map[string]any)["customField"] = "x" })
	contract := start(t)
	strict := start(t, WithLevel(schemas.Strict))
	post(t, contract.URL, extra)
	post(t, strict.URL, extra)
	if d := contract.Deliveries()[0]; !d.Valid {
		t.Errorf("contract level rejected an extra property: %v", d.Violations)
	}
	d := strict.Deliveries()[0]
	if d.Valid || len(d.Violations) == 0 || d.Violations[0].Location != "/record/customField" {
		t.Errorf("strict level: valid=%v %v, want a violation at /record/customField", d.Valid, d.Violations)
	}
}

func TestFailFirst(t *testing.T) {
	s := start(t, WithFailFirst(2))
	a, b := withEventID(t, example(t), 1), withEventID(t, example(t), 2)
	for i, tc := range []struct {
		body   []byte
		status int
	}{{a, 503}, {a, 503}, {b, 503}, {a, 200}, {a, 200}, {b, 503}, {b, 200}} {
		res := post(t, s.URL, tc.body)
		if res.status != tc.status {
			t.Fatalf("delivery %d: status %d, want %d: %s", i+1, res.status, tc.status, res.body)
		}
	}
	ds := s.Deliveries()
	if ds[0].Injected != InjectedFailFirst || ds[3].Injected != "" || ds[4].Attempt != 4 || ds[6].Attempt != 3 {
		t.Errorf("attempts and injections: %+v", ds)
	}
	// No eventId, no attempt count: never failed, or a retry would fail forever.
	noID := edit(t, example(t), func(p map[string]any) { delete(p["event"].(map[string]any), "eventId") })
	for range 3 {
		if res := post(t, s.URL, noID); res.status != 200 {
			t.Fatalf("payload without eventId answered %d", res.status)
		}
	}
	if sum := s.Summary(); sum.UniqueEvents != 2 || sum.ByStatus[503] != 4 || sum.ByStatus[200] != 6 {
		t.Errorf("summary %+v", sum)
	}
}

// failures sends n fresh events and returns which were failed.
func failures(t *testing.T, opts ...Option) []bool {
	s := start(t, opts...)
	out := make([]bool, 300)
	for i := range out {
		res := post(t, s.URL, withEventID(t, example(t), int64(1000+i)))
		out[i] = res.status == FailStatus
	}
	return out
}

func TestFailRateIsSeeded(t *testing.T) {
	a := failures(t, WithFailRate(0.3), WithSeed(7))
	b := failures(t, WithFailRate(0.3), WithSeed(7))
	c := failures(t, WithFailRate(0.3), WithSeed(8))
	n := 0
	for _, f := range a {
		if f {
			n++
		}
	}
	// 300 draws at p = 0.3: 90 expected, sd 8; 60..120 is ±3.75 sd.
	if n < 60 || n > 120 {
		t.Errorf("%d of %d attempts failed at fail rate 0.3", n, len(a))
	}
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Error("the same seed failed different attempts")
	}
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Error("different seeds failed the same attempts")
	}
	if f := failures(t, WithFailRate(1)); strings.Contains(fmt.Sprint(f), "false") {
		t.Error("fail rate 1 let an attempt through")
	}
}

func TestStatus(t *testing.T) {
	s := start(t, WithStatus(500))
	for range 2 {
		res := post(t, s.URL, example(t))
		if res.status != 500 {
			t.Fatalf("status %d, want 500", res.status)
		}
	}
	if sum := s.Summary(); sum.ByStatus[500] != 2 || sum.Valid != 2 {
		t.Errorf("summary %+v", sum)
	}
	// Status is the answer when nothing fails: FailFirst still comes first.
	s = start(t, WithStatus(202), WithFailFirst(1))
	if a, b := post(t, s.URL, example(t)).status, post(t, s.URL, example(t)).status; a != 503 || b != 202 {
		t.Errorf("fail-first then status 202: got %d, %d", a, b)
	}
	s = start(t, WithStatus(204))
	if res := post(t, s.URL, example(t)); res.status != 204 || len(res.body) != 0 {
		t.Errorf("status 204 answered %d with %q", res.status, res.body)
	}
}

func TestLatency(t *testing.T) {
	const lat = 150 * time.Millisecond
	s := start(t, WithLatency(lat))
	t0 := time.Now()
	if res := post(t, s.URL, example(t)); res.status != 200 {
		t.Fatalf("status %d", res.status)
	}
	if took := time.Since(t0); took < lat {
		t.Errorf("answered in %s, before the %s latency", took, lat)
	}
	// A sender that times out first sees no answer, but the delivery counts.
	impatient := &http.Client{Timeout: 30 * time.Millisecond}
	if res, err := impatient.Post(s.URL, "application/json", bytes.NewReader(example(t))); err == nil {
		res.Body.Close()
		t.Fatal("the impatient sender got an answer")
	}
	if n := len(s.Deliveries()); n != 2 {
		t.Errorf("%d deliveries recorded, want 2", n)
	}
}

func TestResetRate(t *testing.T) {
	s := start(t, WithResetRate(1))
	res, err := client.Post(s.URL+"/hook", "application/json", bytes.NewReader(example(t)))
	if err == nil {
		res.Body.Close()
		t.Fatalf("got an answer (%d), want a connection error", res.StatusCode)
	}
	var ne net.Error
	if !errors.As(err, &ne) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Logf("error: %v", err) // any error is right; this shows which
	}
	ds := s.Deliveries()
	if len(ds) != 1 || !ds[0].Reset || ds[0].Status != 0 || ds[0].Injected != InjectedResetRate {
		t.Fatalf("recorded %+v", ds)
	}
	if sum := s.Summary(); sum.Resets != 1 || len(sum.ByStatus) != 0 {
		t.Errorf("summary %+v", sum)
	}
	// The inspection API is not subject to it.
	if r := do(t, http.MethodGet, s.URL+PathHealthz, nil); r.status != 200 {
		t.Errorf("healthz %d", r.status)
	}
}

func TestBodyLimit(t *testing.T) {
	s := start(t, WithBodyLimit(2000))
	big := edit(t, example(t), func(p map[string]any) {
		p["record"].(map[string]any)["notes"] = strings.Repeat("x", 2000)
	})
	res := post(t, s.URL, big)
	var e errorBody
	res.json(t, &e)
	if res.status != http.StatusRequestEntityTooLarge || e.Limit != 2000 || !strings.Contains(e.Error, "2000 bytes") {
		t.Fatalf("over the limit: %d %s", res.status, res.body)
	}
	// Exactly at the limit is fine.
	atLimit := append(example(t), bytes.Repeat([]byte(" "), 2000-len(example(t)))...)
	if res := post(t, s.URL, atLimit); res.status != 200 {
		t.Errorf("a body of exactly the limit: %d %s", res.status, res.body)
	}
	ds := s.Deliveries()
	if ds[0].Status != 413 || ds[0].Payload != nil || !strings.Contains(ds[0].Unreadable, "2000-byte limit") || ds[0].Size != int64(len(big)) {
		t.Errorf("recorded %+v", ds[0])
	}

	// The default names the MiB.
	d := start(t)
	res = post(t, d.URL, bytes.Repeat([]byte("x"), DefaultBodyLimit+1))
	if res.status != 413 || !strings.Contains(string(res.body), "1048576") {
		t.Errorf("default limit: %d %s", res.status, res.body)
	}
}

func TestNotJSON(t *testing.T) {
	s := start(t)
	res := post(t, s.URL, []byte(`{"event": }`))
	var e errorBody
	res.json(t, &e)
	if res.status != 400 || !strings.Contains(e.Error, "line 1, column 11") {
		t.Fatalf("%d %s, want 400 with the line and column", res.status, res.body)
	}
	for _, body := range []string{"", "token=abc&x=1", `{"a":1} {"b":2}`} {
		if res := post(t, s.URL, []byte(body)); res.status != 400 {
			t.Errorf("%q answered %d, want 400", body, res.status)
		}
	}
	d := s.Deliveries()[0]
	if d.Valid || d.Body != `{"event": }` || !strings.HasPrefix(d.Unreadable, "not JSON: line 1, column 11") {
		t.Errorf("recorded %+v", d)
	}
	if sum := s.Summary(); sum.Unreadable != 4 || sum.ByStatus[400] != 4 {
		t.Errorf("summary %+v", sum)
	}
}

func TestNoUsableEventID(t *testing.T) {
	s := start(t)
	for _, body := range []string{
		`{"event":{"eventId":"48291","triggerKey":"PROJECT_CREATED"}}`,
		`{"event":{"EventID":48291}}`,
		`{"event":{"eventId":1.5}}`,
		`{"event":[]}`,
		`[]`,
		`null`,
		`"just a string"`,
	} {
		res := post(t, s.URL, []byte(body))
		if res.status != 200 {
			t.Errorf("%s answered %d, want 200 (acked, recorded invalid)", body, res.status)
		}
	}
	for _, d := range s.Deliveries() {
		if d.EventID != nil || d.Attempt != 0 || d.Valid || len(d.Violations) == 0 {
			t.Errorf("%s recorded as %+v", d.Payload, d)
		}
	}
	if d := s.Deliveries()[0]; d.TriggerKey != "PROJECT_CREATED" {
		t.Errorf("trigger %q", d.TriggerKey)
	}
	// JSON Schema's integers include integral floats.
	post(t, s.URL, []byte(`{"event":{"eventId":4.8291e4,"recordId":10423.0}}`))
	ds := s.Deliveries()
	if d := ds[len(ds)-1]; d.EventID == nil || *d.EventID != 48291 || *d.RecordID != 10423 {
		t.Errorf("integral floats: %+v", d)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	s := start(t)
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodHead} {
		res := do(t, m, s.URL+"/webhooks/coperniq", nil)
		if res.status != 405 || res.header.Get("Allow") != "POST" {
			t.Errorf("%s: %d Allow=%q", m, res.status, res.header.Get("Allow"))
		}
	}
	if n := len(s.Deliveries()); n != 0 {
		t.Errorf("%d requests with the wrong method were recorded as deliveries", n)
	}
}

func TestInspection(t *testing.T) {
	s := start(t, WithFailFirst(1))
	other := withEventID(t, example(t), 7)
	post(t, s.URL, example(t))
	post(t, s.URL, other)
	post(t, s.URL, example(t))

	var ds []Delivery
	do(t, http.MethodGet, s.InspectURL+PathDeliveries, nil).json(t, &ds)
	if len(ds) != 3 || ds[0].Seq != 1 || ds[2].Seq != 3 || *ds[1].EventID != 7 {
		t.Fatalf("deliveries, oldest first: %+v", ds)
	}
	if ds[2].Status != 200 || ds[2].Attempt != 2 || len(ds[2].Payload) == 0 || ds[0].Violations == nil {
		t.Errorf("third delivery %+v", ds[2])
	}

	var ev eventReport
	res := do(t, http.MethodGet, s.InspectURL+PathEvents+"48291", nil)
	res.json(t, &ev)
	if res.status != 200 || ev.Received != 2 || !ev.SamePayload || ev.Attempts[0].Status != 503 || ev.Attempts[1].Status != 200 || len(ev.Payload) == 0 {
		t.Errorf("event report: %d %s", res.status, res.body)
	}
	for path, status := range map[string]int{
		PathEvents + "12345":  404,
		PathEvents + "abc":    400,
		PathEvents:            400,
		"/_mock/nothing-here": 404,
		"/_mock":              404,
	} {
		res := do(t, http.MethodGet, s.InspectURL+path, nil)
		var e errorBody
		res.json(t, &e)
		if res.status != status || e.Error == "" {
			t.Errorf("GET %s: %d %s, want %d with a JSON error", path, res.status, res.body, status)
		}
	}

	var sum Totals
	do(t, http.MethodGet, s.InspectURL+PathSummary, nil).json(t, &sum)
	if sum.Deliveries != 3 || sum.UniqueEvents != 2 || sum.ByStatus[503] != 2 {
		t.Errorf("summary %+v", sum)
	}
	if res := do(t, http.MethodGet, s.InspectURL+PathHealthz, nil); res.status != 200 {
		t.Errorf("healthz %d", res.status)
	}
	if res := do(t, http.MethodPost, s.InspectURL+PathDeliveries, nil); res.status != 405 || res.header.Get("Allow") != "GET, HEAD, DELETE" {
		t.Errorf("POST %s: %d Allow=%q", PathDeliveries, res.status, res.header.Get("Allow"))
	}

	var cleared map[string]int
	do(t, http.MethodDelete, s.InspectURL+PathDeliveries, nil).json(t, &cleared)
	if cleared["cleared"] != 3 || len(s.Deliveries()) != 0 || s.Summary().Deliveries != 0 {
		t.Errorf("DELETE: %v, %d left", cleared, len(s.Deliveries()))
	}
	if res := do(t, http.MethodGet, s.InspectURL+PathDeliveries, nil); strings.TrimSpace(string(res.body)) != "[]" {
		t.Errorf("after DELETE: %s", res.body)
	}
	// Attempt counts start over: the first attempt fails again.
	if res := post(t, s.URL, example(t)); res.status != 503 {
		t.Errorf("after DELETE, the first attempt got %d, want 503", res.status)
	}
}

func TestOutputIsOneJSONLinePerDelivery(t *testing.T) {
	var buf bytes.Buffer
	s := start(t, WithOutput(&buf), WithFailFirst(1))
	post(t, s.URL, example(t))
	post(t, s.URL, []byte("not json"))
	post(t, s.URL, example(t))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines for 3 deliveries:\n%s", len(lines), buf.String())
	}
	for i, l := range lines {
		var d Delivery
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if d.Seq != i+1 {
			t.Errorf("line %d has seq %d", i+1, d.Seq)
		}
		if i != 1 && (len(d.Payload) == 0 || *d.EventID != 48291) {
			t.Errorf("line %d lacks the payload: %s", i+1, l)
		}
	}
	if s.Err() != nil {
		t.Error(s.Err())
	}

	// A failing Output is reported, and deliveries are still answered.
	f := start(t, WithOutput(failingWriter{}))
	if res := post(t, f.URL, example(t)); res.status != 200 {
		t.Errorf("status %d", res.status)
	}
	f.Close() // the output is written once the answer is settled
	if err := f.Err(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Err() = %v", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestConcurrentDeliveries(t *testing.T) {
	const n = 200
	var (
		out  bytes.Buffer
		mu   sync.Mutex
		seqs []int
	)
	var s *Server
	s = start(t, WithOutput(&out), WithObserver(func(d Delivery) {
		_ = s.Summary() // observers may call back
		mu.Lock()
		seqs = append(seqs, d.Seq)
		mu.Unlock()
	}))
	var wg sync.WaitGroup
	errs := make(chan error, n)
	bodies := make([][]byte, n)
	for i := range bodies {
		// Every event twice, as a sender's duplicates would come.
		bodies[i] = withEventID(t, example(t), int64(i/2))
	}
	for _, body := range bodies {
		wg.Go(func() {
			res, err := client.Post(s.URL, "application/json", bytes.NewReader(body))
			if err != nil {
				errs <- err
				return
			}
			res.Body.Close()
			if res.StatusCode != 200 {
				errs <- fmt.Errorf("status %d", res.StatusCode)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// A delivery is published after its answer is written, so a sender can
	// have its answer before the Output has the line: wait for the last
	// observer call, which follows its delivery's Write.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		mu.Lock()
		got := len(seqs)
		mu.Unlock()
		if got == n || time.Now().After(deadline) {
			break
		}
	}
	sum := s.Summary()
	if len(s.Deliveries()) != n || sum.Deliveries != n || sum.UniqueEvents != n/2 || sum.Valid != n {
		t.Errorf("%d kept, summary %+v", len(s.Deliveries()), sum)
	}
	attempts := map[int]int{}
	for _, d := range s.Deliveries() {
		attempts[d.Attempt]++
	}
	if attempts[1] != n/2 || attempts[2] != n/2 {
		t.Errorf("attempt numbers %v, want %d of 1 and of 2", attempts, n/2)
	}
	// The observer and the Output see deliveries in arrival order.
	for i, seq := range seqs {
		if seq != i+1 {
			t.Fatalf("observer call %d had seq %d", i+1, seq)
		}
	}
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for i := 1; sc.Scan(); i++ {
		var d Delivery
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil || d.Seq != i {
			t.Fatalf("output line %d: seq %d, %v", i, d.Seq, err)
		}
	}
}

// TestPublishingHoldsNoConnection: a delivery settled while an earlier
// one is still being published is left for that one's goroutine to
// publish, in order, rather than holding its own connection: the next
// request on that connection is answered meanwhile.
// firstHeld is an observer that holds the first delivery until release is
// closed, telling entered when it has it, and records the order of all.
type firstHeld struct {
	mu      sync.Mutex
	seqs    []int
	entered chan struct{}
	release chan struct{}
}

func newFirstHeld() *firstHeld {
	return &firstHeld{entered: make(chan struct{}), release: make(chan struct{})}
}

func (h *firstHeld) observe(d Delivery) {
	if d.Seq == 1 {
		close(h.entered)
		<-h.release
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seqs = append(h.seqs, d.Seq)
}

func (h *firstHeld) seen() []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.seqs)
}

// postFirst posts the first delivery on a connection of its own, in the
// background, and returns once the observer holds it; the channel gets
// the post's error.
func (h *firstHeld) postFirst(t *testing.T, url string) chan error {
	t.Helper()
	first := make(chan error, 1)
	body := example(t)
	go func() {
		_, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Post(url, "application/json", bytes.NewReader(body))
		first <- err
	}()
	<-h.entered
	return first
}

func TestPublishingHoldsNoConnection(t *testing.T) {
	h := newFirstHeld()
	s := start(t, WithObserver(h.observe))
	first := h.postFirst(t, s.URL)
	// One connection for both: the third is read only once the second's
	// handler has returned.
	c := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}, Timeout: 5 * time.Second}
	for id := range int64(2) {
		res, err := c.Post(s.URL, "application/json", bytes.NewReader(withEventID(t, example(t), 100+id)))
		if err != nil {
			close(h.release)
			t.Fatalf("delivery %d while the first is being published: %v", id+2, err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	early := len(h.seen())
	close(h.release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	s.Close()
	if seqs := h.seen(); early != 0 || !slices.Equal(seqs, []int{1, 2, 3}) {
		t.Errorf("observer saw %d deliveries before the first, then %v; want none, then [1 2 3]", early, seqs)
	}
}

func TestMaxDeliveries(t *testing.T) {
	s := start(t, WithMaxDeliveries(3))
	for i := range 5 {
		post(t, s.URL, withEventID(t, example(t), int64(i)))
	}
	ds := s.Deliveries()
	if len(ds) != 3 || ds[0].Seq != 3 || ds[2].Seq != 5 {
		t.Errorf("kept %d deliveries from seq %d, want the newest 3", len(ds), ds[0].Seq)
	}
	if sum := s.Summary(); sum.Deliveries != 5 || sum.UniqueEvents != 5 {
		t.Errorf("summary forgot dropped deliveries: %+v", sum)
	}
}

func TestBadOptions(t *testing.T) {
	for _, tc := range []struct {
		opt  Option
		want string
	}{
		{WithFailRate(1.5), "1.5"},
		{WithFailRate(-0.1), "-0.1"},
		{WithResetRate(2), "2"},
		{WithStatus(100), "100"},
		{WithStatus(600), "600"},
		{WithBodyLimit(0), "0"},
		{WithFailFirst(-1), "-1"},
		{WithLatency(-time.Second), "-1s"},
		{WithMaxDeliveries(-5), "-5"},
		{WithWriteTimeout(-time.Second), "-1s"},
		{WithLevel(schemas.Level(9)), "9"},
	} {
		_, err := New(tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one naming %s", err, tc.want)
		}
		if s, err := Start("127.0.0.1:0", tc.opt); err == nil {
			s.Close()
			t.Errorf("Start accepted the option that New rejects with %q", tc.want)
		}
	}
	s := start(t)
	if _, err := Start(s.Addr); err == nil || !strings.Contains(err.Error(), s.Addr) {
		t.Errorf("starting on a busy address: %v", err)
	}
	if _, err := Start("127.0.0.1:http-nonsense"); err == nil {
		t.Error("a bad address was accepted")
	}
}

func TestShutdownEndsLatencyWaits(t *testing.T) {
	s, err := Start("127.0.0.1:0", WithLatency(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan int, 1)
	go func() {
		res, err := client.Post(s.URL, "application/json", bytes.NewReader(example(t)))
		if err != nil {
			got <- -1
			return
		}
		res.Body.Close()
		got <- res.StatusCode
	}()
	for len(s.Deliveries()) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	t0 := time.Now()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(t0); took > 2*time.Second {
		t.Errorf("shutdown took %s", took)
	}
	if status := <-got; status != 200 {
		t.Errorf("the waiting sender got %d, want its answer", status)
	}
	if err := s.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	if _, err := client.Post(s.URL, "application/json", bytes.NewReader(example(t))); err == nil {
		t.Error("the server still answers after Shutdown")
	}
}

// The Receiver runs in any server, httptest's included; URLs from Start
// name a dialable host even for an unspecified address.
func TestStartOnUnspecifiedAddress(t *testing.T) {
	s, err := Start(":0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Errorf("URL %s", s.URL)
	}
	if res := do(t, http.MethodGet, s.URL+PathHealthz, nil); res.status != 200 {
		t.Errorf("healthz %d", res.status)
	}
}

// TestBOMIsNamed: a body that starts with a byte order mark, or is UTF-16,
// is refused (a request body must be UTF-8 and not carry one), saying so,
// not "invalid character".
func TestBOMIsNamed(t *testing.T) {
	toUTF16LE := func(b []byte) []byte {
		out := []byte{0xFF, 0xFE}
		for _, u := range utf16.Encode([]rune(string(b))) {
			out = append(out, byte(u), byte(u>>8))
		}
		return out
	}
	for _, tc := range []struct {
		name, want string
		body       []byte
	}{
		{"UTF-8 byte order mark", "byte order mark (EF BB BF)", append([]byte("\xEF\xBB\xBF"), example(t)...)},
		{"UTF-16LE", "not JSON: the body is UTF-16LE text, not UTF-8 (it starts with the byte order mark FF FE)", toUTF16LE(example(t))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t)
			res := post(t, s.URL+"/hook", tc.body)
			ds := s.Deliveries()
			if res.status != http.StatusBadRequest || len(ds) != 1 || !strings.Contains(ds[0].Unreadable, tc.want) {
				t.Errorf("status %d, deliveries %+v, want %q", res.status, ds, tc.want)
			}
		})
	}
}

// TestRingKeepsOrder: the kept deliveries come oldest first across chunks
// and wrap-arounds, for limits below, at and beyond a chunk.
func TestRingKeepsOrder(t *testing.T) {
	for _, tc := range []struct {
		name       string
		max, total int
	}{
		{"one chunk, wrapped", 5, 13},
		{"a chunk exactly", ringChunk, 3 * ringChunk},
		{"chunks and a part, wrapped", 2*ringChunk + 7, 5*ringChunk + 3},
		{"no limit", 0, 3*ringChunk + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc, err := New(WithMaxDeliveries(tc.max), WithInspectAddr(""))
			if err != nil {
				t.Fatal(err)
			}
			for i := range tc.total {
				rc.mu.Lock()
				rc.keep(Delivery{Seq: i + 1})
				rc.mu.Unlock()
			}
			ds := rc.Deliveries()
			want := tc.total
			if tc.max > 0 {
				want = min(tc.max, tc.total)
			}
			if len(ds) != want {
				t.Fatalf("kept %d, want %d", len(ds), want)
			}
			for i, d := range ds {
				if d.Seq != tc.total-want+i+1 {
					t.Fatalf("delivery %d has seq %d, want %d", i, d.Seq, tc.total-want+i+1)
				}
			}
		})
	}
}

// TestEarlyDeliveriesAreBounded: beyond maxEarly deliveries waiting for an
// earlier one stuck in publishing, handlers wait for their turn, and all
// are published in order once it comes.
func TestEarlyDeliveriesAreBounded(t *testing.T) {
	const conns = 4
	h := newFirstHeld()
	s := start(t, WithMaxConnections(conns), WithObserver(h.observe))
	first := h.postFirst(t, s.URL)
	c := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	// conns deliveries wait early, the next one's handler for its turn
	// (its answer is sent all the same).
	for id := range int64(conns + 1) {
		res, err := c.Post(s.URL, "application/json", bytes.NewReader(withEventID(t, example(t), 100+id)))
		if err != nil {
			close(h.release)
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		s.pubMu.Lock()
		early, waiting := len(s.early), s.pubWaiting
		s.pubMu.Unlock()
		if waiting == 1 {
			if early != conns {
				t.Errorf("%d deliveries early, want %d", early, conns)
			}
			break
		}
		if time.Now().After(deadline) {
			close(h.release)
			t.Fatalf("no handler waiting for its turn; %d early", early)
		}
	}
	close(h.release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	s.Close()
	if seqs, want := h.seen(), []int{1, 2, 3, 4, 5, 6}; !slices.Equal(seqs, want) {
		t.Errorf("observer saw %v, want %v", seqs, want)
	}
}

// TestShutdownWaitsForEarlyDeliveries: deliveries left early for a handler
// whose connection was reset (hijacked, which http.Server.Shutdown does
// not wait for) are published before Close returns.
func TestShutdownWaitsForEarlyDeliveries(t *testing.T) {
	h := newFirstHeld()
	s := start(t, WithResetRate(1), WithObserver(h.observe))
	h.postFirst(t, s.URL)
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	_, _ = c.Post(s.URL, "application/json", bytes.NewReader(withEventID(t, example(t), 100)))
	go func() {
		time.Sleep(50 * time.Millisecond)
		close(h.release)
	}()
	s.Close()
	if seqs := h.seen(); !slices.Equal(seqs, []int{1, 2}) {
		t.Errorf("published by Close: %v, want [1 2]", seqs)
	}
}
