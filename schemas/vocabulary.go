package schemas

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/coperniq-mock/coperniq-mock/suggest"
)

// Vocabulary is the set of names coperniq-mock guesses where Coperniq
// publishes none: a team that sees real Coperniq traffic writes
// what it sees into a vocabulary file (--vocabulary FILE) and the generator,
// the scenarios, the strict schemas and the docs follow it without a fork.
// The zero value is not useful; start from DefaultVocabulary.
type Vocabulary struct {
	// TriggerNames maps a triggerKey to its triggerName. A key left out
	// keeps the built-in name.
	TriggerNames map[string]string
	// WorkOrderStatuses are the work-order statuses.
	WorkOrderStatuses []string
	// WorkingStatus names the working state, one of WorkOrderStatuses.
	WorkingStatus string
	// QueuedStatus, CompletedStatus and CancelledStatus, three of
	// WorkOrderStatuses, are those the engine gives a meaning: a work
	// order starts queued (nobody assigned) and ends completed (with a
	// completionDate, firing TASK_COMPLETED) or cancelled; nothing moves
	// it after either end. A file names them outright, as it does the won
	// and lost request statuses. CancelledStatus is "" for a team without
	// one: a list that lacks CANCELLED with no cancelledStatus key.
	QueuedStatus, CompletedStatus, CancelledStatus string
	// PhaseTypes are the kinds of phase; PhaseStarted and PhaseCompleted the
	// phase event status on *_PHASE_STARTED and *_PHASE_COMPLETED.
	PhaseTypes                   []string
	PhaseStarted, PhaseCompleted string
	// SLATypes are the SLA thresholds, warning first.
	SLATypes []string
	// RequestStatuses are the request (deal) statuses; WonStatus and
	// LostStatus, two of them, those of a request won and lost. A file
	// names those two outright: a status's place in the list says nothing
	// (a team's list is in no order the tool could know).
	RequestStatuses       []string
	WonStatus, LostStatus string
	// Trades are the trades a record may list (record.trades). A trade a
	// file adds that no built-in workflow has follows the electrical
	// workflow; a workflow keeps only the file's trades.
	Trades []string
	// Workflows are the project workflows, each with its stages in order;
	// RequestWorkflow the request (deal) stages, which a file does not set.
	Workflows       []Workflow
	RequestWorkflow Workflow

	// custom is true for a vocabulary read from a file: its value lists are
	// then the file's, which the schemas say.
	custom bool
	file   string
	// requestSet is true when the file set the request workflow: its
	// statuses are then in the file's names, and Marshal writes it.
	requestSet bool
}

// DefaultVocabulary returns the built-in vocabulary, a fresh copy.
func DefaultVocabulary() *Vocabulary {
	names := map[string]string{}
	for _, t := range triggers {
		names[t.Key] = t.Name
	}
	return &Vocabulary{
		TriggerNames:      names,
		WorkOrderStatuses: slices.Clone(WorkOrderStatuses),
		WorkingStatus:     "IN_PROGRESS",
		QueuedStatus:      "QUEUED",
		CompletedStatus:   "COMPLETED",
		CancelledStatus:   "CANCELLED",
		PhaseTypes:        slices.Clone(PhaseTypes),
		PhaseStarted:      "IN_PROGRESS",
		PhaseCompleted:    "COMPLETED",
		SLATypes:          slices.Clone(SLATypes),
		RequestStatuses:   slices.Clone(RequestStatuses),
		WonStatus:         "WON",
		Trades:            slices.Clone(Trades),
		LostStatus:        "LOST",
		Workflows:         cloneWorkflows(builtinWorkflows),
		RequestWorkflow:   cloneWorkflows([]Workflow{builtinRequestWorkflow})[0],
	}
}

// IsDefault reports whether v is the built-in vocabulary: not read from
// a file, nor built in Go with values of its own and made ready by
// Complete.
func (v *Vocabulary) IsDefault() bool { return v == nil || !v.custom }

// File is the file v was read from, "" for the built-in one.
func (v *Vocabulary) File() string {
	if v == nil {
		return ""
	}
	return v.file
}

// TriggerName is the name of triggerKey in v.
func (v *Vocabulary) TriggerName(key string) string {
	if v != nil {
		if n, ok := v.TriggerNames[key]; ok {
			return n
		}
	}
	for _, t := range triggers {
		if t.Key == key {
			return t.Name
		}
	}
	return ""
}

// vocabularyKeys are the top-level keys of a vocabulary file, in the order
// Marshal writes them.
var vocabularyKeys = []string{"triggerNames", "workOrderStatuses", "workingStatus", "queuedStatus", "completedStatus", "cancelledStatus", "phaseTypes", "phaseStatuses", "slaTypes", "requestStatuses", "wonStatus", "lostStatus", "trades", "workflows"}

// Marshal writes v as a vocabulary file, with comments saying what each key
// drives; ParseVocabulary reads it back.
func (v *Vocabulary) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString("# coperniq-mock vocabulary: the names Coperniq does not publish.\n")
	b.WriteString("# Edit what real traffic shows you, then pass --vocabulary FILE to generate,\n")
	b.WriteString("# send, scenario run, validate, listen, verify, load and docs. Every key is\n")
	b.WriteString("# optional; a key left out keeps the built-in value.\n\n")
	b.WriteString("# triggerKey: triggerName. Coperniq documents only TASK_STATUS_MOVEMENT's.\n")
	b.WriteString("triggerNames:\n")
	for _, t := range triggers {
		fmt.Fprintf(&b, "  %s: %s\n", t.Key, yamlScalar(v.TriggerName(t.Key)))
	}
	list := func(comment, key string, vals []string) {
		fmt.Fprintf(&b, "\n# %s\n%s: [%s]\n", comment, key, strings.Join(vals, ", "))
	}
	list("Work-order statuses.", "workOrderStatuses", v.WorkOrderStatuses)
	fmt.Fprintf(&b, "\n# The name of the working state, one of workOrderStatuses.\nworkingStatus: %s\n", v.WorkingStatus)
	fmt.Fprintf(&b, "\n# The status a work order starts in (nobody assigned), and those it may end in:\n# completed (with a completionDate, firing TASK_COMPLETED) and cancelled.\n# Of workOrderStatuses; a list without CANCELLED needs no cancelledStatus.\nqueuedStatus: %s\ncompletedStatus: %s\n", v.QueuedStatus, v.CompletedStatus)
	if v.CancelledStatus != "" {
		fmt.Fprintf(&b, "cancelledStatus: %s\n", v.CancelledStatus)
	}
	list("Kinds of workflow phase (event.phaseType).", "phaseTypes", v.PhaseTypes)
	fmt.Fprintf(&b, "\n# event.status on *_PHASE_STARTED and *_PHASE_COMPLETED.\nphaseStatuses: {started: %s, completed: %s}\n", v.PhaseStarted, v.PhaseCompleted)
	list("SLA thresholds (event.slaType), warning first.", "slaTypes", v.SLATypes)
	list("Request (deal) statuses (record.requestStatus).", "requestStatuses", v.RequestStatuses)
	fmt.Fprintf(&b, "\n# The requestStatus of a request won and of one lost, two of requestStatuses.\nwonStatus: %s\nlostStatus: %s\n", v.WonStatus, v.LostStatus)
	quoted := make([]string, len(v.Trades))
	for i, t := range v.Trades {
		quoted[i] = yamlScalar(t)
	}
	list("Trades a record may list (record.trades); one a workflow lacks follows electrical.", "trades", quoted)
	v.marshalWorkflows(&b)
	return b.Bytes()
}

func yamlScalar(s string) string {
	if s == "" || strings.ContainsAny(s, ":#{}[],&*!|>'\"%@`") || strings.TrimSpace(s) != s {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// VocabularyError lists every problem of a vocabulary file, each as
// file:line:col: message.
type VocabularyError struct {
	Problems []string
}

func (e *VocabularyError) Error() string { return strings.Join(e.Problems, "\n") }

// Caps on a vocabulary file, checked before the YAML parser sees it (see
// YAMLKeysOver): the built-in vocabulary is 5 KiB with some hundred keys; a
// team's has more workflows, not thousands of times more.
const (
	// MaxVocabularySize bounds a vocabulary file's size.
	MaxVocabularySize = 1 << 20
	// MaxVocabularyKeys bounds a vocabulary file's mapping keys, all
	// mappings together (a stage written {id, templateId, name, phaseType}
	// has four).
	MaxVocabularyKeys = 5000
)

// ParseVocabulary reads a vocabulary file. name is used in errors, which
// are a *VocabularyError with file:line:col positions.
func ParseVocabulary(name string, data []byte) (*Vocabulary, error) {
	v := DefaultVocabulary()
	v.custom, v.file = true, name
	errs := &VocabularyError{}
	type problem struct {
		line, col int
		msg       string
	}
	var problems []problem
	add := func(n ast.Node, format string, args ...any) {
		line, col := 1, 1
		if n != nil && n.GetToken() != nil {
			line, col = n.GetToken().Position.Line, n.GetToken().Position.Column
		}
		problems = append(problems, problem{line, col, fmt.Sprintf(format, args...)})
	}
	// Problems are reported in file order, whichever check found them.
	defer func() {
		slices.SortStableFunc(problems, func(a, b problem) int {
			if a.line != b.line {
				return a.line - b.line
			}
			return a.col - b.col
		})
		for _, p := range problems {
			errs.Problems = append(errs.Problems, fmt.Sprintf("%s:%d:%d: %s", name, p.line, p.col, p.msg))
		}
	}()
	if len(data) > MaxVocabularySize {
		problems = append(problems, problem{1, 1, fmt.Sprintf("the file is over the %d KiB cap for a vocabulary file", MaxVocabularySize>>10)})
		return nil, errs
	}
	if line := YAMLKeysOver(data, MaxVocabularyKeys); line > 0 {
		problems = append(problems, problem{line, 1, fmt.Sprintf("the file has more than %d keys (this line passes the cap for a vocabulary file)", MaxVocabularyKeys)})
		return nil, errs
	}
	if line := YAMLFlowDepthOver(data, MaxYAMLFlowDepth); line > 0 {
		problems = append(problems, problem{line, 1, fmt.Sprintf("the file nests [ ] and { } more than %d deep (this line passes the cap for a vocabulary file)", MaxYAMLFlowDepth)})
		return nil, errs
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		// file:line:col as every other problem, not the parser's
		// own "[5:6] …" with a source excerpt.
		line, col, msg := YAMLSyntax(data, err)
		problems = append(problems, problem{line, col, "YAML syntax: " + msg})
		return nil, errs
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return v, nil // an empty file changes nothing
	}
	root, ok := f.Docs[0].Body.(*ast.MappingNode)
	if !ok {
		add(f.Docs[0].Body, "a vocabulary is a mapping of %s", strings.Join(vocabularyKeys, ", "))
		return nil, errs // filled by the deferred sort
	}
	str := func(n ast.Node, what string) (string, bool) {
		s, ok := n.(*ast.StringNode)
		if !ok || strings.TrimSpace(s.Value) == "" {
			add(n, "%s must be a non-empty string", what)
			return "", false
		}
		return s.Value, true
	}
	words := func(n ast.Node, what string) ([]string, bool) {
		seq, ok := n.(*ast.SequenceNode)
		if !ok || len(seq.Values) == 0 {
			add(n, "%s must be a non-empty list such as [A, B]", what)
			return nil, false
		}
		var out []string
		listed := map[string]string{} // by lower case; slices.Contains made 100,000 entries take a minute
		for _, item := range seq.Values {
			s, ok := str(item, what+" entry")
			if !ok {
				return nil, false
			}
			if other, dup := listed[strings.ToLower(s)]; dup {
				if other == s {
					add(item, "%s lists %s twice", what, s)
				} else {
					add(item, "%s lists %s and %s, which differ only in case: keep one (a receiver that compares without case takes them for one value)", what, other, s)
				}
				return nil, false
			}
			listed[strings.ToLower(s)] = s
			out = append(out, s)
		}
		return out, true
	}
	// mapping is n's entries, or none (and a problem) when n is no mapping.
	mapping := func(n ast.Node, problem string) []*ast.MappingValueNode {
		m, ok := n.(*ast.MappingNode)
		if !ok {
			add(n, "%s", problem)
			return nil
		}
		return m.Values
	}
	positions := map[string]ast.Node{}
	seen := map[string]bool{}
	var stages parsedWorkflows
	for _, kv := range root.Values {
		key := keyName(kv.Key)
		if seen[key] {
			add(kv.Key, "%s is given twice", key)
			continue
		}
		seen[key] = true
		positions[key] = kv.Value
		lists := map[string]*[]string{
			"workOrderStatuses": &v.WorkOrderStatuses, "phaseTypes": &v.PhaseTypes,
			"slaTypes": &v.SLATypes, "requestStatuses": &v.RequestStatuses, "trades": &v.Trades,
		}
		if dst, ok := lists[key]; ok {
			if l, ok := words(kv.Value, key); ok {
				*dst = l
			}
			continue
		}
		switch key {
		case "workflows":
			stages = v.parseWorkflows(kv.Value, add)
		case "triggerNames":
			for _, e := range mapping(kv.Value, "triggerNames must be a mapping of triggerKey: triggerName") {
				k := keyName(e.Key)
				if _, err := Lookup(k); err != nil {
					add(e.Key, "%v", err)
					continue
				}
				if n, ok := str(e.Value, "the name of "+k); ok {
					v.TriggerNames[k] = n
				}
			}
		case "workingStatus", "queuedStatus", "completedStatus", "cancelledStatus", "wonStatus", "lostStatus":
			dst := map[string]*string{
				"workingStatus": &v.WorkingStatus, "queuedStatus": &v.QueuedStatus, "completedStatus": &v.CompletedStatus,
				"cancelledStatus": &v.CancelledStatus, "wonStatus": &v.WonStatus, "lostStatus": &v.LostStatus,
			}[key]
			if s, ok := str(kv.Value, key); ok {
				*dst = s
			}
		case "phaseStatuses":
			for _, e := range mapping(kv.Value, "phaseStatuses must be a mapping {started: ..., completed: ...}") {
				dst := map[string]*string{"started": &v.PhaseStarted, "completed": &v.PhaseCompleted}[keyName(e.Key)]
				if dst == nil {
					add(e.Key, "phaseStatuses has started and completed, not %s", keyName(e.Key))
				} else if s, ok := str(e.Value, "phaseStatuses."+keyName(e.Key)); ok {
					*dst = s
				}
			}
		default:
			msg := fmt.Sprintf("unknown key %s; a vocabulary has %s", key, strings.Join(vocabularyKeys, ", "))
			if s := suggest.Nearest(key, vocabularyKeys); s != "" {
				msg += "; did you mean " + s + "?"
			}
			add(kv.Key, "%s", msg)
		}
	}
	if !seen["cancelledStatus"] {
		v.CancelledStatus = v.noCancelled()
	}
	v.check(func(key, format string, args ...any) {
		n := positions[key]
		if n == nil && slices.Contains([]string{"workingStatus", "queuedStatus", "completedStatus", "cancelledStatus"}, key) {
			n = positions["workOrderStatuses"]
		}
		if n == nil && (key == "wonStatus" || key == "lostStatus") {
			n = positions["requestStatuses"]
		}
		add(n, format, args...)
	})
	v.finishWorkflows(stages, add)
	v.tradesToWorkflows()
	if len(problems) > 0 {
		return nil, errs // filled in file order by the deferred sort
	}
	return v, nil
}

// check reports, by the key a file sets it with, each rule of a
// vocabulary v breaks that no single key's parsing can see.
func (v *Vocabulary) check(add func(key, format string, args ...any)) {
	v.checkWorkOrderStatuses(add)
	if len(v.SLATypes) < 2 {
		add("slaTypes", "slaTypes needs a warning and a violation threshold, at least two names")
	}
	if v.PhaseStarted == v.PhaseCompleted {
		add("phaseStatuses", "phaseStatuses started and completed are both %s: a receiver could not tell a phase started from one completed", v.PhaseStarted)
	}
	list := strings.Join(v.RequestStatuses, " ")
	for _, o := range []struct{ key, status, builtin, what string }{
		{"wonStatus", v.WonStatus, "WON", "won"}, {"lostStatus", v.LostStatus, "LOST", "lost"},
	} {
		switch {
		case !slices.Contains(v.RequestStatuses, o.status):
			add(o.key, "%s %s isn't one of requestStatuses [%s]: say which of them a %s request has with %s: NAME (a status's place in the list decides nothing)", o.key, o.status, list, o.what, o.key)
		case o.status != o.builtin && slices.Contains(v.RequestStatuses, o.builtin):
			add(o.key, "requestStatuses lists %s, but %s is %s: %s means a request %s, so make it the %s or rename it", o.builtin, o.key, o.status, o.builtin, o.what, o.key)
		}
	}
	if v.WonStatus == v.LostStatus {
		add("lostStatus", "wonStatus and lostStatus are both %s: a request ends won or lost, so name two statuses", v.WonStatus)
	} else if len(v.openRequestStatuses()) == 0 {
		add("requestStatuses", "requestStatuses [%s] has no status for an open request besides %s (won) and %s (lost): a request starts open", list, v.WonStatus, v.LostStatus)
	}
}

// checkWorkOrderStatuses reports the rules of the work-order statuses the
// engine gives a meaning (the working state, queued, completed and
// cancelled): each is one of workOrderStatuses, no two are one status,
// and a built-in name the list keeps means what it does built in.
func (v *Vocabulary) checkWorkOrderStatuses(add func(key, format string, args ...any)) {
	list := strings.Join(v.WorkOrderStatuses, " ")
	special := []struct{ key, status, builtin, what string }{
		{"workingStatus", v.WorkingStatus, "IN_PROGRESS", "is being worked on"},
		{"queuedStatus", v.QueuedStatus, "QUEUED", "starts (nobody assigned)"},
		{"completedStatus", v.CompletedStatus, "COMPLETED", "is done"},
		{"cancelledStatus", v.CancelledStatus, "CANCELLED", "is cancelled"},
	}
	taken := map[string]string{}
	for _, o := range special {
		switch {
		case o.status == "" && o.key == "cancelledStatus":
			continue // the team has none
		case !slices.Contains(v.WorkOrderStatuses, o.status):
			add(o.key, "%s %s isn't one of workOrderStatuses [%s]: say which of them a work order that %s has with %s: NAME", o.key, o.status, list, o.what, o.key)
		case taken[o.status] != "":
			add(o.key, "%s and %s are both %s: name a status of its own for each", taken[o.status], o.key, o.status)
		// The working state has two built-in names and was never
		// held to one; the three ends were.
		case o.key != "workingStatus" && o.status != o.builtin && slices.Contains(v.WorkOrderStatuses, o.builtin):
			add(o.key, "workOrderStatuses lists %s, but %s is %s: %s means a work order that %s, so make it the %s or rename it", o.builtin, o.key, o.status, o.builtin, o.what, o.key)
		}
		if taken[o.status] == "" {
			taken[o.status] = o.key
		}
	}
}

// noCancelled is the cancelled status of v when none is named: CANCELLED
// if v lists it, else none (""), as before cancelledStatus was a key,
// when a list without CANCELLED was a team that cancels nothing.
func (v *Vocabulary) noCancelled() string {
	if slices.Contains(v.WorkOrderStatuses, "CANCELLED") {
		return "CANCELLED"
	}
	return ""
}

// WorkOrderStatusName is v's name of a work-order status the engine gives
// a meaning, by its built-in name: QUEUED, COMPLETED and CANCELLED are v's
// queued, completed and cancelled statuses ("" when v has no cancelled
// one); any other status is itself. A nil v is the built-in vocabulary.
func (v *Vocabulary) WorkOrderStatusName(builtin string) string {
	if v == nil {
		return builtin
	}
	switch builtin {
	case "QUEUED":
		return v.QueuedStatus
	case "COMPLETED":
		return v.CompletedStatus
	case "CANCELLED":
		return v.CancelledStatus
	}
	return builtin
}

// Complete is v ready for use, for a Vocabulary built in Go rather than
// read from a file: each field left empty keeps the built-in value, as a
// key a file leaves out does, and the rules a file must keep are checked
// (a *VocabularyError naming the keys). nil, the built-in vocabulary,
// stays nil. v itself is not changed.
func (v *Vocabulary) Complete() (*Vocabulary, error) {
	if v == nil {
		return nil, nil
	}
	d, c := DefaultVocabulary(), *v
	for _, f := range []struct{ have, builtin *[]string }{
		{&c.WorkOrderStatuses, &d.WorkOrderStatuses}, {&c.PhaseTypes, &d.PhaseTypes},
		{&c.SLATypes, &d.SLATypes}, {&c.RequestStatuses, &d.RequestStatuses}, {&c.Trades, &d.Trades},
	} {
		if len(*f.have) == 0 {
			*f.have = *f.builtin
		}
	}
	for _, f := range []struct{ have, builtin *string }{
		{&c.WorkingStatus, &d.WorkingStatus}, {&c.PhaseStarted, &d.PhaseStarted}, {&c.PhaseCompleted, &d.PhaseCompleted},
		{&c.QueuedStatus, &d.QueuedStatus}, {&c.CompletedStatus, &d.CompletedStatus},
		{&c.WonStatus, &d.WonStatus}, {&c.LostStatus, &d.LostStatus},
	} {
		if *f.have == "" {
			*f.have = *f.builtin
		}
	}
	// The built-in vocabulary edited in Go keeps CANCELLED as its
	// cancelled status, which a list without it then does not have.
	if c.CancelledStatus == "" || c.CancelledStatus == d.CancelledStatus {
		c.CancelledStatus = c.noCancelled()
	}
	if len(c.Workflows) == 0 {
		c.Workflows = d.Workflows
	}
	if len(c.RequestWorkflow.Stages) == 0 {
		c.RequestWorkflow = d.RequestWorkflow
	}
	names, renamed := d.TriggerNames, false
	for k, n := range c.TriggerNames {
		renamed = renamed || n != names[k]
		names[k] = n
	}
	c.TriggerNames = names
	if !c.custom {
		// Values of its own make a vocabulary built in Go a team's
		// vocabulary as much as a file does: the schemas, the validator
		// and the docs take them, not the built-in ones.
		c.requestSet = !sameWorkflow(c.RequestWorkflow, d.RequestWorkflow)
		c.custom = renamed || c.requestSet || c.WorkingStatus != d.WorkingStatus ||
			c.QueuedStatus != d.QueuedStatus || c.CompletedStatus != d.CompletedStatus || c.CancelledStatus != d.CancelledStatus ||
			c.PhaseStarted != d.PhaseStarted || c.PhaseCompleted != d.PhaseCompleted ||
			c.WonStatus != d.WonStatus || c.LostStatus != d.LostStatus ||
			!slices.Equal(c.WorkOrderStatuses, d.WorkOrderStatuses) || !slices.Equal(c.PhaseTypes, d.PhaseTypes) ||
			!slices.Equal(c.SLATypes, d.SLATypes) || !slices.Equal(c.RequestStatuses, d.RequestStatuses) ||
			!slices.Equal(c.Trades, d.Trades) ||
			!slices.EqualFunc(c.Workflows, d.Workflows, sameWorkflow)
	}
	var problems []string
	c.check(func(_, format string, args ...any) {
		problems = append(problems, "vocabulary: "+fmt.Sprintf(format, args...))
	})
	for _, wf := range c.all() {
		if len(wf.Stages) == 0 {
			problems = append(problems, fmt.Sprintf("vocabulary: workflow %q has no stages; a workflow needs at least one", wf.Name))
		}
	}
	if problems != nil {
		return nil, &VocabularyError{Problems: problems}
	}
	c.Workflows = cloneWorkflows(c.Workflows)
	c.tradesToWorkflows()
	return &c, nil
}

// listLabel is the one place a vocabulary labels a value list it sets,
// vals, in place of the built-in one (builtin, labelled builtinWhy): a
// list v changed is v's own (why names v; the schemas say so with
// x-values-source: vocabulary), and one equal to the built-in list, or of
// a field always sent as null (the null is the assumption, not the
// list), keeps the built-in label, so that what Coperniq documents stays
// documented.
func (v *Vocabulary) listLabel(vals, builtin []string, builtinWhy string, alwaysNull bool) (why string, own bool) {
	if v.IsDefault() || alwaysNull || slices.Equal(vals, builtin) {
		return builtinWhy, false
	}
	return "set by " + NameVocabulary(vocabularyFileName(v)) + ".", true
}

// vocabularyFileName is the base name of the file v was read from: docs
// written with it are published, and a local path means nothing there.
func vocabularyFileName(v *Vocabulary) string {
	if v.File() == "" {
		return ""
	}
	return filepath.Base(v.File())
}

// NameVocabulary names in a sentence the vocabulary read from the file
// called name ("your vocabulary file team.yaml"; name is the base name,
// as published docs show it, quoted as the caller's format quotes it), or
// for "" the one a caller built in Go.
func NameVocabulary(name string) string {
	if name == "" {
		return "the vocabulary the caller built in Go"
	}
	return "your vocabulary file " + name
}

// Trigger is t as v names it: its triggerName and the value lists of its
// event fields.
func (v *Vocabulary) Trigger(t Trigger) Trigger {
	if v == nil {
		return t
	}
	t.Name = v.TriggerName(t.Key)
	if v.custom && t.Name != defaultName(t.Key) {
		t.NameDocumented = false
	}
	fields := slices.Clone(t.Fields)
	for i, f := range fields {
		var vals []string
		switch {
		case f.Name == "currentStatus" || f.Name == "previousStatus":
			vals = v.WorkOrderStatuses
		case f.Name == "phaseType":
			vals = v.PhaseTypes
		case f.Name == "slaType":
			vals = v.SLATypes
		case f.Name == "status" && slices.Equal(f.Enum, []string{"IN_PROGRESS"}):
			vals = []string{v.PhaseStarted}
		case f.Name == "status" && slices.Equal(f.Enum, []string{"COMPLETED"}):
			vals = []string{v.PhaseCompleted}
		default:
			continue
		}
		fields[i].Enum = vals
		fields[i].ValuesAssumed, fields[i].fromVocabulary = v.listLabel(vals, f.Enum, f.ValuesAssumed, f.AlwaysNull)
	}
	t.Fields = fields
	return t
}

func defaultName(key string) string {
	for _, t := range triggers {
		if t.Key == key {
			return t.Name
		}
	}
	return ""
}

// def is d with v's value lists.
func (v *Vocabulary) def(d *definition) *definition {
	if v == nil || !v.custom {
		return d
	}
	c := *d
	c.props = slices.Clone(d.props)
	for i, p := range c.props {
		switch {
		case d.name == "record" && p.name == "requestStatus":
			c.props[i].enum = v.RequestStatuses
		case d.name == "workOrder" && p.name == "status":
			c.props[i].enum = v.WorkOrderStatuses
		case d.name == "record" && p.name == "trades":
			c.props[i].enum = v.Trades
		case d.name == "workOrder" && p.name == "completionDate":
			// Set with the team's completed status, not the built-in one.
			c.props[i].desc = strings.ReplaceAll(p.desc, "status is COMPLETED", "status is "+v.CompletedStatus)
			continue
		default:
			continue
		}
		c.props[i].valuesAssumed, c.props[i].fromVocabulary = v.listLabel(c.props[i].enum, p.enum, p.valuesAssumed, p.alwaysNull)
	}
	return &c
}

// tradesToWorkflows keeps in each workflow's trades only v's, and gives a
// trade of v's that no workflow has to the one other trades follow
// (WorkflowForTrades), so that the workflows' comments and docs list it.
func (v *Vocabulary) tradesToWorkflows() {
	if slices.Equal(v.Trades, Trades) || len(v.Workflows) == 0 {
		return
	}
	for i := range v.Workflows {
		v.Workflows[i].Trades = slices.DeleteFunc(slices.Clone(v.Workflows[i].Trades), func(t string) bool { return !slices.Contains(v.Trades, t) })
	}
	fallback := v.ProjectWorkflow("electrical")
	if fallback == nil {
		fallback = &v.Workflows[len(v.Workflows)-1]
	}
	for _, t := range v.Trades {
		if !slices.ContainsFunc(v.Workflows, func(wf Workflow) bool { return slices.Contains(wf.Trades, t) }) {
			fallback.Trades = append(fallback.Trades, t)
		}
	}
}

// keyName is a mapping key without its quotes: JSON quotes every key, and
// 'roofing' is the key roofing.
func keyName(k ast.MapKeyNode) string {
	if s, ok := k.(*ast.StringNode); ok {
		return s.Value
	}
	return k.String()
}
