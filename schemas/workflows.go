package schemas

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/coperniq-mock/coperniq-mock/suggest"
)

// Stage is one stage of a workflow, which is also the phase a record runs
// while it stands there: record.stage carries its ID and Name, phase events
// its TemplateID (phaseTemplateId) and PhaseType.
type Stage struct {
	ID, TemplateID int64
	Name           string
	PhaseType      string
	// RequestStatus is the requestStatus of a request in this stage (the
	// built-in request statuses' names); "" in project workflows.
	RequestStatus string
}

// Workflow is the ordered list of stages a record goes through. Coperniq
// publishes none (each company builds its own in Process Studio); the
// built-in ones are assumed, and a vocabulary file sets the project
// workflows' stage names and order.
type Workflow struct {
	Name string
	// Trades are the trades whose projects follow the workflow, the first
	// being the default: a project's first trade picks its workflow.
	Trades []string
	Stages []Stage
}

// Names are the workflow's stage names, in order.
func (wf *Workflow) Names() []string {
	out := make([]string, len(wf.Stages))
	for i, s := range wf.Stages {
		out[i] = s.Name
	}
	return out
}

// Stage ids belong to a workflow definition, so the same stage name has
// different ids in different workflows; phase template ids likewise. The
// solar workflow's Installation stage is 16651, as in Coperniq's example.
var builtinWorkflows = []Workflow{
	{"solar", []string{"Solar", "Storage"}, []Stage{
		{16646, 2401, "Sales", "SALES", ""},
		{16647, 2402, "Site Survey", "DESIGN", ""},
		{16649, 2403, "Design", "DESIGN", ""},
		{16650, 2404, "Permitting", "PERMITTING", ""},
		{16651, 2405, "Installation", "INSTALLATION", ""},
		{16652, 2406, "Inspection", "INSPECTION", ""},
		{16653, 2407, "Interconnection", "INTERCONNECTION", ""},
		{16654, 2408, "Permission to Operate", "INTERCONNECTION", ""},
	}},
	{"roofing", []string{"Roofing"}, []Stage{
		{17201, 2501, "Sales", "SALES", ""},
		{17202, 2502, "Site Survey", "DESIGN", ""},
		{17204, 2503, "Permitting", "PERMITTING", ""},
		{17205, 2504, "Installation", "INSTALLATION", ""},
		{17206, 2505, "Inspection", "INSPECTION", ""},
	}},
	{"hvac", []string{"HVAC"}, []Stage{
		{17410, 2601, "Sales", "SALES", ""},
		{17411, 2602, "Design", "DESIGN", ""},
		{17412, 2603, "Installation", "INSTALLATION", ""},
		{17413, 2604, "Inspection", "INSPECTION", ""},
		{17414, 2605, "Service", "SERVICE", ""},
	}},
	// The other trades' projects, and any trade a team adds, follow it.
	{"electrical", []string{"Electrical", "EV Charger", "Generator", "Plumbing"}, []Stage{
		{17620, 2701, "Sales", "SALES", ""},
		{17621, 2702, "Site Survey", "DESIGN", ""},
		{17622, 2703, "Permitting", "PERMITTING", ""},
		{17623, 2704, "Installation", "INSTALLATION", ""},
		{17624, 2705, "Inspection", "INSPECTION", ""},
	}},
}

// builtinRequestWorkflow holds the stages of requests (deals); every phase
// of a request is a sales phase, and the closing stages are alternatives,
// not a sequence: a request moves between any of them.
var builtinRequestWorkflow = Workflow{"request", nil, []Stage{
	{15301, 2301, "New Request", "SALES", "NEW"},
	{15302, 2302, "Qualification", "SALES", "NEW"},
	{15303, 2303, "Site Assessment", "SALES", "PROPOSAL"},
	{15304, 2304, "Proposal", "SALES", "PROPOSAL"},
	{15305, 2305, "Contract Sent", "SALES", "PROPOSAL"},
	{15306, 2306, "Closed Won", "SALES", "WON"},
	{15307, 2307, "Closed Lost", "SALES", "LOST"},
	{15308, 2308, "Nurture", "SALES", "NURTURE"},
}}

func sameWorkflow(a, b Workflow) bool {
	return a.Name == b.Name && slices.Equal(a.Trades, b.Trades) && slices.Equal(a.Stages, b.Stages)
}

func cloneWorkflows(wfs []Workflow) []Workflow {
	out := slices.Clone(wfs)
	for i := range out {
		out[i].Trades = slices.Clone(out[i].Trades)
		out[i].Stages = slices.Clone(out[i].Stages)
	}
	return out
}

// BuiltinStage is the built-in stage with this id, in the workflow named
// wf, if there is one: what a stage a vocabulary renamed (keeping its id)
// was called.
func BuiltinStage(wf string, id int64) (Stage, bool) {
	for _, w := range append(slices.Clone(builtinWorkflows), builtinRequestWorkflow) {
		if w.Name != wf {
			continue
		}
		for _, s := range w.Stages {
			if s.ID == id {
				return s, true
			}
		}
	}
	return Stage{}, false
}

// builtinIDs lists the built-in stages of workflow wf as "16646 Sales, ...".
func builtinIDs(wf string) string {
	var out []string
	for _, w := range append(slices.Clone(builtinWorkflows), builtinRequestWorkflow) {
		if w.Name == wf {
			for _, s := range w.Stages {
				out = append(out, fmt.Sprintf("%d %s", s.ID, s.Name))
			}
		}
	}
	return strings.Join(out, ", ")
}

// ProjectWorkflow is the project workflow named name, nil if v has none.
func (v *Vocabulary) ProjectWorkflow(name string) *Workflow {
	v = v.orDefault()
	for i := range v.Workflows {
		if v.Workflows[i].Name == name {
			return &v.Workflows[i]
		}
	}
	return nil
}

// WorkflowNames are the project workflows' names.
func (v *Vocabulary) WorkflowNames() []string {
	v = v.orDefault()
	out := make([]string, len(v.Workflows))
	for i, wf := range v.Workflows {
		out[i] = wf.Name
	}
	return out
}

// WorkflowForTrades is the workflow a project with these trades follows:
// its first trade decides, as a contractor sets one workflow per project
// type; no trades is the first workflow's, an unknown trade the
// electrical one's.
func (v *Vocabulary) WorkflowForTrades(trades []string) *Workflow {
	v = v.orDefault()
	if len(trades) == 0 {
		return &v.Workflows[0]
	}
	for i := range v.Workflows {
		if slices.Contains(v.Workflows[i].Trades, trades[0]) {
			return &v.Workflows[i]
		}
	}
	if wf := v.ProjectWorkflow("electrical"); wf != nil {
		return wf
	}
	return &v.Workflows[len(v.Workflows)-1]
}

var defaultVocabulary = DefaultVocabulary()

func (v *Vocabulary) orDefault() *Vocabulary {
	if v == nil {
		return defaultVocabulary
	}
	return v
}

// maxStageID bounds stage and template ids as every id: a JSON number a
// JavaScript receiver reads exactly.
const maxStageID = 1<<53 - 1

// stageKeys are the keys of a stage entry of a vocabulary file; a request
// stage has requestStatus too.
var stageKeys = []string{"id", "templateId", "name", "phaseType", "requestStatus"}

// workflow is the workflow named name, the request one too, nil if none.
func (v *Vocabulary) workflow(name string) *Workflow {
	if name == v.RequestWorkflow.Name {
		return &v.RequestWorkflow
	}
	return v.ProjectWorkflow(name)
}

// all are v's workflows, the request one last.
func (v *Vocabulary) all() []*Workflow {
	out := make([]*Workflow, 0, len(v.Workflows)+1)
	for i := range v.Workflows {
		out = append(out, &v.Workflows[i])
	}
	return append(out, &v.RequestWorkflow)
}

// builtinOpenRequestStatuses are the built-in statuses of a request still
// open: the default vocabulary's, defined once there.
var builtinOpenRequestStatuses = defaultVocabulary.openRequestStatuses()

// openRequestStatuses are v's request statuses other than won and lost.
func (v *Vocabulary) openRequestStatuses() []string {
	return slices.DeleteFunc(slices.Clone(v.RequestStatuses), func(s string) bool { return s == v.WonStatus || s == v.LostStatus })
}

// RequestStatusName is v's name of a request status as the engine holds
// it: WON and LOST are v's won and lost statuses, a status v lists is
// itself, and a built-in open status v lacks (of a built-in stage the file
// keeps) is v's open status at its position, a guess Substitutions warns of.
func (v *Vocabulary) RequestStatusName(s string) string {
	v = v.orDefault()
	switch {
	case s == "WON":
		return v.WonStatus
	case s == "LOST":
		return v.LostStatus
	case slices.Contains(v.RequestStatuses, s):
		return s
	}
	return SamePosition(s, builtinOpenRequestStatuses, v.openRequestStatuses())
}

// SamePosition is how a vocabulary names a built-in value its list, own,
// lacks: value itself when own has it (or it is not in builtin, or own is
// empty), else own's value at value's position in builtin, wrapped to
// own's length. The generator sends it; Substitutions warns of it.
func SamePosition(value string, builtin, own []string) string {
	i := slices.Index(builtin, value)
	if i < 0 || len(own) == 0 || slices.Contains(own, value) {
		return value
	}
	return own[i%len(own)]
}

// BuiltinRequestStatus is the request status as the engine holds it of
// s, a status in v's names or a built-in one: WON for v's won status,
// LOST for its lost one, else s; "" when s is neither v's nor built in.
func (v *Vocabulary) BuiltinRequestStatus(s string) string {
	v = v.orDefault()
	switch {
	case s == v.WonStatus:
		return "WON"
	case s == v.LostStatus:
		return "LOST"
	case slices.Contains(v.RequestStatuses, s) || slices.Contains(RequestStatuses, s):
		return s
	}
	return ""
}

// marshalWorkflows writes the workflows key of a vocabulary file.
func (v *Vocabulary) marshalWorkflows(b *bytes.Buffer) {
	b.WriteString("\n# Stages of each project workflow, in the order a project goes through them\n")
	b.WriteString("# (record.stage: id and name; phase events: templateId as phaseTemplateId,\n")
	b.WriteString("# phaseType). Rename a stage in place: it keeps its id. A stage without an id\n")
	b.WriteString("# is new and gets a fresh one. A project's first trade picks its workflow:\n")
	for _, wf := range v.Workflows {
		fmt.Fprintf(b, "#   %s: %s\n", wf.Name, strings.Join(wf.Trades, ", "))
	}
	b.WriteString("# (any other trade: electrical). The request stages are alternatives a\n")
	b.WriteString("# request moves between, each with its requestStatus; one is won, one lost.\n")
	b.WriteString("workflows:\n")
	for _, wf := range v.all() {
		if wf == &v.RequestWorkflow && v.custom && !v.requestSet {
			// Left out of the file, it stays built in; in the file's
			// names its statuses might not read back.
			continue
		}
		fmt.Fprintf(b, "  %s:\n", wf.Name)
		for _, s := range wf.Stages {
			fmt.Fprintf(b, "    - {id: %d, templateId: %d, name: %s, phaseType: %s", s.ID, s.TemplateID, yamlScalar(s.Name), yamlScalar(s.PhaseType))
			if s.RequestStatus != "" {
				fmt.Fprintf(b, ", requestStatus: %s", yamlScalar(v.RequestStatusName(s.RequestStatus)))
			}
			b.WriteString("}\n")
		}
	}
}

// parsedStage is a stage entry of a file, with where it was for errors.
type parsedStage struct {
	Stage
	node, phaseTypeNode, statusNode ast.Node
	newID, newTemplate              bool
}

// parseWorkflows reads the workflows key into v. add reports a problem at
// a node. Ids and phase types are checked by finishWorkflows, once the
// whole file (its phaseTypes too) is read.
func (v *Vocabulary) parseWorkflows(n ast.Node, add func(ast.Node, string, ...any)) parsedWorkflows {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		add(n, "workflows must be a mapping of workflow name: list of stages, e.g. solar: [{name: Sales, phaseType: SALES}, ...]")
		return parsedWorkflows{}
	}
	names := append(v.WorkflowNames(), v.RequestWorkflow.Name)
	out := parsedWorkflows{stages: map[string][]parsedStage{}, nodes: map[string]ast.Node{}}
	for _, kv := range m.Values {
		name := keyName(kv.Key)
		wf := v.workflow(name)
		if wf == nil {
			msg := fmt.Sprintf("unknown workflow %s; the workflows are %s", name, strings.Join(names, ", "))
			if s := suggest.Nearest(name, names); s != "" {
				msg += "; did you mean " + s + "?"
			}
			add(kv.Key, "%s", msg)
			continue
		}
		if _, dup := out.stages[name]; dup {
			add(kv.Key, "workflow %s is given twice", name)
			continue
		}
		out.nodes[name] = kv.Key
		seq, ok := kv.Value.(*ast.SequenceNode)
		if !ok || len(seq.Values) == 0 {
			add(kv.Value, "workflow %s must be a non-empty list of stages, in order, such as [{name: Sales, phaseType: SALES}, ...]", name)
			out.stages[name] = nil
			continue
		}
		var stages []parsedStage
		for _, item := range seq.Values {
			if s, ok := parseStage(wf, item, add); ok {
				if slices.ContainsFunc(stages, func(o parsedStage) bool { return strings.EqualFold(o.Name, s.Name) }) {
					add(item, "workflow %s lists stage %s twice; stage names are unique in a workflow", name, s.Name)
					continue
				}
				stages = append(stages, s)
			}
		}
		out.stages[name] = stages
	}
	return out
}

// parsedWorkflows are the workflows of a file: stages by workflow name,
// and where each workflow's key is.
type parsedWorkflows struct {
	stages map[string][]parsedStage
	nodes  map[string]ast.Node
}

// parseStage reads one stage: a mapping {id, templateId, name, phaseType},
// or just a name, which must then be one of the workflow's built-in stages
// (it keeps their id, template id and phase type).
func parseStage(wf *Workflow, item ast.Node, add func(ast.Node, string, ...any)) (parsedStage, bool) {
	ps := parsedStage{node: item}
	builtinNamed := func(name string) (Stage, bool) {
		for _, s := range wf.Stages {
			if strings.EqualFold(s.Name, name) {
				return s, true
			}
		}
		return Stage{}, false
	}
	if s, ok := item.(*ast.StringNode); ok {
		b, found := builtinNamed(s.Value)
		if !found {
			add(item, "stage %q is new to the %s workflow: give it as {name: %s, phaseType: ...} (its built-in stages are %s)", s.Value, wf.Name, s.Value, strings.Join(wf.Names(), ", "))
			return ps, false
		}
		ps.Stage = b
		return ps, true
	}
	m, ok := item.(*ast.MappingNode)
	if !ok {
		add(item, "a stage is a mapping such as {id: 16646, name: Sales, phaseType: SALES}, or the name of a built-in stage")
		return ps, false
	}
	var idSet, tplSet, typeSet bool
	good := true
	for _, e := range m.Values {
		key := keyName(e.Key)
		switch key {
		case "id", "templateId":
			n, ok := positiveID(e.Value)
			if !ok {
				add(e.Value, "stage %s must be an integer from 1 to 2^53-1, not %s", key, e.Value.String())
				good = false
				continue
			}
			if key == "id" {
				ps.ID, idSet = n, true
			} else {
				ps.TemplateID, tplSet = n, true
			}
		case "requestStatus":
			s, ok := e.Value.(*ast.StringNode)
			switch {
			case wf.Name != "request":
				add(e.Key, "requestStatus is for request stages; a %s stage has id, templateId, name, phaseType", wf.Name)
				good = false
			case !ok || strings.TrimSpace(s.Value) == "":
				add(e.Value, "stage requestStatus must be a non-empty string")
				good = false
			default:
				ps.RequestStatus, ps.statusNode = s.Value, e.Value
			}
		case "name", "phaseType":
			s, ok := e.Value.(*ast.StringNode)
			if !ok || strings.TrimSpace(s.Value) == "" {
				add(e.Value, "stage %s must be a non-empty string", key)
				good = false
				continue
			}
			if key == "name" {
				ps.Name = s.Value
			} else {
				ps.PhaseType, typeSet, ps.phaseTypeNode = s.Value, true, e.Value
			}
		default:
			msg := fmt.Sprintf("unknown stage key %s; a stage has %s", key, strings.Join(stageKeys, ", "))
			if s := suggest.Nearest(key, stageKeys); s != "" {
				msg += "; did you mean " + s + "?"
			}
			add(e.Key, "%s", msg)
			good = false
		}
	}
	if !good {
		return ps, false
	}
	if ps.Name == "" {
		add(item, "a stage needs a name, e.g. {name: Sales, phaseType: SALES}")
		return ps, false
	}
	// A built-in stage, by id or else by name, lends what the entry leaves
	// out: renaming a stage keeps its template and phase type.
	var b Stage
	var found bool
	if idSet {
		b, found = BuiltinStage(wf.Name, ps.ID)
	} else {
		b, found = builtinNamed(ps.Name)
		if found {
			ps.ID = b.ID
		}
	}
	switch {
	case found:
		if !tplSet {
			ps.TemplateID = b.TemplateID
		}
		if !typeSet {
			ps.PhaseType = b.PhaseType
		}
		if ps.statusNode == nil {
			ps.RequestStatus = b.RequestStatus
		}
	case !typeSet && idSet:
		// An id no built-in stage of the workflow has may be a typo of
		// one that does: say so, rather than only that the stage is new.
		add(item, "stage %s has id %d, which no built-in %s stage has (%s): to rename a built-in stage give its id; a new stage needs its phaseType, one of phaseTypes", ps.Name, ps.ID, wf.Name, builtinIDs(wf.Name))
		return ps, false
	case !typeSet:
		add(item, "stage %s is new to the %s workflow: give its phaseType, one of phaseTypes", ps.Name, wf.Name)
		return ps, false
	}
	if wf.Name == "request" && ps.RequestStatus == "" {
		add(item, "request stage %s is new: give its requestStatus, one of requestStatuses", ps.Name)
		return ps, false
	}
	ps.newID, ps.newTemplate = ps.ID == 0, ps.TemplateID == 0
	return ps, true
}

func positiveID(n ast.Node) (int64, bool) {
	i, ok := n.(*ast.IntegerNode)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(i.GetToken().Value, 10, 64)
	if err != nil || v < 1 || v > maxStageID {
		return 0, false
	}
	return v, true
}

// finishWorkflows checks the file's stages against the rest of v (phase
// types, ids unique across workflows), gives new stages fresh ids, and
// sets v's workflows.
func (v *Vocabulary) finishWorkflows(pw parsedWorkflows, add func(ast.Node, string, ...any)) {
	parsed := pw.stages
	if len(parsed) == 0 {
		return
	}
	// Ids in use: every stage of every workflow v ends up with.
	ids, templates := map[int64]string{}, map[int64]bool{}
	claim := func(wf string, s Stage, node ast.Node) {
		if other, dup := ids[s.ID]; dup {
			add(node, "stage id %d is used twice (by %s and %s); stage ids are unique across workflows", s.ID, other, wf+" "+s.Name)
		}
		ids[s.ID] = wf + " " + s.Name
		templates[s.TemplateID] = true
	}
	// Built-in stages first, so that a clash is reported at the file's.
	for _, wf := range v.all() {
		if _, set := parsed[wf.Name]; !set {
			for _, s := range wf.Stages {
				claim(wf.Name, s, nil)
			}
		}
	}
	for _, wf := range v.all() {
		for _, s := range parsed[wf.Name] {
			if !s.newID {
				claim(wf.Name, s.Stage, s.node)
			} else if !s.newTemplate {
				templates[s.TemplateID] = true
			}
		}
	}
	next := func(used map[int64]bool, from int64) int64 {
		for used[from] {
			from++
		}
		used[from] = true
		return from
	}
	usedIDs := map[int64]bool{}
	for id := range ids {
		usedIDs[id] = true
	}
	// Fresh ids follow the largest in use, so that they look like the
	// account's and never collide.
	var maxID, maxTpl int64
	for id := range ids {
		maxID = max(maxID, id)
	}
	for id := range templates {
		maxTpl = max(maxTpl, id)
	}
	for _, wf := range v.all() {
		stages, set := parsed[wf.Name]
		if !set || stages == nil {
			continue // left out, or a problem already reported
		}
		wf.Stages = wf.Stages[:0:0]
		if wf == &v.RequestWorkflow {
			v.requestSet = true
		}
		for _, s := range stages {
			// Every stage the file writes has values from its lists: a
			// built-in one it lacks is refused, not guessed at.
			if !slices.Contains(v.PhaseTypes, s.PhaseType) {
				if s.phaseTypeNode != nil {
					add(s.phaseTypeNode, "phaseType %s of stage %s isn't one of phaseTypes [%s]", s.PhaseType, s.Name, strings.Join(v.PhaseTypes, " "))
				} else {
					add(s.node, "stage %s keeps the built-in phaseType %s, which isn't one of phaseTypes [%s]: give the stage its phaseType", s.Name, s.PhaseType, strings.Join(v.PhaseTypes, " "))
				}
			}
			switch st := s.RequestStatus; {
			case st == "":
			case s.statusNode != nil && !slices.Contains(v.RequestStatuses, st):
				add(s.statusNode, "requestStatus %s of stage %s isn't one of requestStatuses [%s]", st, s.Name, strings.Join(v.RequestStatuses, " "))
			case s.statusNode != nil:
				s.RequestStatus = v.BuiltinRequestStatus(st)
			case st != "WON" && st != "LOST" && !slices.Contains(v.RequestStatuses, st):
				// A built-in stage's WON and LOST are the file's wonStatus
				// and lostStatus; its open status has no counterpart.
				add(s.node, "stage %s keeps the built-in requestStatus %s, which isn't one of requestStatuses [%s]: give the stage its requestStatus", s.Name, st, strings.Join(v.RequestStatuses, " "))
			}
			if s.newID {
				s.ID = next(usedIDs, maxID+1)
			}
			if s.newTemplate {
				s.TemplateID = next(templates, maxTpl+1)
			}
			wf.Stages = append(wf.Stages, s.Stage)
		}
		if wf.Name == "request" {
			// A request ends won (and becomes a project) or lost.
			for _, end := range []string{"WON", "LOST"} {
				if !slices.Contains(v.RequestStatuses, v.RequestStatusName(end)) {
					continue // check said so: name the status first
				}
				if !slices.ContainsFunc(wf.Stages, func(s Stage) bool { return s.RequestStatus == end }) {
					add(pw.nodes[wf.Name], "the request workflow needs a stage whose requestStatus is %s: a request ends won or lost", v.RequestStatusName(end))
				}
			}
		}
	}
}

// Substitutions says which values v's workflows use that its lists lack:
// a stage of a built-in workflow the file kept (or renamed without its
// phaseType) has a built-in phase type, and the built-in request stages a
// built-in request status, which payloads then carry as v's value at the
// same position in its list (see RequestStatusName), a guess the file
// should settle. One line for phase types and one for request statuses,
// for a warning; none for the built-in vocabulary.
func (v *Vocabulary) Substitutions() []string {
	if v.IsDefault() {
		return nil
	}
	type guess struct {
		value, sent string
		stages      []string
	}
	var phases, statuses []*guess
	note := func(list *[]*guess, value, sent, stage string) {
		for _, g := range *list {
			if g.value == value {
				g.stages = append(g.stages, stage)
				return
			}
		}
		*list = append(*list, &guess{value, sent, []string{stage}})
	}
	for _, wf := range v.all() {
		for _, st := range wf.Stages {
			where := wf.Name + " " + st.Name
			if st.PhaseType != "" && !slices.Contains(v.PhaseTypes, st.PhaseType) {
				note(&phases, st.PhaseType, SamePosition(st.PhaseType, PhaseTypes, v.PhaseTypes), where)
			}
			if slices.Contains(builtinOpenRequestStatuses, st.RequestStatus) && !v.requestSet && !slices.Contains(v.RequestStatuses, st.RequestStatus) {
				note(&statuses, st.RequestStatus, v.RequestStatusName(st.RequestStatus), st.Name)
			}
		}
	}
	line := func(field, list string, gs []*guess, fix string) string {
		parts := make([]string, len(gs))
		for i, g := range gs {
			parts[i] = fmt.Sprintf("%s is sent as %s (%s)", g.value, g.sent, strings.Join(g.stages, ", "))
		}
		return fmt.Sprintf("%s lacks the %s of built-in stages the file keeps, so payloads carry its value at the same position instead: %s; %s",
			list, field, strings.Join(parts, "; "), fix)
	}
	var out []string
	if len(phases) > 0 {
		out = append(out, line("phaseType", "phaseTypes", phases, "give those workflows in the file with each stage's phaseType, or list the values in phaseTypes"))
	}
	if len(statuses) > 0 {
		out = append(out, line("requestStatus", "requestStatuses", statuses, "give the request workflow in the file with each stage's requestStatus, or list the values in requestStatuses"))
	}
	return out
}
