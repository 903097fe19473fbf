package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/api"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// world renders testdata/everything.yaml with a timeline.
func world(t testing.TB) (*scenarios.Timeline, []scenarios.Rendered) {
	t.Helper()
	src, err := os.ReadFile("testdata/everything.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenarios.Parse("everything.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	tl := scenarios.NewTimeline()
	events, err := sc.Render(3, scenarios.WithTimeline(tl))
	if err != nil {
		t.Fatal(err)
	}
	return tl, events
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

// unlimited serves tl (nil: world's) with the key "k" and no quota,
// closed with the test.
func unlimited(t testing.TB, tl *scenarios.Timeline) *api.Server {
	t.Helper()
	if tl == nil {
		tl, _ = world(t)
	}
	srv := api.NewServer(tl, api.WithKey("k"), api.WithQuota(0, 0))
	t.Cleanup(func() { srv.Close() })
	return srv
}

func call(t testing.TB, method, url, key string, body any) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("x-api-key", key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

// validate checks an answer against the schema the document gives
// (method, documented path, status).
func validate(t testing.TB, method, path string, a answer) {
	t.Helper()
	sch, err := api.ResponseSchema(method, path, a.status)
	if err != nil {
		t.Fatal(err)
	}
	if sch == nil {
		// Some operations document no 401 or 404: the answer is then the
		// error shape every operation shares.
		var e struct {
			Message string `json:"message"`
			Code    string `json:"code"`
		}
		if a.status/100 == 2 || json.Unmarshal(a.body, &e) != nil || e.Message == "" || e.Code == "" {
			t.Errorf("%s %s answered %d, a status the document does not give it, with %s", method, path, a.status, a.body)
		}
		return
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(a.body))
	if err != nil {
		t.Errorf("%s %s: the body is not JSON: %v: %s", method, path, err, a.body)
		return
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s %s (%d) does not match the document's schema: %v\nbody: %s", method, path, a.status, err, a.body)
	}
}

func ids(t testing.TB, b []byte) []int64 {
	t.Helper()
	var arr []struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(b, &arr); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	out := make([]int64, len(arr))
	for i, x := range arr {
		out[i] = x.ID
	}
	return out
}

// Every implemented operation is called with real ids from the world, and
// every answer (200, 201, 400, 401, 404) is checked against the schema
// the document gives it.
func TestResponsesMatchDocument(t *testing.T) {
	srv := unlimited(t, nil)
	get := func(path string) answer { return call(t, "GET", srv.URL+path, "k", nil) }

	projects := ids(t, get("/projects").body)
	opps := ids(t, get("/opportunities").body)
	accounts := ids(t, get("/accounts").body)
	wos := ids(t, get("/work-orders").body)
	if len(projects) != 1 || len(opps) != 1 || len(accounts) != 1 || len(wos) != 3 {
		t.Fatalf("the world has %d projects, %d opportunities, %d accounts, %d work orders; want 1, 1, 1, 3", len(projects), len(opps), len(accounts), len(wos))
	}
	var appts struct {
		Appointments []struct {
			ID int64 `json:"id"`
		} `json:"appointments"`
	}
	json.Unmarshal(get(fmt.Sprintf("/opportunities/%d/appointments", opps[0])).body, &appts)
	if len(appts.Appointments) != 1 {
		t.Fatalf("opportunity %d has %d appointments, want 1", opps[0], len(appts.Appointments))
	}
	projWOs := ids(t, get(fmt.Sprintf("/projects/%d/work-orders", projects[0])).body)
	if len(projWOs) != 1 {
		t.Fatalf("project has %d work orders, want 1", len(projWOs))
	}
	sub := func(p string) string {
		return strings.NewReplacer("{projectId}", fmt.Sprint(projects[0]), "{opportunityId}", fmt.Sprint(opps[0]),
			"{accountId}", fmt.Sprint(accounts[0]), "{appointmentId}", fmt.Sprint(appts.Appointments[0].ID)).Replace(p)
	}
	woOf := map[string]int64{}
	for _, k := range []string{"projects", "opportunities", "accounts"} {
		id := map[string]int64{"projects": projects[0], "opportunities": opps[0], "accounts": accounts[0]}[k]
		w := ids(t, get(fmt.Sprintf("/%s/%d/work-orders", k, id)).body)
		if len(w) != 1 {
			t.Fatalf("%s %d has %d work orders, want 1", k, id, len(w))
		}
		woOf[k] = w[0]
	}
	bodies := map[string]any{
		"PATCH /projects/{projectId}":                                    map[string]any{"status": "ON_HOLD", "custom": map[string]any{"crm_id": "A-1"}},
		"PATCH /projects/{projectId}/work-orders/{workOrderId}":          map[string]any{"status": "COMPLETED", "priority": 1},
		"PATCH /opportunities/{opportunityId}/work-orders/{workOrderId}": map[string]any{"status": "REVIEW"},
		"PATCH /accounts/{accountId}/work-orders/{workOrderId}":          map[string]any{"assigneeId": 13001},
	}
	seen := 0
	for _, op := range api.Operations() {
		if !op.Implemented {
			continue
		}
		seen++
		path := sub(op.Path)
		switch {
		case strings.HasPrefix(op.Path, "/projects/{projectId}/work-orders/"):
			path = strings.Replace(path, "{workOrderId}", fmt.Sprint(woOf["projects"]), 1)
		case strings.HasPrefix(op.Path, "/opportunities/{opportunityId}/work-orders/"):
			path = strings.Replace(path, "{workOrderId}", fmt.Sprint(woOf["opportunities"]), 1)
		case strings.HasPrefix(op.Path, "/accounts/{accountId}/work-orders/"):
			path = strings.Replace(path, "{workOrderId}", fmt.Sprint(woOf["accounts"]), 1)
		default:
			path = strings.Replace(path, "{workOrderId}", fmt.Sprint(wos[0]), 1)
		}
		if strings.HasSuffix(op.Path, "/search") {
			path += "?prop1=id&op1=gt&value1=0"
		}
		var body any
		switch op.Method {
		case "PATCH":
			body = bodies[op.Method+" "+op.Path]
		case "POST":
			body = map[string]any{"body": "Called the homeowner"}
		}
		t.Run(op.ID, func(t *testing.T) {
			a := call(t, op.Method, srv.URL+path, "k", body)
			if a.status/100 != 2 {
				t.Fatalf("%s %s: %d %s", op.Method, path, a.status, a.body)
			}
			validate(t, op.Method, op.Path, a)
			if op.Method == "GET" && !strings.Contains(op.Path, "notes") && len(a.body) < 10 {
				t.Errorf("%s %s: an empty answer %s; the world has things there", op.Method, path, a.body)
			}
			// Without the key, and with a wrong one: the documented 401.
			for _, key := range []string{"", "wrong"} {
				a := call(t, op.Method, srv.URL+path, key, body)
				if a.status != 401 {
					t.Fatalf("key %q: %d %s, want 401", key, a.status, a.body)
				}
				validate(t, op.Method, op.Path, a)
			}
			// An id no record has: 404, where the path has one.
			if strings.Contains(op.Path, "}") && !strings.HasSuffix(op.Path, "/notes") || strings.HasPrefix(op.Path, "/work-orders/{") {
				bad := srv.URL + strings.Replace(path, fmt.Sprint(projects[0]), "7", 1)
				bad = strings.Replace(bad, fmt.Sprint(opps[0]), "7", 1)
				bad = strings.Replace(bad, fmt.Sprint(accounts[0]), "7", 1)
				bad = strings.Replace(bad, fmt.Sprint(appts.Appointments[0].ID), "7", 1)
				bad = strings.Replace(bad, fmt.Sprint(wos[0]), "7", 1)
				a := call(t, op.Method, bad, "k", body)
				if a.status != 404 {
					t.Fatalf("%s %s: %d %s, want 404", op.Method, bad, a.status, a.body)
				}
				if sch, _ := api.ResponseSchema(op.Method, op.Path, 404); sch != nil {
					validate(t, op.Method, op.Path, a)
				}
			}
		})
	}
	if seen < 25 {
		t.Fatalf("only %d operations implemented", seen)
	}
}
