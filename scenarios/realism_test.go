package scenarios

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The realism rules (sequences a receiver's developer would believe came
// from a real contractor), checked by CheckSequence over every built-in
// scenario and many seeds: phases in order with none skipped, uids growing
// in creation order, one name for the working state, nobody assigned to a
// QUEUED work order (and the rest of CheckSequence's rules).
func TestBuiltinsAreRealisticOverManySeeds(t *testing.T) {
	for _, info := range Builtin() {
		t.Run(info.Name, func(t *testing.T) {
			seeds := uint64(25)
			if info.Events > 200 {
				seeds = 4 // concurrent-projects: 900 events a seed, the same rules
			}
			for seed := uint64(1); seed <= seeds; seed++ {
				if errs := CheckSequence(rendered(t, info.Name, seed)); errs != nil {
					t.Fatalf("seed %d: %v", seed, errs)
				}
			}
		})
	}
}

// Each new rule catches what it is for.
func TestCheckSequenceCatchesRealism(t *testing.T) {
	solar := rendered(t, "residential-solar", 4)
	lifecycle := rendered(t, "work-order-lifecycle", 4)
	movement := func(bodies [][]byte, to string) int {
		for i, b := range bodies {
			if strings.Contains(string(b), `"triggerKey":"TASK_STATUS_MOVEMENT"`) && strings.Contains(string(b), `"currentStatus":"`+to+`"`) {
				return i
			}
		}
		t.Fatalf("no movement to %s", to)
		return -1
	}
	cases := []brokenSequence{
		{"a phase skipped", without(solar, find(t, solar, "PROJECT_PHASE_STARTED", 1, nil), find(t, solar, "PROJECT_PHASE_COMPLETED", 1, nil)),
			"a project goes through its phases in order"},
		{"both names of the working state", mutate(t, lifecycle, movement(lifecycle, "IN_PROGRESS"), func(m map[string]any) {
			obj(m, "workOrder")["status"] = "WORKING"
			obj(m, "event")["currentStatus"] = "WORKING"
		}), "one account uses one name"},
		{"an assignee on a QUEUED work order", mutate(t, solar, find(t, solar, "TASK_CREATED", 0, nil), func(m map[string]any) {
			obj(m, "workOrder")["status"] = "QUEUED"
			obj(m, "event")["currentStatus"] = "QUEUED"
			obj(m, "workOrder")["assigneeId"] = 13001.0
		}), "nobody is assigned while a work order is QUEUED, only once it moves on"},
		{"work-order numbers out of creation order", mutate(t, solar, find(t, solar, "TASK_CREATED", 1, nil), func(m map[string]any) {
			obj(m, "workOrder")["uid"] = 1.0
		}), "numbers grow in creation order"},
	}
	wantCaught(t, cases)
}

// The slaLag: setting moves SLA violations to that long after overdueAt.
func TestSLALagSetting(t *testing.T) {
	src := func(lag string) []byte {
		return []byte(`name: lag
` + lag + `
steps:
  - createProject: {name: home, workflow: solar}
  - startPhase: {project: home}
  - slaViolation: {project: home, level: YELLOW}
  - slaViolation: {project: home, level: RED}
`)
	}
	for _, tc := range []struct {
		setting  string
		lo, hi   time.Duration
		parseErr string
	}{
		{"", 5 * time.Minute, 3 * time.Hour, ""},
		{"slaLag: 20h..22h", 20 * time.Hour, 22 * time.Hour, ""},
		{"slaLag: 10m", 10 * time.Minute, 10 * time.Minute, ""},
		{"slaLag: soon", 0, 0, `lag.yaml:2:9: slaLag "soon" isn't a duration or range such as 5m..3h`},
	} {
		t.Run(tc.setting, func(t *testing.T) {
			s, err := Parse("lag.yaml", src(tc.setting))
			if tc.parseErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.parseErr) {
					t.Fatalf("got %v, want %q", err, tc.parseErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			eachRender(t, s, 20, func(seed uint64, events []Rendered) {
				n := 0
				for _, e := range events {
					var p struct {
						Event struct {
							FiredAt   time.Time  `json:"firedAt"`
							OverdueAt *time.Time `json:"overdueAt"`
						} `json:"event"`
					}
					if err := json.Unmarshal(e.Body, &p); err != nil {
						t.Fatal(err)
					}
					if p.Event.OverdueAt == nil {
						continue
					}
					n++
					// firedAt has milliseconds of its own on top of the lag.
					if lag := p.Event.FiredAt.Sub(*p.Event.OverdueAt); lag < tc.lo || lag > tc.hi+time.Second {
						t.Errorf("seed %d: violation %s after overdueAt, want %s..%s", seed, lag, tc.lo, tc.hi)
					}
				}
				if n != 2 {
					t.Fatalf("seed %d: %d violations", seed, n)
				}
			})
		})
	}
}
