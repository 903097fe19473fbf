package schemas

import (
	"strings"
	"testing"
)

// The work-order statuses the engine gives a meaning (queued, completed,
// cancelled) are what the file names them, as the won and lost request
// statuses are: a team whose traffic says VOIDED need not list CANCELLED.
func TestVocabularyWorkOrderOutcomes(t *testing.T) {
	const renamed = "workOrderStatuses: [NEW, ASSIGNED, IN_PROGRESS, DONE, VOIDED]\n"
	bad := []badVocabulary{
		{"cancelled outside the list", renamed + "queuedStatus: NEW\ncompletedStatus: DONE\ncancelledStatus: CANCELLED\n",
			"f.yaml:4:18: cancelledStatus CANCELLED isn't one of workOrderStatuses [NEW ASSIGNED IN_PROGRESS DONE VOIDED]: say which of them a work order that is cancelled has with cancelledStatus: NAME"},
		{"queued left out", renamed + "completedStatus: DONE\ncancelledStatus: VOIDED\n",
			"f.yaml:1:20: queuedStatus QUEUED isn't one of workOrderStatuses"},
		{"completed outside the list", renamed + "queuedStatus: NEW\ncompletedStatus: FINISHED\ncancelledStatus: VOIDED\n",
			"f.yaml:3:18: completedStatus FINISHED isn't one of workOrderStatuses [NEW ASSIGNED IN_PROGRESS DONE VOIDED]"},
		{"CANCELLED listed but not the cancelled status", "workOrderStatuses: [QUEUED, IN_PROGRESS, COMPLETED, CANCELLED, VOIDED]\ncancelledStatus: VOIDED\n",
			"f.yaml:2:18: workOrderStatuses lists CANCELLED, but cancelledStatus is VOIDED: CANCELLED means a work order that is cancelled, so make it the cancelledStatus or rename it"},
		{"completed is cancelled", renamed + "queuedStatus: NEW\ncompletedStatus: DONE\ncancelledStatus: DONE\n",
			"f.yaml:4:18: completedStatus and cancelledStatus are both DONE"},
		{"queued is the working state", renamed + "workingStatus: NEW\nqueuedStatus: NEW\ncompletedStatus: DONE\ncancelledStatus: VOIDED\n",
			"f.yaml:3:15: workingStatus and queuedStatus are both NEW"},
		{"empty value", renamed + "queuedStatus: \"\"\n", "f.yaml:2:15: queuedStatus must be a non-empty string"},
		{"typo suggested", "cancelStatus: VOIDED\n", "f.yaml:1:1: unknown key cancelStatus; a vocabulary has triggerNames, workOrderStatuses, workingStatus, queuedStatus, completedStatus, cancelledStatus, phaseTypes"},
	}
	checkRefused(t, bad)

	good := []struct {
		name, src                   string
		queued, completed, canceled string
	}{
		{"named outright", renamed + "queuedStatus: NEW\ncompletedStatus: DONE\ncancelledStatus: VOIDED\n", "NEW", "DONE", "VOIDED"},
		{"built-in names listed", "workOrderStatuses: [QUEUED, IN_PROGRESS, COMPLETED, CANCELLED]\n", "QUEUED", "COMPLETED", "CANCELLED"},
		{"built-in names listed and named", "workOrderStatuses: [QUEUED, IN_PROGRESS, COMPLETED, CANCELLED]\nqueuedStatus: QUEUED\ncompletedStatus: COMPLETED\ncancelledStatus: CANCELLED\n", "QUEUED", "COMPLETED", "CANCELLED"},
		{"no key at all", "slaTypes: [AMBER, RED]\n", "QUEUED", "COMPLETED", "CANCELLED"},
		{"no cancelled status, as before the key", "workOrderStatuses: [QUEUED, IN_PROGRESS, COMPLETED]\n", "QUEUED", "COMPLETED", ""},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			v, err := ParseVocabulary("f.yaml", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			got := []string{v.WorkOrderStatusName("QUEUED"), v.WorkOrderStatusName("COMPLETED"), v.WorkOrderStatusName("CANCELLED")}
			if want := []string{tc.queued, tc.completed, tc.canceled}; strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("queued, completed, cancelled are %v, want %v", got, want)
			}
			back, err := ParseVocabulary("f.yaml", v.Marshal())
			if err != nil {
				t.Fatalf("Marshal does not read back: %v\n%s", err, v.Marshal())
			}
			if back.QueuedStatus != v.QueuedStatus || back.CompletedStatus != v.CompletedStatus || back.CancelledStatus != v.CancelledStatus {
				t.Errorf("Marshal lost a status: %s", v.Marshal())
			}
		})
	}

	t.Run("built in Go", func(t *testing.T) {
		v, err := (&Vocabulary{WorkOrderStatuses: []string{"NEW", "IN_PROGRESS", "DONE", "VOIDED"}, QueuedStatus: "NEW", CompletedStatus: "DONE", CancelledStatus: "VOIDED"}).Complete()
		if err != nil {
			t.Fatal(err)
		}
		if v.IsDefault() || v.WorkOrderStatusName("CANCELLED") != "VOIDED" {
			t.Errorf("got default %v, cancelled %s", v.IsDefault(), v.WorkOrderStatusName("CANCELLED"))
		}
	})
}
