package schemas

import (
	"slices"
	"strings"
	"testing"
)

const testVocabulary = `triggerNames:
  TASK_STATUS_MOVEMENT: Task Status Changed
workOrderStatuses: [QUEUED, ASSIGNED, SCHEDULED, IN_PROGRESS, ON_HOLD, COMPLETED, CANCELLED]
slaTypes: [YELLOW, ORANGE, RED]
`

func TestVocabularyDrivesTheStrictSchemas(t *testing.T) {
	v, err := ParseVocabulary("team.yaml", []byte(testVocabulary))
	if err != nil {
		t.Fatal(err)
	}
	val, err := NewValidator(v)
	if err != nil {
		t.Fatal(err)
	}
	doc := documentedDoc(t)
	at(doc, "event")["triggerName"] = "Task Status Changed"
	at(doc, "event")["previousStatus"] = "ON_HOLD"
	b := mustJSON(t, doc)
	checkFast(t, val, b)
	if r, err := val.Validate(b, Strict); err != nil || !r.Valid() {
		t.Errorf("with the vocabulary: %v %v", err, r.Violations)
	}
	r, err := Validate(b, Strict)
	if err != nil || !slices.Equal(failures(r), []locRule{{"/event/previousStatus", RuleSchema}, {"/event/triggerName", RuleSchema}}) {
		t.Errorf("built-in vocabulary: %v %v", err, r.Violations)
	}
	// What the vocabulary leaves out, strict now rejects: WORKING.
	at(doc, "event")["previousStatus"] = "WORKING"
	checkFast(t, val, mustJSON(t, doc))
	if r, _ := val.Validate(mustJSON(t, doc), Strict); r.Valid() {
		t.Error("WORKING passes a vocabulary without it")
	}
	sla := payloadFor(t, mustLookup(t, "PROJECT_PHASE_SLA_VIOLATION"))
	at(sla, "event")["slaType"] = "ORANGE"
	checkFast(t, val, mustJSON(t, sla))
	if r, _ := val.Validate(mustJSON(t, sla), Strict); !r.Valid() {
		t.Errorf("ORANGE: %v", r.Violations)
	}
	files, err := GenerateFilesFor(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(files["strict/defs/workOrder.json"]); !strings.Contains(s, `"ON_HOLD"`) || !strings.Contains(s, `"x-values-vocabulary": "team.yaml"`) {
		t.Errorf("strict/defs/workOrder.json does not follow the vocabulary:\n%s", s)
	}
}

func TestVocabularyRoundTrips(t *testing.T) {
	def := DefaultVocabulary()
	v, err := ParseVocabulary("default.yaml", def.Marshal())
	if err != nil {
		t.Fatalf("%v\n%s", err, def.Marshal())
	}
	v.custom, v.file = false, ""
	if string(v.Marshal()) != string(def.Marshal()) || !slices.Equal(v.SLATypes, SLATypes) || v.TriggerName("CALL_UPSERTED") != "Call Logged or Updated" {
		t.Errorf("the exported vocabulary does not read back as the built-in one:\n%s", v.Marshal())
	}
}

func TestVocabularyErrors(t *testing.T) {
	cases := []badVocabulary{
		{"unknown key", "slaType: [A, B]\n", `f.yaml:1:1: unknown key slaType; a vocabulary has triggerNames`},
		{"typo suggested", "slaTypes: [A, B]\nphaseTipes: [X]\n", "f.yaml:2:1: unknown key phaseTipes; a vocabulary has triggerNames, workOrderStatuses, workingStatus, queuedStatus, completedStatus, cancelledStatus, phaseTypes, phaseStatuses, slaTypes, requestStatuses, wonStatus, lostStatus, trades, workflows; did you mean phaseTypes?"},
		{"unknown trigger", "triggerNames:\n  TASK_DONE: Done\n", `f.yaml:2:3: trigger "TASK_DONE" isn't one of`},
		{"empty list", "phaseTypes: []\n", "f.yaml:1:13: phaseTypes must be a non-empty list"},
		{"duplicate", "slaTypes: [RED, RED]\n", "f.yaml:1:17: slaTypes lists RED twice"},
		{"no QUEUED", "workOrderStatuses: [ASSIGNED, IN_PROGRESS, COMPLETED, CANCELLED]\n", "f.yaml:1:20: queuedStatus QUEUED isn't one of workOrderStatuses"},
		{"working state outside the list", "workingStatus: BUSY\n", "f.yaml:1:16: workingStatus BUSY isn't one of workOrderStatuses"},
		{"one SLA type", "slaTypes: [RED]\n", "f.yaml:1:11: slaTypes needs a warning and a violation threshold"},
		{"not a mapping", "- a\n- b\n", "f.yaml:1:1: a vocabulary is a mapping"},
		{"phase status key", "phaseStatuses: {begun: X}\n", "f.yaml:1:17: phaseStatuses has started and completed, not begun"},
		{"unknown workflow", "workflows:\n  roofng: [Sales]\n", "f.yaml:2:3: unknown workflow roofng; the workflows are solar, roofing, hvac, electrical, request; did you mean roofing?"},
		{"request workflow without a win", "workflows:\n  request: [New Request, Closed Lost]\n", "f.yaml:2:3: the request workflow needs a stage whose requestStatus is WON"},
		{"request stage without status", "workflows:\n  request:\n    - {name: Hot Lead, phaseType: SALES}\n", "f.yaml:3:7: request stage Hot Lead is new: give its requestStatus"},
		{"request status outside the list", "requestStatuses: [OPEN, QUOTED, SIGNED, DECLINED]\nworkflows:\n  request:\n    - {name: Hot Lead, phaseType: SALES, requestStatus: HOT}\n", "f.yaml:4:57: requestStatus HOT of stage Hot Lead isn't one of requestStatuses [OPEN QUOTED SIGNED DECLINED]"},
		{"request status on a project stage", "workflows:\n  hvac:\n    - {name: Sales, requestStatus: NEW}\n", "f.yaml:3:21: requestStatus is for request stages"},
		{"new stage by name", "workflows:\n  hvac: [Sales, Tune-up]\n", `f.yaml:2:17: stage "Tune-up" is new to the hvac workflow: give it as {name: Tune-up, phaseType: ...}`},
		{"new stage without type", "workflows:\n  hvac:\n    - {name: Tune-up}\n", "f.yaml:3:7: stage Tune-up is new to the hvac workflow: give its phaseType"},
		{"phase type outside the list", "workflows:\n  hvac:\n    - {name: Tune-up, phaseType: TUNING}\n", "f.yaml:3:34: phaseType TUNING of stage Tune-up isn't one of phaseTypes"},
		{"stage key typo", "workflows:\n  hvac:\n    - {name: Tune-up, phasetype: SERVICE}\n", "f.yaml:3:23: unknown stage key phasetype; a stage has id, templateId, name, phaseType, requestStatus; did you mean phaseType?"},
		{"stage id taken", "workflows:\n  hvac:\n    - {id: 16651, name: Install, phaseType: INSTALLATION}\n", "f.yaml:3:7: stage id 16651 is used twice (by solar Installation and hvac Install)"},
		{"bad stage id", "workflows:\n  hvac:\n    - {id: -3, name: Sales}\n", "f.yaml:3:12: stage id must be an integer from 1 to 2^53-1, not -3"},
		{"stage twice", "workflows:\n  hvac: [Sales, Design, sales]\n", "f.yaml:2:25: workflow hvac lists stage Sales twice"},
		{"empty workflow", "workflows:\n  hvac: []\n", "f.yaml:2:9: workflow hvac must be a non-empty list of stages"},
		{"unknown stage id", "workflows:\n  solar:\n    - {id: 99999, name: Other}\n", "f.yaml:3:7: stage Other has id 99999, which no built-in solar stage has (16646 Sales, "},
		{"YAML syntax", "workflows:\n  solar:\n    - {name: A, phaseType: SALES}\n     - {name: B}\n", "f.yaml:4:6: YAML syntax: value is not allowed in this context: likely wrong indentation; this line is indented 5 spaces, deeper than line 3 above it (4 spaces)"},
		{"YAML syntax, a colon in a value", "workOrderStatuses: [QUEUED]\nslaTypes: Warning: late\n", `f.yaml:2:11: YAML syntax: mapping value is not allowed in this context: a value holding ": " needs quotes, e.g. slaTypes: "Warning: late" (line 2: "slaTypes: Warning: late")`},
	}
	checkRefused(t, cases)
}

// badVocabulary is a vocabulary file, named, that ParseVocabulary refuses,
// and what its error must say.
type badVocabulary struct{ name, src, want string }

// checkRefused parses each case's src as f.yaml and wants an error that
// says its want.
func checkRefused(t *testing.T, cases []badVocabulary) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseVocabulary("f.yaml", []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func FuzzParseVocabulary(f *testing.F) {
	f.Add([]byte(testVocabulary))
	f.Add(DefaultVocabulary().Marshal())
	f.Add([]byte("triggerNames: [a]\nslaTypes: {a: b}\n"))
	f.Add([]byte("requestStatuses: [OPEN, SIGNED, LOST]\nwonStatus: SIGNED\n"))
	f.Add([]byte("requestStatuses: [A, B, C, D]\nwonStatus: C\nlostStatus: D\nworkflows:\n  request: [{name: X, phaseType: SALES, requestStatus: C}, {name: Y, phaseType: SALES, requestStatus: D}]\n"))
	f.Add([]byte("phaseTypes: [A, B]\nworkflows:\n  hvac: [Sales, {id: 17411, name: \"Design: HVAC\"}, {name: Tune-up, phaseType: B}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ParseVocabulary("f.yaml", data)
		if err != nil {
			return
		}
		// Whatever parses, generates schemas and reads back.
		if _, err := GenerateFilesFor(nil, v); err != nil {
			t.Fatalf("generating from a vocabulary that parsed: %v", err)
		}
		if _, err := ParseVocabulary("again.yaml", v.Marshal()); err != nil {
			t.Fatalf("the marshalled vocabulary does not parse: %v\n%s", err, v.Marshal())
		}
	})
}

// A file's workflow: stages in its order, a renamed stage keeping its id,
// template and phase type, an added one with fresh ids after the largest in
// use; the workflows it leaves out stay built in.
func TestVocabularyWorkflows(t *testing.T) {
	v, err := ParseVocabulary("f.yaml", []byte(`workflows:
  hvac:
    - Sales
    - {name: Tune-up, phaseType: SERVICE}
    - {id: 17411, name: Load Calculation}
    - {name: Installation, templateId: 9001}
`))
	if err != nil {
		t.Fatal(err)
	}
	got := v.ProjectWorkflow("hvac").Stages
	want := []Stage{
		{17410, 2601, "Sales", "SALES", ""},
		{17625, 9002, "Tune-up", "SERVICE", ""},
		{17411, 2602, "Load Calculation", "DESIGN", ""},
		{17412, 9001, "Installation", "INSTALLATION", ""},
	}
	if !slices.Equal(got, want) {
		t.Errorf("hvac stages\n got %+v\nwant %+v", got, want)
	}
	if !slices.Equal(v.ProjectWorkflow("solar").Stages, DefaultVocabulary().ProjectWorkflow("solar").Stages) {
		t.Error("a workflow the file leaves out changed")
	}
	if wf := v.WorkflowForTrades([]string{"HVAC", "Electrical"}); wf.Name != "hvac" {
		t.Errorf("HVAC projects follow %s", wf.Name)
	}
	if wf := v.WorkflowForTrades([]string{"Pool"}); wf.Name != "electrical" {
		t.Errorf("an unknown trade's projects follow %s", wf.Name)
	}
	again, err := ParseVocabulary("again.yaml", v.Marshal())
	if err != nil || !slices.Equal(again.ProjectWorkflow("hvac").Stages, want) {
		t.Errorf("the marshalled workflows do not read back: %v\n%s", err, v.Marshal())
	}
}

// The request workflow from a file: its own stage names and order, its
// statuses in the file's names (the won and lost ones those wonStatus and
// lostStatus name), and written back in the file's names.
func TestVocabularyRequestWorkflow(t *testing.T) {
	v, err := ParseVocabulary("f.yaml", []byte(`requestStatuses: [OPEN, QUOTED, SIGNED, DECLINED, LATER]
wonStatus: SIGNED
lostStatus: DECLINED
workflows:
  request:
    - {id: 15301, name: Inbound Lead, requestStatus: OPEN}
    - {name: Bill Review, phaseType: SALES, requestStatus: OPEN}
    - {id: 15304, name: Proposal, requestStatus: QUOTED}
    - {name: Signed, phaseType: SALES, requestStatus: SIGNED}
    - {id: 15307, name: Declined}
`))
	if err != nil {
		t.Fatal(err)
	}
	got := v.RequestWorkflow.Stages
	want := []Stage{
		{15301, 2301, "Inbound Lead", "SALES", "OPEN"},
		{17625, 2706, "Bill Review", "SALES", "OPEN"},
		{15304, 2304, "Proposal", "SALES", "QUOTED"},
		{17626, 2707, "Signed", "SALES", "WON"},
		{15307, 2307, "Declined", "SALES", "LOST"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("request stages\n got %+v\nwant %+v", got, want)
	}
	m := string(v.Marshal())
	for _, line := range []string{"{id: 17626, templateId: 2707, name: Signed, phaseType: SALES, requestStatus: SIGNED}", "{id: 15307, templateId: 2307, name: Declined, phaseType: SALES, requestStatus: DECLINED}"} {
		if !strings.Contains(m, line) {
			t.Errorf("the request stages are not written in the file's names: no %s in\n%s", line, m)
		}
	}
	if again, err := ParseVocabulary("again.yaml", []byte(m)); err != nil || !slices.Equal(again.RequestWorkflow.Stages, want) {
		t.Errorf("does not read back: %v", err)
	}
}
