package generator

import (
	"math"
	"math/bits"
	"strconv"
	"time"
	"unicode/utf8"
)

// The encoder writes JSON by hand into the caller's buffer (integers, times
// and most floats digit pair by digit pair, other floats with strconv):
// reflection-based encoding/json cost most of a prototype's time.
// Output decodes with encoding/json to the same values (a test checks it).

// encoder is what encoding one payload keeps: whether its strings are
// known to need no escaping, and the dates last written, which the next
// time often shares.
type encoder struct {
	// verbatim promises that every string in the payload is written as it
	// is (verbatimString), so none needs a look: the generator knows it of
	// payloads it built from its tables (tablesVerbatim).
	verbatim bool
	// dates are the last two dates written, `"2026-03-31T`, by day (days
	// since 1970-01-01): a payload's times fall on the day it fired and
	// one other (a record's creation) more often than not. A zero date
	// is unused.
	days  [2]int64
	dates [2][12]byte
	older uint8 // the entry to replace next
}

func appendPayload(b []byte, verbatim bool, p *Payload, t *trigInfo) []byte {
	e := encoder{verbatim: verbatim}
	return e.payload(b, p, t)
}

func (enc *encoder) payload(b []byte, p *Payload, t *trigInfo) []byte {
	b = append(b, `{"event":`...)
	b = enc.event(b, &p.Event, t)
	if p.Record != nil {
		b = append(b, `,"record":`...)
		b = enc.record(b, p.Record)
	}
	if p.WorkOrder != nil {
		b = append(b, `,"workOrder":`...)
		b = enc.workOrder(b, p.WorkOrder)
	}
	b = enc.extra(b, p.Extra)
	return append(b, '}')
}

// MarshalJSON encodes the event with the fields its trigger carries.
func (e *Event) MarshalJSON() ([]byte, error) {
	return new(encoder).event(nil, e, triggerByKey[e.TriggerKey]), nil
}

func (enc *encoder) event(b []byte, e *Event, t *trigInfo) []byte {
	b = append(b, `{"eventId":`...)
	b = appendInt64(b, e.EventID)
	b = append(b, `,"recordId":`...)
	b = appendInt64(b, e.RecordID)
	b = append(b, `,"triggerKey":`...)
	b = appendStr(b, enc.verbatim, e.TriggerKey)
	b = append(b, `,"triggerName":`...)
	b = appendStr(b, enc.verbatim, e.TriggerName)
	b = append(b, `,"firedAt":`...)
	b = enc.time(b, e.FiredAt, !e.FiredAtNoMillis)
	if t != nil {
		for _, f := range t.fields {
			b = append(b, f.key...)
			switch f.code {
			case fWorkOrderID:
				b = appendInt64(b, e.WorkOrderID)
			case fCurrentStatus:
				b = appendStr(b, enc.verbatim, e.CurrentStatus)
			case fPreviousStatus:
				b = enc.nullString(b, e.PreviousStatus)
			case fPhaseInstanceID:
				b = appendInt64(b, e.PhaseInstanceID)
			case fPhaseTemplateID:
				b = appendInt64(b, e.PhaseTemplateID)
			case fPhaseType:
				b = appendStr(b, enc.verbatim, e.PhaseType)
			case fStatus:
				b = appendStr(b, enc.verbatim, e.Status)
			case fOverdueAt:
				b = enc.time(b, e.OverdueAt, true)
			case fSLAType:
				b = appendStr(b, enc.verbatim, e.SLAType)
			case fAppointmentID:
				b = appendInt64(b, e.AppointmentID)
			case fDueDate:
				b = enc.time(b, e.DueDate, true)
			case fPreviousDueDate:
				b = enc.time(b, e.PreviousDueDate, true)
			default:
				b = append(b, "null"...)
			}
		}
	}
	b = enc.extra(b, e.Extra)
	return append(b, '}')
}

func (enc *encoder) record(b []byte, r *Record) []byte {
	b = append(b, `{"id":`...)
	b = appendInt64(b, r.ID)
	b = append(b, `,"uid":`...)
	b = appendInt64(b, r.UID)
	b = append(b, `,"type":`...)
	b = appendStr(b, enc.verbatim, r.Type)
	b = append(b, `,"title":`...)
	b = appendStr(b, enc.verbatim, r.Title)
	b = append(b, `,"status":`...)
	b = enc.nullString(b, r.Status)
	b = append(b, `,"requestStatus":`...)
	b = enc.nullString(b, r.RequestStatus)
	b = append(b, `,"stage":`...)
	if s := r.Stage; s != nil {
		b = enc.idName(b, s.ID, s.Name, s.Extra)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"address":`...)
	b = enc.nullString(b, r.Address)
	b = append(b, `,"city":`...)
	b = enc.nullString(b, r.City)
	b = append(b, `,"state":`...)
	b = enc.nullString(b, r.State)
	b = append(b, `,"geoLocation":`...)
	if g := r.GeoLocation; g != nil {
		b = append(b, `{"lat":`...)
		b = appendFloat(b, g.Lat)
		b = append(b, `,"lng":`...)
		b = appendFloat(b, g.Lng)
		b = enc.extra(b, g.Extra)
		b = append(b, '}')
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"jurisdiction":`...)
	if j := r.Jurisdiction; j != nil {
		b = enc.idName(b, j.ID, j.Name, j.Extra)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"trades":`...)
	if r.Trades == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, t := range r.Trades {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendStr(b, enc.verbatim, t)
		}
		b = append(b, ']')
	}
	b = append(b, `,"dealValue":`...)
	b = appendNullFloat(b, r.DealValue)
	b = append(b, `,"ownerId":`...)
	b = appendNullInt(b, r.OwnerID)
	b = append(b, `,"primaryEmail":`...)
	b = enc.nullString(b, r.PrimaryEmail)
	b = append(b, `,"primaryPhone":`...)
	b = enc.nullString(b, r.PrimaryPhone)
	b = append(b, `,"createdAt":`...)
	b = enc.time(b, r.CreatedAt, true)
	b = append(b, `,"updatedAt":`...)
	b = enc.time(b, r.UpdatedAt, true)
	b = enc.extra(b, r.Extra)
	return append(b, '}')
}

func (enc *encoder) workOrder(b []byte, w *WorkOrder) []byte {
	b = append(b, `{"id":`...)
	b = appendInt64(b, w.ID)
	b = append(b, `,"uid":`...)
	b = appendInt64(b, w.UID)
	b = append(b, `,"title":`...)
	b = appendStr(b, enc.verbatim, w.Title)
	b = append(b, `,"description":`...)
	b = enc.nullString(b, w.Description)
	b = append(b, `,"status":`...)
	b = appendStr(b, enc.verbatim, w.Status)
	b = append(b, `,"priority":`...)
	b = appendNullInt(b, w.Priority)
	b = append(b, `,"recordId":`...)
	b = appendInt64(b, w.RecordID)
	b = append(b, `,"assigneeId":`...)
	b = appendNullInt(b, w.AssigneeID)
	b = append(b, `,"isField":`...)
	b = strconv.AppendBool(b, w.IsField)
	b = append(b, `,"startDate":`...)
	b = enc.nullTime(b, w.StartDate)
	b = append(b, `,"endDate":`...)
	b = enc.nullTime(b, w.EndDate)
	b = append(b, `,"startDateAllDay":`...)
	b = strconv.AppendBool(b, w.StartDateAllDay)
	b = append(b, `,"endDateAllDay":`...)
	b = strconv.AppendBool(b, w.EndDateAllDay)
	b = append(b, `,"completionDate":`...)
	b = enc.nullTime(b, w.CompletionDate)
	b = append(b, `,"createdAt":`...)
	b = enc.time(b, w.CreatedAt, true)
	b = append(b, `,"modifiedAt":`...)
	b = enc.time(b, w.ModifiedAt, true)
	b = enc.extra(b, w.Extra)
	return append(b, '}')
}

// idName writes the objects that are an id and a name: record.stage and
// record.jurisdiction.
func (enc *encoder) idName(b []byte, id int64, name string, extra []RawField) []byte {
	b = append(b, `{"id":`...)
	b = appendInt64(b, id)
	b = append(b, `,"name":`...)
	b = appendStr(b, enc.verbatim, name)
	b = enc.extra(b, extra)
	return append(b, '}')
}

func (enc *encoder) extra(b []byte, extra []RawField) []byte {
	for _, f := range extra {
		b = append(b, ',')
		b = appendStr(b, enc.verbatim, f.Key)
		b = append(b, ':')
		if len(f.Value) == 0 {
			b = append(b, "null"...)
		} else {
			b = append(b, f.Value...)
		}
	}
	return b
}

func (enc *encoder) nullString(b []byte, s Null[string]) []byte {
	if !s.Valid {
		return append(b, "null"...)
	}
	return appendStr(b, enc.verbatim, s.V)
}

func appendNullInt(b []byte, n Null[int64]) []byte {
	if !n.Valid {
		return append(b, "null"...)
	}
	return appendInt64(b, n.V)
}

func appendNullFloat(b []byte, f Null[float64]) []byte {
	if !f.Valid {
		return append(b, "null"...)
	}
	return appendFloat(b, f.V)
}

func (enc *encoder) nullTime(b []byte, t Null[time.Time]) []byte {
	if !t.Valid {
		return append(b, "null"...)
	}
	return enc.time(b, t.V, true)
}

// appendFloat follows encoding/json's choice of notation, so numbers read the
// same whichever encoder wrote them.
func appendFloat(b []byte, f float64) []byte {
	if b, ok := appendMicros(b, f); ok {
		return b
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendMicros writes f when it is a whole number of millionths below 1e9
// in magnitude (every coordinate and amount this package makes), with the
// digits strconv's shortest form would choose, in a tenth of its time:
// there f's neighbouring doubles are nearer than 1e-6, so the decimal of at
// most six places that rounds to f is the only one, and the shortest. Other
// values (and zero, whose sign strconv keeps) are not ok.
func appendMicros(b []byte, f float64) ([]byte, bool) {
	if !(f > -1e9 && f < 1e9) || f == 0 {
		return b, false
	}
	n := int64(math.Round(f * 1e6))
	if float64(n)/1e6 != f {
		return b, false
	}
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	b = appendInt64(b, n/1e6)
	frac := int(n % 1e6)
	if frac == 0 {
		return b, true
	}
	b, w := extend(b, 7)
	_ = w[6]
	w[0] = '.'
	put2(w[1:], frac/10000)
	put2(w[3:], frac/100%100)
	put2(w[5:], frac%100)
	zeros := 0
	for w[6-zeros] == '0' {
		zeros++
	}
	return b[:len(b)-zeros], true
}

const hexDigits = "0123456789abcdef"

// safeASCII marks the ASCII bytes that need no escaping inside a JSON string.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// needsLook reports whether any of the eight bytes in x is a control
// character, '"', '\\' or not ASCII (the bytes safeASCII does not mark).
func needsLook(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	return (x-0x20*ones)&^x&highs|zero(x^'"'*ones)|zero(x^'\\'*ones)|x&highs != 0
}

// appendString writes s as a JSON string. Control characters are escaped,
// invalid UTF-8 becomes U+FFFD and U+2028/U+2029 are escaped, as encoding/json
// does, so the output is valid JSON (and JavaScript) whatever s holds. HTML
// characters are left alone: nothing here is embedded in HTML.
func appendString(b []byte, s string) []byte { return appendStr(b, false, s) }

// appendStr is appendString, told whether s is known to need no escaping
// (verbatimString).
func appendStr(b []byte, verbatim bool, s string) []byte {
	// Nearly every string here is plain ASCII: one look at it, then a
	// single copy.
	if !verbatim && !plainASCII(s) {
		return appendEscaped(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// verbatimString reports whether appendString writes s as it is, between
// quotes: valid UTF-8 with nothing to escape. Strings joined from such
// strings and ASCII letters, digits and punctuation other than '"' and
// '\\' are too.
func verbatimString(s string) bool {
	return plainASCII(s) || string(appendEscaped(nil, s)) == `"`+s+`"`
}

// plainASCII reports whether s is ASCII with nothing to escape, eight bytes
// at a time, the last eight overlapping the ones before.
func plainASCII(s string) bool {
	n := len(s)
	if n < 8 {
		for i := 0; i < n; i++ {
			if c := s[i]; c >= utf8.RuneSelf || !safeASCII[c] {
				return false
			}
		}
		return true
	}
	for i := 0; i < n-8; i += 8 {
		if needsLook(load64(s[i : i+8])) {
			return false
		}
	}
	return !needsLook(load64(s[n-8:]))
}

func load64(w string) uint64 {
	_ = w[7]
	return uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
}

// appendEscaped is appendString for a string with something to escape.
func appendEscaped(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && !needsLook(load64(s[i:i+8])) {
			i += 8
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if safeASCII[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendTime writes t in UTC as 2026-03-31T17:04:22.000Z, or without the
// fraction when millis is false.
func appendTime(b []byte, t time.Time, millis bool) []byte {
	var enc encoder
	return enc.time(b, t, millis)
}

// time is appendTime. Digits are computed from the Unix time directly
// (time.Format parses its layout on every call), straight into b's spare
// capacity, and the date is kept for the next time on the same day.
func (enc *encoder) time(b []byte, t time.Time, millis bool) []byte {
	ms := t.UnixMilli()
	days := floorDiv(ms, 86_400_000)
	rem := int(ms - days*86_400_000)
	var date *[12]byte
	switch {
	case days == enc.days[0] && enc.dates[0][0] != 0:
		date = &enc.dates[0]
	case days == enc.days[1] && enc.dates[1][0] != 0:
		date = &enc.dates[1]
	default:
		y, m, d := civil(days)
		if y < 0 || y > 9999 {
			layout := "2006-01-02T15:04:05.000Z07:00"
			if !millis {
				layout = time.RFC3339
			}
			b = append(b, '"')
			b = t.UTC().AppendFormat(b, layout)
			return append(b, '"')
		}
		i := enc.older
		enc.older ^= 1
		date = &enc.dates[i]
		enc.days[i] = days
		w := date[:]
		w[0] = '"'
		put2(w[1:], int(y)/100)
		put2(w[3:], int(y)%100)
		w[5] = '-'
		put2(w[6:], m)
		w[8] = '-'
		put2(w[9:], d)
		w[11] = 'T'
	}
	n := 22
	if millis {
		n = 26
	}
	b, w := extend(b, n)
	*(*[12]byte)(w) = *date
	sec := rem / 1000
	put2(w[12:], sec/3600)
	w[14] = ':'
	put2(w[15:], sec/60%60)
	w[17] = ':'
	put2(w[18:], sec%60)
	if !millis {
		w[20], w[21] = 'Z', '"'
		return b
	}
	f := rem % 1000
	_ = w[25]
	w[20] = '.'
	w[21] = byte('0' + f/100)
	put2(w[22:], f%100)
	w[24], w[25] = 'Z', '"'
	return b
}

// extend lengthens b by n bytes, growing it as append would, and returns
// it with the new bytes to fill.
func extend(b []byte, n int) (grown, tail []byte) {
	l := len(b)
	if cap(b)-l < n {
		b = append(b, make([]byte, n)...)
	} else {
		b = b[:l+n]
	}
	return b, b[l:]
}

// digitPairs holds "00" to "99", for writing two digits with one lookup.
var digitPairs = func() (t [200]byte) {
	for i := range 100 {
		t[2*i], t[2*i+1] = byte('0'+i/10), byte('0'+i%10)
	}
	return t
}()

// put2 writes n (0-99) as two digits at w[0:2].
func put2(w []byte, n int) {
	_ = w[1]
	w[0], w[1] = digitPairs[2*n], digitPairs[2*n+1]
}

// appendInt64 is strconv.AppendInt(b, n, 10), written straight into b.
func appendInt64(b []byte, n int64) []byte {
	u := uint64(n)
	if n < 0 {
		b = append(b, '-')
		u = -u
	}
	if u < 10 {
		return append(b, byte('0'+u))
	}
	b, w := extend(b, decimalLen(u))
	i := len(w)
	for u >= 100 {
		q := u / 100
		i -= 2
		put2(w[i:], int(u-q*100))
		u = q
	}
	if u >= 10 {
		put2(w[i-2:], int(u))
	} else {
		w[i-1] = byte('0' + u)
	}
	return b
}

// pow10 holds 10^0 to 10^19, every power of ten a uint64 holds.
var pow10 = func() (t [20]uint64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

// decimalLen is how many decimal digits u has (1 for 0).
func decimalLen(u uint64) int {
	// bits·1233/4096 is log10(2^bits) rounded down: the digit count or
	// one short of it.
	n := bits.Len64(u) * 1233 >> 12
	if u >= pow10[n] {
		n++
	}
	return max(n, 1)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date, by
// Neri and Schneider's Euclidean affine functions ("Euclidean affine
// functions and their application to calendar algorithms", 2022): 32-bit
// multiplications and shifts where civilHinnant divides. Outside the range
// that fits their 32 bits (years about -32,800 to 2.9 million) it is
// civilHinnant, which a test checks it against day by day.
func civil(days int64) (year int64, month, day int) {
	const (
		s       = 82                // 400-year cycles the day count is shifted by, to stay unsigned
		k       = 719468 + 146097*s // days from 0000-03-01 - 400·s years to 1970-01-01
		l       = 400 * s           // years of that shift
		maxDays = 1<<30 - 1 - k     // 4n+3 fits 32 bits
	)
	if days < -k || days > maxDays {
		return civilHinnant(days)
	}
	n := uint32(days + k)
	// Century.
	n1 := 4*n + 3
	c := n1 / 146097
	nc := n1 % 146097 / 4
	// Year of the century, and day of the year from March 1st.
	n2 := 4*nc + 3
	p2 := uint64(2939745) * uint64(n2)
	z := uint32(p2 >> 32)
	ny := uint32(p2) / 2939745 / 4
	y := 100*c + z
	// Month and day, March-based.
	n3 := 2141*ny + 197913
	m := n3 >> 16
	d := (n3 & 0xffff) / 2141
	if ny >= 306 { // January or February: the next year's
		y++
		m -= 12
	}
	return int64(y) - l, int(m), int(d + 1)
}

// civilHinnant is civil by Howard Hinnant's days_from_civil inverse, for
// any int64 day count.
func civilHinnant(days int64) (year int64, month, day int) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, int(m), int(d)
}
