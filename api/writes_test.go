package api_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/api"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// workOrderSeen is what a receiver reads back of a work order it wrote.
type workOrderSeen struct {
	Title       string  `json:"title"`
	Description *string `json:"description"`
	Priority    *int64  `json:"priority"`
	IsCompleted bool    `json:"isCompleted"`
	Status      struct {
		ID    string `json:"id"`
		Label string `json:"label"`
	} `json:"status"`
}

// A receiver written to update-project-work-order's document passes: every
// field WorkOrderUpdate lists is taken ("Updatable fields: title,
// description, priority ..."), the status as the label the document says it
// is (and as its id, assumed), and later GETs show the write.
func TestWorkOrderPatchTakesWhatTheDocumentLists(t *testing.T) {
	srv := unlimited(t, nil)
	pid, woid := projectAndWorkOrder(t, srv.URL)
	path := fmt.Sprintf("/projects/%d/work-orders/%d", pid, woid)
	for _, c := range []struct {
		name string
		body map[string]any
		want func(wo workOrderSeen) bool
	}{
		{"title", map[string]any{"title": "Site Survey (Sunward)"}, func(wo workOrderSeen) bool { return wo.Title == "Site Survey (Sunward)" }},
		{"priority and description", map[string]any{"priority": 3, "description": "x"}, func(wo workOrderSeen) bool {
			return wo.Priority != nil && *wo.Priority == 3 && wo.Description != nil && *wo.Description == "x"
		}},
		{"status as its label (documented)", map[string]any{"status": "In Progress"}, func(wo workOrderSeen) bool {
			return wo.Status.ID == "IN_PROGRESS" && wo.Status.Label == "In Progress" && !wo.IsCompleted
		}},
		{"status as its id (assumed)", map[string]any{"status": "REVIEW"}, func(wo workOrderSeen) bool {
			return wo.Status.ID == "REVIEW" && wo.Status.Label == "Review"
		}},
		{"completed by label", map[string]any{"status": "Completed"}, func(wo workOrderSeen) bool {
			return wo.Status.ID == "COMPLETED" && wo.IsCompleted
		}},
		{"dates and all-day flags", map[string]any{"startDate": "2026-05-01T15:00:00Z", "startDateAllDay": true, "endDate": "2026-05-01T17:00:00Z", "endDateAllDay": false}, func(workOrderSeen) bool { return true }},
		{"assignee and collaborators", map[string]any{"assigneeId": 13005, "collaborators": []int{13006}}, func(workOrderSeen) bool { return true }},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := call(t, "PATCH", srv.URL+path, "k", c.body)
			if a.status != 200 {
				t.Fatalf("PATCH %v: %d %s", c.body, a.status, a.body)
			}
			validate(t, "PATCH", "/projects/{projectId}/work-orders/{workOrderId}", a)
			var wo workOrderSeen
			decode(t, call(t, "GET", fmt.Sprintf("%s/work-orders/%d", srv.URL, woid), "k", nil).body, &wo)
			if !c.want(wo) {
				t.Errorf("after PATCH %v, GET shows %+v", c.body, wo)
			}
		})
	}
}

// A write the document does not allow is a 400 naming the field, its value
// and what is taken.
func TestWorkOrderPatchRefusals(t *testing.T) {
	srv := unlimited(t, nil)
	pid, woid := projectAndWorkOrder(t, srv.URL)
	path := fmt.Sprintf("/projects/%d/work-orders/%d", pid, woid)
	for _, c := range []struct {
		name, path string
		body       map[string]any
		status     int
		field      string
		says       []string
	}{
		{"unknown status", path, map[string]any{"status": "Finished"}, 400, "status", []string{`"Finished"`, "In Progress", "IN_PROGRESS", "label"}},
		{"status label in another case", path, map[string]any{"status": "in progress"}, 400, "status", []string{`"in progress"`, "In Progress"}},
		{"field WorkOrderUpdate lacks", path, map[string]any{"colour": "red"}, 400, "colour", []string{"colour", "title", "description", "priority"}},
		{"priority not an integer", path, map[string]any{"priority": 1.5}, 400, "priority", []string{"priority", "integer"}},
		{"work-order id not an integer", fmt.Sprintf("/projects/%d/work-orders/abc", pid), map[string]any{"title": "x"}, 400, "workOrderId", []string{`"abc"`, "integer"}},
		{"project id not an integer", fmt.Sprintf("/projects/x1/work-orders/%d", woid), map[string]any{"title": "x"}, 400, "projectId", []string{`"x1"`, "integer"}},
		{"work order that does not exist", fmt.Sprintf("/projects/%d/work-orders/999999", pid), map[string]any{"title": "x"}, 404, "", []string{"work order 999999"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := call(t, "PATCH", srv.URL+c.path, "k", c.body)
			var e apiError
			decode(t, a.body, &e)
			if a.status != c.status || e.Field != c.field {
				t.Fatalf("%d %s, want %d with field %q", a.status, a.body, c.status, c.field)
			}
			for _, s := range c.says {
				if !strings.Contains(e.Message, s) {
					t.Errorf("message %q does not say %q", e.Message, s)
				}
			}
		})
	}
}

// teamVocabulary names the working state ON_SITE and has no WORKING.
func teamVocabulary(t *testing.T) *schemas.Vocabulary {
	t.Helper()
	v, err := schemas.ParseVocabulary("team.yaml", []byte("workOrderStatuses: [QUEUED, DISPATCHED, ON_SITE, COMPLETED, CANCELLED]\nworkingStatus: ON_SITE\n"))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// teamWorld is a world in the team's vocabulary: a work order moved to
// ON_SITE, which only that vocabulary has.
func teamWorld(t *testing.T, v *schemas.Vocabulary) *api.World {
	t.Helper()
	path := filepath.Join(t.TempDir(), "team-scenario.yaml")
	src := "name: team\nsteps:\n  - createProject: {name: home, workflow: solar}\n  - startPhase: {project: home}\n" +
		"  - createWorkOrder: {project: home, name: survey, title: Site Survey}\n  - moveWorkOrder: {workOrder: survey, to: ON_SITE}\n"
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := api.NewWorld(path, v, 1)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// With a team's vocabulary, a work order's status is one of its statuses
// (the ones its webhooks carry), by id or label; a built-in one it lacks is
// refused, and the refusal lists the team's.
func TestWorkOrderStatusInTheVocabulary(t *testing.T) {
	v := teamVocabulary(t)
	w := teamWorld(t, v)
	srv := api.NewServer(w.Timeline, api.WithKey("k"), api.WithQuota(0, 0), api.WithVocabulary(v))
	defer srv.Close()
	pid, woid := projectAndWorkOrder(t, srv.URL)
	var wo workOrderSeen
	decode(t, call(t, "GET", fmt.Sprintf("%s/work-orders/%d", srv.URL, woid), "k", nil).body, &wo)
	if wo.Status.ID != "ON_SITE" || wo.Status.Label != "On Site" {
		t.Fatalf("the world's work order: %+v, want ON_SITE", wo)
	}
	path := fmt.Sprintf("%s/projects/%d/work-orders/%d", srv.URL, pid, woid)
	for _, c := range []struct {
		name, status string
		code         int
		id           string
	}{
		{"the team's status by id", "DISPATCHED", 200, "DISPATCHED"},
		{"the team's status by label", "On Site", 200, "ON_SITE"},
		{"a built-in status the team lacks", "WORKING", 400, ""},
		{"a built-in label the team lacks", "In Progress", 400, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := call(t, "PATCH", path, "k", map[string]any{"status": c.status})
			if a.status != c.code {
				t.Fatalf("PATCH status %q: %d %s, want %d", c.status, a.status, a.body, c.code)
			}
			if c.code == 400 {
				var e apiError
				decode(t, a.body, &e)
				if e.Field != "status" || !strings.Contains(e.Message, "On Site") || !strings.Contains(e.Message, "DISPATCHED") || strings.Contains(e.Message, "WORKING,") {
					t.Errorf("refusal %s: want the team's statuses listed", a.body)
				}
				return
			}
			var wo workOrderSeen
			decode(t, call(t, "GET", fmt.Sprintf("%s/work-orders/%d", srv.URL, woid), "k", nil).body, &wo)
			if wo.Status.ID != c.id {
				t.Errorf("after PATCH %q, GET shows %+v", c.status, wo.Status)
			}
		})
	}
}

// A reply to a note that does not exist is a 400 naming replyToId
// (assumed); a note on an unknown work order is a 404 saying so, its
// document's code (RATE_LIMIT_EXCEEDED) kept but said not to mean a rate
// limit; a work-order id the document types as a string is no type error.
func TestNoteRefusals(t *testing.T) {
	srv := unlimited(t, nil)
	pid, woid := projectAndWorkOrder(t, srv.URL)
	projectNotes := fmt.Sprintf("/projects/%d/notes", pid)
	a := call(t, "POST", srv.URL+projectNotes, "k", map[string]any{"body": "parent"})
	var parent struct {
		ID int64 `json:"id"`
	}
	decode(t, a.body, &parent)
	other := call(t, "POST", fmt.Sprintf("%s/work-orders/%d/notes", srv.URL, woid), "k", map[string]any{"body": "elsewhere"})
	var elsewhere struct {
		ID int64 `json:"id"`
	}
	decode(t, other.body, &elsewhere)
	for _, c := range []struct {
		name, path string
		body       map[string]any
		status     int
		code       string
		field      string
		says       []string
	}{
		{"reply to a note", projectNotes, map[string]any{"body": "reply", "replyToId": parent.ID}, 201, "", "", nil},
		{"reply to no note", projectNotes, map[string]any{"body": "reply", "replyToId": 999999}, 400, "NOT_FOUND", "replyToId", []string{"999999", "no note", "assumption"}},
		// An integer to the document's schema, and so to the mock.
		{"reply to no note, its id written 999999.0", projectNotes, map[string]any{"body": "reply", "replyToId": json.RawMessage("999999.0")}, 400, "NOT_FOUND", "replyToId", []string{"999999", "no note"}},
		{"reply to another record's note", projectNotes, map[string]any{"body": "reply", "replyToId": elsewhere.ID}, 400, "NOT_FOUND", "replyToId", []string{fmt.Sprint(elsewhere.ID), "assumption"}},
		{"note on no work order", "/work-orders/999999/notes", map[string]any{"body": "x"}, 404, "RATE_LIMIT_EXCEEDED", "", []string{"work order 999999 not found", "not a rate limit"}},
		{"note on a work order named by text", "/work-orders/abc/notes", map[string]any{"body": "x"}, 404, "RATE_LIMIT_EXCEEDED", "", []string{`"abc"`, "not a rate limit"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := call(t, "POST", srv.URL+c.path, "k", c.body)
			if a.status != c.status {
				t.Fatalf("%d %s, want %d", a.status, a.body, c.status)
			}
			if c.status == 201 {
				return
			}
			var e apiError
			decode(t, a.body, &e)
			if e.Code != c.code || e.Field != c.field {
				t.Errorf("%s: want code %s, field %q", a.body, c.code, c.field)
			}
			for _, s := range c.says {
				if !strings.Contains(e.Message, s) {
					t.Errorf("message %q does not say %q", e.Message, s)
				}
			}
		})
	}
}

// The summary splits each operation's calls by status, so that refused
// writes show.
func TestSummarySplitsByStatus(t *testing.T) {
	calls := []api.Call{
		{Method: "GET", Path: "/projects/1", Operation: "get-project", Status: 200},
		{Method: "GET", Path: "/projects/1", Operation: "get-project", Status: 429, Fault: "429"},
		{Method: "GET", Path: "/projects/1", Operation: "get-project", Status: 200},
	}
	for range 8 {
		calls = append(calls, api.Call{Method: "PATCH", Path: "/projects/1/work-orders/2", Operation: "update-project-work-order", Status: 400})
	}
	for _, c := range []struct {
		name, want string
	}{
		{"headline", "API: 11 calls, 2 answered 2xx, 1 faults injected, 0 refused for the key, 8 other errors (400 ×8)\n"},
		{"reads", "  get-project                              3 (200 ×2, 429 ×1)\n"},
		{"refused writes", "  update-project-work-order                8 (400 ×8)\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if s := api.Summary(calls); !strings.Contains(s, c.want) {
				t.Errorf("no %q in:\n%s", c.want, s)
			}
		})
	}
}

// A team whose completed status is not COMPLETED (completedStatus: DONE):
// a work order moved to DONE is completed in the mock's answers, one moved
// to a status merely named COMPLETED elsewhere is not.
func TestWorkOrderCompletedInTheVocabulary(t *testing.T) {
	v, err := schemas.ParseVocabulary("team.yaml", []byte("workOrderStatuses: [QUEUED, DISPATCHED, ON_SITE, DONE, CANCELLED]\nworkingStatus: ON_SITE\ncompletedStatus: DONE\n"))
	if err != nil {
		t.Fatal(err)
	}
	w := teamWorld(t, v)
	srv := api.NewServer(w.Timeline, api.WithKey("k"), api.WithQuota(0, 0), api.WithVocabulary(v))
	defer srv.Close()
	pid, woid := projectAndWorkOrder(t, srv.URL)
	path := fmt.Sprintf("%s/projects/%d/work-orders/%d", srv.URL, pid, woid)
	for _, c := range []struct {
		status    string
		completed bool
	}{{"DONE", true}, {"DISPATCHED", false}} {
		if a := call(t, "PATCH", path, "k", map[string]any{"status": c.status}); a.status != 200 {
			t.Fatalf("PATCH status %s: %d %s", c.status, a.status, a.body)
		}
		var wo workOrderSeen
		decode(t, call(t, "GET", fmt.Sprintf("%s/work-orders/%d", srv.URL, woid), "k", nil).body, &wo)
		if wo.IsCompleted != c.completed {
			t.Errorf("after PATCH %s, isCompleted %v, want %v", c.status, wo.IsCompleted, c.completed)
		}
	}
}
