package generator

import (
	"slices"

	"github.com/brianvoe/gofakeit/v7/data"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Word lists are plain slices resolved once, so drawing a word costs one
// bounded random number and an index: no per-call lookups by category name.

// Homeowner names come from gofakeit's US name lists, resolved once here so
// that a draw is an index into a slice rather than gofakeit's per-call lookup
// by category name. The list is pinned by go.mod, so output stays
// deterministic for a given version. Street names are ours: gofakeit builds
// streets from person names and suffixes ("Northburgh Avenue"), which a
// person reading an address would not take for a real one.
var (
	firstNames = data.Person["first"]
	lastNames  = data.Person["last"]
	// firstNameForms and lastNameForms are the lists with each name's
	// email form, by the same index.
	firstNameForms, lastNameForms = nameForms(firstNames), nameForms(lastNames)
)

// nameForm is a name and the form email writes it in (appendLowerAlnum),
// side by side, with their bytes adjacent too: a record's contact costs a
// cache line of table per name, which counts when the tables are cold
// between payloads (as in a load test).
type nameForm struct{ name, mail string }

func nameForms(names []string) []nameForm {
	out := make([]nameForm, len(names))
	for i, n := range names {
		both := string(appendLowerAlnum([]byte(n), n))
		out[i] = nameForm{both[:len(n)], both[len(n):]}
	}
	return out
}

// streetNames are found across the country; regionalStreets add the names
// a reader expects in one part of it (a Saguaro Dr in Phoenix, a Peachtree
// St in Atlanta) and never elsewhere.
var streetNames = []string{
	"Main", "Oak", "Maple", "Cedar", "Elm", "Pine", "Park", "Washington", "Lake", "Hill",
	"Walnut", "Sunset", "Ridge", "Willow", "Meadow", "Highland", "Spring", "Church", "Jefferson", "Lincoln",
	"Madison", "Franklin", "Jackson", "Valley View", "Riverside", "Lakeview", "Forest", "Hickory", "Birch", "Sycamore",
	"Chestnut", "Poplar", "Laurel", "Mulberry", "Hawthorne", "Briarwood", "Stonebridge", "Fairway", "Country Club", "Cardinal",
	"Bluebird", "Sunrise", "Golden", "Silver Creek", "Deer Creek", "Bear Creek", "Cherry", "Heritage", "Liberty", "Independence",
	"Union", "Market", "Broad", "Center", "Mill", "School", "College", "Grant", "Adams", "Monroe",
	"Hamilton", "Wilson", "Kennedy", "Roosevelt", "Chapel", "Quail Run", "Timber", "Summit",
}

var (
	desertStreets   = []string{"Saguaro", "Ocotillo", "Palo Verde", "Desert Bloom", "Mesquite", "Camino Real", "Sierra Vista", "Mesa Verde", "Canyon", "Cottonwood", "Sundance", "Solana"}
	californiaSts   = []string{"Camino Real", "El Camino", "Buena Vista", "Santa Rosa", "San Pedro", "Vista", "Canyon", "Olive", "Vineyard", "Orange Grove", "Harbor", "Ocean", "Seaside", "Palm"}
	northwestSts    = []string{"Alder", "Madrona", "Cascade", "Douglas Fir", "Harbor", "Vista", "Juniper"}
	mountainSts     = []string{"Aspen", "Juniper", "Cottonwood", "Canyon", "Mountain View", "Columbine", "Sundance", "Mesa Verde"}
	texasStreets    = []string{"Bluebonnet", "Alamo", "Pecan", "Mesquite", "Live Oak", "Magnolia", "Cypress", "Prairie"}
	floridaStreets  = []string{"Palm", "Palmetto", "Coral", "Bayshore", "Harbor", "Ocean", "Seaside", "Orange Grove", "Magnolia", "Live Oak", "Cypress"}
	southernStreets = []string{"Magnolia", "Dogwood", "Pecan", "Cypress", "Live Oak"}
	plainsStreets   = []string{"Prairie", "Meadowlark", "Cottonwood"}
	easternStreets  = []string{"Beacon", "Colonial", "Harbor", "Dogwood"}
	hawaiiStreets   = []string{"Kalakaua", "Kamehameha", "Kapiolani", "Aloha"}
	alaskaStreets   = []string{"Spruce", "Glacier", "Tundra"}
)

// regionalStreets lists, by state, the street names of its region.
var regionalStreets = func() map[string][]string {
	m := map[string][]string{}
	add := func(names []string, states ...string) {
		for _, st := range states {
			m[st] = append(m[st], names...)
		}
	}
	add(desertStreets, "AZ", "NV", "NM", "UT")
	add(californiaSts, "CA")
	add(northwestSts, "OR", "WA")
	add(mountainSts, "CO", "ID", "MT", "WY")
	add(texasStreets, "TX", "OK")
	add(floridaStreets, "FL")
	add(southernStreets, "GA", "SC", "NC", "AL", "LA", "TN", "AR", "MS", "KY", "VA")
	add([]string{"Peachtree"}, "GA")
	add([]string{"Palmetto"}, "SC")
	add(plainsStreets, "KS", "NE", "IA", "MO", "MN", "WI", "IL", "IN", "OH", "MI", "SD", "ND")
	add(easternStreets, "NY", "NJ", "PA", "MA", "CT", "RI", "NH", "VT", "ME", "MD", "DE", "DC", "WV")
	add(hawaiiStreets, "HI")
	add(alaskaStreets, "AK")
	return m
}()

// streetSuffixes repeats the common ones so a uniform draw gives a natural mix.
var streetSuffixes = []string{
	"St", "St", "St", "Ave", "Ave", "Ave", "Dr", "Dr", "Dr", "Ln", "Ln", "Rd", "Rd",
	"Ct", "Way", "Way", "Blvd", "Pl", "Cir", "Trl", "Pkwy", "Loop", "Ter",
}

// emailDomains are the reserved example domains (RFC 2606): a receiver under
// test that sends mail to a generated contact must not reach a real person,
// for the same reason phone numbers use the fictional 555-01XX range.
var emailDomains = []string{
	"example.com", "example.com", "example.com", "example.com", "example.net", "example.org",
}

// vendorNames are fictional suppliers and subcontractors.
var vendorNames = []string{
	"Desert Sun Distribution", "Bright Path Solar Supply", "Ridgeline Roofing Supply", "Cascade HVAC Wholesale",
	"Copper State Electric Supply", "Blue Sky Racking Co", "Lone Star Crane Services", "Pacific Coast Electrical Contractors",
	"Summit Battery Logistics", "Evergreen Permit Services",
}

// tradeCombos are the trade sets records carry, weighted so Solar is most
// common and often paired with Storage.
var tradeCombos = []struct {
	trades []string
	weight int
}{
	{[]string{"Solar"}, 30},
	{[]string{"Solar", "Storage"}, 24},
	{[]string{"Solar", "Roofing"}, 5},
	{[]string{"Solar", "Storage", "EV Charger"}, 4},
	{[]string{"Solar", "Electrical"}, 4},
	{[]string{"Solar", "Storage", "Electrical"}, 3},
	{[]string{"Storage"}, 4},
	{[]string{"Roofing"}, 9},
	{[]string{"Roofing", "Solar", "Storage"}, 2},
	{[]string{"HVAC"}, 7},
	{[]string{"HVAC", "Electrical"}, 2},
	{[]string{"Electrical"}, 2},
	{[]string{"EV Charger"}, 2},
	{[]string{"Generator"}, 1},
	{[]string{"Plumbing"}, 1},
}

// tradeValue is a plausible contract value range in dollars for one trade.
var tradeValue = map[string][2]int{
	"Solar":      {15000, 60000},
	"Storage":    {9000, 18000},
	"Roofing":    {8000, 35000},
	"HVAC":       {6000, 20000},
	"Electrical": {1800, 6500},
	"EV Charger": {1200, 3200},
	"Generator":  {8000, 18000},
	"Plumbing":   {1200, 6000},
}

// Workflows come from the vocabulary (schemas.Vocabulary: the built-in
// ones, or a team's file); the generator adds how long a record in each
// stage has typically existed.
type stageInfo struct {
	id, templateID int64
	name           string
	phaseType      string
	// requestStatus is the requestStatus of a request in the stage.
	requestStatus string
	// minAge and maxAge bound how many days a record in this stage has
	// existed, so createdAt is plausible for the stage.
	minAge, maxAge int
	// byID says workflows.byID finds this very stage by its id, so a
	// record still in it needs no lookup.
	byID bool
}

type workflow struct {
	name    string
	request bool
	stages  []stageInfo
}

// stageAges are the built-in stages' ages in days, by stage id; a stage a
// vocabulary adds takes the ages of the stage before it.
var stageAges = map[int64][2]int{
	16646: {0, 10}, 16647: {3, 25}, 16649: {8, 40}, 16650: {15, 70}, 16651: {35, 110}, 16652: {45, 130}, 16653: {55, 160}, 16654: {65, 190},
	17201: {0, 10}, 17202: {2, 20}, 17204: {7, 40}, 17205: {14, 60}, 17206: {18, 75},
	17410: {0, 7}, 17411: {2, 15}, 17412: {5, 30}, 17413: {8, 40}, 17414: {30, 365},
	17620: {0, 7}, 17621: {2, 15}, 17622: {5, 30}, 17623: {10, 45}, 17624: {12, 60},
	15301: {0, 3}, 15302: {1, 7}, 15303: {3, 14}, 15304: {5, 21}, 15305: {7, 30}, 15306: {10, 45}, 15307: {10, 60}, 15308: {14, 120},
}

// workflows are a vocabulary's workflows as the generator uses them.
type workflows struct {
	vocab    *schemas.Vocabulary
	projects map[string]*workflow
	request  *workflow
	// byID finds a stage of any workflow by its id.
	byID map[int64]*stageInfo
	// byCombo is forTrades of each trade combination (combos), by index;
	// empty for a vocabulary without project workflows.
	byCombo []*workflow
	// combos are the vocabulary's own trades' combinations, which records
	// draw instead of the built-in ones; nil for the built-in trades.
	combos *ownTradeCombos
	// openRequest are the request stages of requests still open (not WON
	// or LOST), by index; beforeClose those before the first closing
	// stage, where a request's phases run.
	openRequest, beforeClose []int
}

func newWorkflows(v *schemas.Vocabulary) *workflows {
	if v == nil {
		v = schemas.DefaultVocabulary()
	}
	ws := &workflows{vocab: v, projects: map[string]*workflow{}, byID: map[int64]*stageInfo{}}
	conv := func(src *schemas.Workflow, request bool) *workflow {
		wf := &workflow{name: src.Name, request: request}
		age := [2]int{0, 10}
		for _, s := range src.Stages {
			if a, ok := stageAges[s.ID]; ok {
				age = a
			}
			wf.stages = append(wf.stages, stageInfo{s.ID, s.TemplateID, s.Name, s.PhaseType, s.RequestStatus, age[0], age[1], false})
		}
		for i := range wf.stages {
			ws.byID[wf.stages[i].id] = &wf.stages[i]
		}
		return wf
	}
	for i := range v.Workflows {
		ws.projects[v.Workflows[i].Name] = conv(&v.Workflows[i], false)
	}
	ws.request = conv(&v.RequestWorkflow, true)
	for _, st := range ws.byID {
		st.byID = true
	}
	if !slices.Equal(v.Trades, schemas.Trades) {
		ws.combos = ownCombos(v.Trades)
	}
	for i := range combos {
		if len(v.Workflows) == 0 {
			break // forTrades has nothing to find; records find out when they ask it
		}
		ws.byCombo = append(ws.byCombo, ws.forTrades(combos[i].trades))
	}
	closed := false
	for i, st := range ws.request.stages {
		if st.requestStatus == "WON" || st.requestStatus == "LOST" {
			closed = true
			continue
		}
		ws.openRequest = append(ws.openRequest, i)
		if !closed {
			ws.beforeClose = append(ws.beforeClose, i)
		}
	}
	if len(ws.beforeClose) == 0 {
		ws.beforeClose = []int{0}
	}
	if len(ws.openRequest) == 0 {
		ws.openRequest = []int{0}
	}
	return ws
}

// defaultWorkflows are the built-in vocabulary's.
var defaultWorkflows = newWorkflows(nil)

// tradeCombos of a vocabulary's own trades: the built-in combinations
// made of its trades only, with their weights, and each trade of its own
// alone.
type ownTradeCombos struct {
	list  []combo
	table []int
}

// newTradeWeight is the weight of a trade the built-in ones lack, alone:
// about as common as Roofing.
const newTradeWeight = 9

func ownCombos(trades []string) *ownTradeCombos {
	own := &ownTradeCombos{}
	add := func(ts []string, weight int) {
		cb := combo{trades: ts}
		for _, t := range ts {
			cb.mask |= tradeBits[t]
			r, ok := tradeValue[t]
			if !ok {
				r = [2]int{5000, 25000}
			}
			cb.ranges = append(cb.ranges, r)
		}
		if cb.mask == 0 {
			cb.mask = tAll // a trade of its own: any work order fits
		}
		for range weight {
			own.table = append(own.table, len(own.list))
		}
		own.list = append(own.list, cb)
	}
	for _, c := range tradeCombos {
		if !slices.ContainsFunc(c.trades, func(t string) bool { return !slices.Contains(trades, t) }) {
			add(c.trades, c.weight)
		}
	}
	for _, t := range trades {
		if _, builtin := tradeBits[t]; !builtin {
			add([]string{t}, newTradeWeight)
		}
	}
	return own
}

// forTrades picks the workflow a record with these trades follows: its
// first trade decides, as a contractor sets one workflow per project type.
func (ws *workflows) forTrades(trades []string) *workflow {
	return ws.projects[ws.vocab.WorkflowForTrades(trades).Name]
}

// requestStageStatus is the requestStatus of a request in stage i.
func (wf *workflow) requestStageStatus(i int) string { return wf.stages[i].requestStatus }

// Trade bits for work-order templates.
const (
	tSolar = 1 << iota
	tStorage
	tRoofing
	tHVAC
	tElectrical
	tEV
	tGenerator
	tPlumbing
	tAll = 1<<8 - 1
)

var tradeBits = map[string]uint16{
	"Solar": tSolar, "Storage": tStorage, "Roofing": tRoofing, "HVAC": tHVAC,
	"Electrical": tElectrical, "EV Charger": tEV, "Generator": tGenerator, "Plumbing": tPlumbing,
}

// woTemplate is a kind of work order: its title, whether it is field work,
// which trades and which stages it belongs to, and what people write in its
// description.
type woTemplate struct {
	title   string
	isField bool
	trades  uint16
	// stages are the names of the workflow stages (of a project's workflow,
	// or of the request workflow) in which the work is done; nil for
	// accounts, which have no workflow.
	stages  []string
	records string // record types it occurs on: "P" project, "D" deal, "A" account
	descs   []string
}

// onStage reports whether the work belongs to the stage named name.
func (tp *woTemplate) onStage(name string) bool {
	for _, s := range tp.stages {
		if s == name {
			return true
		}
	}
	return false
}

var woTemplates = []woTemplate{
	{"Welcome Call", false, tAll, []string{"Sales"}, "P", []string{
		"Call the homeowner to confirm contract details, financing and next steps.",
		"Introduce the project coordinator and confirm the best days for the site survey.",
	}},
	{"Contract Review", false, tAll, []string{"Sales"}, "P", []string{
		"Check the signed contract against the proposal: system size, price and adders.",
	}},
	{"Site Survey", true, tSolar | tStorage | tElectrical | tEV | tGenerator, []string{"Site Survey"}, "P", []string{
		"Measure roof planes, check rafter size and spacing, photograph the main service panel and meter.",
		"Confirm shading with a Solmetric reading; note attic access and roof condition.",
		"Photograph the main panel, meter and proposed equipment locations; verify the panel bus rating.",
	}},
	{"Site Visit", true, tPlumbing, []string{"Site Survey"}, "P", []string{
		"Measure the water heater closet, venting and supply lines; photograph the existing unit's data plate.",
	}},
	{"Roof Inspection", true, tRoofing | tSolar, []string{"Site Survey"}, "PA", []string{
		"Inspect decking, flashing and vents; photograph damaged areas for the estimate.",
		"Check roof age and condition before the array goes on; note soft spots.",
	}},
	{"Duct Inspection", true, tHVAC, []string{"Design"}, "P", []string{
		"Inspect ductwork for leaks and sizing; measure static pressure.",
	}},
	{"Shade Analysis", false, tSolar, []string{"Site Survey"}, "P", []string{
		"Run the shade report from survey photos and aerial imagery; flag any plane under 80% TSRF.",
	}},
	{"System Design", false, tSolar | tStorage, []string{"Design"}, "P", []string{
		"Prepare the array layout and single-line diagram from the site survey.",
		"Design to the customer's usage; keep modules off the north plane.",
	}},
	{"Engineering Review", false, tSolar | tStorage, []string{"Design"}, "P", []string{
		"Structural letter and electrical calculations for the permit set.",
		"PE stamp needed for the structural letter; attach rafter span photos.",
	}},
	{"Load Calculation", false, tHVAC, []string{"Design"}, "P", []string{
		"Manual J load calculation for equipment sizing.",
	}},
	{"Material Order", false, tRoofing | tHVAC | tSolar, []string{"Design"}, "P", []string{
		"Order materials from the approved bill of materials; confirm the delivery date with the customer.",
		"Confirm equipment availability with the distributor and schedule delivery.",
	}},
	{"Permit Submission", false, tSolar | tStorage | tRoofing | tElectrical | tEV | tGenerator | tHVAC | tPlumbing, []string{"Permitting"}, "P", []string{
		"Submit the permit package to the jurisdiction and track plan review comments.",
		"Upload the stamped plan set and pay the permit fee online.",
		"Resubmit with corrections from the plan reviewer.",
	}},
	{"HOA Approval", false, tSolar | tRoofing, []string{"Permitting"}, "P", []string{
		"Send the HOA architectural application with the array layout and equipment spec sheets.",
	}},
	{"Panel Installation", true, tSolar, []string{"Installation"}, "P", []string{
		"Install racking and modules per the plan set; torque and photograph every attachment.",
		"Two-day install. Crew lead to confirm attic access and breaker space on arrival.",
	}},
	{"Main Panel Upgrade", true, tElectrical | tSolar, []string{"Installation"}, "P", []string{
		"Replace the 100 A main panel with a 200 A panel; coordinate the meter pull with the utility.",
	}},
	{"Battery Installation", true, tStorage, []string{"Installation"}, "P", []string{
		"Mount the battery and gateway, land conductors and set up the backup loads panel.",
		"Garage install; keep 3 ft clearance from the water heater.",
	}},
	{"Roof Replacement", true, tRoofing, []string{"Installation"}, "P", []string{
		"Tear off existing shingles, replace damaged decking, install underlayment and new shingles.",
		"Full re-roof before the array goes on; dumpster delivered the day before.",
	}},
	{"Heat Pump Installation", true, tHVAC, []string{"Installation"}, "P", []string{
		"Remove the old condenser and air handler; install the heat pump and new line set.",
	}},
	{"EV Charger Installation", true, tEV, []string{"Installation"}, "P", []string{
		"Install a 48 A Level 2 charger in the garage on a dedicated 60 A circuit.",
	}},
	{"Generator Installation", true, tGenerator, []string{"Installation"}, "P", []string{
		"Set the standby generator pad and transfer switch; gas line by the plumbing sub.",
	}},
	{"Water Heater Replacement", true, tPlumbing, []string{"Installation"}, "PA", []string{
		"Replace the 50 gal gas water heater with a heat pump water heater.",
	}},
	{"Quality Review", false, tAll, []string{"Inspection"}, "P", []string{
		"Review install photos against the checklist before the final inspection.",
	}},
	{"Rough Inspection", true, tSolar | tElectrical | tRoofing, []string{"Inspection"}, "P", []string{
		"Meet the inspector for the rough electrical inspection; attic access required.",
	}},
	{"Final Inspection", true, tAll, []string{"Inspection"}, "P", []string{
		"Meet the inspector on site; have a ladder, the plan set and placards ready.",
		"Final inspection window 8 AM to noon. Customer will be home.",
	}},
	{"Utility Application", false, tSolar | tStorage, []string{"Interconnection"}, "P", []string{
		"File the interconnection application with the utility; attach the single-line diagram and site plan.",
		"Net metering application; utility requires the signed customer agreement.",
	}},
	{"Permission to Operate Request", false, tSolar | tStorage, []string{"Permission to Operate"}, "P", []string{
		"Send the signed-off inspection card to the utility and request permission to operate.",
	}},
	{"System Activation", true, tSolar | tStorage, []string{"Permission to Operate"}, "P", []string{
		"Turn the system on after PTO and confirm the monitoring portal is reporting.",
		"Commission the battery and walk the homeowner through the app.",
	}},
	{"HVAC Service Visit", true, tHVAC, []string{"Service"}, "PA", []string{
		"No cooling reported; check refrigerant charge and the capacitor.",
		"Annual maintenance: replace filter, clean coils, check refrigerant pressures.",
	}},
	{"Initial Consultation", true, tAll, []string{"New Request", "Qualification"}, "D", []string{
		"In-home consultation: review utility bills and walk the roof line with the homeowner.",
		"Customer wants to discuss battery backup; bring the storage brochure.",
	}},
	{"Site Assessment", true, tAll, []string{"Site Assessment"}, "D", []string{
		"Quick look at roof condition and panel capacity before the proposal.",
	}},
	{"Proposal Preparation", false, tAll, []string{"Proposal"}, "D", []string{
		"Build the proposal from the last 12 months of usage; include financing options.",
		"Prepare two options: solar only and solar plus storage.",
	}},
	{"Follow-up Call", false, tAll, []string{"New Request", "Qualification", "Proposal", "Contract Sent", "Nurture"}, "D", []string{
		"Follow up on the proposal sent last week; customer comparing two quotes.",
		"Customer asked about the federal tax credit; send the summary sheet.",
	}},
	{"Panel Cleaning", true, tSolar, nil, "A", []string{
		"Clean the array; production down about 15% since spring.",
	}},
	{"Warranty Claim", false, tAll, nil, "A", []string{
		"File the manufacturer warranty claim for the failed microinverter; serial in the photos.",
	}},
	{"Inverter Replacement", true, tSolar, nil, "A", []string{
		"Replace the failed inverter under warranty; RMA unit shipped to the warehouse.",
	}},
	{"System Health Check", false, tSolar | tStorage, nil, "A", []string{
		"Monitoring shows a string offline since the 12th; check remotely before dispatching.",
	}},
	{"Seasonal Maintenance Visit", true, tHVAC, nil, "A", []string{
		"Spring tune-up: clean condenser coil, test capacitor, check the condensate drain.",
	}},
}

// Work-order status changes, as (from, to) pairs with weights; field and
// office work orders move through different statuses.
type transition struct {
	from, to string
	weight   int
}

var fieldTransitions = []transition{
	{"QUEUED", "ASSIGNED", 14}, {"ASSIGNED", "SCHEDULED", 18}, {"SCHEDULED", "IN_PROGRESS", 16},
	{"IN_PROGRESS", "COMPLETED", 16}, {"IN_PROGRESS", "WAITING", 3}, {"WAITING", "IN_PROGRESS", 3},
	{"SCHEDULED", "CANCELLED", 2}, {"QUEUED", "SCHEDULED", 4}, {"IN_PROGRESS", "REVIEW", 3}, {"REVIEW", "COMPLETED", 3},
}

var officeTransitions = []transition{
	{"QUEUED", "ASSIGNED", 12}, {"ASSIGNED", "WORKING", 16}, {"WORKING", "WAITING", 10},
	{"WAITING", "WORKING", 8}, {"WORKING", "REVIEW", 8}, {"REVIEW", "COMPLETED", 10},
	{"WORKING", "COMPLETED", 10}, {"REVIEW", "WORKING", 3}, {"QUEUED", "CANCELLED", 2},
}

// Edge-profile vocabulary: values receivers mishandle.
var (
	edgeStatuses        = []string{"ON_SITE_REVIEW", "PENDING_CUSTOMER", "BLOCKED", "RESCHEDULE_REQUESTED", "on_hold"}
	edgeRecordStatuses  = []string{"PENDING_INTERCONNECTION", "ARCHIVED", "DRAFT"}
	edgeRequestStatuses = []string{"QUALIFIED", "APPOINTMENT_SET", "DISQUALIFIED"}
	edgePhaseTypes      = []string{"PRECONSTRUCTION", "WARRANTY", "FINANCING"}
	edgeTitleSuffixes   = []string{" 🏠☀️", " — Casa Núñez 🌞", " (Unit #4B) 🔋⚡", " 🇺🇸"}
	edgeTrades          = []string{"Solar Thermal", "Battery Retrofit", "Électricité", "太阳能"}
	edgeFirstNames      = []string{"José", "Zoë", "Nguyễn Văn", "Søren", "Björk", "Renée", "Chloé", "Ólafur", "Đức", "Ñusta", "D'Andre", "Mary-Kate", "明", "Αλέξανδρος", "Анна"}
	edgeLastNames       = []string{"Núñez", "O'Brien", "Müller", "Ødegård", "Gonçalves", "Łukasiewicz", "Van der Berg", "St. John", "Smith-Jones", "山田", "Παπαδόπουλος", "Иванова", "Nguyễn"}
	edgeTexts           = []string{
		"Customer says the 🐕 is friendly ⚡ gate code #4521",
		"Line one\nLine two\tindented\r\nWindows line",
		"Quote \" backslash \\ slash / done",
		"Bell \u0007 and unit separator \u001f inside",
		"Emoji family 👨\u200d👩\u200d👧\u200d👦 and flag 🇺🇸 and skin tone 👍🏽",
		"Right-to-left: مرحبا بالعالم — שלום",
		"Line separator \u2028 and paragraph separator \u2029 inside",
		"<script>alert('xss')</script> & ampersand",
		"Combining: e\u0301 vs é; zero width \u200b space",
		"日本語のテキスト、太陽光パネル設置",
		"   leading and trailing spaces   ",
		"",
	}
)
