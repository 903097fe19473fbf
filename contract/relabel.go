package contract

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

// EntryRelabel is []Relabel, from the end of the run: what it found that
// changes what specs said when they ended.
const EntryRelabel = "taken back at the end of the run"

// Relabel is what the end of the run changes of a failed spec's verdict,
// in every report: a spec ends before the run knows what the end of the
// run finds (its report is Ginkgo's by then), so the reports apply it.
type Relabel struct {
	Spec string `json:"spec"` // below SuiteText
	// Withdrawn is the setup problem (ProblemHook, ProblemStateHook) the
	// spec was marked with when it ended, taken back: the hooks were found
	// answering after all, so the failure is the receiver's lateness;
	// Headline is then its one-line reason.
	Withdrawn string `json:"withdrawn,omitempty"`
	Headline  string `json:"headline,omitempty"`
	// Found, when every event of the spec that was not applied within the
	// inspect timeout was found applied at the end of the run, says so:
	// the spec still fails (late), but nothing was lost.
	Found string `json:"found,omitempty"`
}

// blamedSpec is a spec that failed as the setup's while nothing of the run
// had been counted: kind is the hook it blamed, events how many of its
// events it judged, records (the state hook's) the records it asked about,
// late the headline it would have had had the inspect hook been known to
// count.
type blamedSpec struct {
	spec, kind string
	events     int
	records    []int64
	late       string
}

func (r *run) blame(b blamedSpec) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.blamed = append(r.blamed, b)
}

// relabels is what the end of the run takes back, once finish asked again
// about the events not applied in time (late is what it found): the
// specs that blamed a hook before anything of the run was counted, when
// the inspect hook was then seen counting (and, for a final-state spec,
// the state hook answering for a record); and, of a spec that failed as
// late, that every one of its late events was found applied.
func (r *run) relabels(ctx context.Context, late []LateApplication) []Relabel {
	r.mu.Lock()
	counts := r.anyApplied
	blamed := slices.Clone(r.blamed)
	r.mu.Unlock()
	var out []Relabel
	withdrawn := map[string]bool{}
	for _, b := range blamed {
		if !counts || b.kind == ProblemStateHook && !r.stateRight(ctx, b.records) {
			continue
		}
		rel := Relabel{Spec: b.spec, Withdrawn: b.kind}
		fates := fatesOf(late, b.spec)
		switch b.kind {
		case ProblemHook:
			rel.Headline = fmt.Sprintf("late, not the inspect hook's fault: the end of the run found the hook counting the run's events, so this spec's %s were acknowledged and not applied within --inspect-timeout (%s)%s", nEvents(b.events), roundLatency(r.t.InspectTimeout), fates)
		default:
			rel.Headline = strings.TrimSuffix(headline(b.late), ":") + fmt.Sprintf("; late, not the hooks' fault: the end of the run found the inspect hook counting the run's events and the state hook answering for a record%s", fates)
		}
		withdrawn[b.spec] = true
		out = append(out, rel)
	}
	var specs []string
	for _, l := range late {
		if !slices.Contains(specs, l.Spec) && !withdrawn[l.Spec] {
			specs = append(specs, l.Spec)
		}
	}
	for _, spec := range specs {
		var n int
		var slowest time.Duration
		all := true
		for _, l := range late {
			if l.Spec != spec {
				continue
			}
			n++
			all = all && l.AppliedAfterMS > 0
			slowest = max(slowest, ms(l.AppliedAfterMS))
		}
		if all {
			out = append(out, Relabel{Spec: spec, Found: fmt.Sprintf("the end of the run %s every one of its %s not applied within --inspect-timeout, the slowest %s after its acknowledgement: late, not lost", FoundApplied, nEvents(n), roundLatency(slowest))})
		}
	}
	return out
}

// fatesOf says what the end of the run found of spec's late events, after
// a colon, or "" when it has none.
func fatesOf(late []LateApplication, spec string) string {
	var found, behind, lost int
	var slowest time.Duration
	for _, l := range late {
		switch {
		case l.Spec != spec:
		case l.AppliedAfterMS > 0:
			found++
			slowest = max(slowest, ms(l.AppliedAfterMS))
		case l.FarBehind:
			behind++
		default:
			lost++
		}
	}
	switch {
	case found+behind+lost == 0:
		return ""
	case behind+lost == 0:
		return fmt.Sprintf(": all %d %s, the slowest %s after its acknowledgement", found, FoundApplied, roundLatency(slowest))
	}
	return fmt.Sprintf(": %d %s, %d far behind, %d never applied (see the end of the run)", found, FoundApplied, behind, lost)
}

// stateRight reports whether the state hook was seen answering for a
// record: in the run, or now for one of records (asked once more, at the
// end of the run, when the receiver had time to apply their events).
func (r *run) stateRight(ctx context.Context, records []int64) bool {
	if r.t.State == nil {
		return false
	}
	if r.stateAnswered() {
		return true
	}
	for _, id := range records {
		if st, err := r.t.State.State(ctx, id); err == nil && st != nil {
			r.markStateAnswered()
			return true
		}
	}
	return false
}

// relabelsOf collects the end of the run's relabels from a report, by spec.
func relabelsOf(report types.Report) map[string]Relabel {
	out := map[string]Relabel{}
	for _, spec := range report.SpecReports {
		for _, e := range spec.ReportEntries {
			var rs []Relabel
			if e.Name == EntryRelabel && entryValue(e, &rs) {
				for _, rel := range rs {
					out[rel.Spec] = rel
				}
			}
		}
	}
	return out
}
