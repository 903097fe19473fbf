package scenarios

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// mutateAll applies f to every payload about record id.
func mutateAll(t *testing.T, bodies [][]byte, id float64, f func(m map[string]any)) [][]byte {
	t.Helper()
	out := bodies
	for i, b := range bodies {
		if r, ok := decoded(t, b)["record"].(map[string]any); ok && r["id"] == id {
			out = mutate(t, out, i, f)
		}
	}
	return out
}

// A won request and the project it becomes tell one story (title, city,
// deal value, trades handed on; the project after the win), checked over
// many seeds of the scenarios that convert requests.
func TestWonRequestNumberStory(t *testing.T) {
	type rec struct {
		ID, UID                   int64
		Type, Title               string
		City, State, PrimaryEmail *string
		PrimaryPhone              *string
		DealValue                 *float64
		Trades                    []string
		CreatedAt                 time.Time
	}
	checked := 0
	for _, name := range []string{"request-won", "concurrent-projects"} {
		seeds := uint64(40)
		if name == "concurrent-projects" {
			seeds = 4
		}
		for seed := uint64(1); seed <= seeds; seed++ {
			bodies := rendered(t, name, seed)
			if errs := CheckSequence(bodies); errs != nil {
				t.Fatalf("%s seed %d: %v", name, seed, errs)
			}
			// Independently of CheckSequence: the request as last seen and
			// as won, and the project created at its title.
			last := map[int64]rec{}
			wonAt := map[string]time.Time{}
			for _, b := range bodies {
				var p struct {
					Event struct {
						TriggerKey string
						FiredAt    time.Time
					}
					Record *struct {
						rec
						RequestStatus *string
					}
				}
				if err := json.Unmarshal(b, &p); err != nil || p.Record == nil {
					continue
				}
				r := p.Record.rec
				if r.Type == "DEAL" && p.Record.RequestStatus != nil && *p.Record.RequestStatus == "WON" {
					if _, ok := wonAt[r.Title]; !ok {
						wonAt[r.Title] = p.Event.FiredAt
					}
				}
				if p.Event.TriggerKey == "PROJECT_CREATED" {
					for _, req := range last {
						if req.Type != "DEAL" || req.Title != r.Title {
							continue
						}
						checked++
						switch {
						case r.ID <= req.ID:
							t.Errorf("%s seed %d: project %d, id not after request %d's", name, seed, r.ID, req.ID)
						case r.CreatedAt.Before(wonAt[r.Title]):
							t.Errorf("%s seed %d: project %d created before the win", name, seed, r.ID)
						case req.DealValue != nil && (r.DealValue == nil || *r.DealValue != *req.DealValue):
							t.Errorf("%s seed %d: project %d's dealValue %v, request's %v", name, seed, r.ID, r.DealValue, *req.DealValue)
						case req.Trades != nil && !slices.Equal(req.Trades, r.Trades):
							t.Errorf("%s seed %d: trades %v, request's %v", name, seed, r.Trades, req.Trades)
						case req.City != nil && (r.City == nil || *r.City != *req.City):
							t.Errorf("%s seed %d: project in another city", name, seed)
						}
					}
				}
				last[r.ID] = r
			}
		}
	}
	if checked < 40 {
		t.Errorf("only %d conversions checked", checked)
	}

	// Each part of the story is checked by CheckSequence: break one, it
	// says so.
	won := rendered(t, "request-won", 3)
	created := find(t, won, "PROJECT_CREATED", 0, nil)
	project := obj(decoded(t, won[created]), "record")["id"].(float64)
	request := obj(decoded(t, won[0]), "record")["id"].(float64)
	call := find(t, won, "CALL_UPSERTED", 0, nil)
	lastID := obj(decoded(t, won[len(won)-1]), "event")["eventId"].(float64)
	lastFired := obj(decoded(t, won[len(won)-1]), "event")["firedAt"].(string)
	cases := []brokenSequence{
		{"another dealValue", mutateAll(t, won, project, func(m map[string]any) { obj(m, "record")["dealValue"] = 1234.0 }),
			"a won request hands its dealValue on"},
		{"another phone", mutateAll(t, won, project, func(m map[string]any) { obj(m, "record")["primaryPhone"] = "+15125550199" }),
			"a won request hands its primaryPhone on"},
		{"another state", mutateAll(t, won, project, func(m map[string]any) { obj(m, "record")["state"] = "TX" }),
			"a won request hands its state on"},
		{"an older id", mutateAll(t, won, project, func(m map[string]any) {
			obj(m, "record")["id"] = request - 1
			obj(m, "event")["recordId"] = request - 1
			if wo, ok := m["workOrder"].(map[string]any); ok {
				wo["recordId"] = request - 1
			}
		}), "ids grow in creation order"},
		{"created before the win", mutateAll(t, won, project, func(m map[string]any) {
			obj(m, "record")["createdAt"] = obj(decoded(t, won[0]), "record")["createdAt"]
		}), "before its request"},
		{"the request after its project", mutate(t, won, call, func(m map[string]any) {
			obj(m, "event")["eventId"] = lastID + 1
			obj(m, "event")["firedAt"] = lastFired
		}), "a request's story ends there"},
	}
	wantCaught(t, cases)
}

// The world refuses a step on a request that became a project, where the
// file says it.
func TestConvertedRequestEndsItsStory(t *testing.T) {
	_, err := Parse("after.yaml", []byte(`steps:
  - createRequest: {name: lead, trades: [Solar]}
  - moveRequest: {request: lead, to: WON}
  - createProject: {name: home, from: lead}
  - logCall: {request: lead}
`))
	if err == nil || !strings.Contains(err.Error(), "after.yaml:5:5: logCall: request lead became project home") {
		t.Errorf("got %v", err)
	}
}
