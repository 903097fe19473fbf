package api

import (
	"fmt"
	"time"

	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// World is a scenario's world as the API serves it: rendered once with a
// timeline, so that the API's answers agree with the webhooks.
type World struct {
	Scenario string
	Seed     uint64
	Timeline *scenarios.Timeline
	Events   []scenarios.Rendered
}

// NewWorld plays the scenario name (a built-in or a file) in vocabulary v
// (nil: the built-in one) with seed (and opts) into a timeline
// (scenarios.NewPlay). A scenario that renders to no events is refused: it
// has no world to serve.
func NewWorld(name string, v *schemas.Vocabulary, seed uint64, opts ...scenarios.RenderOption) (*World, error) {
	tl := scenarios.NewTimeline()
	p, err := scenarios.NewPlay(name, v, seed, append(opts, scenarios.WithTimeline(tl))...)
	if err != nil {
		return nil, err
	}
	return &World{Scenario: p.Scenario.Name, Seed: seed, Timeline: tl, Events: p.Events}, nil
}

// Describe counts what the world holds as of at, in one line.
func (w *World) Describe(at time.Time) string {
	snap := w.Timeline.At(at)
	kinds := map[string]int{}
	for _, r := range snap.Records {
		kinds[r.Type]++
	}
	return fmt.Sprintf("world: scenario %s, seed %d, as of %s: %d projects, %d opportunities, %d accounts, %d work orders, %d appointments, %d calls",
		w.Scenario, w.Seed, at.UTC().Format(time.RFC3339Nano), kinds["PROJECT"], kinds["DEAL"], kinds["ACCOUNT"], len(snap.WorkOrders), len(snap.Appointments), len(snap.Calls))
}
