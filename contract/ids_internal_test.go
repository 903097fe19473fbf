package contract

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

// The eventIds a run counts are above its base, derived from the seed, and
// below 2^31; the edge profile's ids near 2^53-1 stay there.
func TestRunEventIDsStartFromTheSeedsBase(t *testing.T) {
	for _, seed := range []uint64{1, 2, 1 << 30} {
		pl, err := newPlan(Target{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		base := idBase(seed, 0)
		if base != pl.idOffset || base < idBaseStride || base > 1<<31-idBaseStride {
			t.Fatalf("seed %d: base %d (plan's %d), want a multiple of %d below 2^31", seed, base, pl.idOffset, idBaseStride)
		}
		counted := append([]payload{pl.dupAfter, pl.dupConcurrent, pl.gaveUp, pl.unknown}, pl.withoutRecord...)
		for _, m := range []map[string]payload{pl.realistic, pl.minimal, pl.maximal} {
			for _, p := range m {
				counted = append(counted, p)
			}
		}
		for _, p := range counted {
			if id := p.Event.EventID; id < base || id >= base+idBaseStride {
				t.Errorf("seed %d: %s has eventId %d, outside [%d, %d)", seed, p.label(), id, base, base+idBaseStride)
			}
			if !strings.Contains(p.reproducer(dest{shown: "U"}), fmt.Sprintf("--set event.eventId=%d ", p.Event.EventID)) {
				t.Errorf("seed %d: the reproducer of %s does not send eventId %d: %s", seed, p.label(), p.Event.EventID, p.reproducer(dest{shown: "U"}))
			}
		}
		for _, ps := range pl.edge {
			if last := ps[len(ps)-1]; last.Event.EventID <= MaxSafeID-highIDs {
				t.Errorf("seed %d: the max-ids payload of %s has eventId %d", seed, last.Trigger, last.Event.EventID)
			}
		}
	}
	if idBase(1, 0) == idBase(2, 0) && idBase(2, 0) == idBase(3, 0) {
		t.Error("seeds 1, 2 and 3 share a base")
	}
}

// Runs with drawn seeds spread over every base, about evenly: two runs
// share one 1 time in idBases, which is what the repeat test's bound on
// rerolls rests on (fewer bases, or a skewed draw, make more shared runs).
func TestSeedsSpreadOverEveryBase(t *testing.T) {
	const seeds = 200 * idBases
	hits := map[int64]int{}
	for s := uint64(2); s < 2+seeds; s++ {
		b := idBase(s, 0)
		if b < idBaseStride || b%idBaseStride != 0 || b+idBaseStride > 1<<31 {
			t.Fatalf("seed %d: base %d, want a multiple of %d from %d up, below 2^31 with its stride", s, b, idBaseStride, idBaseStride)
		}
		hits[b]++
	}
	if len(hits) != idBases {
		t.Fatalf("%d seeds drew %d bases, want all %d", seeds, len(hits), idBases)
	}
	for b, n := range hits {
		// 200 expected; 5 standard deviations is about 70.
		if n < 130 || n > 270 {
			t.Errorf("base %d drawn %d times in %d seeds, want about 200", b, n, seeds)
		}
	}
}

// A run whose seed was drawn, against a receiver that holds the events the
// run drew first (an earlier run at the same base, which kept its state):
// each counting job is rerolled to another seed and base, counts events the
// receiver has not seen, and its reproducer sends those. With the seed
// given, the same receiver is stale state.
func TestRerollMovesToAnotherBase(t *testing.T) {
	rc := testreceivers.New(testreceivers.Config{})
	srv := httptest.NewServer(rc)
	defer srv.Close()
	insp, err := InspectURL(srv.URL + testreceivers.InspectPath + "{eventId}")
	if err != nil {
		t.Fatal(err)
	}
	target := Target{URL: srv.URL + "/hook", Inspect: insp, Seed: 77, Settle: -1, Scenarios: []string{"call-logged"}}
	prepare := func(random bool) []*countJob {
		r := newRun(target, "")
		if r.err != nil {
			t.Fatal(r.err)
		}
		r.seedRandom = random
		jobs := append(r.idempotencyJobs(), r.scenarioJob(r.scenarios[0].name, r.scenarios[0].inOrder))
		for _, j := range jobs {
			for _, p := range j.ps {
				res, err := http.Post(srv.URL+"/hook", "application/json", bytes.NewReader(p.Body))
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
			}
		}
		r.runJobs(context.Background(), jobs)
		return jobs
	}

	jobs := prepare(true)
	base := idBase(77, 0)
	for _, j := range jobs {
		if j.err != nil || j.stale != "" || j.failure != "" || !strings.Contains(j.rerolled, "had already applied") {
			t.Fatalf("%s: err %v, stale %q, failure %q, rerolled %q", j.name(), j.err, j.stale, j.failure, j.rerolled)
		}
		for _, p := range j.ps {
			if id := p.Event.EventID; id >= base && id < base+idBaseStride {
				t.Errorf("%s: rerolled eventId %d is at the run's base %d", j.name(), id, base)
			}
			if n := rc.Applied(p.Event.EventID); n != 1 {
				t.Errorf("%s: rerolled eventId %d applied %d times, want 1", j.name(), p.Event.EventID, n)
			}
		}
		if len(j.ps) == 1 {
			if want := fmt.Sprintf("--set event.eventId=%d ", j.ps[0].Event.EventID); !strings.Contains(j.reproduce, want) {
				t.Errorf("%s: reproducer %q lacks %q", j.name(), j.reproduce, want)
			}
			continue
		}
		// The scenario's reproducer renders the events sent.
		var seed uint64
		var offset int64
		if _, err := fmt.Sscanf(j.reproduce[strings.Index(j.reproduce, "--seed"):], "--seed %d", &seed); err != nil {
			t.Fatal(err)
		}
		if _, err := fmt.Sscanf(j.reproduce[strings.Index(j.reproduce, "--event-id-offset"):], "--event-id-offset %d", &offset); err != nil {
			t.Fatalf("%s: %v in %q", j.name(), err, j.reproduce)
		}
		sc, err := scenarios.Load("call-logged")
		if err != nil {
			t.Fatal(err)
		}
		events, err := sc.Render(seed, scenarios.WithEventIDOffset(offset))
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != len(j.ps) {
			t.Fatalf("%s: %q renders %d events, the spec sent %d", j.name(), j.reproduce, len(events), len(j.ps))
		}
		for i, e := range events {
			if !bytes.Equal(e.Body, j.ps[i].Body) {
				t.Errorf("%s: %q renders event %d otherwise than the spec sent it", j.name(), j.reproduce, i)
			}
		}
	}

	// The seed given again: the same events, applied already, are stale.
	for _, j := range prepare(false) {
		if j.rerolled != "" || !strings.Contains(j.stale, "was already applied before it was sent") {
			t.Errorf("%s with the seed given: rerolled %q, stale %q", j.name(), j.rerolled, j.stale)
		}
	}
}
