package generator

import (
	"slices"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// WithVocabulary makes the generator speak v (the names Coperniq does not
// publish, as a team's vocabulary file states them): v's trigger names,
// work-order statuses (and working state), phase types and statuses, SLA
// types and request statuses. A built-in value v lacks is replaced by v's
// value at the same position in its list (phase types, SLA types, request
// statuses), or by v's working state (work-order statuses); QUEUED,
// COMPLETED and CANCELLED are v's queued, completed and cancelled statuses
// (schemas.Vocabulary.WorkOrderStatusName); a status only v has is reached
// from the working state and left back to it. A nil v is
// the built-in vocabulary. A v built in Go keeps the built-in value of each
// field it leaves empty (schemas.Vocabulary.Complete); one that breaks a
// vocabulary's rules is refused: every payload is then Complete's error,
// and Record and WorkOrder draw from the built-in vocabulary.
func WithVocabulary(v *schemas.Vocabulary) Option {
	return func(g *Generator) {
		v, err := v.Complete()
		if err != nil {
			g.err = err
			return
		}
		if v == nil {
			return
		}
		g.vocab = v
		g.wfs = newWorkflows(v)
		g.working = v.WorkingStatus
		g.extraStatuses = nil
		for _, s := range v.WorkOrderStatuses {
			// The working state, even when only v has it, is where
			// movements into and out of these statuses start and end;
			// queued, completed and cancelled are where work orders
			// start and end, moved into by the built-in transitions.
			if !slices.Contains(schemas.WorkOrderStatuses, s) && s != v.WorkingStatus && !g.special(s) {
				g.extraStatuses = append(g.extraStatuses, s)
			}
		}
	}
}

// Vocabulary is the generator's vocabulary, nil for the built-in one.
func (g *Generator) Vocabulary() *schemas.Vocabulary { return g.vocab }

// special reports whether s is the vocabulary's queued, completed or
// cancelled status.
func (g *Generator) special(s string) bool {
	return s == g.vocab.QueuedStatus || s == g.vocab.CompletedStatus || (s != "" && s == g.vocab.CancelledStatus)
}

// builtinStatus is the built-in name of s, a work-order status of the
// generator's vocabulary: the vocabulary's queued, completed and cancelled
// statuses are QUEUED, COMPLETED and CANCELLED; any other is itself.
func (g *Generator) builtinStatus(s string) string {
	if g.vocab != nil {
		for _, b := range []string{"QUEUED", "COMPLETED", "CANCELLED"} {
			if s != "" && s == g.vocab.WorkOrderStatusName(b) {
				return b
			}
		}
	}
	return s
}

// woStatus maps a built-in work-order status to the vocabulary's.
func (g *Generator) woStatus(s string) string {
	// A vocabulary that lists QUEUED, COMPLETED or CANCELLED names its
	// status so (schemas' check), so the built-in name is no other status.
	if g.vocab != nil {
		if n := g.vocab.WorkOrderStatusName(s); n != s && n != "" {
			return n
		}
	}
	s = g.workingName(s)
	// Statuses from outside the built-in list (the edge profile's) stay.
	if g.vocab == nil || s == "" || slices.Contains(g.vocab.WorkOrderStatuses, s) || !slices.Contains(schemas.WorkOrderStatuses, s) {
		return s
	}
	return g.working
}

// ApplyVocabulary rewrites p's names into the generator's vocabulary:
// trigger name, phase type and status, SLA type, request status and
// work-order statuses. Payloads the generator builds get it already;
// callers that assemble payloads with NewPayload (a scenario's world) call
// it before encoding.
func (g *Generator) ApplyVocabulary(p *Payload) {
	v := g.vocab
	if v == nil {
		return
	}
	e := &p.Event
	e.TriggerName = v.TriggerName(e.TriggerKey)
	e.PhaseType = schemas.SamePosition(e.PhaseType, schemas.PhaseTypes, v.PhaseTypes)
	e.SLAType = schemas.SamePosition(e.SLAType, schemas.SLATypes, v.SLATypes)
	switch e.Status {
	case "IN_PROGRESS":
		e.Status = v.PhaseStarted
	case "COMPLETED":
		e.Status = v.PhaseCompleted
	}
	if r := p.Record; r != nil && r.RequestStatus.Valid {
		r.RequestStatus.V = v.RequestStatusName(r.RequestStatus.V)
	}
	if w := p.WorkOrder; w != nil {
		w.Status = g.woStatus(w.Status)
		e.CurrentStatus = g.woStatus(e.CurrentStatus)
		if e.PreviousStatus.Valid {
			e.PreviousStatus.V = g.woStatus(e.PreviousStatus.V)
		}
	}
}
