package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
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
	RuleStatusMoved        = "status-moved"         // a movement's previousStatus != currentStatus
)

// Names of the range rules. JSON Schema's minimum and maximum would make the
// validator compare every number as a big.Rat; these check the same bounds on
// float64. Geo ranges warn at the contract level (no point on Earth lies
// outside them); the others are this tool's choices and apply at the strict
// level only.
const (
	RuleGeoRange       = "geo-range"        // record.geoLocation.lat in [-90, 90], lng in [-180, 180]
	RuleIDRange        = "id-range"         // every id and uid is in 1..2^53-1
	RuleUIDBelowID     = "uid-below-id"     // record.uid < record.id
	RuleDealValueRange = "deal-value-range" // record.dealValue >= 0
	RulePriorityRange  = "priority-range"   // workOrder.priority is 1, 2 or 3
)

// The messages that name two numbers: the one at the violation's Location,
// then the other (twoNumbers).
const (
	msgEventRecordID     = "event.recordId %s != record.id %s"
	msgWorkOrderRecordID = "workOrder.recordId %s != record.id %s"
	msgEventWorkOrderID  = "event.workOrderId %s != workOrder.id %s"
	msgUIDBelowID        = "record.uid %s isn't smaller than record.id %s"
)

// twoNumbers are the rules whose message names two numbers: its format and
// where the other number is, for asWritten to render it again from the
// numbers as the payload wrote them.
var twoNumbers = map[string]struct{ format, other string }{
	RuleEventRecordID:     {msgEventRecordID, "/record/id"},
	RuleWorkOrderRecordID: {msgWorkOrderRecordID, "/record/id"},
	RuleEventWorkOrderID:  {msgEventWorkOrderID, "/workOrder/id"},
	RuleUIDBelowID:        {msgUIDBelowID, "/record/id"},
}

// Rules lists the names of the cross-field and range rules.
func Rules() []string {
	return []string{RuleEventRecordID, RuleWorkOrderRecordID, RuleEventWorkOrderID, RuleEventCurrentStatus,
		RuleRecordTimestamps, RuleWorkOrderTimes, RuleWorkOrderDates, RuleCompletionDate, RuleRecordTypeFamily,
		RuleStatusMoved, RuleGeoRange, RuleIDRange, RuleUIDBelowID, RuleDealValueRange, RulePriorityRange,
		RuleUTF8, RuleDuplicateKey}
}

// checkRules appends the cross-field violations of doc to vs. At the
// contract level they are warnings: Coperniq documents these relations
// (all but status-moved, which this project assumes and whose message says
// so), and a receiver should survive a payload that breaks them. written reads the
// numbers as the payload wrote them (nil: doc is all there is).
func checkRules(doc any, triggerKey string, level Level, vs []Violation, written *writtenNumbers, completed string) []Violation {
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

	if differ, a, b := idsDiffer(event["recordId"], record["id"], "/event/recordId", "/record/id", written); differ {
		add("/event/recordId", RuleEventRecordID, msgEventRecordID, a, b)
	}
	if differ, a, b := idsDiffer(wo["recordId"], record["id"], "/workOrder/recordId", "/record/id", written); differ {
		add("/workOrder/recordId", RuleWorkOrderRecordID, msgWorkOrderRecordID, a, b)
	}
	if differ, a, b := idsDiffer(event["workOrderId"], wo["id"], "/event/workOrderId", "/workOrder/id", written); differ {
		add("/event/workOrderId", RuleEventWorkOrderID, msgEventWorkOrderID, a, b)
	}
	cur, ok1 := event["currentStatus"].(string)
	status, ok2 := wo["status"].(string)
	if ok1 && ok2 && cur != status {
		add("/event/currentStatus", RuleEventCurrentStatus, "event.currentStatus %q != workOrder.status %q", cur, status)
	}

	// A movement is a change: the same status before and after is no
	// movement. TASK_CREATED has no previous status to compare.
	if prev, ok := event["previousStatus"].(string); ok && ok1 && prev == cur && strings.HasSuffix(triggerKey, "_STATUS_MOVEMENT") {
		add("/event/previousStatus", RuleStatusMoved, "event.previousStatus %q equals event.currentStatus; coperniq-mock assumes a status movement changes the status", prev)
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
		case status == completed && completion == nil:
			add("/workOrder/completionDate", RuleCompletionDate, "workOrder.completionDate is null but workOrder.status is %q", completed)
		case status != completed && isString:
			add("/workOrder/completionDate", RuleCompletionDate, "workOrder.completionDate is set but workOrder.status is %q; it is set exactly when the status is %q", status, completed)
		}
	}

	vs = checkRanges(event, record, wo, level, vs, written)

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

// Id properties, by object, that the id-range rule checks.
var (
	eventIDs     = []string{"eventId", "recordId", "workOrderId", "phaseInstanceId", "phaseTemplateId", "appointmentId"}
	recordIDs    = []string{"id", "uid", "ownerId"}
	workOrderIDs = []string{"id", "uid", "recordId", "assigneeId"}
)

// checkRanges appends the range violations of the payload's objects (nil
// when absent) to vs.
func checkRanges(event, record, wo map[string]any, level Level, vs []Violation, written *writtenNumbers) []Violation {
	add := func(loc, rule string, warn bool, format string, args ...any) {
		vs = append(vs, Violation{Location: loc, Message: fmt.Sprintf(format, args...), Rule: rule, Warning: warn})
	}
	contract := level == Contract
	if gl, ok := record["geoLocation"].(map[string]any); ok {
		if v, ok := numberOf(gl["lat"]); ok && !(v >= -90 && v <= 90) {
			add("/record/geoLocation/lat", RuleGeoRange, contract, "record.geoLocation.lat %s is outside [-90, 90]", numText(gl["lat"]))
		}
		if v, ok := numberOf(gl["lng"]); ok && !(v >= -180 && v <= 180) {
			add("/record/geoLocation/lng", RuleGeoRange, contract, "record.geoLocation.lng %s is outside [-180, 180]", numText(gl["lng"]))
		}
	}
	if contract {
		return vs
	}
	// Ids beyond 2^53-1 are not exact in JavaScript or any float64
	// decoder: two ids would compare equal. numberOf reads numbers too large
	// for a float64 (1e999999) as infinities, so they are out of range too.
	ids := func(obj map[string]any, prefix string, names []string) {
		for _, name := range names {
			v := obj[name]
			n, ok := numberOf(v)
			switch {
			case !ok || n != math.Trunc(n):
			case n < 1:
				add("/"+prefix+"/"+name, RuleIDRange, false, "%s.%s %s is below 1; ids start at 1", prefix, name, numText(v))
			case n > maxID:
				add("/"+prefix+"/"+name, RuleIDRange, false, "%s.%s %s is above 2^53-1 (9007199254740991), the largest integer JavaScript and float64 decoders hold exactly", prefix, name, numText(v))
			}
		}
	}
	ids(event, "event", eventIDs)
	ids(record, "record", recordIDs)
	if st, ok := record["stage"].(map[string]any); ok {
		ids(st, "record/stage", []string{"id"})
	}
	if j, ok := record["jurisdiction"].(map[string]any); ok {
		ids(j, "record/jurisdiction", []string{"id"})
	}
	ids(wo, "workOrder", workOrderIDs)
	// record.uid's description says, as this project's assumption, that a
	// uid is smaller than the id: record numbers count records of one type,
	// ids every object in Coperniq.
	if uid, ok1 := numberOf(record["uid"]); ok1 {
		if id, ok2 := numberOf(record["id"]); ok2 && id >= 1 && uid >= id && uid == math.Trunc(uid) && !math.IsInf(id, 0) && !writtenBelow(record["uid"], record["id"], uid == id, written) {
			add("/record/uid", RuleUIDBelowID, false, msgUIDBelowID, numText(record["uid"]), numText(record["id"]))
		}
	}
	if v, ok := numberOf(record["dealValue"]); ok && v < 0 {
		add("/record/dealValue", RuleDealValueRange, false, "record.dealValue %s is negative", numText(record["dealValue"]))
	}
	if v, ok := numberOf(wo["priority"]); ok && v == math.Trunc(v) && (v < 1 || v > 3) {
		add("/workOrder/priority", RulePriorityRange, false, "workOrder.priority %s isn't 1 (high), 2 (medium) or 3 (low)", numText(wo["priority"]))
	}
	return vs
}

// maxID is 2^53-1, the largest id the strict level accepts.
const maxID = 1<<53 - 1

// numberOf reads a JSON number as float64: a number too large for one
// (json.Number 1e400) becomes an infinity, which compares as it should.
// Anything else is the schema's business.
func numberOf(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, !math.IsNaN(n)
	case json.Number:
		f, err := strconv.ParseFloat(n.String(), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return 0, false
		}
		return f, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
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
// missing or non-numeric side is the schema's business. It compares the
// values it is given exactly: that a float64 may stand for another number,
// which it rounded, is idsDiffer's business.
func numbersDiffer(a, b any) bool {
	fa, okA := a.(float64)
	fb, okB := b.(float64)
	if okA && okB {
		return fa != fb
	}
	if !isNumber(a) || !isNumber(b) {
		return false
	}
	ta, _ := exactText(a)
	tb, _ := exactText(b)
	same, ok := sameNumber(ta, tb)
	return ok && !same
}

// exactText is a number of a decoded document as a JSON number text of
// exactly its value: json.Number (huge or UseNumber payloads) as it is,
// and Go numbers of hand-built documents.
func exactText(v any) (string, bool) {
	switch n := v.(type) {
	case float64:
		if math.IsInf(n, 0) || math.IsNaN(n) {
			return "", false
		}
		// 767 significant digits write any float64 exactly, the
		// shortest form (0.1) only the number it rounds to.
		return strconv.FormatFloat(n, 'e', 767, 64), true
	case json.Number:
		return string(n), true
	case int:
		return strconv.Itoa(n), true
	case int64:
		return strconv.FormatInt(n, 10), true
	}
	return "", false
}

// idsDiffer is numbersDiffer for one of the cross-field id rules, with the
// texts its message names: a at pa and b at pb as the payload wrote them
// when written can tell (Validate), as decoded otherwise (ValidateValue).
// Two float64s that are equal may still stand for different numbers (past
// 2^53, below the precision of a float64, a stand-in for a huge one); only
// then does written decode the payload again.
func idsDiffer(a, b any, pa, pb string, written *writtenNumbers) (differ bool, ta, tb string) {
	differ = numbersDiffer(a, b)
	if isNumber(a) && isNumber(b) && (written.mayHide(a) || written.mayHide(b)) {
		na, ok1 := written.at(pa)
		nb, ok2 := written.at(pb)
		if ok1 && ok2 {
			if !differ {
				same, ok := sameNumber(string(na), string(nb))
				differ = ok && !same
			}
			return differ, writtenText(na), writtenText(nb)
		}
	}
	if !differ {
		return false, "", ""
	}
	return true, numText(a), numText(b)
}

// writtenBelow reports whether the payload wrote record.uid below
// record.id though both decoded to one float64 (equal, past 2^53, where
// 9007199254740992 and 9007199254740993 meet). Decoding keeps order
// otherwise: a float64 uid above the id was written above it.
func writtenBelow(uid, id any, equal bool, written *writtenNumbers) bool {
	if !equal || !written.mayHide(uid) && !written.mayHide(id) {
		return false
	}
	a, ok1 := written.at("/record/uid")
	b, ok2 := written.at("/record/id")
	if !ok1 || !ok2 {
		return false
	}
	da, okA := decimalOf(string(a))
	db, okB := decimalOf(string(b))
	if !okA || !okB || da.neg || db.neg || da.digits == "" || db.digits == "" {
		return false
	}
	// Both are positive, 0.digits x 10^exp with a nonzero first digit: the
	// larger exponent is the larger number, and at one exponent the digits
	// compare as text.
	ea, errA := strconv.ParseInt(da.exp, 10, 64)
	eb, errB := strconv.ParseInt(db.exp, 10, 64)
	if errA != nil || errB != nil {
		return false
	}
	if ea != eb {
		return ea < eb
	}
	return da.digits < db.digits
}

// isNumber reports whether exactText takes v, without writing it.
func isNumber(v any) bool {
	switch n := v.(type) {
	case float64:
		return !math.IsInf(n, 0) && !math.IsNaN(n)
	case json.Number, int, int64:
		return true
	}
	return false
}

// sameNumber reports whether the JSON number texts a and b have the same
// value, exactly (9007199254740993 is not 9007199254740992, which a
// float64 holds for both), whatever the notation (9.007199254740993e15 is
// 9007199254740993). ok is false when one is not a JSON number. It works
// on the texts in time and memory linear in their length: big.Rat would
// build a billion-digit number for "1e999999999".
func sameNumber(a, b string) (same, ok bool) {
	da, okA := decimalOf(a)
	db, okB := decimalOf(b)
	if !okA || !okB {
		return false, false
	}
	return da == db, true
}

// decimal is the value of a JSON number in a normal form: 0.digits x
// 10^exp, digits without leading or trailing zeros, exp a decimal integer
// text of any length; zero is the zero decimal.
type decimal struct {
	neg         bool
	digits, exp string
}

// decimalOf is the decimal of the JSON number text s; ok is false when s
// is not one.
func decimalOf(s string) (d decimal, ok bool) {
	i := 0
	digits := func() string {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return s[j:i]
	}
	if i < len(s) && s[i] == '-' {
		d.neg = true
		i++
	}
	intPart := digits()
	if intPart == "" || intPart[0] == '0' && len(intPart) > 1 {
		return decimal{}, false
	}
	var frac, exp string
	expNeg := false
	if i < len(s) && s[i] == '.' {
		i++
		if frac = digits(); frac == "" {
			return decimal{}, false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			expNeg = s[i] == '-'
			i++
		}
		if exp = digits(); exp == "" {
			return decimal{}, false
		}
	}
	if i != len(s) {
		return decimal{}, false
	}
	all := intPart
	if frac != "" {
		all += frac
	}
	sig := strings.TrimLeft(all, "0")
	if sig == "" {
		return decimal{}, true // zero, whatever its sign and exponent
	}
	d.digits = strings.TrimRight(sig, "0")
	// s is 0.all x 10^(len(intPart)+exp) = 0.sig x 10^(k+exp). |k| is at
	// most len(s), far below 10^18.
	k := int64(len(intPart) - (len(all) - len(sig)))
	exp = strings.TrimLeft(exp, "0")
	if len(exp) <= 18 {
		e, _ := strconv.ParseInt("0"+exp, 10, 64)
		if expNeg {
			e = -e
		}
		d.exp = strconv.FormatInt(e+k, 10)
		return d, true
	}
	// An exponent of 10^18 or more stays text: k cannot change its sign.
	if expNeg {
		k = -k
		d.exp = "-" + addSmall(exp, k)
	} else {
		d.exp = addSmall(exp, k)
	}
	return d, true
}

// addSmall is m + k, for m the text of an integer of 19 digits or more
// (no leading zero) and |k| < 10^18, in the same form: the last 18 digits
// take k, and the digits before them at most a carry or a borrow.
func addSmall(m string, k int64) string {
	const e18 = 1_000_000_000_000_000_000
	hi := []byte(m[:len(m)-18])
	lo, _ := strconv.ParseInt(m[len(m)-18:], 10, 64)
	lo += k
	switch {
	case lo < 0:
		lo += e18
		i := len(hi) - 1
		for ; hi[i] == '0'; i-- {
			hi[i] = '9'
		}
		hi[i]--
	case lo >= e18:
		lo -= e18
		i := len(hi) - 1
		for ; i >= 0 && hi[i] == '9'; i-- {
			hi[i] = '0'
		}
		if i < 0 {
			hi = append([]byte{'1'}, hi...)
		} else {
			hi[i]++
		}
	}
	if h := strings.TrimLeft(string(hi), "0"); h != "" {
		return fmt.Sprintf("%s%018d", h, lo)
	}
	return strconv.FormatInt(lo, 10)
}
