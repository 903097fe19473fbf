package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// teamWorkflowScenario walks a solar project through every stage of the
// team's workflow, naming the renamed and the added stage.
const teamWorkflowScenario = `name: team-solar
steps:
  - createProject: {name: home, workflow: solar}
  - startPhase: {project: home}
  - completePhase: {project: home}
  - startPhase: {project: home, phase: Site Visit}
  - createWorkOrder: {project: home, name: visit}
  - completeWorkOrder: {workOrder: visit}
  - completePhase: {project: home}
  - startPhase: {project: home, phase: Design}
  - completePhase: {project: home}
  - startPhase: {project: home, phase: HOA Approval}
  - createWorkOrder: {project: home, name: hoa}
  - completeWorkOrder: {workOrder: hoa}
  - completePhase: {project: home}
  - startPhase: {project: home, phase: Permitting}
  - completePhase: {project: home}
`

// A vocabulary that renames a stage (keeping its id) and adds one drives
// generate, scenario run (phases in the vocabulary's order), validate
// --strict --vocabulary and docs, through the real binary.
func TestVocabularyWorkflowsEndToEnd(t *testing.T) {
	dir := t.TempDir()
	exported := cli(t, "", "vocabulary").want(t, 0).stdout
	edited := strings.NewReplacer(
		"{id: 16647, templateId: 2402, name: Site Survey, phaseType: DESIGN}", "{id: 16647, templateId: 2402, name: Site Visit, phaseType: DESIGN}",
		"    - {id: 16650, templateId: 2404, name: Permitting", "    - {name: HOA Approval, phaseType: PERMITTING}\n    - {id: 16650, templateId: 2404, name: Permitting",
		"name: Proposal, phaseType: SALES, requestStatus: PROPOSAL}", "name: Quote Sent, phaseType: SALES, requestStatus: PROPOSAL}",
	).Replace(exported)
	if strings.Count(edited, "Site Visit")+strings.Count(edited, "HOA Approval")+strings.Count(edited, "Quote Sent") != 3 {
		t.Fatalf("the exported vocabulary changed shape:\n%s", exported)
	}
	vocab := filepath.Join(dir, "team.yaml")
	scenario := filepath.Join(dir, "team-solar.yaml")
	if err := os.WriteFile(vocab, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(scenario, []byte(teamWorkflowScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := schemas.ParseVocabulary(vocab, []byte(edited))
	if err != nil {
		t.Fatal(err)
	}

	// Without the vocabulary the scenario's added stage is unknown, where
	// the file names it.
	r := cli(t, "", "scenario", "run", scenario, "--dry-run").want(t, 2)
	if !strings.Contains(r.stderr, "team-solar.yaml:6:") || !strings.Contains(r.stderr, "Site Visit") {
		t.Errorf("without --vocabulary: %s", r.stderr)
	}

	type stagePayload struct {
		Event struct {
			TriggerKey      string `json:"triggerKey"`
			PhaseTemplateID int64  `json:"phaseTemplateId"`
		} `json:"event"`
		Record *struct {
			Stage *struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"stage"`
		} `json:"record"`
	}
	lines := func(out string) (bodies [][]byte, ps []stagePayload) {
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var p stagePayload
			if err := json.Unmarshal([]byte(l), &p); err != nil {
				t.Fatalf("%v: %s", err, l)
			}
			bodies, ps = append(bodies, []byte(l)), append(ps, p)
		}
		return bodies, ps
	}
	// Phases run in the vocabulary's order: the added stage between Design
	// and Permitting, the renamed one under its new name and old id.
	var all strings.Builder
	for seed := 1; seed <= 5; seed++ {
		out := cli(t, "", "scenario", "run", scenario, "--dry-run", "--seed", string(rune('0'+seed)), "--vocabulary", vocab).want(t, 0).stdout
		all.WriteString(out)
		bodies, ps := lines(out)
		var started []string
		for _, p := range ps {
			if p.Event.TriggerKey == "PROJECT_PHASE_STARTED" {
				started = append(started, p.Record.Stage.Name)
			}
		}
		if want := []string{"Sales", "Site Visit", "Design", "HOA Approval", "Permitting"}; !slices.Equal(started, want) {
			t.Errorf("seed %d: phases started %v, want %v", seed, started, want)
		}
		if errs := scenarios.CheckSequenceWith(v, bodies); errs != nil {
			t.Errorf("seed %d: %v", seed, errs)
		}
	}
	// Built-in scenarios that name Site Survey and Proposal find the
	// renamed stages.
	builtin := cli(t, "", "scenario", "run", "work-order-lifecycle", "--dry-run", "--vocabulary", vocab).want(t, 0).stdout
	all.WriteString(builtin)
	if !strings.Contains(builtin, `"stage":{"id":16647,"name":"Site Visit"}`) || strings.Contains(builtin, `"name":"Site Survey"}`) {
		t.Error("work-order-lifecycle does not run in the renamed stage")
	}
	won := cli(t, "", "scenario", "run", "request-won", "--dry-run", "--vocabulary", vocab).want(t, 0).stdout
	all.WriteString(won)
	if bodies, _ := lines(won); !strings.Contains(won, `"stage":{"id":15304,"name":"Quote Sent"}`) || strings.Contains(won, `"name":"Proposal"}`) {
		t.Error("request-won does not move the request to the renamed stage")
	} else if errs := scenarios.CheckSequenceWith(v, bodies); errs != nil {
		t.Errorf("request-won: %v", errs)
	}

	generated := cli(t, "", "generate", "PROJECT_PHASE_STARTED", "--count", "300", "--vocabulary", vocab).want(t, 0).stdout
	all.WriteString(generated)
	_, ps := lines(generated)
	seen := map[string]int64{}
	for _, p := range ps {
		if p.Record == nil || p.Record.Stage == nil {
			continue
		}
		s := p.Record.Stage
		if s.Name == "Site Survey" && s.ID == 16647 {
			t.Errorf("generate: the renamed stage under its old name: %+v", *s)
		}
		seen[s.Name] = s.ID
	}
	if seen["Site Visit"] != 16647 || seen["HOA Approval"] == 0 {
		t.Errorf("generate: stages seen %v; want Site Visit (16647) and HOA Approval", seen)
	}
	cli(t, all.String(), "validate", "--strict", "--vocabulary", vocab, "-q").want(t, 0)

	out := filepath.Join(dir, "docs")
	cli(t, "", "docs", "--out", out, "--vocabulary", vocab).want(t, 0)
	index, err := os.ReadFile(filepath.Join(out, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Set by your vocabulary file", "Site Visit (`16647`, `DESIGN`) → Design (`16649`, `DESIGN`) → HOA Approval ("} {
		if !strings.Contains(string(index), want) {
			t.Errorf("docs index lacks %q", want)
		}
	}

	// A bad workflow gets file:line:col.
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("workflows:\n  soalr: [Sales]\n  hvac:\n    - {name: Tune-up}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = cli(t, "", "generate", "PROJECT_CREATED", "--vocabulary", bad).want(t, 2)
	if !strings.Contains(r.stderr, "bad.yaml:2:3: unknown workflow soalr") || !strings.Contains(r.stderr, "did you mean solar?") ||
		!strings.Contains(r.stderr, "bad.yaml:4:7: stage Tune-up is new to the hvac workflow: give its phaseType") {
		t.Errorf("bad vocabulary: %s", r.stderr)
	}
}

// teamVocabulary writes a vocabulary with ON_HOLD, ORANGE, a renamed
// trigger and a renamed stage, from the exported built-in file.
func teamVocabulary(t *testing.T, dir string) string {
	t.Helper()
	exported := cli(t, "", "vocabulary").want(t, 0).stdout
	edited := strings.NewReplacer(
		"TASK_STATUS_MOVEMENT: Work Order Status Movement", "TASK_STATUS_MOVEMENT: Task Status Changed",
		"workOrderStatuses: [QUEUED, ASSIGNED, SCHEDULED, WORKING, IN_PROGRESS, WAITING, REVIEW, COMPLETED, CANCELLED]",
		"workOrderStatuses: [QUEUED, ASSIGNED, SCHEDULED, IN_PROGRESS, ON_HOLD, WAITING, REVIEW, COMPLETED, CANCELLED]",
		"slaTypes: [YELLOW, RED]", "slaTypes: [YELLOW, ORANGE, RED]",
		"name: Site Survey, phaseType: DESIGN}", "name: Site Visit, phaseType: DESIGN}",
	).Replace(exported)
	if strings.Count(edited, "ON_HOLD") != 1 || strings.Count(edited, "Site Visit") != 3 {
		t.Fatalf("the exported vocabulary changed shape:\n%s", exported)
	}
	path := filepath.Join(dir, "team.yaml")
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// listen --strict --vocabulary checks deliveries against the vocabulary's
// strict schemas: what the team's account sends is valid there, and
// invalid against the built-in ones.
func TestListenVocabulary(t *testing.T) {
	vocab := teamVocabulary(t, t.TempDir())
	scenario := filepath.Join("..", "..", "scenarios", "testdata", "on-hold.yaml")
	events := strings.Split(strings.TrimSpace(cli(t, "", "scenario", "run", scenario, "--dry-run", "--vocabulary", vocab).want(t, 0).stdout), "\n")
	var onHold []byte
	for _, e := range events {
		if strings.Contains(e, `"currentStatus":"ON_HOLD"`) {
			onHold = []byte(e)
			break
		}
	}
	if onHold == nil {
		t.Fatal("the scenario sent no ON_HOLD movement")
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"built-in", []string{"--strict"}, ` invalid: `},
		{"team", []string{"--strict", "--vocabulary", vocab}, ` 200 valid`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := listen(t, tc.args...)
			if line := l.next(t); !strings.Contains(line, "strict level") {
				t.Errorf("second line %q", line)
			}
			if s := postJSON(t, l.url+"/hook", onHold); s != 200 {
				t.Fatalf("answered %d", s)
			}
			if line := l.next(t); !strings.Contains(line, "TASK_STATUS_MOVEMENT") || !strings.Contains(line, tc.want) {
				t.Errorf("delivery line %q, want %q", line, tc.want)
			}
			if _, code := l.stop(t, os.Interrupt); code != 0 {
				t.Errorf("exit %d", code)
			}
		})
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("slaTypes: [RED]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := cli(t, "", "listen", "--addr", "127.0.0.1:0", "--vocabulary", bad).want(t, 2)
	if !strings.Contains(r.stderr, "bad.yaml:1:11: slaTypes needs") {
		t.Errorf("bad vocabulary: %s", r.stderr)
	}
}

// verify --vocabulary sends payloads and scenarios in the team's
// vocabulary, and every reproducer names the file and sends the same bytes.
func TestVerifyVocabulary(t *testing.T) {
	vocab := teamVocabulary(t, t.TempDir())
	rc := testreceivers.New(testreceivers.Config{Token: verifyToken})
	srv := httptest.NewServer(rc)
	defer srv.Close()
	report := filepath.Join(t.TempDir(), "contract.json")
	cli(t, "", verifyArgs(srv, "--vocabulary", vocab, "--json-report", report)...).want(t, 0)
	var renamed, stage, builtinName int
	for _, r := range rc.Received() {
		b := string(r.Body)
		if strings.Contains(b, `"triggerName":"Task Status Changed"`) {
			renamed++
		}
		if strings.Contains(b, `"stage":{"id":16647,"name":"Site Visit"}`) {
			stage++
		}
		if strings.Contains(b, `"triggerName":"Work Order Status Movement"`) || strings.Contains(b, `"name":"Site Survey"}`) {
			builtinName++
		}
	}
	if renamed == 0 || stage == 0 || builtinName > 0 {
		t.Errorf("of %d deliveries: %d with the renamed trigger, %d in the renamed stage, %d with a built-in name", len(rc.Received()), renamed, stage, builtinName)
	}
	rep := readReport(t, report)
	for _, spec := range rep.Specs {
		for _, d := range spec.Deliveries {
			if !strings.Contains(d.Reproduce, "--vocabulary "+vocab) {
				t.Fatalf("reproducer %q does not name the vocabulary", d.Reproduce)
			}
		}
	}
	if n := checkReproducers(t, rep); n < 100 {
		t.Errorf("only %d reproducers tried", n)
	}
	r := cli(t, "", "verify", "--target", srv.URL, "--vocabulary", vocab, "--chaos", "3", "--inspect", srv.URL+testreceivers.InspectPath+"{eventId}").want(t, 2)
	if !strings.Contains(r.stderr, "--vocabulary does not apply to --chaos") {
		t.Errorf("--chaos with --vocabulary: %s", r.stderr)
	}
}

// cobra takes the first `quoted` word of a flag's usage as its value's
// name: the --vocabulary line once read "--vocabulary coperniq-mock
// vocabulary". Every command that takes one shows it as FILE.
func TestVocabularyFlagHelpNamesAFile(t *testing.T) {
	for _, cmd := range [][]string{{"generate"}, {"validate"}, {"docs"}, {"scenario", "run"}, {"listen"}, {"verify"}} {
		help := cli(t, "", append(cmd, "--help")...).want(t, 0).stdout
		if !strings.Contains(help, "--vocabulary FILE ") {
			t.Errorf("%v --help: no \"--vocabulary FILE\":\n%s", cmd, help)
		}
	}
}

// Values a vocabulary file leaves to a guess (its phaseTypes lack the
// phase types of built-in stages it keeps) are warned about on stderr;
// the exported built-in vocabulary, given back, warns of nothing.
func TestVocabularyGuessesAreWarned(t *testing.T) {
	dir := t.TempDir()
	team, builtin := filepath.Join(dir, "team.yaml"), filepath.Join(dir, "builtin.yaml")
	if err := os.WriteFile(team, []byte("phaseTypes: [SALES, ENGINEERING, PERMITTING, BUILD, PTO]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(builtin, []byte(cli(t, "", "vocabulary").want(t, 0).stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	r := cli(t, "", "generate", "PROJECT_PHASE_STARTED", "--vocabulary", team).want(t, 0)
	if want := "coperniq-mock: warning: " + team + ": phaseTypes lacks the phaseType of built-in stages the file keeps"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
	if r := cli(t, "", "generate", "PROJECT_PHASE_STARTED", "--vocabulary", builtin).want(t, 0); r.stderr != "" {
		t.Errorf("the built-in vocabulary warned:\n%s", r.stderr)
	}
}

// verify --vocabulary runs the built-in scenarios that fit the vocabulary
// and skips the others, saying why in every report (trial finding 10: it
// refused to run, naming one at a time under a --scenario never given);
// scenarios named with --scenario that do not fit are refused, every one
// named, with those that fit. The pass names the vocabulary whole, ": "
// in its path and all.
func TestVerifyVocabularySkipsScenariosThatDoNotFit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "team: vocab")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	vocab := filepath.Join(dir, "team.yaml")
	// No SCHEDULED, ASSIGNED or YELLOW, which most built-in scenarios use.
	if err := os.WriteFile(vocab, []byte("workOrderStatuses: [QUEUED, DISPATCHED, ON_SITE, PARTS_ORDERED, COMPLETED, CANCELLED]\nworkingStatus: ON_SITE\nslaTypes: [AMBER, BREACH]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rc := testreceivers.New(testreceivers.Config{Token: verifyToken})
	srv := httptest.NewServer(rc)
	defer srv.Close()
	report, junit := filepath.Join(dir, "contract.json"), filepath.Join(dir, "junit.xml")
	args := []string{"verify", "--target", srv.URL + "/webhooks/coperniq", "--token-param", verifyToken,
		"--inspect", srv.URL + testreceivers.InspectPath + "{eventId}",
		"--deadline", "2s", "--burst", "10", "--inspect-timeout", "2s", "--settle", "50ms", "--seed", "1",
		"--vocabulary", vocab, "--json-report", report, "--junit-report", junit,
		// The lifecycle specs are the ones at stake; the others only take time.
		"--focus", contract.GroupLifecycle}
	r := cli(t, "", args...).want(t, 0)
	if !strings.Contains(r.stdout, "\nskipped:\n") || !strings.Contains(r.stdout, "does not fit vocabulary "+vocab+": ") {
		t.Errorf("console names no scenario skipped for the vocabulary:\n%s", r.stdout)
	}
	rep := readReport(t, report)
	fit, unfit := map[string]bool{}, map[string]bool{}
	for _, s := range rep.Specs {
		switch {
		case s.Group != contract.GroupLifecycle:
		case s.Verdict == "skipped" && strings.HasPrefix(s.Reason, "scenario "+s.Scenario+" does not fit vocabulary "+vocab+": "):
			unfit[s.Scenario] = true
		case s.Verdict == "passed":
			fit[s.Scenario] = true
		default:
			t.Errorf("lifecycle spec %s: %s %s", s.Name, s.Verdict, s.Reason)
		}
	}
	if len(fit) == 0 || len(unfit) == 0 {
		t.Errorf("lifecycle scenarios run %v, skipped for the vocabulary %v", fit, unfit)
	}
	if want := fmt.Sprintf("; %d lifecycle scenarios not run: they do not fit vocabulary %s (see skipped)", len(unfit), vocab); !strings.HasSuffix(rep.Verdict.Message, want) {
		t.Errorf("verdict %q, want it to end %q", rep.Verdict.Message, want)
	}
	if x := string(readFile(t, junit)); !strings.Contains(x, `<skipped message="scenario `) || !strings.Contains(x, " does not fit vocabulary ") {
		t.Errorf("JUnit report has no skip for the vocabulary:\n%.2000s", x)
	}

	// Named with --scenario, scenarios that do not fit are refused, each
	// named with why, and those that fit are listed.
	var names []string
	for name := range unfit {
		names = append(names, "--scenario", name)
	}
	for name := range fit {
		names = append(names, "--scenario", name)
		break
	}
	r = cli(t, "", append([]string{"verify", "--target", srv.URL, "--vocabulary", vocab}, names...)...).want(t, 2)
	for name := range unfit {
		if !strings.Contains(r.stderr, "\n  "+name+": ") {
			t.Errorf("refusal does not name %s:\n%s", name, r.stderr)
		}
	}
	for name := range fit {
		if !strings.Contains(r.stderr, "the built-in scenarios that fit it: ") || !strings.Contains(r.stderr, name) {
			t.Errorf("refusal does not list %s as fitting:\n%s", name, r.stderr)
		}
	}
}

// A vocabulary given without --strict changes nothing (the contract level
// takes any names): validate and schema say so on stderr rather than let it
// pass for a check against the team's names; schema show/export with
// --strict write the vocabulary's strict schemas (trial finding 10, item 3).
func TestVocabularyAtTheContractLevelIsNoted(t *testing.T) {
	dir := t.TempDir()
	vocab := filepath.Join(dir, "team.yaml")
	if err := os.WriteFile(vocab, []byte("workOrderStatuses: [QUEUED, DISPATCHED, ON_SITE, COMPLETED, CANCELLED]\nworkingStatus: ON_SITE\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	payload := cli(t, "", "generate", "TASK_STATUS_MOVEMENT", "--vocabulary", vocab, "--seed", "1").want(t, 0).stdout
	note := "the vocabulary " + vocab + " applies with --strict"
	for _, c := range []struct {
		name  string
		args  []string
		noted bool
	}{
		{"validate", []string{"validate", "--vocabulary", vocab, "-"}, true},
		{"validate --strict", []string{"validate", "--strict", "--vocabulary", vocab, "-"}, false},
		{"schema show", []string{"schema", "show", "TASK_STATUS_MOVEMENT", "--vocabulary", vocab}, true},
		{"schema show --strict", []string{"schema", "show", "TASK_STATUS_MOVEMENT", "--strict", "--vocabulary", vocab}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := cli(t, payload, c.args...).want(t, 0)
			if strings.Contains(r.stderr, note) != c.noted {
				t.Errorf("noted %v, want %v: %s", !c.noted, c.noted, r.stderr)
			}
		})
	}
	shown := cli(t, "", "schema", "show", "TASK_STATUS_MOVEMENT", "--strict", "--vocabulary", vocab).want(t, 0).stdout
	if !strings.Contains(shown, `["QUEUED", "DISPATCHED", "ON_SITE", "COMPLETED", "CANCELLED"]`) || !strings.Contains(shown, "team.yaml") {
		t.Errorf("schema show --strict --vocabulary is not the vocabulary's:\n%.1500s", shown)
	}
	out := filepath.Join(dir, "schemas")
	r := cli(t, "", "schema", "export", "--out", out, "--strict", "--vocabulary", vocab).want(t, 0)
	if !strings.Contains(r.stdout, "in the vocabulary "+vocab) {
		t.Errorf("export says: %s", r.stdout)
	}
	exported, err := os.ReadFile(filepath.Join(out, "TASK_STATUS_MOVEMENT.json"))
	if err != nil || string(exported) != shown {
		t.Errorf("exported file (err %v) is not what schema show prints", err)
	}
	if _, err := os.Stat(filepath.Join(out, "defs", "event.json")); err != nil {
		t.Errorf("defs not exported: %v", err)
	}
}
