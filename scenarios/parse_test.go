package scenarios

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// Parse errors are what a user fixes a file by: each case checks the exact
// position and the words that say what to do.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string // the first error must contain each; the first is the position
	}{
		{"empty file", "", []string{"f.yaml:1:1:", "the file is empty"}},
		{"comments only", "# nothing\n", []string{"f.yaml:1:1:", "the file is empty"}},
		{"not a mapping", "- createProject: {name: p}\n", []string{"f.yaml:1:1:", "a scenario must be a mapping"}},
		{"yaml syntax", "steps:\n  - createProject: {name: p\n", []string{"f.yaml:2:", "YAML syntax"}},
		{"duplicate key", "steps: []\nsteps: []\n", []string{"f.yaml:2:1:", "YAML syntax", `"steps" already defined on line 1`}},
		// The parser's words describe its state; the hint names the mistake
		// and the message shows the line.
		{"step indented under a step", "steps:\n  - createRequest: {name: lead}\n    - startPhase: {request: lead}\n",
			[]string{"f.yaml:3:5:", "non-map value is specified", "likely wrong indentation", "indented 4 spaces, deeper than line 2 above it (2 spaces)", `(line 3: "    - startPhase: {request: lead}")`}},
		{"step indented one space less", "steps:\n  - createRequest: {name: lead}\n - startPhase: {request: lead}\n",
			[]string{"f.yaml:3:2:", "likely wrong indentation", "indented 1 space, less than line 2 above it (2 spaces)"}},
		{"list item among keys", "delivery:\n  retry: ci\n  - duplicate: 0.3\nsteps:\n  - createAccount: {name: a}\n",
			[]string{"f.yaml:3:3:", `a "- " item and a key cannot share a level`}},
		{"key indented deeper than the one above", "delivery:\n retry: ci\n  duplicate: 0.3\nsteps:\n  - createAccount: {name: a}\n",
			[]string{"f.yaml:3:3:", "mapping value is not allowed in this context: likely wrong indentation", "deeper than line 2 above it (1 space)", `(line 3: "  duplicate: 0.3")`}},
		{"colon in a value", "description: Roof: re-roof\nsteps:\n  - createAccount: {name: a}\n",
			[]string{"f.yaml:1:14:", `a value holding ": " needs quotes, e.g. description: "Roof: re-roof"`}},
		{"tab", "steps:\n\t- createAccount: {name: a}\n",
			[]string{"f.yaml:2:1:", "found a tab", "YAML indents with spaces, not tabs", `(line 2: "\t- createAccount: {name: a}")`}},
		{"no steps key", "name: x\n", []string{"f.yaml:1:1:", "no steps: key"}},
		{"empty steps", "steps: []\n", []string{"f.yaml:1:1:", "steps: is empty"}},
		{"unknown top key", "stpes:\n  - createProject: {}\nsteps:\n  - createProject: {}\n",
			[]string{"f.yaml:1:1:", `top-level key "stpes" isn't one of`, "did you mean steps?"}},
		{"unknown step kind", "steps:\n  - createProject: {name: p}\n  - startPhaze: {project: p}\n",
			[]string{"f.yaml:3:5:", `step "startPhaze" isn't one of [createAccount`, "did you mean startPhase?"}},
		{"unknown step kind, case", "steps:\n  - createWorkorder: {}\n",
			[]string{"f.yaml:2:5:", "did you mean createWorkOrder?"}},
		{"unknown parameter", "steps:\n  - createProject: {name: p, workflw: solar}\n",
			[]string{"f.yaml:2:30:", `createProject parameter "workflw" isn't one of [name from account trades workflow after set merge]`, "did you mean workflow?"}},
		{"unknown entity name", "steps:\n  - createProject: {name: home}\n  - startPhase: {project: hoem}\n",
			[]string{"f.yaml:3:27:", `no project named "hoem" was created before this step (there are: home)`, "did you mean home?"}},
		{"unknown work order", "steps:\n  - createProject: {name: p}\n  - startPhase: {project: p}\n  - createWorkOrder: {project: p, name: survey}\n  - moveWorkOrder: {workOrder: survy, to: ASSIGNED}\n",
			[]string{"f.yaml:5:32:", `no work order named "survy"`, "did you mean survey?"}},
		{"moving a work order that does not exist", "steps:\n  - createProject: {name: p}\n  - moveWorkOrder: {workOrder: survey, to: ASSIGNED}\n",
			[]string{"f.yaml:3:32:", `no work order named "survey" was created before this step`}},
		{"created later", "steps:\n  - createProject: {name: p}\n  - completeWorkOrder: {workOrder: w}\n  - createWorkOrder: {project: p, name: w}\n",
			[]string{"f.yaml:3:36:", `work order "w" isn't visible here: it is created at 4:41`}},
		{"wrong kind", "steps:\n  - createProject: {name: p}\n  - completeWorkOrder: {workOrder: p}\n",
			[]string{"f.yaml:3:36:", `"p" is a project (created at 2:27), not a work order`}},
		{"wrong kind with a hint", "steps:\n  - createRequest: {name: r}\n  - startPhase: {project: r}\n",
			[]string{"f.yaml:3:27:", `"r" is a request`, "write request: r"}},
		{"name taken", "steps:\n  - createProject: {name: p}\n  - createRequest: {name: p}\n",
			[]string{"f.yaml:3:27:", `name "p" is taken by the project created at 2:27`}},
		{"missing required", "steps:\n  - createProject: {name: p}\n  - moveProject: {project: p}\n",
			[]string{"f.yaml:3:5:", "moveProject needs to:"}},
		{"no record", "steps:\n  - startPhase: {}\n", []string{"f.yaml:2:5:", "startPhase needs the record it concerns: one of project, request"}},
		{"two records", "steps:\n  - createProject: {name: p}\n  - createRequest: {name: r}\n  - startPhase: {project: p, request: r}\n",
			[]string{"f.yaml:4:5:", "startPhase concerns one record; it was given project and request"}},
		{"bad enum", "steps:\n  - createProject: {name: p}\n  - moveProject: {project: p, to: DONE}\n",
			[]string{"f.yaml:3:35:", `moveProject to "DONE" isn't one of [ACTIVE ON_HOLD CANCELLED COMPLETED]`}},
		{"move to completed", "steps:\n  - createProject: {name: p}\n  - createWorkOrder: {project: p, name: w}\n  - moveWorkOrder: {workOrder: w, to: COMPLETED}\n",
			[]string{"f.yaml:4:39:", "use completeWorkOrder"}},
		{"bad trade", "steps:\n  - createProject: {name: p, trades: [Solr]}\n",
			[]string{"f.yaml:2:39:", `trade "Solr" isn't one of`, "did you mean Solar?"}},
		{"bad phase", "steps:\n  - createProject: {name: p, trades: [Solar]}\n  - startPhase: {project: p, phase: Permiting}\n",
			[]string{"f.yaml:3:37:", `phase "Permiting" isn't one of`, "did you mean Permitting?"}},
		{"a phase of a project whose workflow the seed picks", "steps:\n  - createProject: {name: p}\n  - startPhase: {project: p, phase: Permitting}\n",
			[]string{"f.yaml:3:37:", "whose workflow depends on the seed; give createProject (at 2:27) a workflow: or trades:"}},
		{"bad workflow", "steps:\n  - createProject: {name: p, workflow: solr}\n",
			[]string{"f.yaml:2:40:", `workflow "solr" isn't one of [solar roofing hvac electrical]`, "did you mean solar?"}},
		{"bad request target", "steps:\n  - createRequest: {name: r}\n  - moveRequest: {request: r, to: WONN}\n",
			[]string{"f.yaml:3:35:", `request stage or status "WONN" isn't one of ["NEW" "PROPOSAL" "WON" "LOST" "NURTURE" "New Request"`, "did you mean WON?"}},
		{"bad duration", "steps:\n  - createProject: {name: p, after: 3 days}\n",
			[]string{"f.yaml:2:37:", `after: duration "3 days"`}},
		{"reversed range", "steps:\n  - createProject: {name: p, after: 3d..1d}\n",
			[]string{"f.yaml:2:37:", `range "3d..1d" ends before it starts`}},
		{"not a bool", "steps:\n  - createProject: {name: p}\n  - createWorkOrder: {project: p, field: maybe}\n",
			[]string{"f.yaml:3:42:", "createWorkOrder field must be true or false"}},
		{"two kinds in a step", "steps:\n  - createProject: {name: p}\n    startPhase: {project: p}\n",
			[]string{"f.yaml:3:5:", "a step has one kind, and this one already is createProject"}},
		{"step without kind", "steps:\n  - after: 2d\n", []string{"f.yaml:2:5:", "this step has no kind"}},
		{"bad set path", "steps:\n  - createProject: {name: p, set: {record.stage.nmae: X}}\n",
			[]string{"f.yaml:2:30:", `override path "record.stage.nmae"`, "did you mean record.stage.name?"}},
		{"set makes it invalid", "steps:\n  - createProject: {name: p, set: [record.id=\"abc\"]}\n",
			[]string{"f.yaml:2:30:", "/record/id"}},
		{"set on a silent step", "steps:\n  - createAccount: {name: a, set: {record.title: x}}\n",
			[]string{"f.yaml:2:30:", "createAccount fires no event"}},
		{"unknown delivery key", "delivery: {retyr: ci}\nsteps:\n  - createProject: {}\n",
			[]string{"f.yaml:1:12:", `delivery key "retyr" isn't one of`, "did you mean retry?"}},
		{"unknown preset", "delivery: {retry: fast}\nsteps:\n  - createProject: {}\n",
			[]string{"f.yaml:1:19:", `retry preset "fast" isn't one of [default ci none]`}},
		{"concurrency over delivery's bound", "delivery: {concurrency: 2000}\nsteps:\n  - createProject: {}\n",
			[]string{"f.yaml:1:25:", "concurrency 2000: must be between 1 and 1024"}},
		{"bad duplicate", "delivery:\n  duplicate: 2\nsteps:\n  - createProject: {}\n",
			[]string{"f.yaml:2:14:", "duplicate 2: must be a fraction between 0 and 1"}},
		{"bad duplicate mode", "delivery:\n  duplicateMode: later\nsteps:\n  - createProject: {}\n",
			[]string{"f.yaml:2:18:", `duplicateMode "later" isn't one of [after concurrent]`}},
		{"negative reorder", "delivery:\n  reorder: -1\nsteps:\n  - createProject: {}\n",
			[]string{"f.yaml:2:12:", "reorder window -1: must be 0 or more"}},
		{"bad schedule", "delivery:\n  schedule: 1s,soon\nsteps:\n  - createProject: {}\n",
			[]string{"f.yaml:2:13:", "schedule:", `"soon" isn't a duration`}},
		{"retry and schedule", "delivery:\n  retry: ci\n  schedule: 1s\nsteps:\n  - createProject: {}\n",
			[]string{"f.yaml:2:3:", "both retry: and schedule:"}},
		{"unknown count parameter", "params: {projects: 2}\nsteps:\n  - repeat: {count: projcts, steps: [createProject: {}]}\n",
			[]string{"f.yaml:3:21:", `repeat count parameter "projcts" isn't one of [projects]`, "did you mean projects?"}},
		{"count without params", "steps:\n  - repeat: {count: many, steps: [createProject: {}]}\n",
			[]string{"f.yaml:2:21:", `repeat count "many" is neither a whole number nor a parameter`}},
		{"repeat without steps", "steps:\n  - repeat: {count: 2}\n", []string{"f.yaml:2:5:", "repeat needs steps:"}},
		{"name inside a repeat", "steps:\n  - repeat:\n      count: 2\n      steps:\n        - createProject: {name: p}\n  - startPhase: {project: p}\n",
			[]string{"f.yaml:6:27:", `project "p" isn't visible here: it is created at 5:33, later or inside a repeat`}},
		{"parallel changes the outside", "steps:\n  - createProject: {name: p}\n  - repeat:\n      count: 2\n      parallel: true\n      steps:\n        - createWorkOrder: {project: p}\n",
			[]string{"f.yaml:7:38:", "parallel iterations may only change what they create themselves"}},
		{"stagger without parallel", "steps:\n  - repeat: {count: 2, stagger: 1d, steps: [createProject: {}]}\n",
			[]string{"f.yaml:2:5:", "stagger: only applies to parallel: true repeats"}},
		{"huge count", "steps:\n  - repeat: {count: 99999, steps: [createProject: {}]}\n",
			[]string{"f.yaml:2:21:", "repeat count 99999 must be between 0 and 10000"}},
		{"merge keys", "base: &b {name: p}\nsteps:\n  - createProject: {<<: *b}\n",
			[]string{"f.yaml:1:1:", `top-level key "base"`}},
		{"bad start", "start: yesterday\nsteps:\n  - createProject: {}\n",
			[]string{"f.yaml:1:8:", `start "yesterday" isn't an RFC 3339 time`}},
		// Impossible lifecycles, found by playing the file once.
		{"completing a phase with open work orders", "steps:\n  - createProject: {name: p, workflow: solar}\n  - startPhase: {project: p}\n  - createWorkOrder: {project: p, name: call}\n  - completePhase: {project: p}\n",
			[]string{"f.yaml:5:5:", "completePhase: project p's phase Sales has open work orders: call (QUEUED)", "a phase completes only after its work orders"}},
		{"completing a phase never started", "steps:\n  - createProject: {name: p}\n  - completePhase: {project: p}\n",
			[]string{"f.yaml:3:5:", "completePhase: project p has no phase in progress"}},
		{"starting a phase twice", "steps:\n  - createProject: {name: p, workflow: solar}\n  - startPhase: {project: p}\n  - startPhase: {project: p}\n",
			[]string{"f.yaml:4:5:", "startPhase: project p is still in phase Sales; completePhase first"}},
		{"going back a phase", "steps:\n  - createProject: {name: p, workflow: solar}\n  - startPhase: {project: p}\n  - completePhase: {project: p}\n  - startPhase: {project: p, phase: Sales}\n",
			[]string{"f.yaml:5:5:", "phase Sales comes before Site Survey", "projects move forward"}},
		{"skipping a phase", "steps:\n  - createProject: {name: p, workflow: solar}\n  - startPhase: {project: p, phase: Design}\n",
			[]string{"f.yaml:3:5:", "phase Design comes after Sales, where project p stands", "startPhase and completePhase Sales first"}},
		{"phase outside the workflow", "steps:\n  - createProject: {name: p, workflow: hvac}\n  - startPhase: {project: p, phase: Permitting}\n",
			[]string{"f.yaml:3:5:", "project p follows the hvac workflow", `phase "Permitting" isn't one of [Sales Design Installation Inspection Service]`}},
		{"moving a completed work order", "steps:\n  - createProject: {name: p}\n  - createWorkOrder: {project: p, name: w}\n  - completeWorkOrder: {workOrder: w}\n  - moveWorkOrder: {workOrder: w, to: WORKING}\n",
			[]string{"f.yaml:5:5:", "moveWorkOrder: work order w is COMPLETED; nothing moves it after that"}},
		{"moving to the same status", "steps:\n  - createProject: {name: p}\n  - createWorkOrder: {project: p, name: w}\n  - moveWorkOrder: {workOrder: w, to: QUEUED}\n",
			[]string{"f.yaml:4:5:", "work order w is QUEUED already"}},
		{"a project from a request not won", "steps:\n  - createRequest: {name: r}\n  - createProject: {name: p, from: r}\n",
			[]string{"f.yaml:3:5:", "createProject: request r is NEW; a request becomes a project once it is won"}},
		{"a request converted twice", "steps:\n  - createRequest: {name: r}\n  - moveRequest: {request: r, to: WON}\n  - createProject: {name: p, from: r}\n  - createProject: {name: q, from: r}\n",
			[]string{"f.yaml:5:5:", "request r already became a project"}},
		{"moving a won request", "steps:\n  - createRequest: {name: r}\n  - moveRequest: {request: r, to: WON}\n  - moveRequest: {request: r, to: NURTURE}\n",
			[]string{"f.yaml:4:5:", "request r was won"}},
		{"completing an unfinished project", "steps:\n  - createProject: {name: p, workflow: solar}\n  - moveProject: {project: p, to: COMPLETED}\n",
			[]string{"f.yaml:3:5:", "project p is in phase Sales (not started); moveProject to: COMPLETED needs its last phase, Permission to Operate, completed first (startPhase and completePhase each phase up to it)"}},
		{"completing a project in its last phase", "steps:\n  - createProject: {name: p, trades: [Roofing]}\n  - startPhase: {project: p}\n  - completePhase: {project: p}\n  - startPhase: {project: p}\n  - completePhase: {project: p}\n  - startPhase: {project: p}\n  - completePhase: {project: p}\n  - startPhase: {project: p}\n  - completePhase: {project: p}\n  - startPhase: {project: p}\n  - moveProject: {project: p, to: COMPLETED}\n",
			[]string{"f.yaml:12:5:", "project p is in phase Inspection (in progress); moveProject to: COMPLETED needs its last phase, Inspection, completed first (completePhase it)"}},
		{"a phase after the last", "steps:\n  - createProject: {name: p, trades: [Roofing]}\n  - startPhase: {project: p}\n  - completePhase: {project: p}\n  - startPhase: {project: p}\n  - completePhase: {project: p}\n  - startPhase: {project: p}\n  - completePhase: {project: p}\n  - startPhase: {project: p}\n  - completePhase: {project: p}\n  - startPhase: {project: p}\n  - completePhase: {project: p}\n  - startPhase: {project: p}\n",
			[]string{"f.yaml:13:5:", "project p has completed its last phase, Inspection: there is no phase after it to start (moveProject to: COMPLETED closes the project)"}},
		{"work on a completed project", "steps:\n  - createProject: {name: p, trades: [Roofing]}\n  - startPhase: {project: p}\n  - completePhase: {project: p}\n  - startPhase: {project: p}\n  - completePhase: {project: p}\n  - startPhase: {project: p}\n  - completePhase: {project: p}\n  - startPhase: {project: p}\n  - completePhase: {project: p}\n  - startPhase: {project: p}\n  - completePhase: {project: p}\n  - moveProject: {project: p, to: COMPLETED}\n  - createWorkOrder: {project: p, name: w}\n",
			[]string{"f.yaml:14:5:", "project p is COMPLETED; its phases and work orders move only once moveProject moves it to ACTIVE again"}},
		{"work on a cancelled project", "steps:\n  - createProject: {name: p}\n  - moveProject: {project: p, to: CANCELLED}\n  - startPhase: {project: p}\n",
			[]string{"f.yaml:4:5:", "project p is CANCELLED"}},
		{"an sla with no phase running", "steps:\n  - createProject: {name: p}\n  - slaViolation: {project: p}\n",
			[]string{"f.yaml:3:5:", "project p has no phase in progress to overrun"}},
		{"lifecycle error inside a repeat", "steps:\n  - repeat:\n      count: 3\n      steps:\n        - createProject: {name: p}\n        - completePhase: {project: p}\n",
			[]string{"f.yaml:6:11:", "(repeat iteration 1)"}},
		{"trades against workflow", "steps:\n  - createProject: {name: p, workflow: solar, trades: [HVAC]}\n",
			[]string{"f.yaml:2:5:", "trades [HVAC] follow the hvac workflow, not solar"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("f.yaml", []byte(tc.src))
			if err == nil {
				t.Fatalf("parsed: %+v", s)
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %T %v is not an ErrorList", err, err)
			}
			first := list[0].Error()
			for _, w := range tc.want {
				if !strings.Contains(first, w) {
					t.Errorf("first error lacks %q:\n%v", w, err)
				}
			}
			if !strings.HasPrefix(first, tc.want[0]) {
				t.Errorf("first error doesn't start at %q:\n%v", tc.want[0], err)
			}
		})
	}
}

// Every problem of a file is reported at once, in file order.
func TestParseReportsEveryError(t *testing.T) {
	src := "steps:\n  - createProjet: {name: p}\n  - startPhase: {project: q}\n  - moveProject: {project: p}\n"
	_, err := Parse("many.yaml", []byte(src))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("err = %v", err)
	}
	var lines []int
	for _, e := range list {
		lines = append(lines, e.Line)
	}
	if len(list) < 3 || lines[0] != 2 || lines[1] != 3 || lines[2] != 4 {
		t.Errorf("want errors on lines 2, 3 and 4, got:\n%v", err)
	}

	// The delivery block is checked before the steps; the errors are
	// still in file order.
	src = "name: my-flow\nsteps:\n  - createProject: {name: home, workflow: solr}\n  - startPhase: {project: home, phase: Site Survy}\ndelivery:\n  retry: sometimes\n  concurrency: 0\n"
	_, err = Parse("order.yaml", []byte(src))
	if !errors.As(err, &list) {
		t.Fatalf("err = %v", err)
	}
	lines = lines[:0]
	for _, e := range list {
		lines = append(lines, e.Line)
	}
	if !slices.IsSorted(lines) || len(lines) != 4 {
		t.Errorf("want 4 errors in file order, got lines %v:\n%v", lines, err)
	}
}

func TestParseAcceptsTheFormat(t *testing.T) {
	src := `
name: format-tour
description: |
  Every construct the format has.
  Second line.
params: {crews: 2}
start: 2026-05-01T14:00:00Z
delivery:
  retry: ci
  timeScale: 100
  concurrency: 3
  recordOrder: false
  duplicate: 0.5
  duplicateMode: concurrent
  reorder: 4
  jitter: 20ms
  timeout: 750ms
steps:
  - createAccount: {name: acme}
  - createRequest: {name: lead, account: acme, trades: Solar}
  - startPhase: {request: lead}
  - moveRequest: {request: lead, to: Qualification}
  - moveRequest: {request: lead, to: WON, after: 2d}
  - createProject:
      name: home
      from: lead
    after: 1d..2d
    set:
      - record.dealValue=31000
  - startPhase: {project: home}
  - completePhase: {project: home}
  - startPhase: {project: home, phase: Site Survey}
  - createWorkOrder: {project: home, name: survey, title: Site Survey, status: ASSIGNED}
  - moveWorkOrder: {workOrder: survey, to: SCHEDULED, set: {workOrder.priority: 1}}
  - slaViolation: {project: home}
  - completeWorkOrder: &done {workOrder: survey}
  - completePhase: {project: home, merge: {record: {dealValue: 32000}}}
  - createAppointment: {project: home, name: visit, in: 2h}
  - rescheduleAppointment: {appointment: visit, by: -1h}
  - logCall: {account: acme, name: c}
  - updateCall: {call: c}
  - updateProperty: {project: home, dealValue: 33000.5}
  - repeat:
      count: crews
      steps:
        - createWorkOrder: {project: home, name: extra, title: Custom Thing, field: true, description: Bring a ladder}
        - moveWorkOrder: {workOrder: extra, to: CANCELLED}
  - moveProject: {project: home, to: ON_HOLD}
`
	s, err := Parse("tour.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "format-tour" || !strings.HasPrefix(s.Description, "Every construct") || len(s.Params) != 1 || s.Params[0] != (Param{"crews", 2}) {
		t.Errorf("header: %q %q %v", s.Name, s.Description, s.Params)
	}
	d := s.Delivery
	if d.Retry != "ci" || d.TimeScale != 100 || d.Concurrency != 3 || d.RecordOrder || d.Duplicate != 0.5 ||
		d.DuplicateMode != "concurrent" || d.Reorder != 4 || d.Jitter != 20*time.Millisecond || d.Timeout != 750*time.Millisecond {
		t.Errorf("delivery: %+v", d)
	}
	events, err := s.Render(3, WithParam("crews", 3))
	if err != nil {
		t.Fatal(err)
	}
	// request: created, phase started, moved within NEW (2), won (3);
	// project: created, Sales started and completed, phase, work order
	// (1+1+1 SLA+2), phase done, appointment (2), calls (2), property, 3
	// iterations of 2, status.
	if want := 1 + 1 + 2 + 3 + 1 + 2 + 1 + 1 + 1 + 1 + 2 + 1 + 2 + 2 + 1 + 3*2 + 1; len(events) != want {
		t.Errorf("%d events, want %d", len(events), want)
	}
	if !events[0].FiredAt.After(time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("start: ignored, first event at %s", events[0].FiredAt)
	}
	var created, moved, completed struct {
		Record    struct{ DealValue float64 }
		WorkOrder struct{ Priority int }
	}
	for _, e := range events {
		switch {
		case e.TriggerKey == "PROJECT_CREATED":
			mustUnmarshal(t, e.Body, &created)
		case e.TriggerKey == "TASK_STATUS_MOVEMENT" && strings.Contains(string(e.Body), `"currentStatus":"SCHEDULED"`):
			mustUnmarshal(t, e.Body, &moved)
		case e.TriggerKey == "PROJECT_PHASE_COMPLETED":
			mustUnmarshal(t, e.Body, &completed)
		}
	}
	if created.Record.DealValue != 31000 || moved.WorkOrder.Priority != 1 || completed.Record.DealValue != 32000 {
		t.Errorf("overrides not applied: set %v, set map %v, merge %v", created.Record.DealValue, moved.WorkOrder.Priority, completed.Record.DealValue)
	}
	checkEvents(t, "tour", events)
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
}

func TestDurations(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"90s", 90 * time.Second, ""},
		{"15m", 15 * time.Minute, ""},
		{"1d12h", 36 * time.Hour, ""},
		{"2w", 14 * day, ""},
		{"1.5d", 36 * time.Hour, ""},
		{"250ms", 250 * time.Millisecond, ""},
		{"-1d", -day, ""},
		{"0", 0, ""},
		{"", 0, "empty"},
		{"3", 0, "unit missing"},
		{"3x", 0, "unit missing"},
		{"d", 0, "want a number"},
		{"99999999w", 0, "longer than a century"},
	}
	for _, tc := range cases {
		got, err := parseDuration(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("parseDuration(%q) = %v, %v; want error with %q", tc.in, got, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("parseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if tc.err == "" && tc.in != "" {
			back, err := parseDuration(formatDuration(got))
			if err != nil || back != got {
				t.Errorf("formatDuration(%v) = %q does not read back", got, formatDuration(got))
			}
		}
	}
}

func TestRenderParams(t *testing.T) {
	s, err := Load("concurrent-projects")
	if err != nil {
		t.Fatal(err)
	}
	events, err := s.Render(1, WithParam("projects", 4))
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 4*9 {
		t.Errorf("4 projects gave %d events, want 36", len(events))
	}
	// The message is the whole error: a field named after the misspelt
	// parameter ("Project: scenario ...") is no field at all.
	if _, err := s.Render(1, WithParam("project", 4)); err == nil || err.Error() != `scenario concurrent-projects has no parameter "project"; it has [projects]` {
		t.Errorf("unknown parameter: %v", err)
	}
	if _, err := s.Render(1, WithParam("projects", -1)); err == nil {
		t.Error("a negative count was accepted")
	}
	solar, _ := Load("residential-solar")
	if _, err := solar.Render(1, WithParam("projects", 4)); err == nil || err.Error() != `scenario residential-solar has no parameter "projects" (it declares none)` {
		t.Errorf("parameter on a scenario without one: %v", err)
	}
}
