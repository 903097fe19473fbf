package scenarios

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// moveWorkOrder to: ON_HOLD and slaViolation level: ORANGE work when the
// vocabulary has them, and the events speak it.
func TestScenarioWithVocabulary(t *testing.T) {
	vocabScenario, err := os.ReadFile(filepath.Join("testdata", "on-hold.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse("on-hold.yaml", vocabScenario)
	if err == nil || !strings.Contains(err.Error(), `on-hold.yaml:7:42:`) || !strings.Contains(err.Error(), `"ON_HOLD" isn't one of`) {
		t.Fatalf("without the vocabulary: %v", err)
	}
	v, err := schemas.ParseVocabulary("team.yaml", []byte(`triggerNames: {TASK_STATUS_MOVEMENT: Task Status Changed}
workOrderStatuses: [QUEUED, ASSIGNED, WORKING, ON_HOLD, COMPLETED, CANCELLED]
workingStatus: WORKING
slaTypes: [YELLOW, ORANGE, RED]
`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse("plain.yaml", []byte("steps:\n  - createProject: {name: p}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WithVocabulary(v); err != nil {
		t.Fatal(err)
	}
	s, err = parseWith("on-hold.yaml", vocabScenario, v)
	if err != nil {
		t.Fatal(err)
	}
	val, err := schemas.NewValidator(v)
	if err != nil {
		t.Fatal(err)
	}
	events, err := s.Render(1)
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, e := range events {
		r, err := val.Validate(e.Body, schemas.Strict)
		if err != nil || !r.Valid() {
			t.Errorf("%s: %v %v\n%s", e.TriggerKey, err, r.Violations, e.Body)
		}
		all.Write(e.Body)
	}
	for _, want := range []string{`"currentStatus":"ON_HOLD"`, `"slaType":"ORANGE"`, `"triggerName":"Task Status Changed"`, `"currentStatus":"WORKING"`} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("no event carries %s", want)
		}
	}
	if strings.Contains(all.String(), `"IN_PROGRESS"`) && strings.Contains(all.String(), `"currentStatus":"IN_PROGRESS"`) {
		t.Error("IN_PROGRESS outside the vocabulary")
	}
}

// CheckSequenceWith reads the payloads in the vocabulary's names: renamed
// request statuses and a renamed stage pass, and a request won under its
// new name still has to become a project.
func TestCheckSequenceWithVocabulary(t *testing.T) {
	v, err := schemas.ParseVocabulary("team.yaml", []byte("requestStatuses: [OPEN, QUOTED, SIGNED, DECLINED, LATER]\nwonStatus: SIGNED\nlostStatus: DECLINED\nworkflows:\n  solar:\n    - {id: 16646, name: Closing}\n    - Site Survey\n    - Design\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := LoadWithVocabulary("request-won", v)
	if err != nil {
		t.Fatal(err)
	}
	eachRender(t, s, 10, func(seed uint64, events []Rendered) {
		var bodies [][]byte
		for _, e := range events {
			bodies = append(bodies, e.Body)
		}
		all := string(slices.Concat(bodies...))
		if !strings.Contains(all, `"requestStatus":"SIGNED"`) || !strings.Contains(all, `"name":"Closing"`) {
			t.Fatalf("seed %d: the payloads do not speak the vocabulary", seed)
		}
		if errs := CheckSequenceWith(v, bodies); errs != nil {
			t.Fatalf("seed %d: %v", seed, errs)
		}
		// Without the project, the win is still seen.
		if errs := CheckSequenceWith(v, bodies[:len(bodies)-2]); !slices.ContainsFunc(errs, func(e error) bool { return strings.Contains(e.Error(), "never became a project") }) {
			t.Fatalf("seed %d: a won request without its project passed: %v", seed, errs)
		}
	})
}

// TestVocabularyStatusErrorListsTheFilesStatuses: a status outside the
// vocabulary is refused with the file's statuses listed, not the working
// state's built-in names the engine also takes (a review read WORKING
// and IN_PROGRESS twice in the list of a file that has neither).
func TestVocabularyStatusErrorListsTheFilesStatuses(t *testing.T) {
	v, err := schemas.ParseVocabulary("v2.yaml", []byte("workOrderStatuses: [QUEUED, ASSIGNED, SCHEDULED, IN_PROGRESS, ON_HOLD, COMPLETED, CANCELLED]\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = parseWith("s.yaml", []byte("steps:\n  - createProject: {name: p}\n  - createWorkOrder: {project: p, name: w}\n  - moveWorkOrder: {workOrder: w, to: WAITING}\n"), v)
	if err == nil {
		t.Fatal("WAITING was taken")
	}
	msg := err.Error()
	list := msg[strings.Index(msg, "["):strings.Index(msg, "]")]
	if !strings.Contains(list, "ON_HOLD") || strings.Contains(list, "WORKING") || strings.Count(list, "IN_PROGRESS") != 1 || !strings.Contains(msg, "also taken") {
		t.Errorf("message: %s", msg)
	}
}

// An assignee on a work order still in the queued status is named in the
// vocabulary's words: its queued status, and no ASSIGNED, which a team
// may not have (this one dispatches instead).
func TestCheckSequenceAssigneeWhileQueuedInVocabulary(t *testing.T) {
	v, err := schemas.ParseVocabulary("team.yaml", []byte("workOrderStatuses: [NEW, DISPATCHED, WORKING, COMPLETED, CANCELLED]\nqueuedStatus: NEW\nworkingStatus: WORKING\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := parseWith("s.yaml", []byte("steps:\n  - createProject: {name: p}\n  - createWorkOrder: {project: p, name: w, title: Survey}\n  - moveWorkOrder: {workOrder: w, to: DISPATCHED}\n"), v)
	if err != nil {
		t.Fatal(err)
	}
	events, err := s.Render(4)
	if err != nil {
		t.Fatal(err)
	}
	var bodies [][]byte
	for _, e := range events {
		bodies = append(bodies, e.Body)
	}
	bodies = mutate(t, bodies, find(t, bodies, "TASK_CREATED", 0, nil), func(m map[string]any) {
		obj(m, "workOrder")["status"] = "NEW"
		obj(m, "event")["currentStatus"] = "NEW"
		obj(m, "workOrder")["assigneeId"] = 13001.0
	})
	var msgs []string
	for _, e := range CheckSequenceWith(v, bodies) {
		if strings.Contains(e.Error(), "with assignee 13001") {
			msgs = append(msgs, e.Error())
		}
	}
	if len(msgs) != 1 || strings.Contains(msgs[0], "ASSIGNED") || !strings.Contains(msgs[0], "nobody is assigned while a work order is NEW") {
		t.Errorf("the assignee on a NEW work order: %q, want one error in the team's words (NEW, no ASSIGNED)", msgs)
	}
}
