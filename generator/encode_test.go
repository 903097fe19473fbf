package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// refEncode builds the payload with encoding/json, from maps, as an
// independent encoder to check the hand-written one against.
func refEncode(t *testing.T, p *Payload) []byte {
	t.Helper()
	ts := func(v time.Time) string { return v.UTC().Format("2006-01-02T15:04:05.000Z07:00") }
	nullTime := func(v Null[time.Time]) any {
		if !v.Valid {
			return nil
		}
		return ts(v.V)
	}
	extras := func(m map[string]any, ex []RawField) map[string]any {
		for _, f := range ex {
			m[f.Key] = f.Value
		}
		return m
	}
	tk, _ := schemas.Lookup(p.Event.TriggerKey)
	e := &p.Event
	fired := ts(e.FiredAt)
	if e.FiredAtNoMillis {
		fired = e.FiredAt.UTC().Format(time.RFC3339)
	}
	ev := map[string]any{"eventId": e.EventID, "recordId": e.RecordID, "triggerKey": e.TriggerKey,
		"triggerName": e.TriggerName, "firedAt": fired}
	all := map[string]any{
		"workOrderId": e.WorkOrderID, "currentStatus": e.CurrentStatus, "previousStatus": e.PreviousStatus,
		"phaseInstanceId": e.PhaseInstanceID, "phaseTemplateId": e.PhaseTemplateID, "phaseType": e.PhaseType,
		"status": e.Status, "overdueAt": ts(e.OverdueAt), "slaType": e.SLAType,
		"appointmentId": e.AppointmentID, "dueDate": ts(e.DueDate), "previousDueDate": ts(e.PreviousDueDate),
	}
	for _, f := range tk.Fields {
		ev[f.Name] = all[f.Name]
	}
	doc := map[string]any{"event": extras(ev, e.Extra)}
	if r := p.Record; r != nil {
		rec := map[string]any{"id": r.ID, "uid": r.UID, "type": r.Type, "title": r.Title, "status": r.Status,
			"requestStatus": r.RequestStatus, "address": r.Address, "city": r.City, "state": r.State,
			"trades": r.Trades, "dealValue": r.DealValue, "ownerId": r.OwnerID, "primaryEmail": r.PrimaryEmail,
			"primaryPhone": r.PrimaryPhone, "createdAt": ts(r.CreatedAt), "updatedAt": ts(r.UpdatedAt),
			"stage": nil, "geoLocation": nil, "jurisdiction": nil}
		if s := r.Stage; s != nil {
			rec["stage"] = extras(map[string]any{"id": s.ID, "name": s.Name}, s.Extra)
		}
		if g := r.GeoLocation; g != nil {
			rec["geoLocation"] = extras(map[string]any{"lat": g.Lat, "lng": g.Lng}, g.Extra)
		}
		if j := r.Jurisdiction; j != nil {
			rec["jurisdiction"] = extras(map[string]any{"id": j.ID, "name": j.Name}, j.Extra)
		}
		doc["record"] = extras(rec, r.Extra)
	}
	if w := p.WorkOrder; w != nil {
		doc["workOrder"] = extras(map[string]any{"id": w.ID, "uid": w.UID, "title": w.Title, "description": w.Description,
			"status": w.Status, "priority": w.Priority, "recordId": w.RecordID, "assigneeId": w.AssigneeID,
			"isField": w.IsField, "startDate": nullTime(w.StartDate), "endDate": nullTime(w.EndDate),
			"startDateAllDay": w.StartDateAllDay, "endDateAllDay": w.EndDateAllDay,
			"completionDate": nullTime(w.CompletionDate), "createdAt": ts(w.CreatedAt), "modifiedAt": ts(w.ModifiedAt)}, w.Extra)
	}
	extras(doc, p.Extra)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeNumbers(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	return v
}

// TestHandEncoderMatchesEncodingJSON decodes the hand encoder's output and an
// encoding/json rendering of the same values, numbers as their literal text,
// and requires equal results, for every profile including edge's unicode,
// emoji and control characters.
func TestHandEncoderMatchesEncodingJSON(t *testing.T) {
	for _, p := range Profiles() {
		for _, key := range schemas.TriggerKeys() {
			g := New(11, WithProfile(p))
			for range 25 {
				pl, err := g.Payload(key)
				if err != nil {
					t.Fatal(err)
				}
				hand := pl.AppendJSON(nil)
				if !json.Valid(hand) {
					t.Fatalf("%s %s: invalid JSON:\n%s", p, key, hand)
				}
				got, want := decodeNumbers(t, hand), decodeNumbers(t, refEncode(t, pl))
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s %s: hand encoder and encoding/json disagree:\n%s\n%s", p, key, hand, refEncode(t, pl))
				}
			}
		}
	}
}

// stringCases are strings whose encoding is easy to get wrong.
var stringCases = []string{
	"", "plain", `quote " and backslash \`, "slash / stays", "\x00\x01\x07\x08\x09\x0a\x0b\x0c\x0d\x1f\x7f",
	"<script>&amp;</script>", "é ñ ü 日本 🐕 👨‍👩‍👧‍👦 🇺🇸", "\u2028\u2029", "bad \xff utf-8 \xc3", "\xed\xa0\x80 surrogate",
	"trailing \xe2\x82", strings.Repeat("long 🌞 ", 400),
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	check := func(s string) {
		t.Helper()
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		got := appendString(nil, s)
		if !bytes.Equal(got, bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Fatalf("appendString(%q) = %s, encoding/json writes %s", s, got, want.Bytes())
		}
	}
	for _, s := range stringCases {
		check(s)
	}
	for _, s := range edgeTexts {
		check(s)
	}
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 64)
	for range 20000 {
		n := r.IntN(len(buf))
		for i := range n {
			buf[i] = byte(r.IntN(256))
			if r.IntN(3) == 0 {
				buf[i] = byte(r.IntN(128))
			}
		}
		check(string(buf[:n]))
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range stringCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q encodes to invalid JSON %s: %v", s, got, err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("round trip of %q gave %q", s, back)
		}
	})
}

func TestAppendTime(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		// 0001-01-01 to 9999-12-31, at millisecond resolution and beyond.
		sec := r.Int64N(253402300799+62135596800) - 62135596800
		tm := time.Unix(sec, r.Int64N(1e9)).In(time.FixedZone("x", 3600*(r.IntN(25)-12)))
		want := `"` + tm.UTC().Format("2006-01-02T15:04:05.000Z07:00") + `"`
		if got := string(appendTime(nil, tm, true)); got != want {
			t.Fatalf("appendTime(%v) = %s, want %s", tm, got, want)
		}
		want = `"` + tm.UTC().Format(time.RFC3339) + `"`
		if got := string(appendTime(nil, tm, false)); got != want {
			t.Fatalf("appendTime(%v, no millis) = %s, want %s", tm, got, want)
		}
	}
}

func TestAppendFloat(t *testing.T) {
	cases := []float64{0, 1, -1, 28500, 28500.75, 0.01, 30.267153, -97.743061, 1e21, 1e20, 1e-7, 1e-6, 123456789.123,
		math.MaxFloat64, math.SmallestNonzeroFloat64, maxSafeInt, -0.0000012345}
	r := rand.New(rand.NewPCG(5, 6))
	for range 10000 {
		cases = append(cases, math.Float64frombits(r.Uint64()))
	}
	for _, f := range cases {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			if got := string(appendFloat(nil, f)); got != "null" {
				t.Fatalf("appendFloat(%v) = %s", f, got)
			}
			continue
		}
		want, _ := json.Marshal(f)
		if got := appendFloat(nil, f); !bytes.Equal(got, want) {
			t.Fatalf("appendFloat(%v) = %s, encoding/json writes %s", f, got, want)
		}
	}
}

// appendInt64 writes what strconv.AppendInt writes, at every length, both
// signs and the extremes.
func TestAppendInt64MatchesStrconv(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	cases := []int64{0, 1, -1, 9, 10, 99, 100, 101, 999, 1000, maxSafeInt, math.MaxInt64, math.MinInt64, math.MinInt64 + 1}
	for range 100000 {
		cases = append(cases, r.Int64()>>r.IntN(64), -(r.Int64() >> r.IntN(64)))
	}
	for _, n := range cases {
		if got, want := appendInt64([]byte("x"), n), strconv.AppendInt([]byte("x"), n, 10); !bytes.Equal(got, want) {
			t.Fatalf("appendInt64(%d) = %s, strconv %s", n, got, want)
		}
	}
}

// civil (Neri-Schneider) gives civilHinnant's date for every day from year
// -40,000 to 40,000, around both ends of its 32-bit range and at random
// int64 day counts, where it hands over to civilHinnant.
func TestCivilMatchesHinnant(t *testing.T) {
	check := func(days int64) {
		y, m, d := civil(days)
		wy, wm, wd := civilHinnant(days)
		if y != wy || m != wm || d != wd {
			t.Fatalf("civil(%d) = %d-%d-%d, civilHinnant %d-%d-%d", days, y, m, d, wy, wm, wd)
		}
	}
	for days := int64(-15_330_000); days <= 13_890_000; days++ {
		check(days)
	}
	const k = 719468 + 146097*82
	for _, edge := range []int64{-k, 1<<30 - 1 - k} {
		for days := edge - 1000; days <= edge+1000; days++ {
			check(days)
		}
	}
	r := rand.New(rand.NewPCG(9, 10))
	for range 100000 {
		check(r.Int64() >> r.IntN(40))
		check(-(r.Int64() >> r.IntN(40)))
	}
	// Hinnant's own check: 1970-01-01, leap days, a century that is not a
	// leap year.
	for days, want := range map[int64]string{0: "1970-1-1", 11016: "2000-2-29", -25508: "1900-3-1", 10957: "2000-1-1"} {
		y, m, d := civil(days)
		if got := fmt.Sprintf("%d-%d-%d", y, m, d); got != want {
			t.Errorf("civil(%d) = %s, want %s", days, got, want)
		}
	}
}

// dayStart is time.Truncate(24h) for instants before and after 1970 and
// year 1, with and without fractions of a second.
func TestDayStartIsTruncate(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for range 200000 {
		sec := r.Int64N(2*253402300799) - 253402300799 - 62135596800
		tm := time.Unix(sec, r.Int64N(1e9)*int64(r.IntN(2))).UTC()
		if got, want := dayStart(tm), tm.Truncate(24*time.Hour); got != want {
			t.Fatalf("dayStart(%v) = %v, Truncate %v", tm, got, want)
		}
	}
}

// One encoder writing many times keeps the date of the last one: times on
// the same day, the next, far apart and outside years 0-9999 all come out
// as a fresh appendTime writes them.
func TestEncoderTimesShareDates(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	var enc encoder
	tm := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	for range 200000 {
		switch r.IntN(4) {
		case 0:
			tm = tm.Add(time.Duration(r.Int64N(int64(time.Hour))))
		case 1:
			tm = tm.Add(-time.Duration(r.Int64N(int64(72 * time.Hour))))
		case 2:
			tm = time.Unix(r.Int64N(4e11)-2e11, r.Int64N(1e9)).UTC()
		default:
			tm = time.Unix(r.Int64N(2e9), 0).UTC()
		}
		millis := r.IntN(2) == 0
		if got, want := enc.time([]byte("x"), tm, millis), appendTime([]byte("x"), tm, millis); !bytes.Equal(got, want) {
			t.Fatalf("encoder.time(%v) = %s after earlier times, appendTime %s", tm, got, want)
		}
	}
}
