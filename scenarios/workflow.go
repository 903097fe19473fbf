package scenarios

import (
	"slices"
	"strings"
	"sync"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// A workflow is the ordered list of phases a record moves through; each
// phase is also the stage the record shows while in it. The workflows are
// the vocabulary's (schemas.Vocabulary: the built-in ones or a team's
// file), the same the generator uses, so that a scenario's payloads and
// `generate`'s agree on what stage 16651 is.
type workflow struct {
	name   string
	phases []phase
	// trades are the trades whose projects follow the workflow, the first
	// being the default.
	trades []string
	// builtin is the built-in workflow of the same name, whose stage names
	// still find a stage a vocabulary renamed (it keeps its id), so that
	// the built-in scenarios run with a team's names.
	builtin *schemas.Workflow
}

type phase struct {
	stageID    int64
	templateID int64
	name       string
	phaseType  string
	// status is the requestStatus a request in this stage has; "" for
	// project workflows.
	status string
	// slow marks phases whose office work waits on someone outside the
	// company (a permit office, a utility): weeks, not hours.
	slow bool
}

// slowPhaseTypes are the kinds of phase that wait on someone outside the
// company.
var slowPhaseTypes = []string{"PERMITTING", "INTERCONNECTION"}

func newWorkflow(src *schemas.Workflow, builtin *schemas.Workflow) *workflow {
	wf := &workflow{name: src.Name, trades: slices.Clone(src.Trades), builtin: builtin}
	for _, s := range src.Stages {
		wf.phases = append(wf.phases, phase{s.ID, s.TemplateID, s.Name, s.PhaseType, s.RequestStatus, slices.Contains(slowPhaseTypes, s.PhaseType)})
	}
	return wf
}

// workflowSet is a vocabulary's workflows as scenarios use them.
type workflowSet struct {
	vocab    *schemas.Vocabulary
	projects []*workflow
	request  *workflow
	// index maps a stage id of any workflow to its workflow and phase
	// index, for the sequence checker.
	index map[int64]stageRef
}

var (
	defaultWorkflowSet = newWorkflowSet(nil)
	workflowSets       sync.Map // *schemas.Vocabulary -> *workflowSet
)

// workflowsOf is v's workflow set, built once per vocabulary.
func workflowsOf(v *schemas.Vocabulary) *workflowSet {
	if v == nil {
		return defaultWorkflowSet
	}
	if ws, ok := workflowSets.Load(v); ok {
		return ws.(*workflowSet)
	}
	ws, _ := workflowSets.LoadOrStore(v, newWorkflowSet(v))
	return ws.(*workflowSet)
}

func newWorkflowSet(v *schemas.Vocabulary) *workflowSet {
	builtin := schemas.DefaultVocabulary()
	if v == nil {
		v = builtin
	}
	ws := &workflowSet{vocab: v, index: map[int64]stageRef{}}
	for i := range v.Workflows {
		ws.projects = append(ws.projects, newWorkflow(&v.Workflows[i], builtin.ProjectWorkflow(v.Workflows[i].Name)))
	}
	ws.request = newWorkflow(&v.RequestWorkflow, &builtin.RequestWorkflow)
	for _, wf := range append(slices.Clone(ws.projects), ws.request) {
		for i := range wf.phases {
			ws.index[wf.phases[i].stageID] = stageRef{wf, i}
		}
	}
	return ws
}

type stageRef struct {
	wf  *workflow
	idx int
}

func (ws *workflowSet) names() []string {
	names := make([]string, len(ws.projects))
	for i, wf := range ws.projects {
		names[i] = wf.name
	}
	return names
}

func (ws *workflowSet) named(name string) *workflow {
	for _, wf := range ws.projects {
		if wf.name == name {
			return wf
		}
	}
	return nil
}

// forTrades is the workflow a project with these trades follows: its
// first trade decides, as in the generator.
func (ws *workflowSet) forTrades(trades []string) *workflow {
	return ws.named(ws.vocab.WorkflowForTrades(trades).Name)
}

// phaseNames are the names a step may give a phase: every workflow's, and
// the built-in names of stages a vocabulary renamed.
func (ws *workflowSet) phaseNames() []string {
	var out []string
	for _, wf := range append(slices.Clone(ws.projects), ws.request) {
		for _, ph := range wf.phases {
			if !slices.Contains(out, ph.name) {
				out = append(out, ph.name)
			}
		}
	}
	for _, wf := range append(slices.Clone(ws.projects), ws.request) {
		for _, s := range wf.builtin.Stages {
			if _, ok := ws.index[s.ID]; ok && !slices.Contains(out, s.Name) {
				out = append(out, s.Name)
			}
		}
	}
	return out
}

// phaseNamed finds a phase by name, ignoring case, spaces and dashes, so
// that "permission-to-operate" finds "Permission to Operate".
// A built-in stage's name finds the stage a vocabulary renamed.
func (wf *workflow) phaseNamed(name string) int {
	want := phaseKey(name)
	for i, p := range wf.phases {
		if phaseKey(p.name) == want {
			return i
		}
	}
	if wf.builtin == nil {
		return -1
	}
	for _, s := range wf.builtin.Stages {
		if phaseKey(s.Name) != want {
			continue
		}
		for i, p := range wf.phases {
			if p.stageID == s.ID {
				return i
			}
		}
	}
	return -1
}

func (wf *workflow) phaseNames() []string {
	names := make([]string, len(wf.phases))
	for i, p := range wf.phases {
		names[i] = p.name
	}
	return names
}

func phaseKey(s string) string {
	return strings.NewReplacer(" ", "", "-", "", "_", "").Replace(strings.ToLower(s))
}

// woKind is a kind of work order a scenario may create by title. Known
// titles get the right field/office flag and a description that fits;
// the phase names say where a work order of that title is created when
// the step gives none.
type woKind struct {
	title   string
	isField bool
	phases  []string // phase names it belongs to, in any workflow
	desc    string
}

var woKinds = []woKind{
	{"Welcome Call", false, []string{"Sales"}, "Call the homeowner to confirm contract details, financing and next steps."},
	{"Contract Review", false, []string{"Sales"}, "Check the signed contract against the proposal: system size, price and adders."},
	{"Site Survey", true, []string{"Site Survey"}, "Measure roof planes, check rafter size and spacing, photograph the main service panel and meter."},
	{"Roof Inspection", true, []string{}, "Inspect decking, flashing and vents; photograph damaged areas for the estimate."},
	{"System Design", false, []string{"Design"}, "Prepare the array layout and single-line diagram from the site survey."},
	{"Engineering Review", false, []string{}, "Structural letter and electrical calculations for the permit set."},
	{"Load Calculation", false, []string{}, "Manual J load calculation for equipment sizing."},
	{"Permit Submission", false, []string{"Permitting"}, "Submit the permit package to the jurisdiction and track plan review comments."},
	{"HOA Approval", false, []string{}, "Send the HOA architectural application with the array layout and equipment spec sheets."},
	{"Panel Installation", true, []string{"Installation"}, "Install racking and modules per the plan set; torque and photograph every attachment."},
	{"Battery Installation", true, []string{}, "Mount the battery and gateway, land conductors and set up the backup loads panel."},
	{"Roof Replacement", true, []string{}, "Tear off existing shingles, replace damaged decking, install underlayment and new shingles."},
	{"Heat Pump Installation", true, []string{}, "Remove the old condenser and air handler; install the heat pump and new line set."},
	{"Quality Review", false, []string{}, "Review install photos against the checklist before the final inspection."},
	{"Final Inspection", true, []string{"Inspection"}, "Meet the inspector on site; have a ladder, the plan set and placards ready."},
	{"Utility Application", false, []string{"Interconnection"}, "File the interconnection application with the utility; attach the single-line diagram and site plan."},
	{"Permission to Operate Request", false, []string{"Permission to Operate"}, "Send the signed-off inspection card to the utility and request permission to operate."},
	{"System Activation", true, []string{}, "Turn the system on after PTO and confirm the monitoring portal is reporting."},
	{"HVAC Service Visit", true, []string{"Service"}, "Annual maintenance: replace filter, clean coils, check refrigerant pressures."},
	{"Initial Consultation", true, []string{"New Request", "Qualification"}, "In-home consultation: review utility bills and walk the roof line with the homeowner."},
	{"Site Assessment", true, []string{"Site Assessment"}, "Quick look at roof condition and panel capacity before the proposal."},
	{"Proposal Preparation", false, []string{"Proposal", "Contract Sent"}, "Build the proposal from the last 12 months of usage; include financing options."},
	{"Follow-up Call", false, []string{"Nurture", "Closed Lost", "Closed Won"}, "Follow up on the proposal sent last week; customer comparing two quotes."},
	{"Warranty Claim", false, []string{}, "File the manufacturer warranty claim for the failed microinverter; serial in the photos."},
}

func woKindTitled(title string) *woKind {
	for i := range woKinds {
		if strings.EqualFold(woKinds[i].title, title) {
			return &woKinds[i]
		}
	}
	return nil
}

// defaultWorkOrder is the work order a phase gets when the step names no
// title: the built-in phase's (a renamed stage keeps its id), else that of
// the built-in phase of the same kind; "Follow-up Call" fits anything
// else (and a nil phase: accounts have none).
func (wf *workflow) defaultWorkOrder(ph *phase) *woKind {
	if ph == nil {
		return woKindTitled("Follow-up Call")
	}
	names := []string{ph.name}
	if wf.builtin != nil {
		for _, s := range wf.builtin.Stages {
			if s.ID == ph.stageID {
				names = append(names, s.Name)
			}
		}
		for _, s := range wf.builtin.Stages {
			if s.PhaseType == ph.phaseType {
				names = append(names, s.Name)
			}
		}
	}
	for _, name := range names {
		for i := range woKinds {
			if slices.Contains(woKinds[i].phases, name) {
				return &woKinds[i]
			}
		}
	}
	return woKindTitled("Follow-up Call")
}
