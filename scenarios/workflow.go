package scenarios

import (
	"slices"
	"strings"
)

// A workflow is the ordered list of phases a record moves through; each
// phase is also the stage the record shows while in it. The ids are the
// generator's (its vocabulary is the one Coperniq account this tool
// pretends to be), so that a scenario's payloads and `generate`'s agree on
// what stage 16651 is; TestWorkflowsMatchGenerator keeps them in step.
type workflow struct {
	name   string
	phases []phase
	// trades are the trades whose projects follow the workflow, the first
	// being the default; the generator picks a project's workflow by its
	// first trade the same way.
	trades []string
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

var (
	solarWorkflow = &workflow{"solar", []phase{
		{16646, 2401, "Sales", "SALES", "", false},
		{16647, 2402, "Site Survey", "DESIGN", "", false},
		{16649, 2403, "Design", "DESIGN", "", false},
		{16650, 2404, "Permitting", "PERMITTING", "", true},
		{16651, 2405, "Installation", "INSTALLATION", "", false},
		{16652, 2406, "Inspection", "INSPECTION", "", false},
		{16653, 2407, "Interconnection", "INTERCONNECTION", "", true},
		{16654, 2408, "Permission to Operate", "INTERCONNECTION", "", true},
	}, []string{"Solar", "Storage"}}
	roofingWorkflow = &workflow{"roofing", []phase{
		{17201, 2501, "Sales", "SALES", "", false},
		{17202, 2502, "Site Survey", "DESIGN", "", false},
		{17204, 2503, "Permitting", "PERMITTING", "", true},
		{17205, 2504, "Installation", "INSTALLATION", "", false},
		{17206, 2505, "Inspection", "INSPECTION", "", false},
	}, []string{"Roofing"}}
	hvacWorkflow = &workflow{"hvac", []phase{
		{17410, 2601, "Sales", "SALES", "", false},
		{17411, 2602, "Design", "DESIGN", "", false},
		{17412, 2603, "Installation", "INSTALLATION", "", false},
		{17413, 2604, "Inspection", "INSPECTION", "", false},
		{17414, 2605, "Service", "SERVICE", "", false},
	}, []string{"HVAC"}}
	electricalWorkflow = &workflow{"electrical", []phase{
		{17620, 2701, "Sales", "SALES", "", false},
		{17621, 2702, "Site Survey", "DESIGN", "", false},
		{17622, 2703, "Permitting", "PERMITTING", "", true},
		{17623, 2704, "Installation", "INSTALLATION", "", false},
		{17624, 2705, "Inspection", "INSPECTION", "", false},
	}, []string{"Electrical", "EV Charger", "Generator", "Plumbing"}}
	// Every phase of a request is a sales phase; the closing stages are
	// alternatives, not a sequence, so requests may move between any
	// stages.
	requestWorkflow = &workflow{"request", []phase{
		{15301, 2301, "New Request", "SALES", "NEW", false},
		{15302, 2302, "Qualification", "SALES", "NEW", false},
		{15303, 2303, "Site Assessment", "SALES", "PROPOSAL", false},
		{15304, 2304, "Proposal", "SALES", "PROPOSAL", false},
		{15305, 2305, "Contract Sent", "SALES", "PROPOSAL", false},
		{15306, 2306, "Closed Won", "SALES", "WON", false},
		{15307, 2307, "Closed Lost", "SALES", "LOST", false},
		{15308, 2308, "Nurture", "SALES", "NURTURE", false},
	}, nil}

	projectWorkflows = []*workflow{solarWorkflow, roofingWorkflow, hvacWorkflow, electricalWorkflow}
)

// stageIndex maps a stage id of any workflow to its workflow and phase
// index, for the sequence checker.
var stageIndex = func() map[int64]stageRef {
	m := map[int64]stageRef{}
	for _, wf := range append(slices.Clone(projectWorkflows), requestWorkflow) {
		for i := range wf.phases {
			m[wf.phases[i].stageID] = stageRef{wf, i}
		}
	}
	return m
}()

type stageRef struct {
	wf  *workflow
	idx int
}

func workflowNames() []string {
	names := make([]string, len(projectWorkflows))
	for i, wf := range projectWorkflows {
		names[i] = wf.name
	}
	return names
}

func workflowNamed(name string) *workflow {
	for _, wf := range projectWorkflows {
		if wf.name == name {
			return wf
		}
	}
	return nil
}

// workflowForTrades is the workflow a project with these trades follows:
// its first trade decides, as in the generator.
func workflowForTrades(trades []string) *workflow {
	if len(trades) == 0 {
		return solarWorkflow
	}
	for _, wf := range projectWorkflows {
		if slices.Contains(wf.trades, trades[0]) {
			return wf
		}
	}
	return electricalWorkflow
}

// phaseNamed finds a phase by name, ignoring case, spaces and dashes, so
// that "permission-to-operate" finds "Permission to Operate".
func (wf *workflow) phaseNamed(name string) int {
	want := phaseKey(name)
	for i, p := range wf.phases {
		if phaseKey(p.name) == want {
			return i
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
// title; "Follow-up Call" fits anything else.
func defaultWorkOrder(phaseName string) *woKind {
	for i := range woKinds {
		if slices.Contains(woKinds[i].phases, phaseName) {
			return &woKinds[i]
		}
	}
	return woKindTitled("Follow-up Call")
}
