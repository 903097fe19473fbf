package scenarios

import (
	"os"
	"slices"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// A team's vocabulary (its own statuses, SLA types and workflows, as its
// Coperniq account is set up) reaches scenarios in two places: the
// parser takes its work-order statuses for moveWorkOrder to: and its SLA
// types for slaViolation level: (moveWorkOrder to: ON_HOLD works when the
// vocabulary has ON_HOLD, with file:line:col errors otherwise), and the
// world's generator writes every payload in it.

// WithVocabulary parses the scenario again with v, so that its steps are
// checked against v's names and its events use them. A nil v is the
// built-in vocabulary.
func (s *Scenario) WithVocabulary(v *schemas.Vocabulary) (*Scenario, error) {
	return parseWith(s.file, s.src, v)
}

// enumFor is the value list a step's enum parameter takes: the
// vocabulary's where it has one. Both names of the working state stay
// accepted, as the vocabulary's working state, and so do QUEUED and
// CANCELLED, as the vocabulary's queued and cancelled statuses (aliases),
// so that the built-in scenarios run with any vocabulary.
func (p *parsing) enumFor(step string, spec *paramSpec) []string {
	v := p.vocab
	if v == nil {
		return spec.enum
	}
	switch {
	case step == "moveWorkOrder" && spec.name == "to":
		return append(append(slices.Clone(v.WorkOrderStatuses), workingStatuses...), p.woAliases()...)
	case step == "createWorkOrder" && spec.name == "status":
		// A work order starts queued (QUEUED stays its alias) or, when
		// the team has that status, ASSIGNED; never cancelled.
		out := []string{v.QueuedStatus}
		if v.QueuedStatus != "QUEUED" {
			out = append(out, "QUEUED")
		}
		if slices.Contains(v.WorkOrderStatuses, "ASSIGNED") {
			out = append(out, "ASSIGNED")
		}
		return out
	case step == "slaViolation" && spec.name == "level":
		return v.SLATypes
	}
	return spec.enum
}

// woAliases are the built-in names of the vocabulary's queued and
// cancelled statuses, queued first, that the vocabulary renames (none of
// cancelled when it has no cancelled status).
func (p *parsing) woAliases() []string {
	var out []string
	for _, b := range []string{"QUEUED", "CANCELLED"} {
		if n := p.vocab.WorkOrderStatusName(b); n != "" && n != b {
			out = append(out, b)
		}
	}
	return out
}

// woStatus is the vocabulary's name of a work-order status a step gives:
// its own, or a built-in alias (woAliases) of it. The world holds statuses
// as payloads carry them.
func (p *parsing) woStatus(step, s string) string {
	if p.vocab == nil || (step != "moveWorkOrder" && step != "createWorkOrder") {
		return s
	}
	if n := p.vocab.WorkOrderStatusName(s); n != "" && !slices.Contains(p.vocab.WorkOrderStatuses, s) {
		return n
	}
	return s
}

// generatorOptions are the world generator's options for the scenario.
func (s *Scenario) generatorOptions() []generator.Option {
	if s.vocab == nil {
		return nil
	}
	return []generator.Option{generator.WithVocabulary(s.vocab)}
}

// LoadWithVocabulary is Load with a vocabulary: a built-in scenario or a
// file, parsed against v's names. A nil v is Load.
func LoadWithVocabulary(nameOrPath string, v *schemas.Vocabulary) (*Scenario, error) {
	if v == nil {
		return Load(nameOrPath)
	}
	if n := builtinName(nameOrPath); n != "" && !strings.ContainsAny(nameOrPath, `/\`) {
		s, err := Load(nameOrPath)
		if err != nil {
			return nil, err
		}
		return s.WithVocabulary(v)
	}
	src, err := os.ReadFile(nameOrPath)
	if err != nil {
		return Load(nameOrPath) // Load words a missing file and names the built-ins
	}
	return parseWith(nameOrPath, src, v)
}
