package main

import (
	"github.com/coperniq-mock/coperniq-mock/contract"
	"github.com/coperniq-mock/coperniq-mock/contract/testreceivers"

	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// teamStatuses is a vocabulary that renames every work-order status the
// engine gives a meaning: queued, working, completed and cancelled.
const teamStatuses = "workOrderStatuses: [NEW, ASSIGNED, SCHEDULED, ACTIVE, WAITING, REVIEW, DONE, VOIDED]\n" +
	"workingStatus: ACTIVE\nqueuedStatus: NEW\ncompletedStatus: DONE\ncancelledStatus: VOIDED\n"

// teamScenario speaks teamStatuses: a work order VOIDED does not keep its
// phase from completing.
const teamScenario = "name: team\nsteps:\n" +
	"  - createProject: {name: home, workflow: solar}\n" +
	"  - startPhase: {project: home}\n" +
	"  - createWorkOrder: {project: home, name: eng, title: Engineering Review, status: NEW}\n" +
	"  - moveWorkOrder: {workOrder: eng, to: ASSIGNED}\n" +
	"  - moveWorkOrder: {workOrder: eng, to: VOIDED}\n" +
	"  - createWorkOrder: {project: home, name: survey, title: Site Survey}\n" +
	"  - moveWorkOrder: {workOrder: survey, to: ACTIVE}\n" +
	"  - completeWorkOrder: {workOrder: survey}\n" +
	"  - completePhase: {project: home}\n"

// teamStatusList is teamStatuses' workOrderStatuses.
var teamStatusList = []string{"NEW", "ASSIGNED", "SCHEDULED", "ACTIVE", "WAITING", "REVIEW", "DONE", "VOIDED"}

// teamStatusFiles writes teamStatuses and teamScenario into a fresh temporary
// dir and returns it with the two files' paths.
func teamStatusFiles(t *testing.T) (dir, vocabulary, scenario string) {
	t.Helper()
	dir = t.TempDir()
	vocabulary = filepath.Join(dir, "team.yaml")
	scenario = filepath.Join(dir, "team-scenario.yaml")
	for p, src := range map[string]string{vocabulary: teamStatuses, scenario: teamScenario} {
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, vocabulary, scenario
}

// checkWOStatuses checks that every work-order status in payloads (one
// JSON document a line) is one of teamStatusList, and that each of want
// is carried by some payload.
func checkWOStatuses(t *testing.T, payloads string, want []string) {
	t.Helper()
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(payloads))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var p struct {
			Event struct {
				TriggerKey     string  `json:"triggerKey"`
				CurrentStatus  *string `json:"currentStatus"`
				PreviousStatus *string `json:"previousStatus"`
			} `json:"event"`
			WorkOrder *struct {
				Status         string  `json:"status"`
				CompletionDate *string `json:"completionDate"`
			} `json:"workOrder"`
		}
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("payload %d: %v", n, err)
		}
		n++
		statuses := []*string{p.Event.CurrentStatus, p.Event.PreviousStatus}
		if p.WorkOrder != nil {
			statuses = append(statuses, &p.WorkOrder.Status)
			if (p.WorkOrder.Status == "DONE") != (p.WorkOrder.CompletionDate != nil) {
				t.Errorf("%s: work order %s with completionDate %v", p.Event.TriggerKey, p.WorkOrder.Status, p.WorkOrder.CompletionDate)
			}
		}
		for _, s := range statuses {
			if s == nil {
				continue
			}
			if !slices.Contains(teamStatusList, *s) {
				t.Errorf("%s carries work-order status %s, not one of the vocabulary's %v", p.Event.TriggerKey, *s, teamStatusList)
			}
			seen[*s] = true
		}
	}
	if n == 0 {
		t.Fatal("no payload")
	}
	for _, s := range want {
		if !seen[s] {
			t.Errorf("no payload carries %s", s)
		}
	}
}

// A user trial's vocabulary named its cancelled status VOIDED: it had to
// list the literal CANCELLED, COMPLETED and QUEUED, values its traffic
// never carries, and completePhase still took a VOIDED work order for an
// open one. queuedStatus, completedStatus and cancelledStatus name them;
// no command sends, judges or documents the built-in names then.
func TestVocabularyWorkOrderStatusesEndToEnd(t *testing.T) {
	dir, voc, sc := teamStatusFiles(t)

	cases := []struct {
		name string
		args []string
		// want are statuses the payloads must carry.
		want []string
	}{
		{"generate", []string{"generate", "TASK_CREATED", "TASK_STATUS_MOVEMENT", "TASK_COMPLETED", "--count", "1500", "--seed", "3"}, []string{"NEW", "DONE", "VOIDED", "ACTIVE"}},
		{"scenario run of a team scenario", []string{"scenario", "run", sc, "--dry-run"}, []string{"NEW", "VOIDED", "DONE", "ACTIVE"}},
		{"scenario run of a built-in scenario", []string{"scenario", "run", "work-order-lifecycle", "--dry-run"}, []string{"NEW", "VOIDED", "DONE", "ACTIVE"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := cli(t, "", append(tc.args, "--vocabulary", voc)...).want(t, 0).stdout
			checkWOStatuses(t, out, tc.want)
			cli(t, out, "validate", "--strict", "--vocabulary", voc, "-q").want(t, 0)
		})
	}

	t.Run("built-in names in a team scenario", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.yaml")
		if err := os.WriteFile(bad, []byte(strings.Replace(teamScenario, "to: VOIDED", "to: DONE", 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		r := cli(t, "", "scenario", "run", bad, "--dry-run", "--vocabulary", voc).want(t, 2)
		if want := "moveWorkOrder to: DONE: use completeWorkOrder"; !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	})

	t.Run("docs", func(t *testing.T) {
		out := filepath.Join(dir, "docs")
		cli(t, "", "docs", "--out", out, "--vocabulary", voc, "--format", "markdown").want(t, 0)
		var all strings.Builder
		_ = filepath.Walk(out, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				b, _ := os.ReadFile(p)
				all.Write(b)
			}
			return nil
		})
		// record.status has CANCELLED and COMPLETED of its own, so the
		// work order's are looked for by what goes with them.
		docs := all.String()
		for _, builtin := range []string{"QUEUED", "status is COMPLETED"} {
			if strings.Contains(docs, builtin) {
				t.Errorf("the docs show %q", builtin)
			}
		}
		for _, team := range []string{"`NEW`", "`VOIDED`", "status is DONE"} {
			if !strings.Contains(docs, team) {
				t.Errorf("the docs lack %q", team)
			}
		}
	})
}

// load had no --vocabulary: its payloads carried the built-in statuses and
// a team's scenario file was refused. Both now speak the team's names.
func TestLoadVocabulary(t *testing.T) {
	_, voc, sc := teamStatusFiles(t)
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"mix", []string{"--mix", "TASK_CREATED=1,TASK_STATUS_MOVEMENT=3,TASK_COMPLETED=1", "--rate", "400/s", "--duration", "1s", "--seed", "5"}, []string{"NEW", "DONE"}},
		{"team scenario", []string{"--scenario", sc, "--rate", "40/s", "--duration", "500ms"}, []string{"NEW", "VOIDED", "DONE"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var bodies strings.Builder
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				bodies.Write(b)
				bodies.WriteByte('\n')
				mu.Unlock()
				w.WriteHeader(http.StatusNoContent)
			}))
			defer srv.Close()
			args := append([]string{"load", "--target", srv.URL, "--progress", "none", "--max-lateness", "1m", "--vocabulary", voc}, tc.args...)
			cli(t, "", args...).want(t, 0)
			srv.Close()
			mu.Lock()
			defer mu.Unlock()
			checkWOStatuses(t, bodies.String(), tc.want)
		})
	}
}

// verify --vocabulary judges a receiver's final state by the team's
// statuses: the reference receiver passes the lifecycle and final-state
// specs of a scenario that cancels a work order as VOIDED and completes
// one as DONE.
func TestVerifyStateVocabularyWorkOrderStatuses(t *testing.T) {
	_, voc, sc := teamStatusFiles(t)
	for _, name := range []string{sc, "work-order-lifecycle"} {
		t.Run(filepath.Base(name), func(t *testing.T) {
			srv := httptest.NewServer(testreceivers.NewState(testreceivers.NewestWins))
			defer srv.Close()
			r := cli(t, "", "verify", "--target", srv.URL+"/webhooks/coperniq", "--inspect", srv.URL+testreceivers.InspectPath+"{eventId}",
				"--state", srv.URL+testreceivers.StatePath+"{recordId}", "--focus", contract.GroupState+"|"+contract.GroupLifecycle, "--scenario", name,
				"--deadline", "2s", "--inspect-timeout", "300ms", "--no-color", "--seed", "7", "--vocabulary", voc).want(t, 0)
			if !strings.Contains(r.stdout, "PASS: 6 specs passed, 0 skipped") {
				t.Errorf("want the lifecycle and final-state specs run and passed:\n%s", r.stdout)
			}
		})
	}
}
