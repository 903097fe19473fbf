package schemas

import (
	"slices"
	"testing"
)

// Which request status means won and which lost is what the file says
// (wonStatus, lostStatus, or WON and LOST listed), never a status's place
// in requestStatuses; a stage's requestStatus is one the file lists.
func TestVocabularyRequestOutcomes(t *testing.T) {
	const reordered = "requestStatuses: [OPEN, QUOTED, DEAD, SOLD, FOLLOW_UP]\n"
	const stages = "workflows:\n  request:\n    - {id: 15301, name: New Lead, requestStatus: OPEN}\n" +
		"    - {id: 15306, name: Signed, requestStatus: SOLD}\n    - {id: 15307, name: Lost, requestStatus: DEAD}\n"
	bad := []badVocabulary{
		{"won left to position", reordered + stages,
			"f.yaml:1:18: wonStatus WON isn't one of requestStatuses [OPEN QUOTED DEAD SOLD FOLLOW_UP]: say which of them a won request has with wonStatus: NAME"},
		{"lost left to position", reordered + "wonStatus: SOLD\n",
			"f.yaml:1:18: lostStatus LOST isn't one of requestStatuses"},
		{"won status outside the list", reordered + "wonStatus: WON\nlostStatus: DEAD\n",
			"f.yaml:2:12: wonStatus WON isn't one of requestStatuses [OPEN QUOTED DEAD SOLD FOLLOW_UP]"},
		{"WON listed but not the won status", "requestStatuses: [NEW, WON, LOST, SOLD]\nwonStatus: SOLD\n",
			"f.yaml:2:12: requestStatuses lists WON, but wonStatus is SOLD"},
		{"won is lost", "requestStatuses: [OPEN, DONE]\nwonStatus: DONE\nlostStatus: DONE\n",
			"f.yaml:3:13: wonStatus and lostStatus are both DONE"},
		{"no open status", "requestStatuses: [SOLD, DEAD]\nwonStatus: SOLD\nlostStatus: DEAD\n",
			"f.yaml:1:18: requestStatuses [SOLD DEAD] has no status for an open request"},
		{"stage status outside the list", "requestStatuses: [OPEN, QUOTED, SOLD, DEAD, FOLLOW_UP]\nwonStatus: SOLD\nlostStatus: DEAD\n" +
			"workflows:\n  request:\n    - {id: 15301, name: New Lead, requestStatus: OPEN}\n    - {id: 15306, name: Signed, requestStatus: WON}\n    - {id: 15307, name: Lost, requestStatus: DEAD}\n",
			"f.yaml:7:48: requestStatus WON of stage Signed isn't one of requestStatuses [OPEN QUOTED SOLD DEAD FOLLOW_UP]"},
		{"kept built-in open status outside the list", "requestStatuses: [OPEN, SOLD, DEAD]\nwonStatus: SOLD\nlostStatus: DEAD\n" +
			"workflows:\n  request: [New Request, Closed Won, Closed Lost]\n",
			"f.yaml:5:13: stage New Request keeps the built-in requestStatus NEW, which isn't one of requestStatuses [OPEN SOLD DEAD]: give the stage its requestStatus"},
	}
	checkRefused(t, bad)

	good := []struct {
		name, src string
		won, lost string
		stages    []string // the engine's status of each request stage
	}{
		{"named outright, in any order", reordered + "wonStatus: SOLD\nlostStatus: DEAD\n" + stages, "SOLD", "DEAD", []string{"OPEN", "WON", "LOST"}},
		{"WON and LOST listed", "requestStatuses: [LOST, OPEN, WON]\n", "WON", "LOST", []string{"NEW", "NEW", "PROPOSAL", "PROPOSAL", "PROPOSAL", "WON", "LOST", "NURTURE"}},
		{"built-in stages renamed keep won and lost", "requestStatuses: [OPEN, SOLD, DEAD]\nwonStatus: SOLD\nlostStatus: DEAD\n" +
			"workflows:\n  request:\n    - {id: 15301, name: Lead, requestStatus: OPEN}\n    - {id: 15306, name: Signed}\n    - {id: 15307, name: Gone}\n",
			"SOLD", "DEAD", []string{"OPEN", "WON", "LOST"}},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			v, err := ParseVocabulary("f.yaml", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range v.RequestWorkflow.Stages {
				got = append(got, s.RequestStatus)
			}
			if !slices.Equal(got, tc.stages) {
				t.Errorf("stage statuses %v, want %v", got, tc.stages)
			}
			if v.RequestStatusName("WON") != tc.won || v.RequestStatusName("LOST") != tc.lost {
				t.Errorf("won is sent as %s, lost as %s; want %s and %s", v.RequestStatusName("WON"), v.RequestStatusName("LOST"), tc.won, tc.lost)
			}
			again, err := ParseVocabulary("again.yaml", v.Marshal())
			if err != nil || again.WonStatus != tc.won || again.LostStatus != tc.lost || !slices.Equal(again.RequestWorkflow.Stages, v.RequestWorkflow.Stages) {
				t.Errorf("does not read back: %v\n%s", err, v.Marshal())
			}
		})
	}
}

// A stage the file writes has a phaseType from the file's phaseTypes, the
// one it gives or the built-in one it keeps: neither is guessed at by
// position.
func TestVocabularyStagePhaseTypeInTheList(t *testing.T) {
	const types = "phaseTypes: [LEAD, ESTIMATE, PERMIT, BUILD, FINAL]\n"
	cases := []badVocabulary{
		{"built-in type given", types + "workflows:\n  roofing:\n    - {id: 17201, name: Lead, phaseType: LEAD}\n    - {id: 17205, name: Install, phaseType: INSTALLATION}\n",
			"f.yaml:5:45: phaseType INSTALLATION of stage Install isn't one of phaseTypes [LEAD ESTIMATE PERMIT BUILD FINAL]"},
		{"built-in type kept by id", types + "workflows:\n  roofing:\n    - {id: 17201, name: Lead, phaseType: LEAD}\n    - {id: 17205, name: Install}\n",
			"f.yaml:5:7: stage Install keeps the built-in phaseType INSTALLATION, which isn't one of phaseTypes [LEAD ESTIMATE PERMIT BUILD FINAL]: give the stage its phaseType"},
		{"built-in type kept by name", types + "workflows:\n  roofing: [Sales]\n",
			"f.yaml:3:13: stage Sales keeps the built-in phaseType SALES, which isn't one of phaseTypes"},
	}
	checkRefused(t, cases)
}

// A file's trades close record.trades in the strict schemas and give the
// workflows their trades: each keeps only the file's, and a trade no
// workflow has follows electrical.
func TestVocabularyTrades(t *testing.T) {
	v, err := ParseVocabulary("team.yaml", []byte("trades: [Roofing, Gutters, Siding]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		want []string
	}{{"roofing", []string{"Roofing"}}, {"solar", nil}, {"electrical", []string{"Gutters", "Siding"}}} {
		if got := v.ProjectWorkflow(tc.name).Trades; !slices.Equal(got, tc.want) {
			t.Errorf("%s workflow's trades %v, want %v", tc.name, got, tc.want)
		}
	}
	if wf := v.WorkflowForTrades([]string{"Gutters"}); wf.Name != "electrical" {
		t.Errorf("Gutters projects follow %s", wf.Name)
	}
	val, err := NewValidator(v)
	if err != nil {
		t.Fatal(err)
	}
	doc := documentedDoc(t)
	for _, tc := range []struct {
		trade string
		valid bool
	}{{"Gutters", true}, {"Roofing", true}, {"Solar", false}} {
		at(doc, "record")["trades"] = []any{tc.trade}
		b := mustJSON(t, doc)
		checkFast(t, val, b)
		if r, err := val.Validate(b, Strict); err != nil || r.Valid() != tc.valid {
			t.Errorf("trades [%s]: valid %v, want %v (%v)", tc.trade, r.Valid(), tc.valid, r.Violations)
		}
	}
	again, err := ParseVocabulary("again.yaml", v.Marshal())
	if err != nil || !slices.Equal(again.Trades, v.Trades) || !slices.Equal(again.ProjectWorkflow("electrical").Trades, []string{"Gutters", "Siding"}) {
		t.Errorf("does not read back: %v\n%s", err, v.Marshal())
	}
}

// A quoted key is the key: JSON, which is YAML, quotes every one, and a
// user trial's {"slaTypes": [...]} was refused as unknown key "slaTypes".
func TestVocabularyQuotedKeys(t *testing.T) {
	cases := []struct{ name, src string }{
		{"JSON", `{"slaTypes": ["AMBER", "BREACH"], "phaseStatuses": {"started": "ACTIVE", "completed": "DONE"}, "triggerNames": {"TASK_CREATED": "New Task"}}`},
		{"quoted YAML", "'slaTypes': [AMBER, BREACH]\nphaseStatuses: {'started': ACTIVE, \"completed\": DONE}\ntriggerNames:\n  \"TASK_CREATED\": New Task\n" +
			"workflows:\n  'roofing':\n    - {'name': Lead, \"phaseType\": SALES}\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := ParseVocabulary("f.json", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(v.SLATypes, []string{"AMBER", "BREACH"}) || v.PhaseCompleted != "DONE" || v.TriggerName("TASK_CREATED") != "New Task" {
				t.Errorf("the quoted keys were not read: %v %s %s", v.SLATypes, v.PhaseCompleted, v.TriggerName("TASK_CREATED"))
			}
		})
	}
	v, err := ParseVocabulary("f.yaml", []byte(cases[1].src))
	if err == nil && v.ProjectWorkflow("roofing").Names()[0] != "Lead" {
		t.Errorf("roofing stages %v", v.ProjectWorkflow("roofing").Names())
	}
}

// Lists a receiver could not tell apart are refused: two values equal but
// for case, and one phase status for started and completed.
func TestVocabularyQuestionableLists(t *testing.T) {
	cases := []badVocabulary{
		{"equal but for case", "workOrderStatuses: [QUEUED, ON_SITE, COMPLETED, on_site]\nworkingStatus: ON_SITE\n",
			"f.yaml:1:49: workOrderStatuses lists ON_SITE and on_site, which differ only in case: keep one"},
		{"started is completed", "phaseStatuses: {started: DONE, completed: DONE}\n",
			"f.yaml:1:16: phaseStatuses started and completed are both DONE: a receiver could not tell a phase started from one completed"},
	}
	checkRefused(t, cases)
}
