package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/api"
	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas/schematest"
)

// payload is a webhook body as a receiver reads it.
type payload = schematest.Payload

func decode(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}

// As each event's firedAt is reached, the API shows what the event says:
// the record's number, value, status and updatedAt, the work order's
// status and completedAt, the phase instance's status. A moment before a
// record's creation event, the record is 404.
func TestAPIAgreesWithEachWebhook(t *testing.T) {
	tl, events := world(t)
	srv := api.NewServer(tl, api.WithKey("k"), api.WithTime(tl.Start().Add(-time.Hour)))
	defer srv.Close()
	get := func(path string) answer { return call(t, "GET", srv.URL+path, "k", nil) }
	paths := map[string]string{"PROJECT": "/projects/%d", "DEAL": "/opportunities/%d", "ACCOUNT": "/accounts/%d"}
	checked := 0
	for _, ev := range events {
		var p payload
		decode(t, ev.Body, &p)
		path := fmt.Sprintf(paths[p.Record.Type], p.Record.ID)
		if strings.HasSuffix(p.Event.TriggerKey, "_CREATED") && p.WorkOrder == nil && !strings.HasPrefix(p.Event.TriggerKey, "APPOINTMENT") {
			if a := get(path); a.status != 404 {
				t.Fatalf("%s: %s before its creation event: %d %s, want 404", p.Event.TriggerKey, path, a.status, a.body)
			}
		}
		srv.Advance(ev.FiredAt)
		a := get(path)
		if a.status != 200 {
			t.Fatalf("%s %d: GET %s: %d %s", p.Event.TriggerKey, p.Event.EventID, path, a.status, a.body)
		}
		var rec struct {
			Number         int64    `json:"number"`
			Value          *float64 `json:"value"`
			Status         *string  `json:"status"`
			Address        []string `json:"address"`
			UpdatedAt      string   `json:"updatedAt"`
			PhaseInstances []struct {
				ID     int64  `json:"id"`
				Status string `json:"status"`
			} `json:"phaseInstances"`
		}
		decode(t, a.body, &rec)
		if rec.Number != p.Record.UID {
			t.Errorf("%s: number %d, webhook uid %d", path, rec.Number, p.Record.UID)
		}
		if rec.UpdatedAt != p.Record.UpdatedAt {
			t.Errorf("%s after event %d: updatedAt %s, webhook %s", path, p.Event.EventID, rec.UpdatedAt, p.Record.UpdatedAt)
		}
		if p.Record.Type != "ACCOUNT" && fmt.Sprint(rec.Value) != fmt.Sprint(p.Record.DealValue) && (rec.Value == nil) != (p.Record.DealValue == nil) {
			t.Errorf("%s: value %v, webhook dealValue %v", path, rec.Value, p.Record.DealValue)
		}
		if rec.Value != nil && p.Record.DealValue != nil && *rec.Value != *p.Record.DealValue {
			t.Errorf("%s: value %v, webhook dealValue %v", path, *rec.Value, *p.Record.DealValue)
		}
		if p.Record.Type == "PROJECT" && (rec.Status == nil || p.Record.Status == nil || *rec.Status != *p.Record.Status) {
			t.Errorf("%s after %s: status %v, webhook %v", path, p.Event.TriggerKey, rec.Status, p.Record.Status)
		}
		if p.Record.Address != nil && (len(rec.Address) != 1 || rec.Address[0] != *p.Record.Address) {
			t.Errorf("%s: address %q, webhook %q", path, rec.Address, *p.Record.Address)
		}
		if id, status := p.Event.PhaseInstanceID, p.Event.Status; id != nil && p.Record.Type == "PROJECT" {
			found := false
			for _, ph := range rec.PhaseInstances {
				if ph.ID == *id {
					found = status != nil && ph.Status == *status
				}
			}
			if !found && status != nil && *status != "" {
				t.Errorf("%s: phase instance %d not %s in %s", p.Event.TriggerKey, *id, *status, a.body)
			}
		}
		if wo := p.WorkOrder; wo != nil {
			a := get(fmt.Sprintf("/work-orders/%d", wo.ID))
			var got struct {
				UID    int64 `json:"uid"`
				Status struct {
					ID    string `json:"id"`
					Label string `json:"label"`
				} `json:"status"`
				CompletedAt *string `json:"completedAt"`
				UpdatedAt   string  `json:"updatedAt"`
			}
			decode(t, a.body, &got)
			if got.UID != wo.UID || got.Status.ID != wo.Status || got.Status.Label == "" || fmt.Sprint(got.CompletedAt) != fmt.Sprint(wo.CompletionDate) && (got.CompletedAt == nil || wo.CompletionDate == nil || *got.CompletedAt != *wo.CompletionDate) || got.UpdatedAt != wo.ModifiedAt {
				t.Errorf("%s: work order %d is %s in the API; webhook %+v", p.Event.TriggerKey, wo.ID, a.body, *wo)
			}
		}
		if id := p.Event.AppointmentID; id != nil {
			a := get(fmt.Sprintf("/appointments/%d", *id))
			var got struct {
				DueDate string `json:"dueDate"`
			}
			decode(t, a.body, &got)
			want := ""
			if p.Event.DueDate != nil {
				want = *p.Event.DueDate
			}
			if got.DueDate != want {
				t.Errorf("%s: appointment %d due %s in the API, %s in the webhook", p.Event.TriggerKey, *id, got.DueDate, want)
			}
		}
		checked++
	}
	if checked != len(events) {
		t.Fatalf("checked %d of %d events", checked, len(events))
	}
}

// A receiver's writes are validated, recorded in the call log, and show
// in later GETs; a bad one is a 400 naming the field.
func TestWrites(t *testing.T) {
	tl, _ := world(t)
	srv := api.NewServer(tl, api.WithKey("k"))
	defer srv.Close()
	pid, woid := projectAndWorkOrder(t, srv.URL)

	a := call(t, "PATCH", fmt.Sprintf("%s/projects/%d", srv.URL, pid), "k", map[string]any{"status": "CANCELLED", "value": 51000, "custom": map[string]any{"crm_id": "A-17"}})
	if a.status != 200 {
		t.Fatalf("PATCH project: %d %s", a.status, a.body)
	}
	var proj struct {
		Status string         `json:"status"`
		Value  float64        `json:"value"`
		Custom map[string]any `json:"custom"`
	}
	decode(t, call(t, "GET", fmt.Sprintf("%s/projects/%d", srv.URL, pid), "k", nil).body, &proj)
	if proj.Status != "CANCELLED" || proj.Value != 51000 || proj.Custom["crm_id"] != "A-17" {
		t.Errorf("after PATCH, GET shows %+v", proj)
	}
	// The search sees the write too.
	found := ids(t, call(t, "GET", srv.URL+"/projects/search?prop1=crm_id&op1=eq&value1=A-17", "k", nil).body)
	if len(found) != 1 || found[0] != pid {
		t.Errorf("search by the custom field found %v, want [%d]", found, pid)
	}

	a = call(t, "PATCH", fmt.Sprintf("%s/projects/%d/work-orders/%d", srv.URL, pid, woid), "k", map[string]any{"status": "WORKING", "assigneeId": 13005})
	if a.status != 200 {
		t.Fatalf("PATCH work order: %d %s", a.status, a.body)
	}
	var wo struct {
		Status   map[string]string `json:"status"`
		Assignee map[string]int64  `json:"assignee"`
	}
	decode(t, call(t, "GET", fmt.Sprintf("%s/work-orders/%d", srv.URL, woid), "k", nil).body, &wo)
	if wo.Status["id"] != "WORKING" || wo.Status["label"] != "Working" || wo.Assignee["id"] != 13005 {
		t.Errorf("after PATCH, GET shows %+v", wo)
	}

	a = call(t, "POST", fmt.Sprintf("%s/projects/%d/notes", srv.URL, pid), "k", map[string]any{"body": "Permit filed"})
	if a.status != 201 {
		t.Fatalf("POST note: %d %s", a.status, a.body)
	}
	var notes struct {
		Notes []struct {
			Note string `json:"note"`
		} `json:"notes"`
		TotalCount int `json:"totalCount"`
	}
	decode(t, call(t, "GET", fmt.Sprintf("%s/projects/%d/notes", srv.URL, pid), "k", nil).body, &notes)
	if notes.TotalCount != 1 || notes.Notes[0].Note != "Permit filed" {
		t.Errorf("notes after POST: %+v", notes)
	}

	for _, c := range []struct {
		name, method, path string
		body               any
		field              string
	}{
		{"status not in the enum", "PATCH", fmt.Sprintf("/projects/%d", pid), map[string]any{"status": "DONE"}, "status"},
		{"value not a number", "PATCH", fmt.Sprintf("/projects/%d", pid), map[string]any{"value": "lots"}, "value"},
		{"unknown field", "PATCH", fmt.Sprintf("/projects/%d", pid), map[string]any{"stauts": "ACTIVE"}, "stauts"},
		{"work-order status unknown", "PATCH", fmt.Sprintf("/projects/%d/work-orders/%d", pid, woid), map[string]any{"status": "FINISHED"}, "status"},
		{"note without body", "POST", fmt.Sprintf("/projects/%d/notes", pid), map[string]any{"text": "hi"}, ""},
		{"empty note", "POST", fmt.Sprintf("/work-orders/%d/notes", woid), map[string]any{"body": ""}, "body"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := call(t, c.method, srv.URL+c.path, "k", c.body)
			var e struct {
				Message string `json:"message"`
				Field   string `json:"field"`
			}
			decode(t, a.body, &e)
			if a.status != 400 || e.Message == "" || (c.field != "" && e.Field != c.field) {
				t.Fatalf("%d %s, want 400 naming %q", a.status, a.body, c.field)
			}
		})
	}
	// The call log has every write, with its body.
	var log struct {
		Calls []api.Call `json:"calls"`
	}
	decode(t, call(t, "GET", srv.URL+"/_mock/api-calls", "", nil).body, &log)
	var patches []string
	for _, c := range log.Calls {
		if c.Method == "PATCH" && c.Status == 200 {
			patches = append(patches, c.Operation+" "+string(c.Body))
		}
	}
	if len(patches) != 2 || !strings.Contains(patches[0], `"CANCELLED"`) || !strings.Contains(patches[1], `"WORKING"`) {
		t.Errorf("the call log's successful PATCHes: %q", patches)
	}
}

// page_size and page cut the list; order_by reverses it; updated_after
// filters; a bad parameter is a 400 naming it.
func TestListParameters(t *testing.T) {
	sc, err := scenarios.Load("concurrent-projects")
	if err != nil {
		t.Fatal(err)
	}
	tl := scenarios.NewTimeline()
	if _, err := sc.Render(1, scenarios.WithTimeline(tl), scenarios.WithParam("projects", 7)); err != nil {
		t.Fatal(err)
	}
	srv := api.NewServer(tl, api.WithKey("k"))
	defer srv.Close()
	get := func(q string) []int64 { return ids(t, call(t, "GET", srv.URL+"/projects"+q, "k", nil).body) }
	all := get("?page_size=100")
	if len(all) != 7 {
		t.Fatalf("%d projects, want 7", len(all))
	}
	if d := get(""); len(d) != 7 {
		t.Errorf("default page has %d", len(d))
	}
	p1, p2, p3 := get("?page_size=3"), get("?page_size=3&page=2"), get("?page_size=3&page=3")
	if fmt.Sprint(append(append(p1, p2...), p3...)) != fmt.Sprint(all) || len(p3) != 1 {
		t.Errorf("pages %v %v %v, all %v", p1, p2, p3, all)
	}
	if got := get("?page=9"); len(got) != 0 {
		t.Errorf("a page past the end has %v", got)
	}
	desc := get("?order_by=desc")
	if desc[0] != all[len(all)-1] {
		t.Errorf("order_by=desc starts with %d, want %d", desc[0], all[len(all)-1])
	}
	// updated_after: the projects updated after the median updatedAt.
	var objs []struct {
		UpdatedAt string `json:"updatedAt"`
	}
	decode(t, call(t, "GET", srv.URL+"/projects", "k", nil).body, &objs)
	cut := objs[3].UpdatedAt
	want := 0
	for _, o := range objs {
		if o.UpdatedAt > cut {
			want++
		}
	}
	if got := get("?updated_after=" + cut); len(got) != want {
		t.Errorf("updated_after=%s gives %d, want %d", cut, len(got), want)
	}
	for _, c := range []struct{ q, field string }{
		{"?page_size=ten", "page_size"},
		{"?page=0", "page"},
		{"?order_by=newest", "order_by"},
		{"?updated_after=yesterday", "updated_after"},
		{"?include_archived=yes", "include_archived"},
	} {
		a := call(t, "GET", srv.URL+"/projects"+c.q, "k", nil)
		var e struct{ Field string }
		json.Unmarshal(a.body, &e)
		if a.status != 400 || e.Field != c.field {
			t.Errorf("%s: %d %s, want 400 naming %s", c.q, a.status, a.body, c.field)
		}
	}
	// Search: required parameters, operators, logic.
	a := call(t, "GET", srv.URL+"/projects/search?prop1=status", "k", nil)
	if a.status != 400 || !strings.Contains(string(a.body), "op1") {
		t.Errorf("search without op1: %d %s", a.status, a.body)
	}
	validate(t, "GET", "/projects/search", a)
	if got := ids(t, call(t, "GET", srv.URL+fmt.Sprintf("/projects/search?prop1=id&op1=in&value1=%d,%d", all[1], all[4]), "k", nil).body); fmt.Sprint(got) != fmt.Sprint([]int64{all[1], all[4]}) {
		t.Errorf("id in: %v", got)
	}
	if got := ids(t, call(t, "GET", srv.URL+fmt.Sprintf("/projects/search?prop1=id&op1=eq&value1=%d&logic=or&prop2=id&op2=eq&value2=%d", all[0], all[6]), "k", nil).body); len(got) != 2 {
		t.Errorf("or: %v", got)
	}
	if got := ids(t, call(t, "GET", srv.URL+fmt.Sprintf("/projects/search?prop1=id&op1=between&value1=%d,%d", all[2], all[3]), "k", nil).body); len(got) != 2 {
		t.Errorf("between: %v", got)
	}
	a = call(t, "GET", srv.URL+"/projects/search?prop1=colour&op1=eq&value1=red", "k", nil)
	if a.status != 400 || !strings.Contains(string(a.body), "colour") {
		t.Errorf("unknown prop: %d %s", a.status, a.body)
	}
}

func TestUnimplementedAndUnknownPaths(t *testing.T) {
	srv := unlimited(t, nil)
	n := 0
	for _, op := range api.Operations() {
		if op.Implemented {
			continue
		}
		n++
		path := strings.NewReplacer("{", "", "}", "").Replace(op.Path)
		a := call(t, op.Method, srv.URL+path, "k", nil)
		if a.status != 501 || !strings.Contains(string(a.body), op.ID) {
			t.Errorf("%s %s: %d %s, want 501 naming %s", op.Method, op.Path, a.status, a.body, op.ID)
		}
	}
	if n < 100 {
		t.Errorf("only %d operations answer 501", n)
	}
	a := call(t, "GET", srv.URL+"/widgets", "k", nil)
	if a.status != 404 || !strings.Contains(string(a.body), "/widgets") {
		t.Errorf("unknown path: %d %s", a.status, a.body)
	}
	// The document's base path /v1 works too.
	if a := call(t, "GET", srv.URL+"/v1/projects", "k", nil); a.status != 200 {
		t.Errorf("/v1/projects: %d %s", a.status, a.body)
	}
}

// Injected faults: a 429 carries Retry-After and the operation's
// documented body shape; fail rate 1 answers every call with 500; the
// call log marks them.
func TestFaults(t *testing.T) {
	tl, _ := world(t)
	limited := api.NewServer(tl, api.WithKey("k"), api.WithRateLimit(1, 2500*time.Millisecond))
	defer limited.Close()
	a := call(t, "GET", limited.URL+"/projects", "k", nil)
	if a.status != 429 || a.header.Get("Retry-After") != "3" {
		t.Fatalf("429 rate 1: %d Retry-After %q %s", a.status, a.header.Get("Retry-After"), a.body)
	}
	// The key is checked before the rate limit.
	if a := call(t, "GET", limited.URL+"/projects", "", nil); a.status != 401 {
		t.Errorf("no key under a 429 fault: %d", a.status)
	}
	failing := api.NewServer(tl, api.WithKey("k"), api.WithFailRate(1))
	defer failing.Close()
	if a := call(t, "GET", failing.URL+"/work-orders", "k", nil); a.status != 500 {
		t.Errorf("fail rate 1: %d %s", a.status, a.body)
	}
	calls := failing.Calls()
	if len(calls) != 1 || calls[0].Fault != "500" || calls[0].Status != 500 || calls[0].Operation != "list-work-orders" {
		t.Errorf("call log: %+v", calls)
	}
	// A fraction: with a seed, about that fraction.
	some := api.NewServer(tl, api.WithKey("k"), api.WithFailRate(0.3), api.WithSeed(9), api.WithQuota(0, 0))
	defer some.Close()
	fails := 0
	for range 200 {
		if call(t, "GET", some.URL+"/accounts", "k", nil).status == 500 {
			fails++
		}
	}
	if fails < 35 || fails > 85 {
		t.Errorf("fail rate 0.3 failed %d of 200", fails)
	}
	for _, o := range []api.Option{api.WithFailRate(1.5), api.WithRateLimit(-0.1, 0), api.WithLatency(time.Second, time.Millisecond), api.WithKey(""), api.WithQuota(-1, 0)} {
		if _, err := api.NewHandler(tl, o); err == nil {
			t.Errorf("a bad option was accepted")
		}
	}
}

// deliverChecking delivers events through Handler.Transport to a receiver
// that reads each webhook's record from the API, and returns what check
// said about each (empty: fine).
func deliverChecking(t *testing.T, tl *scenarios.Timeline, events []scenarios.Rendered, opts []delivery.Option, check func(p payload, apiUpdatedAt string) string) (*api.Server, []string) {
	t.Helper()
	srv := api.NewServer(tl, api.WithKey("k"), api.WithTime(tl.Start().Add(-time.Millisecond)))
	t.Cleanup(func() { srv.Close() })
	var mu sync.Mutex
	var bad []string
	checked := 0
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p payload
		json.NewDecoder(r.Body).Decode(&p)
		var got struct {
			UpdatedAt string `json:"updatedAt"`
		}
		err := srv.Get(fmt.Sprintf("/projects/%d", p.Record.ID), &got)
		mu.Lock()
		defer mu.Unlock()
		checked++
		if p.Record.Type != "PROJECT" {
			return
		}
		if msg := check(p, got.UpdatedAt); err != nil || msg != "" {
			bad = append(bad, fmt.Sprintf("%s %d: %s (%v)", p.Event.TriggerKey, p.Event.EventID, msg, err))
		}
	}))
	defer receiver.Close()
	client := delivery.NewClient(time.Second, 4)
	client.Transport = srv.Transport(client.Transport, events)
	target, err := delivery.NewTarget(receiver.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	engine, err := delivery.New(target, append(opts, delivery.WithClient(client))...)
	if err != nil {
		t.Fatal(err)
	}
	if sum, err := engine.Run(t.Context(), scenarios.Messages(events)); err != nil || sum.Acked != len(events) {
		t.Fatalf("run: %v, %+v", err, sum)
	}
	if checked != len(events) {
		t.Fatalf("the receiver checked %d of %d events", checked, len(events))
	}
	return srv, bad
}

// Handler.Transport moves the world time as the delivery engine sends
// each event: a receiver calling the API while handling a webhook sees
// the record the webhook is about, as the webhook has it.
func TestTransportMovesWorldTime(t *testing.T) {
	tl, events := world(t)
	srv, bad := deliverChecking(t, tl, events, []delivery.Option{delivery.WithConcurrency(1)}, func(p payload, got string) string {
		if got != p.Record.UpdatedAt {
			return fmt.Sprintf("API updatedAt %s, webhook %s", got, p.Record.UpdatedAt)
		}
		return ""
	})
	if len(bad) > 0 {
		t.Errorf("%d mismatches: %s", len(bad), strings.Join(bad, "\n"))
	}
	if !srv.Now().Equal(tl.End()) {
		t.Errorf("after the run the world time is %s, want the last event's %s", srv.Now(), tl.End())
	}
}

// Out of firing order (records in parallel, a reorder window), the record
// a webhook is about is never behind the webhook.
func TestTransportOutOfOrder(t *testing.T) {
	sc, err := scenarios.Load("concurrent-projects")
	if err != nil {
		t.Fatal(err)
	}
	tl := scenarios.NewTimeline()
	events, err := sc.Render(5, scenarios.WithTimeline(tl), scenarios.WithParam("projects", 6))
	if err != nil {
		t.Fatal(err)
	}
	opts := []delivery.Option{delivery.WithConcurrency(4), delivery.WithReorder(8), delivery.WithSeed(3)}
	_, bad := deliverChecking(t, tl, events, opts, func(p payload, got string) string {
		if got < p.Record.UpdatedAt {
			return fmt.Sprintf("API updatedAt %s is behind the webhook's %s", got, p.Record.UpdatedAt)
		}
		return ""
	})
	if len(bad) > 0 {
		t.Errorf("behind the webhook: %s", strings.Join(bad, "\n"))
	}
}

func TestOversizedBody(t *testing.T) {
	tl, _ := world(t)
	srv := api.NewServer(tl, api.WithKey("k"))
	defer srv.Close()
	pid := ids(t, call(t, "GET", srv.URL+"/projects", "k", nil).body)[0]
	a := call(t, "POST", fmt.Sprintf("%s/projects/%d/notes", srv.URL, pid), "k", map[string]any{"body": strings.Repeat("x", 2<<20)})
	if a.status != 400 || !strings.Contains(string(a.body), "over") {
		t.Errorf("a 2 MiB note: %d %s", a.status, a.body)
	}
	if c := srv.Calls(); len(c) != 2 || !strings.Contains(string(c[1].Body), "over") {
		t.Errorf("call log: %+v", c)
	}
}

// A list whose operation documents no page_size answers every item; one
// that does answers 20 by default.
func TestUnpagedLists(t *testing.T) {
	tl := timelineOf(t, `steps:
  - createAccount: {name: a}
  - createWorkOrder: {account: a, name: first}
  - repeat: {count: 24, steps: [{createWorkOrder: {account: a}}]}
`)
	srv := api.NewServer(tl, api.WithKey("k"))
	defer srv.Close()
	acc := ids(t, call(t, "GET", srv.URL+"/accounts", "k", nil).body)
	if len(acc) != 1 {
		t.Fatalf("accounts %v", acc)
	}
	if got := ids(t, call(t, "GET", fmt.Sprintf("%s/accounts/%d/work-orders", srv.URL, acc[0]), "k", nil).body); len(got) != 25 {
		t.Errorf("GET /accounts/{id}/work-orders (no page_size documented): %d, want 25", len(got))
	}
	if got := ids(t, call(t, "GET", srv.URL+"/work-orders", "k", nil).body); len(got) != api.DefaultPageSize {
		t.Errorf("GET /work-orders: %d, want the default page of %d", len(got), api.DefaultPageSize)
	}
}

// Over the per-key quota, a call is a 429 naming the limit, logged as such.
func TestQuotaOverLoopback(t *testing.T) {
	tl, _ := world(t)
	srv := api.NewServer(tl, api.WithKey("k"), api.WithQuota(0, 2))
	defer srv.Close()
	for i := range 2 {
		if a := call(t, "GET", srv.URL+"/projects", "k", nil); a.status != 200 {
			t.Fatalf("call %d: %d %s", i+1, a.status, a.body)
		}
	}
	a := call(t, "GET", srv.URL+"/projects", "k", nil)
	if a.status != 429 || !strings.Contains(string(a.body), "2 requests a day") || a.header.Get("Retry-After") == "" {
		t.Fatalf("third call of a 2-a-day quota: %d Retry-After %q %s", a.status, a.header.Get("Retry-After"), a.body)
	}
	validate(t, "GET", "/projects", a)
	if c := srv.Calls(); c[2].Fault != "quota" {
		t.Errorf("call log: %+v", c[2])
	}
}

// A webhook sent after a newer one about its record finds the record as
// of the newest event sent, as Coperniq's API returns the current state,
// not as the late webhook announces it (what the README says).
func TestTransportLateWebhookSeesNewest(t *testing.T) {
	tl, events := world(t)
	first, last := -1, -1
	for i, e := range events {
		if !strings.HasPrefix(e.TriggerKey, "PROJECT_") {
			continue
		}
		if first < 0 {
			first = i
		} else if e.RecordID == events[first].RecordID && e.FiredAt.After(events[first].FiredAt) {
			last = i
		}
	}
	if first < 0 || last < 0 {
		t.Fatal("the world has no project with two events")
	}
	h, err := api.NewHandler(tl, api.WithKey("k"), api.WithQuota(0, 0), api.WithTime(tl.Start().Add(-time.Millisecond)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: h.Transport(roundTripper(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Body: http.NoBody, Header: http.Header{}}, nil
	}), events)}
	for _, i := range []int{last, first} { // the newer first
		resp, err := client.Post("http://receiver.invalid/hook", "application/json", strings.NewReader(string(events[i].Body)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	var newer, older payload
	decode(t, events[last].Body, &newer)
	decode(t, events[first].Body, &older)
	if newer.Record.UpdatedAt == older.Record.UpdatedAt {
		t.Fatalf("events %d and %d show the project alike: nothing to tell apart", events[first].EventID, events[last].EventID)
	}
	var got struct {
		UpdatedAt string `json:"updatedAt"`
	}
	decode(t, call(t, "GET", fmt.Sprintf("%s/projects/%d", srv.URL, events[first].RecordID), "k", nil).body, &got)
	if got.UpdatedAt != newer.Record.UpdatedAt {
		t.Errorf("after the late webhook the project's updatedAt is %s, want the newest sent's %s", got.UpdatedAt, newer.Record.UpdatedAt)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
