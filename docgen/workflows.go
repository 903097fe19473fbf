package docgen

import (
	"fmt"
	"html/template"
	"reflect"
	"slices"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// workflowLines describe the vocabulary's workflows, one Markdown line per
// workflow (stages in order with their ids), after a line saying where
// they come from: Coperniq publishes none, so they are assumed, or the
// team's vocabulary file set them.
func (s *site) workflowLines() (source string, lines []string) {
	v := s.vocab
	if v == nil {
		v = schemas.DefaultVocabulary()
	}
	source = "**Assumed**: Coperniq publishes no workflows (each company builds its own in Process Studio); these are this tool's, switchable with a vocabulary file (`coperniq-mock vocabulary` prints them as `workflows:`)."
	d := schemas.DefaultVocabulary()
	switch {
	case v.IsDefault():
	case sameStages(v.Workflows, d.Workflows) && reflect.DeepEqual(v.RequestWorkflow, d.RequestWorkflow):
		// A file that leaves the workflows out keeps them assumed, even
		// when its trades change which workflow a trade picks.
	default:
		source = "Set by " + vocabularyName(v) + " (stages it leaves out are this tool's assumed ones)."
	}
	stages := func(wf schemas.Workflow) string {
		out := make([]string, len(wf.Stages))
		for i, st := range wf.Stages {
			// What payloads carry: a built-in phase type the vocabulary's
			// list lacks is sent as its value at the same position.
			out[i] = fmt.Sprintf("%s (`%d`, %s)", st.Name, st.ID, codeSpan(schemas.SamePosition(st.PhaseType, schemas.PhaseTypes, v.PhaseTypes)))
		}
		return strings.Join(out, " → ")
	}
	for _, wf := range v.Workflows {
		picked := "projects whose first trade is " + strings.Join(wf.Trades, ", ")
		if len(wf.Trades) == 0 {
			// The vocabulary's trades all pick other workflows.
			picked = "no trade of the vocabulary picks it"
			if v.File() != "" {
				picked = "no trade of the vocabulary file picks it"
			}
		}
		lines = append(lines, fmt.Sprintf("**%s** (%s): %s", wf.Name, picked, stages(wf)))
	}
	req := make([]string, len(v.RequestWorkflow.Stages))
	for i, st := range v.RequestWorkflow.Stages {
		req[i] = fmt.Sprintf("%s (`%d`, %s)", st.Name, st.ID, codeSpan(v.RequestStatusName(st.RequestStatus)))
	}
	lines = append(lines, "**request** (requests move between these stages, which are alternatives rather than a sequence; in parentheses the `requestStatus` a request in the stage has): "+strings.Join(req, ", "))
	return source, lines
}

const workflowsIntro = "A project goes through its workflow's stages in order, one phase per stage: `record.stage` is `{id, name}` of the stage it is in, phase events carry the stage's `phaseType` and template id (`phaseTemplateId`). Stage name and id in parentheses (`id`, `phaseType`):"

func (s *site) markdownWorkflows(b *strings.Builder) {
	source, lines := s.workflowLines()
	b.WriteString("## Workflows\n\n" + source + " " + workflowsIntro + "\n\n")
	for _, l := range lines {
		b.WriteString("- " + l + "\n")
	}
	b.WriteString("\n")
}

func (s *site) htmlWorkflows() (source template.HTML, lines []template.HTML) {
	src, ls := s.workflowLines()
	source = inlineMarkdown(src + " " + workflowsIntro)
	for _, l := range ls {
		lines = append(lines, inlineMarkdown(l))
	}
	return source, lines
}

// sameStages reports whether a and b are the same workflows, stage for
// stage, whatever trades pick them.
func sameStages(a, b []schemas.Workflow) bool {
	return slices.EqualFunc(a, b, func(x, y schemas.Workflow) bool {
		return x.Name == y.Name && slices.Equal(x.Stages, y.Stages)
	})
}
