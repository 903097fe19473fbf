package schemas

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Names of the cross-field rules, the Rule of their violations. They check
// what JSON Schema cannot express: agreement between fields. A rule whose
// inputs are missing or of the wrong type stays silent, because the schema
// already reports that.
const (
	RuleEventRecordID      = "event-record-id"      // event.recordId == record.id
	RuleWorkOrderRecordID  = "workorder-record-id"  // workOrder.recordId == record.id
	RuleEventWorkOrderID   = "event-workorder-id"   // event.workOrderId == workOrder.id
	RuleEventCurrentStatus = "event-current-status" // event.currentStatus == workOrder.status
	RuleRecordTimestamps   = "record-timestamps"    // record.createdAt <= record.updatedAt <= event.firedAt
	RuleWorkOrderTimes     = "workorder-timestamps" // workOrder.createdAt <= workOrder.modifiedAt
	RuleWorkOrderDates     = "workorder-dates"      // workOrder.startDate <= workOrder.endDate
	RuleCompletionDate     = "completion-date"      // completionDate set exactly when status is COMPLETED
	RuleRecordTypeFamily   = "record-type-family"   // PROJECT_* carry PROJECT, REQUEST_*/DEAL_* carry DEAL
)

// Rules lists the cross-field rule names.
func Rules() []string {
	return []string{RuleEventRecordID, RuleWorkOrderRecordID, RuleEventWorkOrderID, RuleEventCurrentStatus,
		RuleRecordTimestamps, RuleWorkOrderTimes, RuleWorkOrderDates, RuleCompletionDate, RuleRecordTypeFamily}
}

// checkRules appends the cross-field violations of doc to vs. At the
// contract level they are warnings: Coperniq documents these relations, but
// a receiver should survive a payload that breaks them.
func checkRules(doc any, triggerKey string, level Level, vs []Violation) []Violation {
	root, ok := doc.(map[string]any)
	if !ok {
		return vs
	}
	event, _ := root["event"].(map[string]any)
	record, _ := root["record"].(map[string]any)
	wo, _ := root["workOrder"].(map[string]any)
	add := func(loc, rule, format string, args ...any) {
		vs = append(vs, Violation{Location: loc, Message: fmt.Sprintf(format, args...), Rule: rule, Warning: level == Contract})
	}

	if a, b := event["recordId"], record["id"]; numbersDiffer(a, b) {
		add("/event/recordId", RuleEventRecordID, "event.recordId %s != record.id %s", numText(a), numText(b))
	}
	if a, b := wo["recordId"], record["id"]; numbersDiffer(a, b) {
		add("/workOrder/recordId", RuleWorkOrderRecordID, "workOrder.recordId %s != record.id %s", numText(a), numText(b))
	}
	if a, b := event["workOrderId"], wo["id"]; numbersDiffer(a, b) {
		add("/event/workOrderId", RuleEventWorkOrderID, "event.workOrderId %s != workOrder.id %s", numText(a), numText(b))
	}
	cur, ok1 := event["currentStatus"].(string)
	status, ok2 := wo["status"].(string)
	if ok1 && ok2 && cur != status {
		add("/event/currentStatus", RuleEventCurrentStatus, "event.currentStatus %q != workOrder.status %q", cur, status)
	}

	created, updated, fired := timeOf(record["createdAt"]), timeOf(record["updatedAt"]), timeOf(event["firedAt"])
	if created.ok && updated.ok && created.t.After(updated.t) {
		add("/record/updatedAt", RuleRecordTimestamps, "record.updatedAt %s is before record.createdAt %s", updated.s, created.s)
	}
	if updated.ok && fired.ok && updated.t.After(fired.t) {
		add("/record/updatedAt", RuleRecordTimestamps, "record.updatedAt %s is after event.firedAt %s", updated.s, fired.s)
	}
	woCreated, woModified := timeOf(wo["createdAt"]), timeOf(wo["modifiedAt"])
	if woCreated.ok && woModified.ok && woCreated.t.After(woModified.t) {
		add("/workOrder/modifiedAt", RuleWorkOrderTimes, "workOrder.modifiedAt %s is before workOrder.createdAt %s", woModified.s, woCreated.s)
	}
	start, end := timeOf(wo["startDate"]), timeOf(wo["endDate"])
	if start.ok && end.ok && start.t.After(end.t) {
		add("/workOrder/endDate", RuleWorkOrderDates, "workOrder.endDate %s is before workOrder.startDate %s", end.s, start.s)
	}
	if completion, present := wo["completionDate"]; present && ok2 {
		switch _, isString := completion.(string); {
		case status == "COMPLETED" && completion == nil:
			add("/workOrder/completionDate", RuleCompletionDate, "workOrder.completionDate is null but workOrder.status is \"COMPLETED\"")
		case status != "COMPLETED" && isString:
			add("/workOrder/completionDate", RuleCompletionDate, "workOrder.completionDate is set but workOrder.status is %q; it is set exactly when the status is \"COMPLETED\"", status)
		}
	}

	if want := familyRecordType(triggerKey); want != "" {
		got, ok := record["type"].(string)
		// At the strict level the trigger's schema restricts record.type
		// already; one problem, one violation.
		if ok && got != want && !(level == Strict && hasViolationAt(vs, "/record/type")) {
			add("/record/type", RuleRecordTypeFamily, "record.type %q doesn't match trigger %s, which carries %s records", got, triggerKey, want)
		}
	}
	return vs
}

// familyRecordType is the record type a trigger's key prefix implies, or ""
// when the prefix implies none. It goes by prefix, not the catalog, so that
// an unknown PROJECT_* trigger is checked too.
func familyRecordType(triggerKey string) string {
	switch {
	case strings.HasPrefix(triggerKey, "PROJECT_"):
		return "PROJECT"
	case strings.HasPrefix(triggerKey, "REQUEST_"), strings.HasPrefix(triggerKey, "DEAL_"):
		return "DEAL"
	}
	return ""
}

func hasViolationAt(vs []Violation, loc string) bool {
	for _, v := range vs {
		if v.Location == loc {
			return true
		}
	}
	return false
}

type stamp struct {
	t  time.Time
	s  string
	ok bool
}

// timeOf parses an RFC 3339 timestamp, with or without fractional seconds.
func timeOf(v any) stamp {
	s, ok := v.(string)
	if !ok {
		return stamp{}
	}
	t, err := time.Parse(time.RFC3339, s)
	return stamp{t: t, s: s, ok: err == nil}
}

// numbersDiffer reports whether a and b are both numbers and not equal; a
// missing or non-numeric side is the schema's business.
func numbersDiffer(a, b any) bool {
	fa, okA := a.(float64)
	fb, okB := b.(float64)
	if okA && okB {
		return fa != fb
	}
	ra, okA := ratOf(a)
	rb, okB := ratOf(b)
	return okA && okB && ra.Cmp(rb) != 0
}

// ratOf is the slow path for json.Number (huge or UseNumber payloads) and
// Go integers in hand-built documents.
func ratOf(v any) (*big.Rat, bool) {
	switch n := v.(type) {
	case float64:
		r := new(big.Rat)
		if r.SetFloat64(n) == nil {
			return nil, false
		}
		return r, true
	case json.Number:
		return new(big.Rat).SetString(n.String())
	case int:
		return new(big.Rat).SetInt64(int64(n)), true
	case int64:
		return new(big.Rat).SetInt64(n), true
	}
	return nil, false
}
