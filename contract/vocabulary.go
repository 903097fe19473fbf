package contract

import (
	"fmt"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// unfitScenario is a lifecycle scenario the target's vocabulary cannot
// replay (a stage, status or SLA level it names is not in it), and why.
type unfitScenario struct {
	name     string
	problems []string // one a line of the scenario's file
}

// skipReason is the reason the specs of a built-in scenario that does not
// fit the vocabulary are skipped with: the run left it out, and says so.
func (u unfitScenario) skipReason(v *schemas.Vocabulary) string {
	why := u.problems[0]
	if n := len(u.problems) - 1; n > 0 {
		why += fmt.Sprintf(" (and %d more)", n)
	}
	return fmt.Sprintf(skipUnfitFormat, u.name, v.File(), why)
}

// skipUnfitFormat words skipReason.
const skipUnfitFormat = "scenario %s does not fit vocabulary %s: %s"

// fitVocabulary renders, once, each of names in t's vocabulary: a
// vocabulary whose workflows drop or add a stage a scenario names, or lack
// a status or SLA level it moves to, makes that scenario impossible.
func fitVocabulary(t Target, names []string) (fit []string, unfit []unfitScenario) {
	if t.Vocabulary.IsDefault() {
		return names, nil
	}
	for _, name := range names {
		sc, err := scenarios.LoadWithVocabulary(name, t.Vocabulary)
		if err == nil {
			_, err = sc.Render(1)
		}
		if err != nil {
			unfit = append(unfit, unfitScenario{name, strings.Split(strings.TrimSuffix(err.Error(), "\n"), "\n")})
			continue
		}
		fit = append(fit, name)
	}
	return fit, unfit
}

// runScenarios are the lifecycle scenarios a run replays: those
// Target.Scenarios names (withDefaults refused any that does not fit), or
// else every built-in one that fits the vocabulary; unfit are the built-in
// ones left out, whose specs are skipped with the reason.
func runScenarios(t Target) (names []string, unfit []unfitScenario) {
	if t.Scenarios != nil {
		return t.Scenarios, nil
	}
	var all []string
	for _, info := range scenarios.Builtin() {
		all = append(all, info.Name)
	}
	return fitVocabulary(t, all)
}

// checkVocabularyScenarios refuses scenarios given by name that the
// vocabulary cannot replay: the user asked for them, so leaving them out
// would judge less than asked. It names every one that does not fit, and
// the built-in ones that do.
func checkVocabularyScenarios(t Target) error {
	if len(t.Scenarios) == 0 {
		return nil
	}
	_, unfit := fitVocabulary(t, t.Scenarios)
	if len(unfit) == 0 {
		return nil
	}
	var b strings.Builder
	if len(unfit) == 1 {
		fmt.Fprintf(&b, "{Scenarios}: lifecycle scenario %s does not fit the vocabulary %s:", unfit[0].name, t.Vocabulary.File())
	} else {
		fmt.Fprintf(&b, "{Scenarios}: %d of the lifecycle scenarios given do not fit the vocabulary %s:", len(unfit), t.Vocabulary.File())
	}
	for _, u := range unfit {
		fmt.Fprintf(&b, "\n  %s: %s", u.name, strings.Join(u.problems, "\n    "))
	}
	t.Scenarios = nil
	fit, _ := runScenarios(t)
	if len(fit) == 0 {
		b.WriteString("\nnone of the built-in scenarios fits it: leave out {Scenarios} (verify then skips the lifecycle specs, saying why) or give a scenario file written for it")
	} else {
		fmt.Fprintf(&b, "\nthe built-in scenarios that fit it: %s; give {Scenarios} only those, or leave it out to run every one that fits", strings.Join(fit, ", "))
	}
	return schemas.Fieldsf("Scenarios", "%s", b.String())
}
