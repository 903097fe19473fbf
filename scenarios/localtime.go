package scenarios

import (
	"strings"
	"sync"
	"time"

	"github.com/coperniq-mock/coperniq-mock/generator"
)

// People work Monday to Friday, in the site's local time. A step done by a
// person lands between workStart and workEnd on a working day; the events
// that follow it within the step (a moment later) and field visits stay
// within 7:00-19:00 local.
const (
	workStart = 7*hour + 30*minute
	workEnd   = 18*hour + 30*minute
	// Appointments are booked on the half hour from 8:00 to the last slot.
	apptFirst = 8 * hour
	apptSlots = 15 // 8:00 .. 15:00
	// Field visits start on the half hour from fieldFirst.
	fieldFirst = 7*hour + 30*minute
	fieldSlots = 6 // 7:30 .. 10:00
	// Field work ends by then.
	fieldEnd = 18*hour + 30*minute
)

// defaultLocation is the zone of a record whose site and phone say nothing
// of where it is: the middle of the country.
var defaultLocation = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation("America/Chicago"); err == nil {
		return loc
	}
	return time.FixedZone("CST", -6*3600)
})

// areaCodeStates maps an area code to the state whose gazetteer places
// use it.
var areaCodeStates = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, p := range generator.Places() {
		m[p.AreaCode] = p.State
	}
	return m
})

// recordLocation is the time zone a record's people work in: its site's
// state's, or, for a record with no address on file, its phone's area
// code's, else Chicago's.
func recordLocation(r *generator.Record) *time.Location {
	if r.State.Valid {
		if loc := generator.StateLocation(r.State.V); loc != nil {
			return loc
		}
	}
	if p := r.PrimaryPhone; p.Valid && len(p.V) >= 5 && strings.HasPrefix(p.V, "+1") {
		if loc := generator.StateLocation(areaCodeStates()[p.V[2:5]]); loc != nil {
			return loc
		}
	}
	return defaultLocation()
}

func workday(t time.Time) bool {
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// clockOf is the local time of day of t in loc.
func clockOf(t time.Time, loc *time.Location) time.Duration {
	lt := t.In(loc)
	return time.Duration(lt.Hour())*hour + time.Duration(lt.Minute())*minute +
		time.Duration(lt.Second())*time.Second + time.Duration(lt.Nanosecond())
}

// at is the instant of the local time of day c on t's local calendar day,
// plus days days.
func localAt(t time.Time, loc *time.Location, days int, c time.Duration) time.Time {
	lt := t.In(loc)
	return time.Date(lt.Year(), lt.Month(), lt.Day()+days, 0, 0, 0, 0, loc).Add(c)
}

// nextWorkday is the local midnight of the first working day at least
// days days after t's local day.
func nextWorkday(t time.Time, loc *time.Location, days int) time.Time {
	d := localAt(t, loc, days, 0)
	for !workday(d) {
		d = localAt(d, loc, 1, 0)
	}
	return d
}

// addWorkdays is the local midnight days working days after t's local day
// (t's own day when days is 0 and it is a working day).
func addWorkdays(t time.Time, loc *time.Location, days int) time.Time {
	d := nextWorkday(t, loc, 0)
	for range days {
		d = nextWorkday(d, loc, 1)
	}
	return d
}

// inWorkingHours reports whether t falls on a working day between lo and
// hi local time.
func inWorkingHours(t time.Time, loc *time.Location, lo, hi time.Duration) bool {
	c := clockOf(t, loc)
	return workday(t.In(loc)) && c >= lo && c < hi
}

// workingHours moves t, when it falls outside working hours at loc (at
// night or on a weekend), to the next working morning, within the first
// two hours of the day.
func (w *world) workingHours(t time.Time, loc *time.Location) time.Time {
	if inWorkingHours(t, loc, workStart, workEnd) {
		return t
	}
	days := 0
	if clockOf(t, loc) >= workStart {
		days = 1
	}
	d := nextWorkday(t, loc, days)
	return localAt(d, loc, 0, 8*hour+time.Duration(w.rng.Int64N(int64(2*hour/time.Millisecond)))*time.Millisecond)
}

// apptSlot moves t, when it is not an appointment slot on a working day
// at loc, to a slot on the next working day.
func (w *world) apptSlot(t time.Time, loc *time.Location) time.Time {
	if inWorkingHours(t, loc, apptFirst, apptFirst+(apptSlots-1)*30*minute+minute) {
		return t
	}
	days := 0
	if clockOf(t, loc) >= apptFirst {
		days = 1
	}
	return localAt(nextWorkday(t, loc, days), loc, 0, apptFirst+time.Duration(w.rng.IntN(apptSlots))*30*minute)
}

// stepLocation is the zone of the people a step is done by: those of the
// record it concerns, or of the one it creates.
func (w *world) stepLocation(in *inst) *time.Location {
	if in.pre != nil {
		r := *in.pre
		applyOrigin(&r, in.recordNamed("account"), in.recordNamed("from"))
		return recordLocation(&r)
	}
	for _, p := range in.st.kind.params {
		if p.typ != pRef || !in.has(p.name) {
			continue
		}
		switch e := in.scope.lookup(in.text(p.name)).(type) {
		case *recordEnt:
			return e.loc
		case *woEnt:
			return e.re.loc
		case *apptEnt:
			return e.re.loc
		case *callEnt:
			return e.re.loc
		}
	}
	return defaultLocation()
}
