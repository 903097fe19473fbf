package scenarios

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func rendered(t *testing.T, name string, seed uint64) [][]byte {
	t.Helper()
	s, err := Load(name)
	if err != nil {
		t.Fatal(err)
	}
	events, err := s.Render(seed)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]byte, len(events))
	for i, e := range events {
		out[i] = e.Body
	}
	return out
}

func decoded(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func obj(m map[string]any, key string) map[string]any { return m[key].(map[string]any) }

// find returns the index of the n-th (from 0) payload of trigger that
// also satisfies pred.
func find(t *testing.T, bodies [][]byte, trigger string, n int, pred func(map[string]any) bool) int {
	t.Helper()
	for i, b := range bodies {
		m := decoded(t, b)
		if obj(m, "event")["triggerKey"] == trigger && (pred == nil || pred(m)) {
			if n == 0 {
				return i
			}
			n--
		}
	}
	t.Fatalf("no %s payload", trigger)
	return -1
}

func mutate(t *testing.T, bodies [][]byte, i int, f func(m map[string]any)) [][]byte {
	t.Helper()
	out := slices.Clone(bodies)
	m := decoded(t, bodies[i])
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	out[i] = b
	return out
}

func without(bodies [][]byte, drop ...int) [][]byte {
	var out [][]byte
	for i, b := range bodies {
		if !slices.Contains(drop, i) {
			out = append(out, b)
		}
	}
	return out
}

// What delivery does to a sequence (shuffling, duplicating) must not
// break it.
func TestCheckSequenceToleratesDelivery(t *testing.T) {
	for _, name := range []string{"residential-solar", "request-won", "appointment-rescheduled"} {
		bodies := rendered(t, name, 11)
		r := rand.New(rand.NewPCG(1, 2))
		mixed := slices.Clone(bodies)
		for i := 0; i < len(bodies); i += 3 {
			mixed = append(mixed, bodies[i]) // retries and duplicates
		}
		r.Shuffle(len(mixed), func(i, j int) { mixed[i], mixed[j] = mixed[j], mixed[i] })
		if errs := CheckSequence(mixed); errs != nil {
			t.Errorf("%s shuffled and duplicated: %v", name, errs)
		}
	}
}

// Each invariant, broken on purpose, is reported.
func TestCheckSequenceCatches(t *testing.T) {
	solar := rendered(t, "residential-solar", 4)
	won := rendered(t, "request-won", 4)
	appt := rendered(t, "appointment-rescheduled", 4)
	isSurvey := func(m map[string]any) bool { return obj(m, "workOrder")["title"] == "Site Survey" }

	cases := []brokenSequence{
		{"a different body under one eventId", append(slices.Clone(solar), mutate(t, solar, 3, func(m map[string]any) {
			obj(m, "record")["dealValue"] = 1.0
		})[3]), "carry different bodies"},
		{"a payload that fails the schema", mutate(t, solar, 0, func(m map[string]any) {
			obj(m, "record")["id"] = "abc"
		}), "fails the strict schema"},
		{"previousStatus that isn't the last status", mutate(t, solar, find(t, solar, "TASK_STATUS_MOVEMENT", 1, isSurvey), func(m map[string]any) {
			obj(m, "event")["previousStatus"] = "ASSIGNED"
		}), "previousStatus is ASSIGNED, but its last status was SCHEDULED"},
		{"a phase completed with open work orders", without(solar,
			find(t, solar, "TASK_STATUS_MOVEMENT", 2, isSurvey), find(t, solar, "TASK_COMPLETED", 0, isSurvey)),
			"completes with work orders still open"},
		{"a record that changes uid", mutate(t, solar, 5, func(m map[string]any) {
			obj(m, "record")["uid"] = 1.0
		}), "changed identity"},
		{"a stage change without a phase start", mutate(t, solar, find(t, solar, "TASK_CREATED", 0, nil), func(m map[string]any) {
			obj(obj(m, "record"), "stage")["id"] = 16654.0
		}), "stage changed from"},
		{"a phase completed that never started", without(solar, find(t, solar, "PROJECT_PHASE_STARTED", 2, nil)),
			"no phase of record"},
		{"a project's phases going back", mutate(t, solar, find(t, solar, "PROJECT_PHASE_STARTED", 3, nil), func(m map[string]any) {
			obj(obj(m, "record"), "stage")["id"] = 16647.0
			obj(obj(m, "record"), "stage")["name"] = "Site Survey"
			obj(m, "event")["phaseTemplateId"] = 2402.0
			obj(m, "event")["phaseType"] = "DESIGN"
		}), "a project's phases go forward"},
		{"a move after completion", append(slices.Clone(solar), mutate(t, solar, find(t, solar, "TASK_STATUS_MOVEMENT", 1, isSurvey), func(m map[string]any) {
			e := obj(m, "event")
			e["eventId"] = e["eventId"].(float64) + 1e7
			e["previousStatus"] = "COMPLETED"
		})[find(t, solar, "TASK_STATUS_MOVEMENT", 1, isSurvey)]), "after it was COMPLETED"},
		{"a won request that never became a project", without(won, find(t, won, "PROJECT_CREATED", 0, nil), find(t, won, "PROJECT_PHASE_STARTED", 0, nil)),
			"was won (eventId"},
		{"a requestStatus change without its movement", without(won, find(t, won, "DEAL_STATUS_MOVEMENT", 0, nil)),
			"requestStatus changed from"},
		{"a reschedule that forgets the due date", mutate(t, appt, find(t, appt, "APPOINTMENT_RESCHEDULED", 1, nil), func(m map[string]any) {
			obj(m, "event")["previousDueDate"] = "2020-01-01T00:00:00.000Z"
		}), "isn't its last dueDate"},
		{"eventIds against firedAt", swapIDs(t, solar, 10, 11), "eventIds and firedAt disagree"},
	}
	wantCaught(t, cases)
}

// eachRender calls fn with the events s renders with each seed from 1 to
// seeds.
func eachRender(t *testing.T, s *Scenario, seeds uint64, fn func(seed uint64, events []Rendered)) {
	t.Helper()
	for seed := uint64(1); seed <= seeds; seed++ {
		events, err := s.Render(seed)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		fn(seed, events)
	}
}

// brokenSequence is a rendered sequence broken on purpose, and what the
// error CheckSequence reports for it must contain.
type brokenSequence struct {
	name   string
	bodies [][]byte
	want   string
}

// wantCaught fails each case whose sequence CheckSequence passes or reports
// with no error containing the case's want.
func wantCaught(t *testing.T, cases []brokenSequence) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := CheckSequence(tc.bodies)
			if !slices.ContainsFunc(errs, func(e error) bool { return strings.Contains(e.Error(), tc.want) }) {
				var msgs []string
				for _, e := range errs {
					msgs = append(msgs, e.Error())
				}
				t.Errorf("want an error with %q, got:\n%s", tc.want, strings.Join(msgs, "\n"))
			}
		})
	}
}

// swapIDs exchanges the eventIds of two payloads, so that their eventId
// order and firedAt order disagree.
func swapIDs(t *testing.T, bodies [][]byte, i, j int) [][]byte {
	t.Helper()
	idI, idJ := obj(decoded(t, bodies[i]), "event")["eventId"], obj(decoded(t, bodies[j]), "event")["eventId"]
	out := mutate(t, bodies, i, func(m map[string]any) { obj(m, "event")["eventId"] = idJ })
	return mutate(t, out, j, func(m map[string]any) { obj(m, "event")["eventId"] = idI })
}
