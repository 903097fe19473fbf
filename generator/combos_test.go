package generator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/coperniq-mock/coperniq-mock/schemas/schematest"
)

// comboSeeds is how many seeds TestImpossibleCombinations draws per trigger
// and profile; each seed gives two payloads (its first and one further along
// its stream).
const comboSeeds = 300

// combination is something a reader of a payload would judge impossible or
// odd: a work order of another stage, an SLA on a finished project. limit is
// how many per thousand payloads that could show it may show it; 0 means
// never.
type combination struct {
	name  string
	limit int // permille of the payloads the check applies to
	// check reports whether it applies to p and, if so, whether p shows it.
	check func(p *comboPayload) (applies, bad bool)
}

// comboPayload is a decoded payload with what the checks look up.
type comboPayload struct {
	key                    string
	recType                string
	status, requestStatus  string // "" when null
	stageID                int64  // 0 when null
	stageName              string
	fired, due             time.Time
	woTitle, woStatus      string // "" without a work order
	phone, city, stateCode string
}

var openRequestStatuses = []string{"NEW", "PROPOSAL", "NURTURE"}

// requestStageStatusByName maps a request stage's name to the
// requestStatus a request in it has.
var requestStageStatusByName = func() map[string]string {
	m := map[string]string{}
	for i, s := range requestWorkflow.stages {
		m[s.name] = requestStageStatus[i]
	}
	return m
}()

// liveRecord is true for a record whose status lets work go on: an ACTIVE
// or ON_HOLD project, or a request that is still open.
func liveRecord(p *comboPayload) (applies, live bool) {
	switch p.recType {
	case "PROJECT":
		return p.status != "", p.status == "ACTIVE" || p.status == "ON_HOLD"
	case "DEAL":
		return p.requestStatus != "", slices.Contains(openRequestStatuses, p.requestStatus)
	}
	return false, false
}

func isTask(key string) bool { return strings.HasPrefix(key, "TASK_") }

var combinations = []combination{
	{"work order of another stage than the record's", 30, func(p *comboPayload) (bool, bool) {
		if p.woTitle == "" || p.stageName == "" || (p.recType != "PROJECT" && p.recType != "DEAL") {
			return false, false
		}
		tp := templateTitled(p.woTitle)
		return true, tp == nil || !tp.onStage(p.stageName)
	}},
	{"work order on a COMPLETED or CANCELLED project, or a closed request", 0, func(p *comboPayload) (bool, bool) {
		if !isTask(p.key) {
			return false, false
		}
		applies, live := liveRecord(p)
		return applies, applies && !live
	}},
	{"open work order on a closed request", 0, func(p *comboPayload) (bool, bool) {
		if p.woTitle == "" || p.recType != "DEAL" {
			return false, false
		}
		closed := p.requestStatus == "WON" || p.requestStatus == "LOST" || strings.HasPrefix(p.stageName, "Closed ")
		open := p.woStatus != "COMPLETED" && p.woStatus != "CANCELLED"
		return true, closed && open
	}},
	{"phase started or completed on a project or request that is not live", 0, func(p *comboPayload) (bool, bool) {
		if !strings.Contains(p.key, "_PHASE_STARTED") && !strings.Contains(p.key, "_PHASE_COMPLETED") {
			return false, false
		}
		applies, live := liveRecord(p)
		return applies, applies && !live
	}},
	{"SLA violation on a project or request that is not live", 0, func(p *comboPayload) (bool, bool) {
		if !strings.HasSuffix(p.key, "_SLA_VIOLATION") {
			return false, false
		}
		applies, live := liveRecord(p)
		return applies, applies && !live
	}},
	{"appointment on a project or request that is not live", 0, func(p *comboPayload) (bool, bool) {
		if !strings.HasPrefix(p.key, "APPOINTMENT_") {
			return false, false
		}
		applies, live := liveRecord(p)
		return applies, applies && !live
	}},
	{"APPOINTMENT_CREATED due at or before firedAt", 0, func(p *comboPayload) (bool, bool) {
		if p.key != "APPOINTMENT_CREATED" {
			return false, false
		}
		return true, !p.due.After(p.fired)
	}},
	{"request whose stage and requestStatus disagree", 0, func(p *comboPayload) (bool, bool) {
		if p.recType != "DEAL" || p.stageName == "" || p.requestStatus == "" {
			return false, false
		}
		return true, requestStageStatusByName[p.stageName] != p.requestStatus
	}},
	{"won or lost request still ACTIVE", 0, func(p *comboPayload) (bool, bool) {
		if p.recType != "DEAL" || (p.requestStatus != "WON" && p.requestStatus != "LOST") {
			return false, false
		}
		return true, p.status == "ACTIVE"
	}},
	{"COMPLETED project not in its workflow's last stage", 0, func(p *comboPayload) (bool, bool) {
		if p.recType != "PROJECT" || p.status != "COMPLETED" || p.stageID == 0 {
			return false, false
		}
		for _, wf := range []*workflow{solarWorkflow, roofingWorkflow, hvacWorkflow, electricalWorkflow} {
			if i := slices.IndexFunc(wf.stages, func(s stageInfo) bool { return s.id == p.stageID }); i >= 0 {
				return true, i != len(wf.stages)-1
			}
		}
		return true, true
	}},
	{"phone with an area code other than the city's", 0, func(p *comboPayload) (bool, bool) {
		if p.phone == "" || p.city == "" {
			return false, false
		}
		pl := findPlace(p.city, p.stateCode)
		m := e164.FindStringSubmatch(p.phone)
		return true, pl == nil || m == nil || m[1] != pl.AreaCode
	}},
}

func templateTitled(title string) *woTemplate {
	for i := range woTemplates {
		if woTemplates[i].title == title {
			return &woTemplates[i]
		}
	}
	return nil
}

func decodeCombo(t *testing.T, b []byte) *comboPayload {
	t.Helper()
	var d schematest.Payload
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	p := &comboPayload{key: d.Event.TriggerKey, recType: d.Record.Type}
	str := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	p.status, p.requestStatus = str(d.Record.Status), str(d.Record.RequestStatus)
	if s := d.Record.Stage; s != nil {
		p.stageID, p.stageName = s.ID, s.Name
	}
	p.fired, _ = time.Parse(time.RFC3339Nano, d.Event.FiredAt)
	if d.Event.DueDate != nil {
		p.due, _ = time.Parse(time.RFC3339Nano, *d.Event.DueDate)
	}
	if w := d.WorkOrder; w != nil {
		p.woTitle, p.woStatus = w.Title, w.Status
	}
	p.phone, p.city, p.stateCode = str(d.Record.PrimaryPhone), str(d.Record.City), str(d.Record.State)
	return p
}

// TestImpossibleCombinations counts, over every trigger and many seeds,
// payloads that pair values a reader would judge impossible, and fails when
// a combination is more frequent than its limit. Run with -v for the table.
func TestImpossibleCombinations(t *testing.T) {
	for _, prof := range []Profile{Realistic, Maximal} {
		t.Run(string(prof), func(t *testing.T) {
			t.Parallel()
			applies := make([]int, len(combinations))
			bad := make([]int, len(combinations))
			example := make([]string, len(combinations))
			var buf []byte
			for _, key := range schemas.TriggerKeys() {
				for seed := uint64(1); seed <= comboSeeds; seed++ {
					g := New(seed, WithProfile(prof))
					for range 2 {
						var err error
						if buf, err = g.AppendJSON(buf[:0], key); err != nil {
							t.Fatal(err)
						}
						p := decodeCombo(t, buf)
						for i, c := range combinations {
							a, b := c.check(p)
							if !a {
								continue
							}
							applies[i]++
							if b {
								bad[i]++
								if example[i] == "" {
									example[i] = fmt.Sprintf("seed %d %s: %s", seed, key, buf)
								}
							}
						}
					}
				}
			}
			for i, c := range combinations {
				t.Logf("%-75s %5d of %5d", c.name, bad[i], applies[i])
				if bad[i]*1000 > c.limit*applies[i] {
					t.Errorf("%s: %d of %d payloads (limit %d‰); first: %s", c.name, bad[i], applies[i], c.limit, example[i])
				}
			}
		})
	}
}

// Every stage a record of any trade mix can be in has work of its own, so
// the generator never falls back to a work order of another stage; and
// every stage a work-order kind names exists.
func TestEveryStageHasWorkOrders(t *testing.T) {
	for _, c := range combos {
		wf := workflowFor(c.trades)
		for _, st := range wf.stages {
			if !slices.ContainsFunc(templatesFor['P'], func(i int) bool {
				return woTemplates[i].trades&c.mask != 0 && woTemplates[i].onStage(st.name)
			}) {
				t.Errorf("a %v project in %s stage %q has no work order kind", c.trades, wf.name, st.name)
			}
		}
	}
	for _, i := range openRequestStages {
		name := requestWorkflow.stages[i].name
		if !slices.ContainsFunc(templatesFor['D'], func(i int) bool { return woTemplates[i].onStage(name) }) {
			t.Errorf("an open request in stage %q has no work order kind", name)
		}
	}
	stageNames := map[byte]map[string]bool{'P': {}, 'D': {}}
	for _, wf := range []*workflow{solarWorkflow, roofingWorkflow, hvacWorkflow, electricalWorkflow} {
		for _, s := range wf.stages {
			stageNames['P'][s.name] = true
		}
	}
	for _, i := range openRequestStages {
		stageNames['D'][requestWorkflow.stages[i].name] = true
	}
	for _, tp := range woTemplates {
		for j := 0; j < len(tp.records); j++ {
			known := stageNames[tp.records[j]]
			if known == nil { // accounts have no workflow
				continue
			}
			if len(tp.stages) == 0 {
				t.Errorf("%q (records %s) names no stage", tp.title, tp.records)
			}
			for _, s := range tp.stages {
				if !known[s] {
					t.Errorf("%q names stage %q, which no %c workflow has open", tp.title, s, tp.records[j])
				}
			}
		}
	}
}

// A scenario that moves a record to another stage and asks for a work order
// gets one of the new stage.
func TestWorkOrderFollowsRecordStage(t *testing.T) {
	g := New(3)
	for range 200 {
		r := g.Record("PROJECT")
		last := &r.wf.stages[len(r.wf.stages)-1]
		r.Stage = &Stage{ID: last.id, Name: last.name}
		if w := g.WorkOrder(r); !templateTitled(w.Title).onStage(last.name) {
			t.Fatalf("a %s project (%v) in %s got a %q work order", r.wf.name, r.Trades, last.name, w.Title)
		}
	}
}
