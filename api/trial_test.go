package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/api"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

// What a user's trial of the API mock found, each over loopback.

type apiError struct {
	Message string `json:"message"`
	Code    string `json:"code"`
	Field   string `json:"field"`
}

// projectAndWorkOrder is the first project the mock at url lists, and
// that project's first work order.
func projectAndWorkOrder(t *testing.T, url string) (pid, woid int64) {
	t.Helper()
	pid = ids(t, call(t, "GET", url+"/projects", "k", nil).body)[0]
	woid = ids(t, call(t, "GET", fmt.Sprintf("%s/projects/%d/work-orders", url, pid), "k", nil).body)[0]
	return pid, woid
}

// Notes come back newest first (list-work-order-notes: "sorted by
// creation date descending"), though the world clock stands still and
// all three share one createdAt.
func TestNotesNewestFirst(t *testing.T) {
	srv := unlimited(t, nil)
	pid, woid := projectAndWorkOrder(t, srv.URL)
	for _, c := range []struct{ name, path string }{
		{"work order (documented)", fmt.Sprintf("/work-orders/%d/notes", woid)},
		{"project (assumed, as the work order's)", fmt.Sprintf("/projects/%d/notes", pid)},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, text := range []string{"first", "second", "third"} {
				if a := call(t, "POST", srv.URL+c.path, "k", map[string]any{"body": text}); a.status != 201 {
					t.Fatalf("POST %s: %d %s", text, a.status, a.body)
				}
			}
			var got struct {
				Notes []struct {
					ID   int64  `json:"id"`
					Note string `json:"note"`
				} `json:"notes"`
			}
			decode(t, call(t, "GET", srv.URL+c.path, "k", nil).body, &got)
			var texts []string
			for _, n := range got.Notes {
				texts = append(texts, n.Note)
			}
			if want := []string{"third", "second", "first"}; !slices.Equal(texts, want) {
				t.Errorf("GET %s: %q, want %q", c.path, texts, want)
			}
		})
	}
}

// list-opportunities and list-accounts say "Sorting (`order_by`, default:
// desc)"; list-projects says no default beyond its parameter's asc.
func TestListDefaultOrder(t *testing.T) {
	tl := timelineOf(t, `steps:
  - createAccount: {name: a}
  - createAccount: {name: b}
  - createRequest: {name: r, account: a}
  - createRequest: {name: s, account: b}
  - createProject: {name: p, account: a}
  - createProject: {name: q, account: b}
`)
	srv := unlimited(t, tl)
	for _, c := range []struct {
		name, path string
		desc       bool
	}{
		{"projects: asc", "/projects", false},
		{"opportunities: desc", "/opportunities", true},
		{"accounts: desc", "/accounts", true},
		{"opportunity search: asc", "/opportunities/search?prop1=id&op1=gt&value1=0", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ids(t, call(t, "GET", srv.URL+c.path, "k", nil).body)
			if len(got) != 2 {
				t.Fatalf("%s: %v, want 2", c.path, got)
			}
			if desc := got[0] > got[1]; desc != c.desc {
				t.Errorf("%s: ids %v, want descending %v", c.path, got, c.desc)
			}
			sep := "?"
			if strings.Contains(c.path, "?") {
				sep = "&"
			}
			if asc := ids(t, call(t, "GET", srv.URL+c.path+sep+"order_by=asc", "k", nil).body); asc[0] > asc[1] {
				t.Errorf("%s order_by=asc: %v", c.path, asc)
			}
		})
	}
}

// timelineOf renders a scenario given as YAML with a timeline.
func timelineOf(t *testing.T, src string) *scenarios.Timeline {
	t.Helper()
	sc, err := scenarios.Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tl := scenarios.NewTimeline()
	if _, err := sc.Render(1, scenarios.WithTimeline(tl)); err != nil {
		t.Fatal(err)
	}
	return tl
}

// A bad write body is a 400 naming the field and what is wanted.
func TestBadBodiesNameTheField(t *testing.T) {
	srv := unlimited(t, nil)
	pid, woid := projectAndWorkOrder(t, srv.URL)
	project := fmt.Sprintf("/projects/%d", pid)
	notes := project + "/notes"
	wo := fmt.Sprintf("/projects/%d/work-orders/%d", pid, woid)
	for _, c := range []struct {
		name, method, path string
		body               any
		field              string
		says               []string
	}{
		{"wrong type", "PATCH", project, map[string]any{"value": "lots"}, "value", []string{"value", "want number", "got string"}},
		{"nested wrong type", "PATCH", project, map[string]any{"trades": []any{"Solar", 7}}, "trades.1", []string{"trades.1", "want string"}},
		{"not in the enum", "PATCH", project, map[string]any{"status": "DONE"}, "status", []string{"ACTIVE", "ON_HOLD"}},
		{"required missing", "POST", notes, map[string]any{}, "body", []string{"body", "required"}},
		{"required missing beside others", "POST", notes, map[string]any{"note": "x", "extra": 1}, "body", []string{"body", "required"}},
		{"email format", "PATCH", project, map[string]any{"primaryEmail": "not-an-email"}, "primaryEmail", []string{"primaryEmail", "email"}},
		{"date-time format", "PATCH", wo, map[string]any{"startDate": "tomorrow"}, "startDate", []string{"startDate", "date-time"}},
		{"unknown field", "PATCH", project, map[string]any{"stauts": "ACTIVE"}, "stauts", []string{"stauts", "status"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := call(t, c.method, srv.URL+c.path, "k", c.body)
			var e apiError
			decode(t, a.body, &e)
			if a.status != 400 || e.Field != c.field {
				t.Fatalf("%d %s, want 400 with field %q", a.status, a.body, c.field)
			}
			for _, s := range c.says {
				if !strings.Contains(e.Message, s) {
					t.Errorf("message %q does not say %q", e.Message, s)
				}
			}
			if strings.Contains(e.Message, "validation failed") {
				t.Errorf("message %q says only that validation failed", e.Message)
			}
		})
	}
	// A good email still goes through.
	if a := call(t, "PATCH", srv.URL+project, "k", map[string]any{"primaryEmail": "ann@example.com"}); a.status != 200 {
		t.Errorf("a valid email: %d %s", a.status, a.body)
	}
}

// A 429 over the quota says whose limit it is; an invented error code is
// labelled as the mock's.
func TestQuotaMessageSaysWhoseLimit(t *testing.T) {
	tl, _ := world(t)
	srv := api.NewServer(tl, api.WithKey("k"), api.WithQuota(0, 1))
	defer srv.Close()
	call(t, "GET", srv.URL+"/projects", "k", nil)
	a := call(t, "GET", srv.URL+"/projects", "k", nil)
	var e apiError
	decode(t, a.body, &e)
	if a.status != 429 || strings.Contains(e.Message, "Coperniq allows") || !strings.Contains(e.Message, "1 requests a day") || !strings.Contains(e.Message, "limit the mock was given") {
		t.Errorf("over a 1-a-day quota: %d %s", a.status, a.body)
	}
	if e.Code != "TOO_MANY_REQUESTS" || !strings.Contains(e.Message, "code TOO_MANY_REQUESTS is the mock's") {
		t.Errorf("list-projects documents no 429, so its code is the mock's, and says so: %s", a.body)
	}
}

// A known path called with a method it does not have is a 405 with Allow;
// the aliases the document says "will continue to work" do.
func TestMethodsAndAliases(t *testing.T) {
	srv := unlimited(t, nil)
	pid := ids(t, call(t, "GET", srv.URL+"/projects", "k", nil).body)[0]
	oid := ids(t, call(t, "GET", srv.URL+"/opportunities", "k", nil).body)[0]
	aid := ids(t, call(t, "GET", srv.URL+"/accounts", "k", nil).body)[0]
	for _, c := range []struct {
		name, method, path string
		status             int
		allow              string
		op                 string
	}{
		{"PUT on a project", "PUT", fmt.Sprintf("/projects/%d", pid), 405, "DELETE, GET, PATCH", ""},
		{"POST on the work-order list", "POST", "/work-orders", 405, "GET", ""},
		{"under /v1", "PUT", fmt.Sprintf("/v1/projects/%d", pid), 405, "DELETE, GET, PATCH", ""},
		{"unknown path stays 404", "GET", "/widgets", 404, "", ""},
		{"project comments", "GET", fmt.Sprintf("/projects/%d/comments", pid), 200, "", "list-project-notes"},
		{"request comments", "GET", fmt.Sprintf("/requests/%d/comments", oid), 200, "", "list-opportunity-notes"},
		{"client comments", "GET", fmt.Sprintf("/clients/%d/comments", aid), 200, "", "list-account-notes"},
		{"requests", "GET", fmt.Sprintf("/requests/%d", oid), 200, "", "get-opportunity"},
		{"clients", "GET", "/v1/clients", 200, "", "list-accounts"},
		{"legacy comment update", "PATCH", fmt.Sprintf("/projects/%d/comments/5", pid), 501, "", "update-note"},
		// Documented for PATCH only: another method is a 405 naming it.
		{"legacy comment read", "GET", fmt.Sprintf("/projects/%d/comments/5", pid), 405, "PATCH", ""},
		{"legacy comment delete", "DELETE", fmt.Sprintf("/requests/%d/comments/5", oid), 405, "PATCH", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := call(t, c.method, srv.URL+c.path, "k", nil)
			if a.status != c.status || a.header.Get("Allow") != c.allow {
				t.Fatalf("%s %s: %d Allow %q %s, want %d Allow %q", c.method, c.path, a.status, a.header.Get("Allow"), a.body, c.status, c.allow)
			}
			var e apiError
			if a.status >= 400 {
				decode(t, a.body, &e)
				if e.Message == "" || e.Code == "" {
					t.Errorf("not the error shape: %s", a.body)
				}
			}
			calls := srv.Calls()
			last := calls[len(calls)-1]
			if last.Operation != c.op || last.Auth != "ok" || last.Status != c.status {
				t.Errorf("logged %+v, want operation %q, auth ok, status %d", last, c.op, c.status)
			}
		})
	}
}

// A query parameter the operation does not document is a 400 naming it;
// a comparison with a value that is neither a number nor a date-time is
// a 400 ("Numeric/datetime comparisons"); the unknown-property error
// lists the documented name.
func TestQueryParametersChecked(t *testing.T) {
	srv := unlimited(t, nil)
	woid := ids(t, call(t, "GET", srv.URL+"/work-orders", "k", nil).body)[0]
	pid := ids(t, call(t, "GET", srv.URL+"/projects", "k", nil).body)[0]
	for _, c := range []struct {
		name, path string
		status     int
		field      string
		says       []string
	}{
		{"undocumented on a list", "/work-orders?status=WORKING", 400, "status", []string{"status", "page_size"}},
		{"undocumented on a get", fmt.Sprintf("/work-orders/%d?expand=all", woid), 400, "expand", []string{"expand"}},
		{"undocumented on calls", fmt.Sprintf("/projects/%d/calls?page=2", pid), 400, "page", []string{"page"}},
		{"documented passes", "/work-orders?order_by=desc&page_size=5", 200, "", nil},
		{"gt with text", "/projects/search?prop1=value&op1=gt&value1=abc", 400, "value1", []string{"abc", "number", "date-time"}},
		{"between with text", "/projects/search?prop1=value&op1=between&value1=a,b", 400, "value1", []string{"number"}},
		{"gt with a number", "/projects/search?prop1=value&op1=gt&value1=0", 200, "", nil},
		{"lt with a date", "/projects/search?prop1=createdAt&op1=lt&value1=2030-01-01", 200, "", nil},
		{"fields list name", "/projects/search?prop1=colour&op1=eq&value1=red", 400, "prop1", []string{"name", "type"}},
		{"name works", "/projects/search?prop1=name&op1=contains&value1=a", 200, "", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := call(t, "GET", srv.URL+c.path, "k", nil)
			if a.status != c.status {
				t.Fatalf("%d %s, want %d", a.status, a.body, c.status)
			}
			if c.status == 200 {
				return
			}
			var e apiError
			decode(t, a.body, &e)
			if e.Field != c.field {
				t.Errorf("field %q, want %q: %s", e.Field, c.field, a.body)
			}
			for _, s := range c.says {
				if !strings.Contains(e.Message, s) {
					t.Errorf("message %q does not say %q", e.Message, s)
				}
			}
		})
	}
}
