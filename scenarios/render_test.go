package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

var testSeeds = []uint64{1, 2, 3, 7, 42, 1234567}

// checkEvents asserts what every rendered scenario promises: strict
// validity, firing order, and the world invariants.
func checkEvents(t *testing.T, name string, events []Rendered) {
	t.Helper()
	bodies := make([][]byte, len(events))
	for i, e := range events {
		bodies[i] = e.Body
		res, err := schemas.Validate(e.Body, schemas.Strict)
		if err != nil || !res.Valid() {
			t.Fatalf("%s: event %d (%s, line %d) invalid: %v %v\n%s", name, i, e.TriggerKey, e.Line, err, res.Violations, e.Body)
		}
		if i > 0 {
			prev := events[i-1]
			if !e.FiredAt.After(prev.FiredAt) || e.EventID <= prev.EventID {
				t.Fatalf("%s: event %d (id %d at %s) does not follow event %d (id %d at %s)", name, i, e.EventID, e.FiredAt, i-1, prev.EventID, prev.FiredAt)
			}
		}
		// The identity passed along is the one in the body.
		if id, err := schemas.DecodeIdentity(e.Body); err != nil || id != e.Identity {
			t.Fatalf("%s: event %d carries %+v, its body %+v (%v)", name, i, e.Identity, id, err)
		}
	}
	if errs := CheckSequence(bodies); len(errs) > 0 {
		t.Fatalf("%s: world invariants broken:\n%v", name, errs)
	}
}

func TestBuiltinsRender(t *testing.T) {
	if err := builtinsErr(); err != nil {
		t.Fatal(err)
	}
	for _, info := range Builtin() {
		t.Run(info.Name, func(t *testing.T) {
			s, err := Load(info.Name)
			if err != nil {
				t.Fatal(err)
			}
			for _, seed := range testSeeds {
				events, err := s.Render(seed)
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				if len(events) != info.Events {
					t.Errorf("seed %d: %d events, Info says %d: the count must not depend on the seed", seed, len(events), info.Events)
				}
				checkEvents(t, info.Name, events)
			}
		})
	}
}

// The descriptions promise event counts; keep them honest.
func TestBuiltinDescriptionsCountEvents(t *testing.T) {
	re := regexp.MustCompile(`(\d+) events`)
	for _, info := range Builtin() {
		s, _ := Load(info.Name)
		if len(info.Params) > 0 {
			continue // the count depends on the parameters
		}
		m := re.FindStringSubmatch(s.Description)
		if m == nil {
			t.Errorf("%s: the description doesn't say how many events", info.Name)
			continue
		}
		if n, _ := strconv.Atoi(m[1]); n != info.Events {
			t.Errorf("%s: the description says %d events, it fires %d", info.Name, n, info.Events)
		}
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	s, _ := Load("request-won")
	a, _ := s.Render(9)
	b, _ := s.Render(9)
	c, _ := s.Render(10)
	if len(a) != len(b) {
		t.Fatal("lengths differ")
	}
	for i := range a {
		if !bytes.Equal(a[i].Body, b[i].Body) {
			t.Fatalf("event %d differs between two renders of seed 9", i)
		}
	}
	if bytes.Equal(a[0].Body, c[0].Body) {
		t.Error("seeds 9 and 10 gave the same first event")
	}
	// Scenarios with the same seed must not share event ids, or one
	// receiver would take one's events for the other's retries.
	other, _ := Load("work-order-lifecycle")
	o, _ := other.Render(9)
	if o[0].EventID == a[0].EventID {
		t.Error("two scenarios with the same seed start at the same event id")
	}
}

// The acceptance: the library together fires all 18 triggers, and
// residential-solar alone every project and work-order trigger.
func TestLibraryCoversEveryTrigger(t *testing.T) {
	seen := map[string]bool{}
	for _, info := range Builtin() {
		for _, k := range info.Triggers {
			seen[k] = true
		}
	}
	for _, k := range schemas.TriggerKeys() {
		if !seen[k] {
			t.Errorf("no built-in scenario fires %s", k)
		}
	}
	solar, _ := Load("residential-solar")
	for _, tr := range schemas.Triggers() {
		if (tr.Family == schemas.FamilyProject || tr.Family == schemas.FamilyWorkOrder) && !slices.Contains(solar.Triggers(), tr.Key) {
			t.Errorf("residential-solar doesn't fire %s", tr.Key)
		}
	}
	if n := solar.Events(); n < 35 || n > 50 {
		t.Errorf("residential-solar fires %d events, want about 40", n)
	}
}

func TestLibraryOrderListsEveryFile(t *testing.T) {
	files, err := filepath.Glob("library/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".yaml"))
	}
	slices.Sort(names)
	listed := slices.Sorted(slices.Values(builtinOrder))
	if !slices.Equal(names, listed) {
		t.Errorf("library/ holds %v, builtinOrder lists %v", names, listed)
	}
	for _, name := range builtinOrder {
		src, err := Source(name)
		if err != nil {
			t.Fatal(err)
		}
		disk, _ := os.ReadFile(filepath.Join("library", name+".yaml"))
		if !bytes.Equal(src, disk) {
			t.Errorf("Source(%s) isn't the file", name)
		}
		s, _ := Load(name)
		if s.Name != name {
			t.Errorf("library/%s.yaml names itself %q", name, s.Name)
		}
	}
	if _, err := Source("residential-solr"); err == nil || !strings.Contains(err.Error(), "did you mean residential-solar?") {
		t.Errorf("Source of a typo: %v", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mine.yaml")
	os.WriteFile(path, []byte("steps:\n  - createProject: {name: p}\n  - startPhase: {project: q}\n"), 0o644)
	_, err := Load(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":3:27: ") {
		t.Errorf("Load of a bad file: %v", err)
	}
	if _, err := Load("residental-solar"); err == nil || !strings.Contains(err.Error(), "did you mean residential-solar?") {
		t.Errorf("Load of a typo: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("Load of a missing file succeeded")
	}
	s, err := Load("residential-solar.yaml")
	if err != nil || s.Name != "residential-solar" {
		t.Errorf("Load with the extension: %v", err)
	}
}

// The scenario workflows and the generator's come from one vocabulary; a
// drift would make `generate` and `scenario run` disagree on what stage
// 16651 is.
func TestWorkflowsMatchGenerator(t *testing.T) {
	g := generator.New(1)
	for _, wf := range append(slices.Clone(defaultWorkflowSet.projects), defaultWorkflowSet.request) {
		rt, key := "PROJECT", "PROJECT_PHASE_STARTED"
		if wf == defaultWorkflowSet.request {
			rt, key = "DEAL", "REQUEST_PHASE_STARTED"
		}
		for _, ph := range wf.phases {
			rec := g.Record(rt)
			rec.Stage = &generator.Stage{ID: ph.stageID, Name: ph.name}
			p, err := g.PayloadFor(key, g.Epoch(), rec, nil)
			if err != nil {
				t.Fatal(err)
			}
			if p.Event.PhaseTemplateID != ph.templateID || p.Event.PhaseType != ph.phaseType {
				t.Errorf("%s %s: generator says template %d %s, scenarios %d %s", wf.name, ph.name,
					p.Event.PhaseTemplateID, p.Event.PhaseType, ph.templateID, ph.phaseType)
			}
		}
	}
}

// World behaviour the library relies on, checked on the payloads.
func TestWorldDetails(t *testing.T) {
	s, err := Parse("w.yaml", []byte(`
steps:
  - createRequest: {name: r, trades: [HVAC]}
  - moveRequest: {request: r, to: WON}
  - createProject: {name: p, from: r}
  - startPhase: {project: p}
  - createWorkOrder: {project: p, name: w, title: Site Survey}
  - moveWorkOrder: {workOrder: w, to: SCHEDULED}
  - moveWorkOrder: {workOrder: w, to: IN_PROGRESS}
  - completeWorkOrder: {workOrder: w}
`))
	if err != nil {
		t.Fatal(err)
	}
	events, err := s.Render(5)
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, "w", events)
	var req, proj, phase struct {
		Event struct {
			PhaseTemplateID int64
			PhaseType       string
		}
		Record struct {
			Title, Type string
			Trades      []string
			Stage       struct{ ID int64 }
		}
	}
	mustUnmarshal(t, events[0].Body, &req)
	for _, e := range events {
		switch e.TriggerKey {
		case "PROJECT_CREATED":
			mustUnmarshal(t, e.Body, &proj)
		case "PROJECT_PHASE_STARTED":
			mustUnmarshal(t, e.Body, &phase)
		}
	}
	if proj.Record.Title != req.Record.Title || !slices.Equal(proj.Record.Trades, []string{"HVAC"}) {
		t.Errorf("the project from the request: %+v, request %+v", proj.Record, req.Record)
	}
	if phase.Record.Stage.ID != 17410 || phase.Event.PhaseTemplateID != 2601 {
		t.Errorf("an HVAC project's first phase: stage %d template %d", phase.Record.Stage.ID, phase.Event.PhaseTemplateID)
	}
	// Moving a request fires the phase it leaves, the one it enters and
	// the status movement, in that order.
	var triggers []string
	for _, e := range events[:4] {
		triggers = append(triggers, e.TriggerKey)
	}
	if want := []string{"REQUEST_CREATED", "REQUEST_PHASE_STARTED", "DEAL_STATUS_MOVEMENT", "PROJECT_CREATED"}; !slices.Equal(triggers, want) {
		t.Errorf("triggers %v, want %v", triggers, want)
	}
	// Field work starts on the day it was scheduled for.
	var sched, started struct {
		WorkOrder struct{ StartDate string }
		Event     struct{ FiredAt string }
	}
	mustUnmarshal(t, events[6].Body, &sched)
	mustUnmarshal(t, events[7].Body, &started)
	if sched.WorkOrder.StartDate == "" || started.Event.FiredAt[:10] != sched.WorkOrder.StartDate[:10] {
		t.Errorf("scheduled for %s, started at %s", sched.WorkOrder.StartDate, started.Event.FiredAt)
	}
}

// An eventId offset moves every eventId by the offset and changes nothing
// else, so that a reproducer naming the seed and the offset sends the same
// bytes; a bad offset is refused with the range.
func TestWithEventIDOffsetMovesOnlyEventIDs(t *testing.T) {
	for _, name := range []string{"residential-solar", "duplicate-delivery"} {
		sc, err := Load(name)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := sc.Render(7)
		if err != nil {
			t.Fatal(err)
		}
		const off = 3 << 21
		moved, err := sc.Render(7, WithEventIDOffset(off))
		if err != nil {
			t.Fatal(err)
		}
		if len(moved) != len(plain) {
			t.Fatalf("%s: %d events with the offset, %d without", name, len(moved), len(plain))
		}
		for i, e := range plain {
			m := moved[i]
			if m.EventID != e.EventID+off || m.RecordID != e.RecordID {
				t.Fatalf("%s event %d: eventId %d record %d, want %d and %d", name, i, m.EventID, m.RecordID, e.EventID+off, e.RecordID)
			}
			want := bytes.Replace(e.Body, fmt.Appendf(nil, `"eventId":%d,`, e.EventID), fmt.Appendf(nil, `"eventId":%d,`, m.EventID), 1)
			if !bytes.Equal(want, m.Body) {
				t.Fatalf("%s event %d differs beyond its eventId:\n%s\n%s", name, i, e.Body, m.Body)
			}
		}
	}
	sc, err := Load("call-logged")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []int64{-1, MaxEventIDOffset + 1} {
		_, err := sc.Render(1, WithEventIDOffset(bad))
		if err == nil || err.Error() != fmt.Sprintf("EventIDOffset %d: want 0 to %d", bad, int64(MaxEventIDOffset)) {
			t.Errorf("offset %d: %v", bad, err)
		}
	}
}

// NewPlay is what every command that plays a scenario starts from: the
// same name and seed give the same events as Load and Render, and each
// step's error comes through as that step makes it.
func TestNewPlay(t *testing.T) {
	for _, tc := range []struct {
		name  string
		scen  string
		opts  []RenderOption
		field string // of a *schemas.FieldError
		want  string // in the error; "" for none
	}{
		{"a built-in one", "request-won", nil, "", ""},
		{"an unknown one", "nope", nil, "", `scenario "nope" is neither a built-in one`},
		{"a parameter it lacks", "request-won", []RenderOption{WithParam("projects", 2)}, "Projects", `has no parameter "projects"`},
		{"an offset out of range", "request-won", []RenderOption{WithEventIDOffset(-1)}, "EventIDOffset", "want 0 to"},
		{"no events", "concurrent-projects", []RenderOption{WithParam("projects", 0)}, "", "renders to no events"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPlay(tc.scen, nil, 7, tc.opts...)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				sc, _ := Load(tc.scen)
				events, _ := sc.Render(7)
				if p.Scenario.Name != tc.scen || p.Seed != 7 || len(p.Events) != len(events) || string(p.Events[0].Body) != string(events[0].Body) {
					t.Errorf("play %s seed %d, %d events; want %s's %d events", p.Scenario.Name, p.Seed, len(p.Events), tc.scen, len(events))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
			var fe *schemas.FieldError
			if isField := errors.As(err, &fe); isField != (tc.field != "") || isField && fe.Field != tc.field {
				t.Errorf("err %v: want a *schemas.FieldError on %q", err, tc.field)
			}
		})
	}
}
