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
	if s := string(files["strict/defs/workOrder.json"]); !strings.Contains(s, `"ON_HOLD"`) || !strings.Contains(s, "set by the vocabulary file team.yaml") {
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
	cases := []struct{ name, src, want string }{
		{"unknown key", "slaType: [A, B]\n", `f.yaml:1:1: unknown key slaType; a vocabulary has triggerNames`},
		{"typo suggested", "slaTypes: [A, B]\nphaseTipes: [X]\n", "f.yaml:2:1: unknown key phaseTipes; a vocabulary has triggerNames, workOrderStatuses, workingStatus, phaseTypes, phaseStatuses, slaTypes, requestStatuses; did you mean phaseTypes?"},
		{"unknown trigger", "triggerNames:\n  TASK_DONE: Done\n", `f.yaml:2:3: trigger "TASK_DONE" isn't one of`},
		{"empty list", "phaseTypes: []\n", "f.yaml:1:13: phaseTypes must be a non-empty list"},
		{"duplicate", "slaTypes: [RED, RED]\n", "f.yaml:1:17: slaTypes lists RED twice"},
		{"no QUEUED", "workOrderStatuses: [ASSIGNED, IN_PROGRESS, COMPLETED]\n", "f.yaml:1:20: workOrderStatuses must include QUEUED"},
		{"working state outside the list", "workingStatus: BUSY\n", "f.yaml:1:16: workingStatus BUSY isn't one of workOrderStatuses"},
		{"one SLA type", "slaTypes: [RED]\n", "f.yaml:1:11: slaTypes needs a warning and a violation threshold"},
		{"not a mapping", "- a\n- b\n", "f.yaml:1:1: a vocabulary is a mapping"},
		{"phase status key", "phaseStatuses: {begun: X}\n", "f.yaml:1:17: phaseStatuses has started and completed, not begun"},
	}
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
