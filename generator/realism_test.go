package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/coperniq-mock/coperniq-mock/schemas/schematest"
)

var (
	msTimestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	e164        = regexp.MustCompile(`^\+1(\d{3})55501\d\d$`)
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	if !msTimestamp.MatchString(s) {
		t.Fatalf("timestamp %q is not UTC with milliseconds", s)
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// nameParts are the lower-case name fragments an email may be built from.
var nameParts = func() []string {
	var out []string
	for _, n := range slices.Concat(firstNames, lastNames) {
		out = append(out, string(appendLowerAlnum(nil, n)))
	}
	return out
}()

func findPlace(city, state string) *Place {
	for i := range places {
		if places[i].City == city && places[i].State == state {
			return &places[i]
		}
	}
	return nil
}

// stagePhase maps every workflow's stage id to its phase type and template.
var stagePhase = func() map[int64]stageInfo {
	m := map[int64]stageInfo{}
	for _, wf := range []*workflow{solarWorkflow, roofingWorkflow, hvacWorkflow, electricalWorkflow, requestWorkflow} {
		for _, s := range wf.stages {
			m[s.id] = s
		}
	}
	return m
}()

func TestRealism(t *testing.T) {
	titleField := map[string]bool{}
	for _, tp := range woTemplates {
		titleField[tp.title] = tp.isField
	}
	for _, key := range schemas.TriggerKeys() {
		trig, _ := schemas.Lookup(key)
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			types := map[string]int{}
			dueAfter, dueTotal := 0, 0
			for seed := uint64(1); seed <= seedsPerCase; seed++ {
				g := New(seed)
				for range 2 {
					b, err := g.JSON(key)
					if err != nil {
						t.Fatal(err)
					}
					var d schematest.Payload
					if err := json.Unmarshal(b, &d); err != nil {
						t.Fatal(err)
					}
					fail := func(format string, args ...any) {
						t.Helper()
						t.Fatalf("seed %d: %s\n%s", seed, fmt.Sprintf(format, args...), b)
					}
					ev, rec := &d.Event, &d.Record
					types[rec.Type]++

					// Identity and catalog.
					if ev.TriggerName != trig.Name {
						fail("triggerName %q, catalog says %q", ev.TriggerName, trig.Name)
					}
					if !slices.Contains(trig.RecordTypes, rec.Type) {
						fail("record.type %s not in %v", rec.Type, trig.RecordTypes)
					}
					if ev.RecordID != rec.ID || rec.UID >= rec.ID || rec.ID < 10000 || rec.ID > 99999 {
						fail("record ids: event.recordId %d, id %d, uid %d", ev.RecordID, rec.ID, rec.UID)
					}
					if rec.OwnerID != nil && (*rec.OwnerID < 13000 || *rec.OwnerID > 13999) {
						fail("ownerId %d", *rec.OwnerID)
					}
					switch rec.Type {
					case "PROJECT":
						if rec.RequestStatus != nil || rec.Status == nil {
							fail("a project has a status and no requestStatus")
						}
					case "DEAL":
						if rec.RequestStatus == nil {
							fail("a deal has a requestStatus")
						}
					}

					// Place: city, state, ZIP, coordinates, jurisdiction, phone.
					if rec.City != nil {
						p := findPlace(*rec.City, *rec.State)
						if p == nil {
							fail("%s, %s is not in the gazetteer", *rec.City, *rec.State)
						}
						zip := (*rec.Address)[max(0, len(*rec.Address)-5):]
						if !slices.Contains(p.ZIPs, zip) {
							fail("address %q: ZIP %s is not one of %s's %v", *rec.Address, zip, p.City, p.ZIPs)
						}
						suffix := " " + p.City + " " + p.State + " " + zip
						if !strings.HasSuffix(*rec.Address, suffix) || !regexp.MustCompile(`^\d+ [A-Z][A-Za-z ]+ [A-Z][a-z]+$`).MatchString(strings.TrimSuffix(*rec.Address, suffix)) {
							fail("address %q is not 'number street suffix%s'", *rec.Address, suffix)
						}
						if rec.Type == "PROJECT" || rec.Type == "DEAL" {
							if rec.Title != *rec.Address {
								fail("title %q != address %q", rec.Title, *rec.Address)
							}
						}
						if gl := rec.GeoLocation; gl != nil && (math.Abs(gl.Lat-p.Lat) > 0.05 || math.Abs(gl.Lng-p.Lng) > 0.05) {
							fail("geoLocation %v is not near %s (%v, %v)", *gl, p.City, p.Lat, p.Lng)
						}
						if j := rec.Jurisdiction; j != nil && !strings.Contains(j.Name, p.City) && !strings.Contains(j.Name, p.County) {
							fail("jurisdiction %q is not named after %s or %s", j.Name, p.City, p.County)
						}
						if ph := rec.PrimaryPhone; ph != nil {
							m := e164.FindStringSubmatch(*ph)
							if m == nil || m[1] != p.AreaCode {
								fail("phone %q is not E.164 with %s's area code %s", *ph, p.City, p.AreaCode)
							}
						}
					}
					if em := rec.PrimaryEmail; em != nil {
						local, domain, ok := strings.Cut(*em, "@")
						if !ok || !strings.HasPrefix(domain, "example.") {
							fail("email %q", *em)
						}
						if rec.Type != "VENDOR" && !slices.ContainsFunc(nameParts, func(n string) bool { return len(n) > 1 && strings.Contains(local, n) }) {
							fail("email %q contains no name", *em)
						}
					}
					if v := rec.DealValue; v != nil && (*v < 1000 || *v > 150000) {
						fail("dealValue %v implausible", *v)
					}
					if n := len(rec.Trades); rec.Trades != nil && (n < 1 || n > 3) {
						fail("trades %v", rec.Trades)
					}

					// Time.
					fired := mustTime(t, ev.FiredAt)
					created, updated := mustTime(t, rec.CreatedAt), mustTime(t, rec.UpdatedAt)
					if created.After(updated) || updated.After(fired) {
						fail("record.createdAt <= updatedAt <= firedAt broken")
					}
					if fired.Before(DefaultEpoch.Add(-3*day)) || fired.After(DefaultEpoch.Add(2*day)) {
						fail("firedAt %s is far from the epoch", ev.FiredAt)
					}
					if ev.OverdueAt != nil {
						if o := mustTime(t, *ev.OverdueAt); o.After(fired) || o.Before(created) {
							fail("overdueAt %s not between record creation and firedAt", *ev.OverdueAt)
						}
					}
					if ev.DueDate != nil {
						due := mustTime(t, *ev.DueDate)
						dueTotal++
						if due.After(fired) {
							dueAfter++
						}
						if ev.PreviousDueDate != nil && mustTime(t, *ev.PreviousDueDate).Equal(due) {
							fail("previousDueDate equals dueDate")
						}
					}

					// Phases.
					if ev.PhaseType != nil {
						want := "IN_PROGRESS"
						if strings.HasSuffix(key, "_COMPLETED") {
							want = "COMPLETED"
						}
						if *ev.Status != want {
							fail("phase status %s, want %s", *ev.Status, want)
						}
						if rec.Stage != nil {
							s := stagePhase[rec.Stage.ID]
							if s.phaseType != *ev.PhaseType || s.templateID != *ev.PhaseTemplateID || s.name != rec.Stage.Name {
								fail("phase %s/%d does not match stage %v", *ev.PhaseType, *ev.PhaseTemplateID, *rec.Stage)
							}
						}
					}

					// Work orders.
					w := d.WorkOrder
					if (w != nil) != trig.WorkOrder {
						fail("workOrder presence %v on %s", w != nil, key)
					}
					if w == nil {
						continue
					}
					if w.RecordID != rec.ID || *ev.WorkOrderID != w.ID || w.UID >= w.ID {
						fail("work order ids out of step")
					}
					if isField, ok := titleField[w.Title]; !ok || isField != w.IsField {
						fail("work order %q isField %v", w.Title, w.IsField)
					}
					if ev.CurrentStatus != nil && *ev.CurrentStatus != w.Status {
						fail("currentStatus %s != status %s", *ev.CurrentStatus, w.Status)
					}
					switch key {
					case "TASK_CREATED":
						if ev.PreviousStatus != nil || (w.Status != "QUEUED" && w.Status != "ASSIGNED") {
							fail("a created work order is QUEUED or ASSIGNED with no previous status")
						}
					case "TASK_COMPLETED":
						if w.Status != "COMPLETED" {
							fail("TASK_COMPLETED with status %s", w.Status)
						}
					case "TASK_STATUS_MOVEMENT":
						if ev.PreviousStatus == nil || *ev.PreviousStatus == w.Status {
							fail("previousStatus must differ from currentStatus")
						}
					}
					if !slices.Contains(schemas.WorkOrderStatuses, w.Status) {
						fail("status %s", w.Status)
					}
					wc, wm := mustTime(t, w.CreatedAt), mustTime(t, w.ModifiedAt)
					if wc.After(wm) || wm.After(fired) || wc.Before(created) {
						fail("work order times out of order")
					}
					if (w.StartDate == nil) != (w.EndDate == nil) {
						fail("startDate and endDate are set together")
					}
					if w.StartDate != nil && mustTime(t, *w.StartDate).After(mustTime(t, *w.EndDate)) {
						fail("startDate after endDate")
					}
					if (w.CompletionDate != nil) != (w.Status == "COMPLETED") {
						fail("completionDate set iff COMPLETED")
					}
					if w.CompletionDate != nil && mustTime(t, *w.CompletionDate).After(fired) {
						fail("completed after firedAt")
					}
				}
			}
			if dueTotal > 0 && dueAfter*10 < dueTotal*8 {
				t.Errorf("only %d of %d appointments are after firedAt", dueAfter, dueTotal)
			}
			if len(trig.RecordTypes) > 1 && len(types) < 2 {
				t.Errorf("record types %v: never other than the default", types)
			}
			if len(trig.RecordTypes) > 0 && types[trig.RecordTypes[0]]*2 < seedsPerCase*2 {
				t.Errorf("record types %v: the default %s is not the majority", types, trig.RecordTypes[0])
			}
		})
	}
}

func TestGazetteer(t *testing.T) {
	if len(places) < 150 {
		t.Errorf("gazetteer has %d places, want at least 150", len(places))
	}
	statesSeen := map[string]bool{}
	zipRE := regexp.MustCompile(`^\d{5}$`)
	for _, p := range places {
		statesSeen[p.State] = true
		if !zipRE.MatchString(p.ZIP) {
			t.Errorf("%s %s: ZIP %q", p.City, p.State, p.ZIP)
		}
		// Continental US, Alaska and Hawaii.
		if p.Lat < 18 || p.Lat > 72 || p.Lng < -170 || p.Lng > -66 {
			t.Errorf("%s %s: coordinates %v,%v outside the US", p.City, p.State, p.Lat, p.Lng)
		}
		if !slices.Contains(schemas.USStates, p.State) {
			t.Errorf("%s %s: the strict schema does not know state %s", p.City, p.State, p.State)
		}
		if !slices.Contains(StateAreaCodes(p.State), p.AreaCode) {
			t.Errorf("%s %s: area code %s is not one of the state's", p.City, p.State, p.AreaCode)
		}
		if p.cityJur.Name == "" && p.countyJur.Name == "" {
			t.Errorf("%s %s has no jurisdiction", p.City, p.State)
		}
	}
	if len(statesSeen) < 25 {
		t.Errorf("gazetteer covers %d states, want 25+", len(statesSeen))
	}
	for _, st := range []string{"CA", "TX", "AZ", "FL", "NV", "NC", "CO", "NJ", "MA", "NY", "UT", "GA"} {
		if len(stateByID[st].places) < 5 {
			t.Errorf("solar-heavy state %s has only %d places", st, len(stateByID[st].places))
		}
	}
	// Area codes are unique within a state and three digits.
	for _, s := range states {
		seen := map[string]bool{}
		for _, ac := range s.areaCodes {
			if len(ac) != 3 || ac[0] < '2' || seen[ac] {
				t.Errorf("%s: area code %q", s.code, ac)
			}
			seen[ac] = true
		}
	}
}

func TestTradesAndValues(t *testing.T) {
	g := New(5)
	solar, storageWithSolar, n := 0, 0, 2000
	for range n {
		p, _ := g.Payload("PROJECT_CREATED")
		r := p.Record
		if r.Trades == nil {
			continue
		}
		if slices.Contains(r.Trades, "Solar") {
			solar++
			if slices.Contains(r.Trades, "Storage") {
				storageWithSolar++
			}
		}
		if !r.DealValue.Valid {
			continue
		}
		lo, hi := 0, 0
		for _, tr := range r.Trades {
			lo += tradeValue[tr][0]
			hi += tradeValue[tr][1]
		}
		if v := r.DealValue.V; v < float64(lo)-100 || v > float64(hi)+100 {
			t.Errorf("trades %v: dealValue %v outside %d..%d", r.Trades, v, lo, hi)
		}
	}
	if solar*2 < n || storageWithSolar*4 < solar {
		t.Errorf("Solar in %d of %d records, with Storage in %d: Solar should dominate, often with Storage", solar, n, storageWithSolar)
	}
}

// The realism rules (payloads a receiver's developer would believe came
// from a real contractor) that single payloads show, over many seeds:
// nobody is assigned to a QUEUED work order; an SLA violation fires minutes
// to hours after overdueAt; one generator names the working state one way;
// an address never comes without its city and state; vendors appear.
func TestRealismRulesOverManySeeds(t *testing.T) {
	const seeds = 300
	for _, working := range WorkingStatuses() {
		t.Run(working, func(t *testing.T) {
			other := "WORKING"
			if working == "WORKING" {
				other = "IN_PROGRESS"
			}
			vendors := 0
			for _, profile := range []Profile{Realistic, Minimal, Maximal} {
				for seed := uint64(1); seed <= seeds; seed++ {
					g := New(seed, WithProfile(profile), WithWorkingStatus(working))
					for _, key := range schemas.TriggerKeys() {
						b, err := g.JSON(key)
						if err != nil {
							t.Fatal(err)
						}
						if bytes.Contains(b, []byte(`"workOrder"`)) && bytes.Contains(b, []byte(`"`+other+`"`)) {
							t.Fatalf("%s seed %d %s: %s in a generator that names the working state %s:\n%s", profile, seed, key, other, working, b)
						}
						var d struct {
							Event struct {
								FiredAt   time.Time  `json:"firedAt"`
								OverdueAt *time.Time `json:"overdueAt"`
							} `json:"event"`
							Record *struct {
								Type    string  `json:"type"`
								Address *string `json:"address"`
								City    *string `json:"city"`
								State   *string `json:"state"`
							} `json:"record"`
							WorkOrder *struct {
								Status     string `json:"status"`
								AssigneeID *int64 `json:"assigneeId"`
							} `json:"workOrder"`
						}
						if err := json.Unmarshal(b, &d); err != nil {
							t.Fatal(err)
						}
						if w := d.WorkOrder; w != nil && w.Status == "QUEUED" && w.AssigneeID != nil {
							t.Errorf("%s seed %d %s: a QUEUED work order has assignee %d", profile, seed, key, *w.AssigneeID)
						}
						if o := d.Event.OverdueAt; o != nil {
							if lag := d.Event.FiredAt.Sub(*o); lag < 0 || lag > 3*time.Hour+time.Minute {
								t.Errorf("%s seed %d %s: the violation fires %s after overdueAt", profile, seed, key, lag)
							}
						}
						if r := d.Record; r != nil {
							if r.Address != nil && (r.City == nil || r.State == nil) {
								t.Errorf("%s seed %d %s: address %q with city %v, state %v", profile, seed, key, *r.Address, r.City, r.State)
							}
							if r.Type == "VENDOR" {
								vendors++
							}
						}
					}
				}
			}
			if vendors == 0 {
				t.Error("no payload carries a VENDOR record")
			}
		})
	}
}

// Street names fit the region: a name kept for one part of the country
// never appears in an address elsewhere, and each region's names appear.
func TestStreetNamesFitTheRegion(t *testing.T) {
	home := map[string][]string{} // regional name → states it belongs to
	for st, names := range regionalStreets {
		for _, n := range names {
			if !slices.Contains(home[n], st) {
				home[n] = append(home[n], st)
			}
		}
	}
	for _, n := range streetNames {
		if _, regional := home[n]; regional {
			t.Errorf("%s is both national and regional", n)
		}
	}
	seen := map[string]bool{}
	eachProjectAddress(t, 3000, func(_ uint64, address, _, state string) {
		_, street, _ := strings.Cut(address, " ") // after the house number
		for n, states := range home {
			if rest, ok := strings.CutPrefix(street, n+" "); ok && slices.Contains(streetSuffixes, strings.Fields(rest)[0]) {
				if !slices.Contains(states, state) {
					t.Errorf("%q: %s streets belong to %v", address, n, states)
				}
				seen[n] = true
			}
		}
	})
	for _, n := range []string{"Saguaro", "Peachtree", "Bluebonnet", "Palmetto", "Camino Real"} {
		if !seen[n] {
			t.Errorf("no address on %s in 3000 projects", n)
		}
	}
}
