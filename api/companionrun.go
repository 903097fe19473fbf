package api

import (
	"context"
	"io"

	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

// RenderOptions are the options a scenario is rendered with so that Start
// can serve it: the timeline tl filled with the world's versions, only when
// Addr serves the mock (keeping them costs a copy per event, which a run
// without the mock does not pay).
func (c CompanionConfig) RenderOptions(tl *scenarios.Timeline) []scenarios.RenderOption {
	if c.Addr == "" {
		return nil
	}
	return []scenarios.RenderOption{scenarios.WithTimeline(tl)}
}

// After is comp's part of a delivery run (delivery.Reported.After): End
// once the deliveries ended, Close when they never started. Without a mock
// (comp nil) it is nil.
func (c CompanionConfig) After(comp *Companion) func(ctx context.Context, info io.Writer, started bool) error {
	if comp == nil {
		return nil
	}
	return func(ctx context.Context, info io.Writer, started bool) error {
		if !started {
			comp.Close()
			return nil
		}
		return c.End(ctx, comp, info)
	}
}
