package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/api"
)

// teamFiles writes a team's vocabulary (its working state ON_SITE, no
// WORKING) and a scenario in it, and returns their paths.
func teamFiles(t *testing.T) (vocab, scenario string) {
	t.Helper()
	dir := t.TempDir()
	vocab, scenario = filepath.Join(dir, "team.yaml"), filepath.Join(dir, "team-scenario.yaml")
	files := map[string]string{
		vocab: "workOrderStatuses: [QUEUED, DISPATCHED, ON_SITE, COMPLETED, CANCELLED]\nworkingStatus: ON_SITE\n",
		scenario: "name: team\nsteps:\n  - createProject: {name: home, workflow: solar}\n  - startPhase: {project: home}\n" +
			"  - createWorkOrder: {project: home, name: survey, title: Site Survey}\n  - moveWorkOrder: {workOrder: survey, to: ON_SITE}\n",
	}
	for path, src := range files {
		if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return vocab, scenario
}

// patch sends a work order's status to the API at base, with the default key.
func patch(t *testing.T, url, status string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("PATCH", url, strings.NewReader(fmt.Sprintf(`{"status":%q}`, status)))
	req.Header.Set("x-api-key", api.DefaultKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// 'api --vocabulary' serves a world played in the team's vocabulary (a
// scenario in its names loads) and checks writes against its statuses.
func TestAPICommandVocabulary(t *testing.T) {
	vocab, scenario := teamFiles(t)
	base, p := runAPI(t, scenario, "--vocabulary", vocab)
	_, body := get(t, base+"/work-orders", api.DefaultKey)
	var wos []struct {
		ID      int64 `json:"id"`
		Project struct {
			ID int64 `json:"id"`
		} `json:"project"`
		Status struct{ ID string } `json:"status"`
	}
	if err := json.Unmarshal(body, &wos); err != nil || len(wos) != 1 || wos[0].Status.ID != "ON_SITE" {
		t.Fatalf("GET /work-orders: %s", body)
	}
	url := fmt.Sprintf("%s/projects/%d/work-orders/%d", base, wos[0].Project.ID, wos[0].ID)
	for _, c := range []struct {
		name, status string
		code         int
	}{
		{"the team's status", "DISPATCHED", 200},
		{"the team's label", "On Site", 200},
		{"a built-in status the team lacks", "WORKING", 400},
	} {
		t.Run(c.name, func(t *testing.T) {
			if code, body := patch(t, url, c.status); code != c.code {
				t.Errorf("PATCH status %q: %d %s, want %d", c.status, code, body, c.code)
			}
		})
	}
	out, code := p.stop(t, os.Interrupt)
	if code != 0 || !strings.Contains(out, "update-project-work-order                3 (200 ×2, 400 ×1)") {
		t.Errorf("after Ctrl-C: exit %d, %s", code, out)
	}
}

// 'scenario run --vocabulary --api': the mock checks a receiver's writes
// against the vocabulary its webhooks carry, and the summary counts each
// operation's calls by status.
func TestScenarioRunAPIVocabulary(t *testing.T) {
	vocab, scenario := teamFiles(t)
	apiAddr := closedPort(t)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p struct {
			Record    struct{ ID int64 }
			WorkOrder *struct {
				ID     int64
				Status string
			}
		}
		b, _ := io.ReadAll(r.Body)
		if json.Unmarshal(b, &p) == nil && p.WorkOrder != nil {
			// Write back the status the webhook announced.
			url := fmt.Sprintf("http://%s/projects/%d/work-orders/%d", apiAddr, p.Record.ID, p.WorkOrder.ID)
			req, _ := http.NewRequest("PATCH", url, bytes.NewReader([]byte(fmt.Sprintf(`{"status":%q}`, p.WorkOrder.Status))))
			req.Header.Set("x-api-key", api.DefaultKey)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}
	}))
	defer receiver.Close()
	r := cli(t, "", "scenario", "run", scenario, "--vocabulary", vocab, "--to", receiver.URL, "--retry", "none", "--concurrency", "1", "--api", apiAddr).want(t, 0)
	if !strings.Contains(r.stdout, "update-project-work-order                2 (200 ×2)") {
		t.Errorf("the receiver wrote back QUEUED and ON_SITE, its webhooks' statuses; stdout:\n%s", r.stdout)
	}
}
