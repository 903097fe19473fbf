package api_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/api"
	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

// The timeline is filled only when the mock is served: a run without it
// does not pay for the world's versions.
func TestCompanionRenderOptions(t *testing.T) {
	sc, err := scenarios.Load("request-won")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		addr   string
		filled bool
	}{
		{"no address: nothing kept", "", false},
		{"served: the timeline filled", "127.0.0.1:0", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tl := scenarios.NewTimeline()
			c := api.CompanionConfig{Addr: tc.addr}
			if _, err := sc.Render(1, c.RenderOptions(tl)...); err != nil {
				t.Fatal(err)
			}
			if filled := !tl.End().IsZero(); filled != tc.filled {
				t.Errorf("timeline filled %v, want %v", filled, tc.filled)
			}
		})
	}
}

// After closes a mock whose run never started and ends (reports, judges)
// one whose run did; without a mock there is nothing to do.
func TestCompanionAfter(t *testing.T) {
	var c api.CompanionConfig
	if c.After(nil) != nil {
		t.Fatal("After without a mock: want nil")
	}
	tl, events := world(t)
	start := func(t *testing.T) *api.Companion {
		comp, err := api.StartCompanion("127.0.0.1:0", tl, events, &http.Client{})
		if err != nil {
			t.Fatal(err)
		}
		return comp
	}
	t.Run("not started: closed", func(t *testing.T) {
		comp := start(t)
		var out bytes.Buffer
		if err := c.After(comp)(context.Background(), &out, false); err != nil || out.Len() != 0 {
			t.Fatalf("After(started false): %v, %q; want nil and nothing printed", err, out.String())
		}
		if resp, err := http.Get(comp.URL() + "/projects"); err == nil {
			resp.Body.Close()
			t.Error("the mock still answers after a run that never started")
		}
	})
	t.Run("started: ended with its verdict", func(t *testing.T) {
		comp := start(t)
		resp, err := http.Get(comp.URL() + "/projects") // no key: a broken rule
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var out bytes.Buffer
		var failed *delivery.FailedError
		if err := c.After(comp)(context.Background(), &out, true); !errors.As(err, &failed) {
			t.Errorf("After(started true) with a keyless call: %v, want a *delivery.FailedError\n%s", err, out.String())
		}
	})
	t.Run("started, then interrupted: no linger, an interrupted run", func(t *testing.T) {
		comp := start(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var out bytes.Buffer
		var failed *delivery.FailedError
		lingering := api.CompanionConfig{Linger: time.Hour}
		err := lingering.After(comp)(ctx, &out, true)
		if !errors.As(err, &failed) || !strings.Contains(err.Error(), "interrupted while the API mock waited for late calls (Linger 1h0m0s)") {
			t.Errorf("After(started true) interrupted: %v, want a *delivery.FailedError naming the interruption", err)
		}
		if !strings.Contains(out.String(), "API: 0 calls") {
			t.Errorf("no calls' report:\n%s", out.String())
		}
	})
}
