package scenarios

import (
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// A scenario's trades: are the vocabulary's: a trade of its own is taken
// (and its project follows the workflow it picks), a built-in one it
// leaves out is refused with the file's trades listed.
func TestVocabularyTradesInScenarios(t *testing.T) {
	v, err := schemas.ParseVocabulary("team.yaml", []byte("trades: [Roofing, Gutters]\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := parseWith("s.yaml", []byte("steps:\n  - createProject: {name: p, trades: [Gutters]}\n"), v)
	if err != nil {
		t.Fatal(err)
	}
	events, err := s.Render(1)
	if err != nil {
		t.Fatal(err)
	}
	if body := string(events[0].Body); !strings.Contains(body, `"trades":["Gutters"]`) {
		t.Errorf("the project lacks its trade: %s", body)
	}
	_, err = parseWith("s.yaml", []byte("steps:\n  - createProject: {name: p, trades: [Solar]}\n"), v)
	if err == nil || !strings.Contains(err.Error(), "Solar") || !strings.Contains(err.Error(), "[Roofing Gutters]") {
		t.Errorf("Solar in a vocabulary without it: %v", err)
	}
}
