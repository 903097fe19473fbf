package schemas

import (
	"strings"
	"testing"
)

// Past 2^53 a float64 rounds: record.uid 9007199254740993 decodes as
// 9007199254740992. The uid-below-id message names the numbers as the
// payload wrote them, as the id-range messages do, and so do the other
// messages naming two ids.
func TestUIDBelowIDNamesTheNumbersAsWritten(t *testing.T) {
	doc := string(documentedBytes(t))
	for _, c := range []struct {
		name, uid, id, want string
	}{
		{"uid past 2^53", "9007199254740993", "9007199254740993", "record.uid 9007199254740993 isn't smaller than record.id 9007199254740993"},
		{"uid past 2^53, id at it", "9007199254740995", "9007199254740993", "record.uid 9007199254740995 isn't smaller than record.id 9007199254740993"},
		{"small numbers", "10423", "10423", "record.uid 10423 isn't smaller than record.id 10423"},
		// Both decode to 9007199254740992, but the uid is smaller as written.
		{"uid below id past 2^53", "9007199254740992", "9007199254740993", ""},
		{"uid below id past 2^53, as an exponent", "9.007199254740992e15", "9007199254740993", ""},
		{"uid above id past 2^53, as an exponent", "9.007199254740993e15", "9007199254740992", "record.uid 9.007199254740993e15 isn't smaller than record.id 9007199254740992"},
	} {
		t.Run(c.name, func(t *testing.T) {
			payload := strings.Replace(strings.Replace(doc, `"uid": 3301`, `"uid": `+c.uid, 1), `"id": 10423`, `"id": `+c.id, 1)
			var got []string
			for _, v := range validatePayload(t, []byte(payload), Strict).Violations {
				if v.Rule == RuleUIDBelowID {
					got = append(got, v.Message)
				}
			}
			if c.want == "" {
				if len(got) != 0 {
					t.Errorf("uid-below-id messages %q, want none: the uid is smaller as written", got)
				}
				return
			}
			if len(got) != 1 || got[0] != c.want {
				t.Errorf("uid-below-id messages %q, want [%q]", got, c.want)
			}
		})
	}
}

func TestTwoIDMessagesNameTheNumbersAsWritten(t *testing.T) {
	doc := string(documentedBytes(t))
	payload := strings.Replace(doc, `"id": 10423`, `"id": 9007199254740993`, 1)
	r := validatePayload(t, []byte(payload), Strict)
	want := map[string]string{
		RuleEventRecordID:     "event.recordId 10423 != record.id 9007199254740993",
		RuleWorkOrderRecordID: "workOrder.recordId 10423 != record.id 9007199254740993",
	}
	for _, v := range r.Violations {
		if w, ok := want[v.Rule]; ok {
			if v.Message != w {
				t.Errorf("%s: %q, want %q", v.Rule, v.Message, w)
			}
			delete(want, v.Rule)
		}
	}
	for rule, w := range want {
		t.Errorf("no %s violation, want %q", rule, w)
	}
}

func TestMayBeRounded(t *testing.T) {
	for _, c := range []struct {
		msg  string
		want bool
	}{
		{"event.recordId 10423 != record.id 10424", false},
		{"record.uid 9007199254740991 isn't smaller than record.id 9007199254740991", true}, // exact, but 16 digits: re-rendered alike
		{"event.recordId 10423 != record.id 900719925474099", false},
		{"event.recordId 10423 != record.id +Inf", true},
	} {
		if got := mayBeRounded(c.msg); got != c.want {
			t.Errorf("mayBeRounded(%q) = %v, want %v", c.msg, got, c.want)
		}
	}
}
