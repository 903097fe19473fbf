package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// locRule is what a test expects of a violation.
type locRule struct{ loc, rule string }

func (l locRule) String() string { return fmt.Sprintf("%q (%s)", l.loc, l.rule) }

func failures(r Validation) []locRule {
	var out []locRule
	for _, v := range r.Violations {
		if !v.Warning {
			out = append(out, locRule{v.Location, v.Rule})
		}
	}
	return out
}

func warnings(r Validation) []locRule {
	var out []locRule
	for _, v := range r.Violations {
		if v.Warning {
			out = append(out, locRule{v.Location, v.Rule})
		}
	}
	return out
}

func validateDoc(t *testing.T, doc any, level Level) Validation {
	t.Helper()
	return validatePayload(t, mustJSON(t, doc), level)
}

// validatePayload validates payload at level, checking first that the
// fast path agrees with the full validator on it.
func validatePayload(t *testing.T, payload []byte, level Level) Validation {
	t.Helper()
	checkFast(t, defaultValidator, payload)
	r, err := Validate(payload, level)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDocumentedExampleIsClean(t *testing.T) {
	for _, level := range Levels() {
		r, err := Validate(documentedBytes(t), level)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Violations) != 0 || !r.Valid() {
			t.Errorf("%s: the documented example must pass with no violation or warning, got %v", level, r.Violations)
		}
		if r.TriggerKey != "TASK_STATUS_MOVEMENT" || !r.Known {
			t.Errorf("%s: trigger %q known %v", level, r.TriggerKey, r.Known)
		}
	}
}

// Every trigger's strict schema must accept a payload built the way the
// generator builds one; otherwise the schema, not the payload, is wrong.
func TestEveryTriggerAcceptsItsPayload(t *testing.T) {
	for _, tr := range Triggers() {
		for _, level := range Levels() {
			if r := validateDoc(t, payloadFor(t, tr), level); len(r.Violations) != 0 || !r.Known {
				t.Errorf("%s at %s: %v", tr.Key, level, r.Violations)
			}
		}
	}
}

func TestEdgeValuesPass(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(d map[string]any)
	}{
		{"firedAt without milliseconds", func(d map[string]any) {
			at(d, "event")["firedAt"] = "2026-03-31T17:04:22Z"
			at(d, "record")["updatedAt"] = "2026-03-31T17:04:22Z"
		}},
		{"firedAt with microseconds", func(d map[string]any) { at(d, "event")["firedAt"] = "2026-03-31T17:04:22.000001Z" }},
		{"ids up to 2^53-1", func(d map[string]any) {
			at(d, "event")["eventId"] = 9007199254740991.0
			at(d, "event")["recordId"] = 9007199254740991.0
			at(d, "record")["id"] = 9007199254740991.0
			at(d, "workOrder")["recordId"] = 9007199254740991.0
		}},
		{"dealValue 0", func(d map[string]any) { at(d, "record")["dealValue"] = 0.0 }},
		{"dealValue with cents", func(d map[string]any) { at(d, "record")["dealValue"] = 28500.75 }},
		{"priority integer", func(d map[string]any) { at(d, "workOrder")["priority"] = 1.0 }},
		{"every nullable record field null", func(d map[string]any) {
			for _, p := range recordDef.props {
				if p.nullable {
					at(d, "record")[p.name] = nil
				}
			}
		}},
		{"every nullable workOrder field null", func(d map[string]any) {
			for _, p := range workOrderDef.props {
				if p.nullable && p.name != "completionDate" {
					at(d, "workOrder")[p.name] = nil
				}
			}
		}},
		{"jurisdiction set", func(d map[string]any) {
			at(d, "record")["jurisdiction"] = map[string]any{"id": 4402.0, "name": "Travis County"}
		}},
		{"empty trades", func(d map[string]any) { at(d, "record")["trades"] = []any{} }},
		{"ranges include their bounds", func(d map[string]any) {
			at(d, "record.geoLocation")["lat"] = -90.0
			at(d, "record.geoLocation")["lng"] = 180.0
			at(d, "record")["uid"] = 1.0
			at(d, "record")["ownerId"] = 1.0
			at(d, "record.stage")["id"] = 1.0
			at(d, "workOrder")["uid"] = 1.0
			at(d, "workOrder")["priority"] = 3.0
		}},
		{"the other pole and priority", func(d map[string]any) {
			at(d, "record.geoLocation")["lat"] = 90.0
			at(d, "record.geoLocation")["lng"] = -180.0
			at(d, "workOrder")["priority"] = 1.0
		}},
		{"a phone of another US area code", func(d map[string]any) { at(d, "record")["primaryPhone"] = "+12065550199" }},
		{"state DC", func(d map[string]any) { at(d, "record")["state"] = "DC" }},
		{"one-character title", func(d map[string]any) { at(d, "record")["title"] = "é" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := documentedDoc(t)
			tc.mutate(doc)
			for _, level := range Levels() {
				if r := validateDoc(t, doc, level); len(r.Violations) != 0 {
					t.Errorf("%s: %v", level, r.Violations)
				}
			}
		})
	}
}

// Each strict-only constraint rejects a mutated documented example at the
// strict level, at exactly the expected places, and the contract level
// accepts the same payload without so much as a warning.
func TestStrictOnlyConstraints(t *testing.T) {
	cases := []struct {
		name   string
		start  string // trigger whose payloadFor is the starting point; "" = the documented example
		mutate func(d map[string]any)
		strict []locRule
		// contractWarn lists the warnings the contract level gives instead.
		contractWarn []locRule
		msg          string // a fragment of the first strict message
	}{
		{name: "unknown property at the root", mutate: func(d map[string]any) { d["extra"] = true },
			strict: []locRule{{"/extra", RuleSchema}}, msg: `unexpected property "extra"`},
		{name: "unknown property in event", mutate: func(d map[string]any) { at(d, "event")["source"] = "api" },
			strict: []locRule{{"/event/source", RuleSchema}}, msg: `unexpected property "source"`},
		{name: "unknown property in record", mutate: func(d map[string]any) { at(d, "record")["zip"] = "78701" },
			strict: []locRule{{"/record/zip", RuleSchema}}},
		{name: "unknown property in stage", mutate: func(d map[string]any) { at(d, "record.stage")["order"] = 3.0 },
			strict: []locRule{{"/record/stage/order", RuleSchema}}},
		{name: "unknown property in workOrder", mutate: func(d map[string]any) { at(d, "workOrder")["checklist"] = []any{} },
			strict: []locRule{{"/workOrder/checklist", RuleSchema}}},
		{name: "record.status outside the vocabulary", mutate: func(d map[string]any) { at(d, "record")["status"] = "ARCHIVED" },
			strict: []locRule{{"/record/status", RuleSchema}}, msg: `"ARCHIVED" isn't one of ["ACTIVE" "ON_HOLD" "CANCELLED" "COMPLETED" null]`},
		{name: "record.requestStatus outside the vocabulary", mutate: func(d map[string]any) { at(d, "record")["requestStatus"] = "MAYBE" },
			strict: []locRule{{"/record/requestStatus", RuleSchema}}},
		{name: "workOrder.status outside the vocabulary", mutate: func(d map[string]any) {
			at(d, "workOrder")["status"] = "PAUSED"
			at(d, "event")["currentStatus"] = "PAUSED"
			at(d, "workOrder")["completionDate"] = nil
		}, strict: []locRule{{"/event/currentStatus", RuleSchema}, {"/workOrder/status", RuleSchema}}},
		{name: "event.previousStatus outside the vocabulary", mutate: func(d map[string]any) { at(d, "event")["previousStatus"] = "IN_PROGRES" },
			strict: []locRule{{"/event/previousStatus", RuleSchema}}, msg: `did you mean "IN_PROGRESS"?`},
		// TASK_CREATED: this tool always sends a null previousStatus, so the
		// strict level allows only null; the contract level, Coperniq's
		// documented string or null, accepts a status.
		{name: "TASK_CREATED previousStatus not null", start: "TASK_CREATED", mutate: func(d map[string]any) { at(d, "event")["previousStatus"] = "QUEUED" },
			strict: []locRule{{"/event/previousStatus", RuleSchema}}},
		{name: "trade outside the vocabulary", mutate: func(d map[string]any) { at(d, "record")["trades"] = []any{"Solar", "Pool"} },
			strict: []locRule{{"/record/trades/1", RuleSchema}}},
		{name: "phaseType outside the vocabulary", start: "PROJECT_PHASE_STARTED", mutate: func(d map[string]any) { at(d, "event")["phaseType"] = "FINANCING" },
			strict: []locRule{{"/event/phaseType", RuleSchema}}},
		{name: "phase status against the trigger", start: "PROJECT_PHASE_STARTED", mutate: func(d map[string]any) { at(d, "event")["status"] = "COMPLETED" },
			strict: []locRule{{"/event/status", RuleSchema}}},
		{name: "slaType outside the vocabulary", start: "DEAL_PHASE_SLA_VIOLATION", mutate: func(d map[string]any) { at(d, "event")["slaType"] = "ORANGE" },
			strict: []locRule{{"/event/slaType", RuleSchema}}},
		{name: "triggerName const", mutate: func(d map[string]any) { at(d, "event")["triggerName"] = "Task Status Changed" },
			strict: []locRule{{"/event/triggerName", RuleSchema}}, msg: `want "Work Order Status Movement", got "Task Status Changed"`},
		{name: "unknown trigger", mutate: func(d map[string]any) { at(d, "event")["triggerKey"] = "TASK_DONE" },
			strict: []locRule{{"/event/triggerKey", RuleSchema}}, msg: `trigger "TASK_DONE" isn't one of [TASK_CREATED`},
		{name: "firedAt not a date-time", mutate: func(d map[string]any) { at(d, "event")["firedAt"] = "2026-03-31 17:04:22" },
			strict: []locRule{{"/event/firedAt", RuleSchema}}, msg: `isn't a valid date-time`},
		{name: "date-time field of a trigger", start: "APPOINTMENT_CREATED", mutate: func(d map[string]any) { at(d, "event")["dueDate"] = "tomorrow" },
			strict: []locRule{{"/event/dueDate", RuleSchema}}},
		{name: "primaryEmail not an email", mutate: func(d map[string]any) { at(d, "record")["primaryEmail"] = "homeowner at example.com" },
			strict: []locRule{{"/record/primaryEmail", RuleSchema}}, msg: `isn't a valid email`},
		{name: "workOrder on a project trigger", start: "PROJECT_CREATED", mutate: func(d map[string]any) { d["workOrder"] = documentedDoc(t)["workOrder"] },
			strict: []locRule{{"/workOrder", RuleSchema}}},
		{name: "work-order event field on a project trigger", start: "PROJECT_STATUS_MOVEMENT", mutate: func(d map[string]any) { at(d, "event")["workOrderId"] = 8812.0 },
			strict: []locRule{{"/event/workOrderId", RuleSchema}}},
		{name: "record type outside the trigger's", mutate: func(d map[string]any) { at(d, "record")["type"] = "VENDOR" },
			strict: []locRule{{"/record/type", RuleSchema}}, msg: `"VENDOR" isn't one of ["PROJECT" "DEAL" "ACCOUNT"]`},
		{name: "record type against the family", start: "PROJECT_CREATED", mutate: func(d map[string]any) { at(d, "record")["type"] = "DEAL" },
			strict:       []locRule{{"/record/type", RuleSchema}},
			contractWarn: []locRule{{"/record/type", RuleRecordTypeFamily}}},

		// Closed vocabulary and forms of strings.
		{name: "state not a US state", mutate: func(d map[string]any) { at(d, "record")["state"] = "ZZ" },
			strict: []locRule{{"/record/state", RuleSchema}}, msg: `"ZZ" isn't one of ["AK" "AL"`},
		{name: "state in lower case", mutate: func(d map[string]any) { at(d, "record")["state"] = "tx" },
			strict: []locRule{{"/record/state", RuleSchema}}},
		{name: "primaryPhone not E.164", mutate: func(d map[string]any) { at(d, "record")["primaryPhone"] = "+1abc" },
			strict: []locRule{{"/record/primaryPhone", RuleSchema}}, msg: `"+1abc" doesn't match ` + USPhonePattern},
		{name: "primaryPhone formatted for people", mutate: func(d map[string]any) { at(d, "record")["primaryPhone"] = "(512) 555-0100" },
			strict: []locRule{{"/record/primaryPhone", RuleSchema}}},
		{name: "primaryPhone outside the US", mutate: func(d map[string]any) { at(d, "record")["primaryPhone"] = "+442079460958" },
			strict: []locRule{{"/record/primaryPhone", RuleSchema}}},
		{name: "primaryPhone area code starting with 1", mutate: func(d map[string]any) { at(d, "record")["primaryPhone"] = "+11125550100" },
			strict: []locRule{{"/record/primaryPhone", RuleSchema}}},
		{name: "record.title empty", mutate: func(d map[string]any) { at(d, "record")["title"] = "" },
			strict: []locRule{{"/record/title", RuleSchema}}, msg: "0 characters, want at least 1 (minLength)"},
		{name: "record.address empty", mutate: func(d map[string]any) { at(d, "record")["address"] = "" },
			strict: []locRule{{"/record/address", RuleSchema}}},
		{name: "record.city empty", mutate: func(d map[string]any) { at(d, "record")["city"] = "" },
			strict: []locRule{{"/record/city", RuleSchema}}},
		{name: "stage name empty", mutate: func(d map[string]any) { at(d, "record.stage")["name"] = "" },
			strict: []locRule{{"/record/stage/name", RuleSchema}}},
		{name: "jurisdiction name empty", mutate: func(d map[string]any) {
			at(d, "record")["jurisdiction"] = map[string]any{"id": 4402.0, "name": ""}
		}, strict: []locRule{{"/record/jurisdiction/name", RuleSchema}}},
		{name: "workOrder.title empty", mutate: func(d map[string]any) { at(d, "workOrder")["title"] = "" },
			strict: []locRule{{"/workOrder/title", RuleSchema}}},
		{name: "workOrder.description empty rather than null", mutate: func(d map[string]any) { at(d, "workOrder")["description"] = "" },
			strict: []locRule{{"/workOrder/description", RuleSchema}}},

		// Ranges, checked by Go rules rather than minimum and maximum.
		{name: "latitude beyond the pole", mutate: func(d map[string]any) { at(d, "record.geoLocation")["lat"] = 500.0 },
			strict:       []locRule{{"/record/geoLocation/lat", RuleGeoRange}},
			contractWarn: []locRule{{"/record/geoLocation/lat", RuleGeoRange}}, msg: "record.geoLocation.lat 500 is outside [-90, 90]"},
		{name: "latitude just below the south pole", mutate: func(d map[string]any) { at(d, "record.geoLocation")["lat"] = -90.000001 },
			strict:       []locRule{{"/record/geoLocation/lat", RuleGeoRange}},
			contractWarn: []locRule{{"/record/geoLocation/lat", RuleGeoRange}}},
		{name: "longitude beyond the antimeridian", mutate: func(d map[string]any) { at(d, "record.geoLocation")["lng"] = 999.0 },
			strict:       []locRule{{"/record/geoLocation/lng", RuleGeoRange}},
			contractWarn: []locRule{{"/record/geoLocation/lng", RuleGeoRange}}, msg: "record.geoLocation.lng 999 is outside [-180, 180]"},
		{name: "negative dealValue", mutate: func(d map[string]any) { at(d, "record")["dealValue"] = -100.0 },
			strict: []locRule{{"/record/dealValue", RuleDealValueRange}}, msg: "record.dealValue -100 is negative"},
		{name: "record.uid 0", mutate: func(d map[string]any) { at(d, "record")["uid"] = 0.0 },
			strict: []locRule{{"/record/uid", RuleIDRange}}, msg: "record.uid 0 is below 1"},
		{name: "record.id negative, everywhere it appears", mutate: func(d map[string]any) {
			at(d, "record")["id"] = -5.0
			at(d, "event")["recordId"] = -5.0
			at(d, "workOrder")["recordId"] = -5.0
		}, strict: []locRule{{"/event/recordId", RuleIDRange}, {"/record/id", RuleIDRange}, {"/workOrder/recordId", RuleIDRange}}},
		{name: "record.id negative alone", mutate: func(d map[string]any) { at(d, "record")["id"] = -5.0 },
			strict:       []locRule{{"/event/recordId", RuleEventRecordID}, {"/record/id", RuleIDRange}, {"/workOrder/recordId", RuleWorkOrderRecordID}},
			contractWarn: []locRule{{"/event/recordId", RuleEventRecordID}, {"/workOrder/recordId", RuleWorkOrderRecordID}}},
		{name: "event.eventId 0", mutate: func(d map[string]any) { at(d, "event")["eventId"] = 0.0 },
			strict: []locRule{{"/event/eventId", RuleIDRange}}},
		{name: "ownerId 0", mutate: func(d map[string]any) { at(d, "record")["ownerId"] = 0.0 },
			strict: []locRule{{"/record/ownerId", RuleIDRange}}},
		{name: "stage id 0", mutate: func(d map[string]any) { at(d, "record.stage")["id"] = 0.0 },
			strict: []locRule{{"/record/stage/id", RuleIDRange}}, msg: "record/stage.id 0 is below 1"},
		{name: "jurisdiction id negative", mutate: func(d map[string]any) {
			at(d, "record")["jurisdiction"] = map[string]any{"id": -1.0, "name": "Travis County"}
		}, strict: []locRule{{"/record/jurisdiction/id", RuleIDRange}}},
		{name: "workOrder.id and workOrderId 0", mutate: func(d map[string]any) {
			at(d, "workOrder")["id"] = 0.0
			at(d, "event")["workOrderId"] = 0.0
		}, strict: []locRule{{"/event/workOrderId", RuleIDRange}, {"/workOrder/id", RuleIDRange}}},
		{name: "workOrder.uid 0", mutate: func(d map[string]any) { at(d, "workOrder")["uid"] = 0.0 },
			strict: []locRule{{"/workOrder/uid", RuleIDRange}}},
		{name: "assigneeId negative", mutate: func(d map[string]any) { at(d, "workOrder")["assigneeId"] = -13870.0 },
			strict: []locRule{{"/workOrder/assigneeId", RuleIDRange}}},
		{name: "phaseInstanceId and phaseTemplateId 0", start: "PROJECT_PHASE_STARTED", mutate: func(d map[string]any) {
			at(d, "event")["phaseInstanceId"] = 0.0
			at(d, "event")["phaseTemplateId"] = 0.0
		}, strict: []locRule{{"/event/phaseInstanceId", RuleIDRange}, {"/event/phaseTemplateId", RuleIDRange}}},
		{name: "appointmentId negative", start: "APPOINTMENT_CREATED", mutate: func(d map[string]any) { at(d, "event")["appointmentId"] = -7.0 },
			strict: []locRule{{"/event/appointmentId", RuleIDRange}}},
		{name: "priority 0", mutate: func(d map[string]any) { at(d, "workOrder")["priority"] = 0.0 },
			strict: []locRule{{"/workOrder/priority", RulePriorityRange}}, msg: "workOrder.priority 0 isn't 1 (high), 2 (medium) or 3 (low)"},
		{name: "priority 4", mutate: func(d map[string]any) { at(d, "workOrder")["priority"] = 4.0 },
			strict: []locRule{{"/workOrder/priority", RulePriorityRange}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := brokenDoc(t, tc.start, tc.mutate)
			strict := validateDoc(t, doc, Strict)
			if got := failures(strict); !slices.Equal(got, tc.strict) || strict.Valid() {
				t.Errorf("strict: got %v, want %v; all: %v", got, tc.strict, strict.Violations)
			}
			if tc.msg != "" && (len(strict.Violations) == 0 || !strings.Contains(strict.Violations[0].Message, tc.msg)) {
				t.Errorf("strict message %v, want it to contain %q", strict.Violations, tc.msg)
			}
			contract := validateDoc(t, doc, Contract)
			if !contract.Valid() || len(failures(contract)) != 0 || !slices.Equal(warnings(contract), tc.contractWarn) {
				t.Errorf("contract: got %v, want only warnings %v", contract.Violations, tc.contractWarn)
			}
		})
	}
}

// triggerKey is a const in each trigger's schema file; Validate picks the
// file by triggerKey, so only a file used on its own can disagree.
func TestTriggerKeyConstInFile(t *testing.T) {
	doc := documentedDoc(t) // TASK_STATUS_MOVEMENT
	for _, level := range Levels() {
		err := compiledSchemas().triggers[level]["TASK_COMPLETED"].Validate(doc)
		if err == nil || !strings.Contains(err.Error(), "/event/triggerKey") {
			t.Errorf("%s/TASK_COMPLETED.json accepted a TASK_STATUS_MOVEMENT payload: %v", level, err)
		}
	}
}

// Each cross-field rule: one failure at strict, the same as a warning at
// contract, at the expected place.
func TestCrossFieldRules(t *testing.T) {
	cases := []struct {
		name   string
		start  string
		mutate func(d map[string]any)
		want   locRule
		msg    string
	}{
		{name: "event.recordId != record.id", mutate: func(d map[string]any) { at(d, "event")["recordId"] = 10424.0 },
			want: locRule{"/event/recordId", RuleEventRecordID}, msg: "event.recordId 10424 != record.id 10423"},
		{name: "workOrder.recordId != record.id", mutate: func(d map[string]any) { at(d, "workOrder")["recordId"] = 1.0 },
			want: locRule{"/workOrder/recordId", RuleWorkOrderRecordID}, msg: "workOrder.recordId 1 != record.id 10423"},
		{name: "event.workOrderId != workOrder.id", mutate: func(d map[string]any) { at(d, "event")["workOrderId"] = 8813.0 },
			want: locRule{"/event/workOrderId", RuleEventWorkOrderID}, msg: "event.workOrderId 8813 != workOrder.id 8812"},
		{name: "event.currentStatus != workOrder.status", mutate: func(d map[string]any) { at(d, "event")["currentStatus"] = "REVIEW" },
			want: locRule{"/event/currentStatus", RuleEventCurrentStatus}, msg: `event.currentStatus "REVIEW" != workOrder.status "COMPLETED"`},
		{name: "record.createdAt after updatedAt", mutate: func(d map[string]any) { at(d, "record")["createdAt"] = "2026-03-31T17:05:00.000Z" },
			want: locRule{"/record/updatedAt", RuleRecordTimestamps}, msg: "is before record.createdAt"},
		{name: "record.createdAt after updatedAt by half a second", mutate: func(d map[string]any) {
			// As strings "…22.5Z" < "…22Z"; as times it is later.
			at(d, "record")["createdAt"] = "2026-03-31T17:04:22.5Z"
			at(d, "record")["updatedAt"] = "2026-03-31T17:04:22Z"
		}, want: locRule{"/record/updatedAt", RuleRecordTimestamps}},
		{name: "record.updatedAt after firedAt", mutate: func(d map[string]any) { at(d, "record")["updatedAt"] = "2026-03-31T17:04:22.001Z" },
			want: locRule{"/record/updatedAt", RuleRecordTimestamps}, msg: "is after event.firedAt 2026-03-31T17:04:22.000Z"},
		{name: "workOrder.modifiedAt before createdAt", mutate: func(d map[string]any) { at(d, "workOrder")["modifiedAt"] = "2026-02-28T09:00:00Z" },
			want: locRule{"/workOrder/modifiedAt", RuleWorkOrderTimes}},
		{name: "workOrder.endDate before startDate", mutate: func(d map[string]any) { at(d, "workOrder")["endDate"] = "2026-03-31T07:59:59.999Z" },
			want: locRule{"/workOrder/endDate", RuleWorkOrderDates}},
		{name: "completionDate null on COMPLETED", mutate: func(d map[string]any) { at(d, "workOrder")["completionDate"] = nil },
			want: locRule{"/workOrder/completionDate", RuleCompletionDate}, msg: "is null but workOrder.status is \"COMPLETED\""},
		{name: "completionDate set while IN_PROGRESS", mutate: func(d map[string]any) {
			at(d, "workOrder")["status"] = "IN_PROGRESS"
			at(d, "event")["currentStatus"] = "IN_PROGRESS"
			at(d, "event")["previousStatus"] = "SCHEDULED"
		}, want: locRule{"/workOrder/completionDate", RuleCompletionDate}},
		{name: "record type against the family of an unknown trigger", mutate: func(d map[string]any) {
			at(d, "event")["triggerKey"] = "DEAL_ARCHIVED"
		}, want: locRule{"/record/type", RuleRecordTypeFamily}, msg: `record.type "PROJECT" doesn't match trigger DEAL_ARCHIVED, which carries DEAL records`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := brokenDoc(t, tc.start, tc.mutate)
			contract := validateDoc(t, doc, Contract)
			if got := warnings(contract); !slices.Equal(got, []locRule{tc.want}) || len(failures(contract)) != 0 || !contract.Valid() {
				t.Errorf("contract: want only the warning %v, got %v", tc.want, contract.Violations)
			}
			if tc.msg != "" && (len(contract.Violations) == 0 || !strings.Contains(contract.Violations[0].Message, tc.msg)) {
				t.Errorf("message %v, want it to contain %q", contract.Violations, tc.msg)
			}
			strict := validateDoc(t, doc, Strict)
			if strings.HasPrefix(tc.name, "record type against the family of an unknown") {
				// Strict also rejects the unknown trigger itself.
				if !slices.Contains(failures(strict), tc.want) {
					t.Errorf("strict: want %v among %v", tc.want, strict.Violations)
				}
				return
			}
			if got := failures(strict); !slices.Equal(got, []locRule{tc.want}) || len(warnings(strict)) != 0 {
				t.Errorf("strict: want only the failure %v, got %v", tc.want, strict.Violations)
			}
		})
	}
}

func TestCrossFieldRulesStaySilent(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(d map[string]any)
		strict []locRule // the schema's report, and nothing from the rules
	}{
		{"equal times written differently", func(d map[string]any) {
			at(d, "record")["createdAt"] = "2026-03-31T17:04:22Z"
			at(d, "record")["updatedAt"] = "2026-03-31T17:04:22.000Z"
		}, nil},
		{"recordId of the wrong type", func(d map[string]any) { at(d, "event")["recordId"] = "10423x" },
			[]locRule{{"/event/recordId", RuleSchema}}},
		{"record.id missing", func(d map[string]any) { delete(at(d, "record"), "id") },
			[]locRule{{"/record/id", RuleSchema}}},
		{"unparsable timestamp", func(d map[string]any) { at(d, "record")["updatedAt"] = "yesterday" },
			[]locRule{{"/record/updatedAt", RuleSchema}}},
		{"dates null", func(d map[string]any) { at(d, "workOrder")["startDate"] = nil }, nil},
		{"workOrder not an object", func(d map[string]any) { d["workOrder"] = "8812" },
			[]locRule{{"/workOrder", RuleSchema}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := documentedDoc(t)
			tc.mutate(doc)
			if got := failures(validateDoc(t, doc, Strict)); !slices.Equal(got, tc.strict) {
				t.Errorf("strict: got %v, want %v", got, tc.strict)
			}
			if got := warnings(validateDoc(t, doc, Contract)); len(got) != 0 {
				t.Errorf("contract warnings %v, want none", got)
			}
		})
	}
}

// Hand-made invalid payloads under testdata/invalid, rejected at both levels
// unless contractOK says the contract level accepts them.
func TestInvalidPayloads(t *testing.T) {
	cases := []struct {
		file       string
		loc        string // a failure each rejecting level must report
		contractOK bool
		known      bool
	}{
		{"stage-id-string", "/record/stage/id", false, true},
		{"event-id-fraction", "/event/eventId", true, true},
		{"record-id-missing", "/record/id", false, true},
		{"record-missing", "/record", true, true},
		{"workorder-missing", "/workOrder", false, true},
		{"event-missing", "/event", false, false},
		{"event-not-object", "/event", false, false},
		{"trigger-key-missing", "/event/triggerKey", false, false},
		{"trigger-key-number", "/event/triggerKey", false, false},
		{"title-null", "/record/title", false, true},
		{"workorder-status-null", "/workOrder/status", false, true},
		{"stage-string", "/record/stage", false, true},
		{"trades-string", "/record/trades", false, true},
		{"is-field-string", "/workOrder/isField", false, true},
		{"lat-string", "/record/geoLocation/lat", false, true},
		{"priority-fraction", "/workOrder/priority", true, true},
		{"unknown-trigger-bad-record", "/record/id", false, false},
		{"root-array", "", false, false},
		{"root-string", "", false, false},
		{"root-null", "", false, false},
		{"trigger-name-wrong", "/event/triggerName", true, true},
		{"fired-at-not-rfc3339", "/event/firedAt", true, true},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		seen[tc.file+".json"] = true
		t.Run(tc.file, func(t *testing.T) {
			payload, err := os.ReadFile(filepath.Join("testdata", "invalid", tc.file+".json"))
			if err != nil {
				t.Fatal(err)
			}
			checkFast(t, defaultValidator, payload)
			for _, level := range Levels() {
				r, err := Validate(payload, level)
				if err != nil {
					t.Fatalf("%s: %v", level, err)
				}
				if r.Known != tc.known {
					t.Errorf("%s: Known = %v, want %v", level, r.Known, tc.known)
				}
				if level == Contract && tc.contractOK {
					if !r.Valid() {
						t.Errorf("contract should accept it: %v", r.Violations)
					}
					continue
				}
				if r.Valid() || !slices.Contains(failures(r), locRule{tc.loc, RuleSchema}) {
					t.Errorf("%s: want a failure at %q, got %v", level, tc.loc, r.Violations)
				}
				for _, v := range r.Violations {
					if strings.Contains(v.Message, "jsonschema") || strings.Contains(v.Message, "\n") {
						t.Errorf("%s: message carries library noise: %q", level, v.Message)
					}
				}
			}
		})
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.json"))
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("%s has no case in the table", f)
		}
	}
}

func TestUnknownTrigger(t *testing.T) {
	doc := documentedDoc(t)
	at(doc, "event")["triggerKey"] = "TASK_DONE"
	contract := validateDoc(t, doc, Contract)
	if !contract.Valid() || contract.Known || contract.TriggerKey != "TASK_DONE" || len(contract.Violations) != 0 {
		t.Errorf("contract: unknown triggers are legal, got %+v", contract)
	}
	strict := validateDoc(t, doc, Strict)
	want := (&UnknownTriggerError{Key: "TASK_DONE"}).Error()
	if strict.Valid() || len(strict.Violations) != 1 || strict.Violations[0].Message != want {
		t.Errorf("strict: want the single violation %q, got %v", want, strict.Violations)
	}
}

func TestSyntaxErrors(t *testing.T) {
	cases := []struct {
		name         string
		in           string
		line, column int
		msg          string
	}{
		{"trailing comma", "{\n  \"a\": 1,\n}", 3, 1, "invalid character '}' looking for beginning of object key string"},
		{"missing value", `{"event": }`, 1, 11, "invalid character '}'"},
		{"column counts characters", `{"é": x}`, 1, 7, "invalid character 'x'"},
		{"deep in the document", "{\n  \"event\": {\n    \"eventId\": 48291,\n    \"recordId\": 10423 \"x\"\n  }\n}", 4, 23, "after object key:value pair"},
		{"truncated", "{\n  \"a\": 1,", 2, 10, "unexpected end of JSON input"},
		{"empty", "", 1, 1, "unexpected end of JSON input"},
		{"two values", "{} {}", 1, 4, "after top-level value"},
		{"single quotes", `{'a': 1}`, 1, 2, "invalid character '\\''"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, level := range Levels() {
				_, err := Validate([]byte(tc.in), level)
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("err = %v, want *SyntaxError", err)
				}
				if se.Line != tc.line || se.Column != tc.column || !strings.Contains(se.Msg, tc.msg) {
					t.Errorf("got %q (line %d, column %d), want line %d, column %d, %q", err, se.Line, se.Column, tc.line, tc.column, tc.msg)
				}
				if want := fmt.Sprintf("line %d, column %d: ", tc.line, tc.column); !strings.HasPrefix(err.Error(), want) {
					t.Errorf("Error() = %q, want prefix %q", err, want)
				}
			}
		})
	}
}

func TestNumbersFloat64CannotHold(t *testing.T) {
	payload := bytes.Replace(documentedBytes(t), []byte(`"dealValue": 28500`), []byte(`"dealValue": 1e400`), 1)
	checkFast(t, defaultValidator, payload)
	for _, level := range Levels() {
		r, err := Validate(payload, level)
		if err != nil || len(r.Violations) != 0 {
			t.Errorf("%s: %v %v", level, err, r.Violations)
		}
	}
	// Coperniq documents ids as numbers: the contract level takes any size,
	// the strict level only what a float64 holds exactly.
	payload = bytes.ReplaceAll(documentedBytes(t), []byte("10423"), []byte("123456789012345678901234567890"))
	checkFast(t, defaultValidator, payload)
	if r, err := Validate(payload, Contract); err != nil || len(r.Violations) != 0 {
		t.Errorf("huge ids at contract: %v %v", err, r.Violations)
	}
	r, err := Validate(payload, Strict)
	want := []locRule{{"/event/recordId", RuleIDRange}, {"/record/id", RuleIDRange}, {"/workOrder/recordId", RuleIDRange}}
	if err != nil || !slices.Equal(failures(r), want) {
		t.Errorf("huge ids at strict: %v %v", err, r.Violations)
	}
}

// Range rules read numbers float64 cannot hold as infinities, so a huge
// negative value is still out of range and a huge positive id still in it.
func TestRangesOfHugeNumbers(t *testing.T) {
	payload := bytes.Replace(documentedBytes(t), []byte(`"dealValue": 28500`), []byte(`"dealValue": -1e400`), 1)
	checkFast(t, defaultValidator, payload)
	r, err := Validate(payload, Strict)
	if err != nil || !slices.Equal(failures(r), []locRule{{"/record/dealValue", RuleDealValueRange}}) {
		t.Errorf("strict: %v %v", err, r.Violations)
	}
	if r, err := Validate(payload, Contract); err != nil || len(r.Violations) != 0 {
		t.Errorf("contract: %v %v", err, r.Violations)
	}
	payload = bytes.Replace(documentedBytes(t), []byte(`"uid": 3301`), []byte(`"uid": -123456789012345678901234567890`), 1)
	checkFast(t, defaultValidator, payload)
	if r, err := Validate(payload, Strict); err != nil || !slices.Equal(failures(r), []locRule{{"/record/uid", RuleIDRange}}) {
		t.Errorf("huge negative uid: %v %v", err, r.Violations)
	}
}

func TestValidateValueTakesUseNumberDocuments(t *testing.T) {
	dec := json.NewDecoder(bytes.NewReader(documentedBytes(t)))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	for _, level := range Levels() {
		if r := ValidateValue(doc, level); len(r.Violations) != 0 {
			t.Errorf("%s: %v", level, r.Violations)
		}
	}
	at(doc.(map[string]any), "event")["recordId"] = json.Number("10424")
	r := ValidateValue(doc, Strict)
	if got := failures(r); !slices.Equal(got, []locRule{{"/event/recordId", RuleEventRecordID}}) {
		t.Errorf("json.Number ids are compared too: %v", r.Violations)
	}
}

func TestValidateValueDoesNotModify(t *testing.T) {
	doc := documentedDoc(t)
	at(doc, "record")["id"] = "x"
	before := string(mustJSON(t, doc))
	ValidateValue(doc, Strict)
	ValidateValue(doc, Contract)
	if after := string(mustJSON(t, doc)); after != before {
		t.Errorf("ValidateValue changed its input")
	}
}

func TestValidateIsSafeForConcurrentUse(t *testing.T) {
	good := documentedBytes(t)
	bad := bytes.Replace(good, []byte(`"id": 16651`), []byte(`"id": "16651"`), 1)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				payload, wantValid := good, true
				if (g+i)%2 == 0 {
					payload, wantValid = bad, false
				}
				r, err := Validate(payload, Level(i%2))
				if err != nil || r.Valid() != wantValid {
					t.Errorf("goroutine %d: %v %v", g, err, r.Violations)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestViolationsAreSortedByLocation(t *testing.T) {
	doc := documentedDoc(t)
	at(doc, "workOrder")["uid"] = "x"
	at(doc, "event")["eventId"] = "x"
	at(doc, "record")["city"] = 1.0
	at(doc, "event")["recordId"] = 1.0
	r := validateDoc(t, doc, Strict)
	locs := make([]string, len(r.Violations))
	for i, v := range r.Violations {
		locs[i] = v.Location
	}
	want := []string{"/event/eventId", "/event/recordId", "/record/city", "/workOrder/uid"}
	if !slices.Equal(locs, want) {
		t.Errorf("locations %v, want %v", locs, want)
	}
}

func TestViolationStringAndResultValid(t *testing.T) {
	cases := []struct {
		v    Violation
		want string
	}{
		{Violation{Location: "/record/stage/id", Message: "want integer, got string", Rule: RuleSchema}, "/record/stage/id: want integer, got string"},
		{Violation{Location: "/event/recordId", Message: "event.recordId 10 != record.id 11", Rule: RuleEventRecordID, Warning: true}, "/event/recordId: event.recordId 10 != record.id 11 (warning)"},
		{Violation{Message: "want object, got array", Rule: RuleSchema}, "(root): want object, got array"},
	}
	for _, tc := range cases {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
	if !(Validation{}).Valid() || !(Validation{Violations: []Violation{cases[1].v}}).Valid() || (Validation{Violations: []Violation{cases[0].v, cases[1].v}}).Valid() {
		t.Error("Valid must ignore warnings and only warnings")
	}
	if Contract.String() != "contract" || Strict.String() != "strict" {
		t.Error("Level.String")
	}
	if r := ValidateValue(map[string]any{}, Level(7)); r.Valid() {
		t.Error("an unknown level must not pass")
	}
}

func TestSchemaReturnsTheFile(t *testing.T) {
	for _, level := range Levels() {
		got, err := Schema("TASK_CREATED", level)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := os.ReadFile(filepath.Join(level.String(), "TASK_CREATED.json"))
		if !bytes.Equal(got, want) {
			t.Errorf("%s: Schema differs from the committed file", level)
		}
	}
	_, err := Schema("TASK_DONE", Strict)
	var ute *UnknownTriggerError
	if !errors.As(err, &ute) || ute.Suggestion() != "TASK_COMPLETED" {
		t.Errorf("err = %v, want the UnknownTriggerError", err)
	}
}

// The contract level is what a receiver must accept, so it accepts every
// shape Coperniq's documentation allows: record is sent only "when the
// trigger is associated with a Project, Request, or Account", and
// workOrder.priority is documented as number | null.
func TestContractAcceptsWhatCoperniqDocuments(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(d map[string]any)
		strict []locRule // what the strict level, this tool's own rules, says
	}{
		{"without record", func(d map[string]any) { delete(d, "record") },
			[]locRule{{"/record", RuleSchema}}},
		{"priority 1.5", func(d map[string]any) { at(d, "workOrder")["priority"] = 1.5 },
			[]locRule{{"/workOrder/priority", RuleSchema}}},
		{"eventId and uid as fractions", func(d map[string]any) {
			at(d, "event")["eventId"] = 48291.5
			at(d, "record")["uid"] = 3301.25
		}, []locRule{{"/event/eventId", RuleSchema}, {"/record/uid", RuleSchema}}},
		{"a call on a VENDOR record", func(d map[string]any) {
			for k, v := range payloadFor(t, mustLookup(t, "CALL_UPSERTED")) {
				d[k] = v
			}
			delete(d, "workOrder")
			at(d, "record")["type"] = "VENDOR"
		}, nil},
		{"a call without record", func(d map[string]any) {
			for k, v := range payloadFor(t, mustLookup(t, "CALL_UPSERTED")) {
				d[k] = v
			}
			delete(d, "workOrder")
			delete(d, "record")
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := documentedDoc(t)
			tc.mutate(doc)
			if r := validateDoc(t, doc, Contract); len(r.Violations) != 0 {
				t.Errorf("contract: %v", r.Violations)
			}
			if got := failures(validateDoc(t, doc, Strict)); !slices.Equal(got, tc.strict) {
				t.Errorf("strict: got %v, want %v", got, tc.strict)
			}
		})
	}
}

// Strict means what it says: what this tool never sends and a
// receiver may get wrong fails the strict level. The contract level accepts
// what Coperniq documents and warns where the bytes are ambiguous.
func TestStrictMeansWhatItSays(t *testing.T) {
	doc := string(documentedBytes(t))
	replace := func(old, new string) string {
		t.Helper()
		if !strings.Contains(doc, old) {
			t.Fatalf("the documented example has no %q", old)
		}
		return strings.Replace(doc, old, new, 1)
	}
	cases := []struct {
		name     string
		payload  string
		strict   []locRule // failures at strict
		contract []locRule // warnings at contract; it never fails these
	}{
		{"eventId 2^53-1 is the largest id", replace(`"eventId": 48291`, `"eventId": 9007199254740991`), nil, nil},
		{"eventId 2^53+1", replace(`"eventId": 48291`, `"eventId": 9007199254740993`), []locRule{{"/event/eventId", RuleIDRange}}, nil},
		{"eventId 10^400", replace(`"eventId": 48291`, `"eventId": 1e400`), []locRule{{"/event/eventId", RuleIDRange}}, nil},
		{"eventId 1e999999", replace(`"eventId": 48291`, `"eventId": 1e999999`), []locRule{{"/event/eventId", RuleIDRange}}, nil},
		{"workOrder.uid 2^53", replace(`"uid": 204`, `"uid": 9007199254740992`), []locRule{{"/workOrder/uid", RuleIDRange}}, nil},
		{"invalid UTF-8 in a title", replace(`"title": "Panel Installation"`, "\"title\": \"Panel \xff Installation\""),
			[]locRule{{"/workOrder/title", RuleUTF8}}, []locRule{{"/workOrder/title", RuleUTF8}}},
		{"overlong UTF-8 encoding", replace(`"city": "Austin"`, "\"city\": \"Aus\xc0\xaftin\""),
			[]locRule{{"/record/city", RuleUTF8}}, []locRule{{"/record/city", RuleUTF8}}},
		{"lone high surrogate", replace(`"city": "Austin"`, `"city": "Austin \ud83d"`),
			[]locRule{{"/record/city", RuleUTF8}}, []locRule{{"/record/city", RuleUTF8}}},
		{"lone low surrogate in a key", replace(`"city": "Austin"`, `"city": "Austin", "x\udc00": 1`),
			[]locRule{{"/record/x\uFFFD", RuleSchema}, {"/record/x\uFFFD", RuleUTF8}}, []locRule{{"/record/x\uFFFD", RuleUTF8}}},
		{"a surrogate pair is one character", replace(`"city": "Austin"`, `"city": "Austin \ud83d\ude00"`), nil, nil},
		{"duplicate key", replace(`"recordId": 10423,`, `"recordId": 10423, "recordId": 10423,`),
			[]locRule{{"/event/recordId", RuleDuplicateKey}}, []locRule{{"/event/recordId", RuleDuplicateKey}}},
		{"duplicate key spelled with an escape", replace(`"recordId": 10423,`, `"recordId": 10423, "record\u0049d": 10423,`),
			[]locRule{{"/event/recordId", RuleDuplicateKey}}, []locRule{{"/event/recordId", RuleDuplicateKey}}},
		{"duplicate top-level key", replace(`"workOrder": {`, `"workOrder": null, "workOrder": {`),
			[]locRule{{"/workOrder", RuleDuplicateKey}}, []locRule{{"/workOrder", RuleDuplicateKey}}},
		{"equal keys in sibling objects are fine", replace(`"name": "Installation"`, `"name": "Installation", "id2": {"id": 1}`),
			[]locRule{{"/record/stage/id2", RuleSchema}}, nil},
		{"a movement that does not move", replace(`"previousStatus": "IN_PROGRESS"`, `"previousStatus": "COMPLETED"`),
			[]locRule{{"/event/previousStatus", RuleStatusMoved}}, []locRule{{"/event/previousStatus", RuleStatusMoved}}},
		{"uid not below id", replace(`"uid": 3301`, `"uid": 10423`), []locRule{{"/record/uid", RuleUIDBelowID}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := validatePayload(t, []byte(tc.payload), Strict)
			if got := failures(r); !slices.Equal(got, tc.strict) {
				t.Errorf("strict: got %v, want %v; all: %v", got, tc.strict, r.Violations)
			}
			r, err := Validate([]byte(tc.payload), Contract)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Valid() || !slices.Equal(warnings(r), tc.contract) {
				t.Errorf("contract: got %v, want warnings %v", r.Violations, tc.contract)
			}
			for _, v := range r.Violations {
				if v.Rule == RuleDuplicateKey && !strings.Contains(v.Message, `"recordId"`) && !strings.Contains(v.Message, `"workOrder"`) {
					t.Errorf("the warning names no key: %q", v.Message)
				}
			}
		})
	}
}
