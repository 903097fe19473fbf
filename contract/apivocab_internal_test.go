package contract

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// TestAPIMockInTheVocabulary: with a team's vocabulary, the worlds verify's
// API mock serves are played in it, as the rest of the run's webhooks are,
// and a write's work-order status is checked against its statuses: the
// team's working state ON_SITE is taken, the built-in WORKING it lacks is
// refused.
func TestAPIMockInTheVocabulary(t *testing.T) {
	v, err := schemas.ParseVocabulary("team.yaml", []byte("workOrderStatuses: [QUEUED, ASSIGNED, SCHEDULED, ON_SITE, WAITING, REVIEW, COMPLETED, CANCELLED]\nworkingStatus: ON_SITE\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, addr := startAPIMock(t, "work-order-lifecycle", v)
	do := func(method, path, body string) (int, []byte) {
		req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
		req.Header.Set("x-api-key", "k")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	_, b := do("GET", "/work-orders", "")
	var wos []struct {
		ID      int64 `json:"id"`
		Project struct {
			ID int64 `json:"id"`
		} `json:"project"`
	}
	if err := json.Unmarshal(b, &wos); err != nil || len(wos) == 0 {
		t.Fatalf("GET /work-orders: %s", b)
	}
	path := fmt.Sprintf("/projects/%d/work-orders/%d", wos[0].Project.ID, wos[0].ID)
	for _, c := range []struct {
		status string
		code   int
	}{{"ON_SITE", 200}, {"WORKING", 400}} {
		if code, b := do("PATCH", path, fmt.Sprintf(`{"status":%q}`, c.status)); code != c.code {
			t.Errorf("PATCH status %s: %d %s, want %d", c.status, code, b, c.code)
		}
	}
	// The world the API specs deliver is in the team's names.
	working := false
	for _, e := range a.worlds[0].all {
		working = working || strings.Contains(string(e.Body), `"status":"ON_SITE"`)
	}
	if !working {
		t.Error("no event of the API specs' world carries the team's working state ON_SITE")
	}
}
