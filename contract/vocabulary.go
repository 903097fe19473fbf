package contract

import (
	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// checkVocabularyScenarios renders, once, each lifecycle scenario the run
// replays in the target's vocabulary: a vocabulary whose workflows drop or
// add a stage a scenario names makes that scenario impossible, which is
// the setup's fault (exit 2), not the receiver's.
func checkVocabularyScenarios(t Target) error {
	if t.Vocabulary.IsDefault() {
		return nil
	}
	names := t.Scenarios
	if len(names) == 0 {
		names = scenarios.Names()
	}
	for _, name := range names {
		sc, err := scenarios.LoadWithVocabulary(name, t.Vocabulary)
		if err == nil {
			_, err = sc.Render(1)
		}
		if err != nil {
			return schemas.Fieldsf("Scenarios", "{Scenarios}: lifecycle scenario %s does not fit the vocabulary %s: %v; give {Scenarios} the scenarios that fit it", name, t.Vocabulary.File(), err)
		}
	}
	return nil
}
