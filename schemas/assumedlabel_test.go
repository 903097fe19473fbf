package schemas

import (
	"strings"
	"testing"
)

// A field Coperniq documents may still carry behaviour this project
// assumes (what a retry carries, a range, never empty). Its description
// must not state that as Coperniq's: the documented part says what
// Coperniq publishes, and what is ours follows "Assumed by coperniq-mock:".
const (
	documentedLabel = " Field documented by Coperniq."
	assumedLabel    = "Assumed by coperniq-mock: "
)

// schemaAtPointer follows a JSON pointer of /properties/... steps.
func schemaAtPointer(t *testing.T, doc map[string]any, ptr string) map[string]any {
	t.Helper()
	s := doc
	for _, step := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if step == "" {
			continue
		}
		next, ok := s[step].(map[string]any)
		if !ok {
			t.Fatalf("no %s in %s", step, ptr)
		}
		s = next
	}
	return s
}

func TestDocumentedFieldsLabelTheirAssumptions(t *testing.T) {
	files := loadFiles(t)
	for _, tc := range []struct {
		name, file, ptr string
		// assumption is a phrase of what this project assumes, which
		// must come after the label.
		assumption string
		// documented is false where the description has no source
		// keyword (a top-level key or a definition's header).
		documented bool
	}{
		{"eventId is kept across retries", "contract/defs/event.json", "/properties/eventId", "carries the same eventId", true},
		{"eventId range", "contract/defs/event.json", "/properties/eventId", "2^53-1", true},
		{"firedAt and ordering", "contract/defs/event.json", "/properties/firedAt", "out of order", true},
		{"firedAt is not what a receiver orders by first", "contract/defs/event.json", "/properties/firedAt", "compare record.updatedAt", true},
		{"recordId without record", "contract/defs/event.json", "/properties/recordId", "id of the call or appointment", true},
		{"uid below id", "contract/defs/record.json", "/properties/uid", "smaller than id", true},
		{"uid order", "contract/defs/record.json", "/properties/uid", "creation order", true},
		{"record title never empty", "strict/defs/record.json", "/properties/title", "Never empty", true},
		{"state list", "contract/defs/record.json", "/properties/state", "50 states", true},
		{"dealValue not negative", "contract/defs/record.json", "/properties/dealValue", "Never negative", true},
		{"phone numbers", "contract/defs/record.json", "/properties/primaryPhone", "+1 and ten digits", true},
		{"ownerId range", "contract/defs/record.json", "/properties/ownerId", "from 1 to 2^53-1", true},
		{"stage name never empty", "contract/defs/stage.json", "/properties/name", "Never empty", true},
		{"work order id range", "contract/defs/workOrder.json", "/properties/id", "2^53-1", true},
		{"work order description null when empty", "contract/defs/workOrder.json", "/properties/description", "rather than an empty string", true},
		{"priority scale", "contract/defs/workOrder.json", "/properties/priority", "1 for high", true},
		{"previousStatus differs on a movement", "contract/TASK_STATUS_MOVEMENT.json", "/properties/event/properties/previousStatus", "Never equal to currentStatus", true},
		{"workOrderId range", "strict/TASK_COMPLETED.json", "/properties/event/properties/workOrderId", "from 1 to 2^53-1", true},
		{"phase ids range", "contract/PROJECT_PHASE_STARTED.json", "/properties/event/properties/phaseInstanceId", "from 1 to 2^53-1", true},
		{"workOrder key omitted", "contract/TASK_CREATED.json", "/properties/workOrder", "omit the key rather than send null", false},
		{"record as it was when fired", "contract/defs/record.json", "", "as it was when the event fired", false},
		{"work order as it was when fired", "strict/defs/workOrder.json", "", "as it was when the event fired", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, ok := files[tc.file]
			if !ok {
				t.Fatalf("no schema file %s", tc.file)
			}
			s := schemaAtPointer(t, doc, tc.ptr)
			desc, _ := s["description"].(string)
			label := assumedLabel
			if tc.documented {
				label = documentedLabel + " " + assumedLabel
				if s[SourceKeyword] != Documented {
					t.Errorf("%s#%s: %s is %v, want %s: Coperniq documents the field", tc.file, tc.ptr, SourceKeyword, s[SourceKeyword], Documented)
				}
				if s[BehaviourSourceKeyword] != Assumed || s[BehaviourAssumptionKeyword] == nil {
					t.Errorf("%s#%s: %s is %v and %s %v, want %s with the reason", tc.file, tc.ptr, BehaviourSourceKeyword, s[BehaviourSourceKeyword], BehaviourAssumptionKeyword, s[BehaviourAssumptionKeyword], Assumed)
				}
			}
			_, ours, found := strings.Cut(desc, label)
			if !found || !strings.Contains(ours, tc.assumption) {
				t.Errorf("%s#%s: %q is not labelled as ours (after %q) in %q", tc.file, tc.ptr, tc.assumption, label, desc)
			}
		})
	}
}

// assumptionMarkers are phrases that state this project's assumptions;
// the documented part of a description carries none of them.
var assumptionMarkers = []string{
	"this tool", "an assumption", "assumed", "coperniq-mock", "at least 1", "never empty", "never negative",
	"never equal", "same eventid", "out of order", "smaller than id", "creation order", "rather than send null",
	"when the event fired", "2^53",
}

func TestDocumentedPartsStateNoAssumption(t *testing.T) {
	for name, doc := range loadFiles(t) {
		check := func(where, documentedPart string) {
			lower := strings.ToLower(documentedPart)
			for _, m := range assumptionMarkers {
				if strings.Contains(lower, m) {
					t.Errorf("%s: %q, stated as documented, says %q; move it after %q", where, documentedPart, m, assumedLabel)
				}
			}
		}
		if d, _ := doc["description"].(string); strings.HasPrefix(name, "contract/defs/") || strings.HasPrefix(name, "strict/defs/") {
			before, _, _ := strings.Cut(d, assumedLabel)
			check(name, before)
		}
		eachSubschema(doc, "", func(s map[string]any, ptr string) {
			d, _ := s["description"].(string)
			if before, _, ok := strings.Cut(d, documentedLabel); ok && s[SourceKeyword] == Documented {
				check(name+"#"+ptr, before)
			}
		})
	}
}

// A contract-level warning says Coperniq documents the relation it checks,
// except where the relation is this project's: then it says so.
func TestAssumedRuleWarningSaysSo(t *testing.T) {
	doc := brokenDoc(t, "", func(d map[string]any) { at(d, "event")["previousStatus"] = "COMPLETED" })
	r, err := Validate(mustJSON(t, doc), Contract)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range r.Violations {
		if v.Rule == RuleStatusMoved {
			if !v.Warning || !strings.Contains(v.Message, "coperniq-mock assumes") {
				t.Errorf("warning %v, message %q: want a warning that names the assumption as ours", v.Warning, v.Message)
			}
			return
		}
	}
	t.Errorf("no %s violation in %v", RuleStatusMoved, r.Violations)
}
