package generator

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // StateLocation works without a zone database
)

//go:embed data/gazetteer.csv
var gazetteerCSV []byte

//go:embed data/states.csv
var statesCSV []byte

// Place is one row of the embedded gazetteer: a real US city with its ZIP
// codes, its county, coordinates and main area code.
type Place struct {
	City, State, ZIP, County string
	// ZIPs are the city's ZIP codes, ZIP (the centre's) first; the others
	// share its first three digits (its sectional centre, so its region
	// and state).
	ZIPs []string
	// Municipality is the kind of local government that issues permits:
	// city, town, township, village, or none when the place is
	// unincorporated and the county does.
	Municipality string
	Lat, Lng     float64
	AreaCode     string

	state *stateInfo
	// cityFNV is FNV-1a of City, where zipOf's hash of city and street
	// resumes.
	cityFNV uint32
	// Permitting authorities named after the place, fixed per place so the
	// same city always has the same jurisdiction name and id.
	cityJur, countyJur Jurisdiction
}

type stateInfo struct {
	code, name string
	utcOffset  int  // hours, during daylight saving time
	dst        bool // Arizona and Hawaii stay on standard time
	weight     float64
	areaCodes  []string
	places     []int
	streets    []string // regionalStreets of the state, kept here so a pick needs no lookup
}

var (
	places    []Place
	states    []*stateInfo
	stateByID = map[string]*stateInfo{}
	// placeTable maps a uniform draw to a place index, with each state's
	// share following its weight; one draw and one index per pick.
	placeTable []uint16
)

// Places returns a copy of the embedded gazetteer.
func Places() []Place {
	out := make([]Place, len(places))
	copy(out, places)
	for i := range out {
		out[i].ZIPs = slices.Clone(out[i].ZIPs)
	}
	return out
}

// StateAreaCodes returns the area codes of a state (two-letter code) that
// generated phone numbers may use, or nil for a state the gazetteer lacks.
func StateAreaCodes(state string) []string {
	if s := stateByID[state]; s != nil {
		return append([]string(nil), s.areaCodes...)
	}
	return nil
}

func init() {
	if err := loadGazetteer(); err != nil {
		panic("generator: embedded data: " + err.Error()) // caught by every test
	}
}

func readCSV(data []byte, fields int) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = fields
	return r.ReadAll()
}

func loadGazetteer() error {
	rows, err := readCSV(statesCSV, 5)
	if err != nil {
		return fmt.Errorf("states.csv: %w", err)
	}
	for _, row := range rows {
		off, err1 := strconv.Atoi(row[2])
		w, err2 := strconv.ParseFloat(row[3], 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("states.csv: bad row %v", row)
		}
		s := &stateInfo{code: row[0], name: row[1], utcOffset: off, weight: w, areaCodes: strings.Fields(row[4]),
			dst: row[0] != "AZ" && row[0] != "HI", streets: regionalStreets[row[0]]}
		states = append(states, s)
		stateByID[s.code] = s
	}
	rows, err = readCSV(gazetteerCSV, 8)
	if err != nil {
		return fmt.Errorf("gazetteer.csv: %w", err)
	}
	for _, row := range rows {
		lat, err1 := strconv.ParseFloat(row[5], 64)
		lng, err2 := strconv.ParseFloat(row[6], 64)
		st := stateByID[row[1]]
		if err1 != nil || err2 != nil || st == nil {
			return fmt.Errorf("gazetteer.csv: bad row %v", row)
		}
		zips := strings.Fields(row[2])
		if len(zips) == 0 {
			return fmt.Errorf("gazetteer.csv: no ZIP code in row %v", row)
		}
		p := Place{City: row[0], State: row[1], ZIP: zips[0], ZIPs: zips, County: row[3], Municipality: row[4],
			Lat: lat, Lng: lng, AreaCode: row[7], state: st}
		p.cityJur, p.countyJur = jurisdictionsOf(&p)
		p.cityFNV = fnv1a(2166136261, p.City)
		st.places = append(st.places, len(places))
		places = append(places, p)
	}
	const tableSize = 1 << 13
	var total float64
	for _, s := range states {
		if len(s.places) > 0 {
			total += s.weight
		}
	}
	placeTable = make([]uint16, 0, tableSize+len(places))
	for _, s := range states {
		if len(s.places) == 0 {
			continue
		}
		n := max(len(s.places), int(s.weight/total*tableSize+0.5))
		for i := range n {
			placeTable = append(placeTable, uint16(s.places[i%len(s.places)]))
		}
	}
	return nil
}

// offsetOn returns the state's UTC offset in hours on the UTC day that
// starts days days after 1970-01-01: US daylight saving time runs from the
// second Sunday of March to the first Sunday of November.
func (s *stateInfo) offsetOn(days int64) int {
	if !s.dst {
		return s.utcOffset
	}
	_, m, d := civil(days)
	weekday := int((days%7 + 7 + 4) % 7) // 1970-01-01 was a Thursday
	// The date of this month's first Sunday.
	firstSunday := (d-1-weekday+7*5)%7 + 1
	switch {
	case m > 3 && m < 11,
		m == 3 && d >= firstSunday+7,
		m == 11 && d < firstSunday:
		return s.utcOffset
	}
	return s.utcOffset - 1
}

var municipalityPrefix = map[string]string{
	"city": "City of ", "town": "Town of ", "township": "Township of ", "village": "Village of ",
}

// jurisdictionsOf names a place's city and county permitting authorities. The
// wording varies between places, as it does in life, but is fixed per place.
func jurisdictionsOf(p *Place) (city, county Jurisdiction) {
	cityForms := []string{" Building Department", " Development Services", " Permit Center", " Building and Safety"}
	countyForms := []string{" Development Services", " Building Department", " Planning and Permitting", " Building Inspections"}
	if pre, ok := municipalityPrefix[p.Municipality]; ok {
		h := hash32(p.City + "," + p.State)
		city = Jurisdiction{ID: int64(100 + h%9900), Name: pre + p.City + cityForms[h/9900%uint32(len(cityForms))]}
	}
	if p.County != "" {
		h := hash32(p.County + "," + p.State)
		county = Jurisdiction{ID: int64(100 + h%9900), Name: p.County + countyForms[h/9900%uint32(len(countyForms))]}
	}
	return city, county
}

func hash32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// StateLocation returns the time zone of a state (two-letter code) in the
// gazetteer, the one most of its people live in, or nil for a state the
// gazetteer lacks. The zone follows the state's row in states.csv: its UTC
// offset in summer, and whether it keeps daylight saving time.
func StateLocation(state string) *time.Location { return stateLocations()[state] }

var stateLocations = sync.OnceValue(func() map[string]*time.Location {
	zones := map[int]string{-4: "America/New_York", -5: "America/Chicago", -6: "America/Denver",
		-7: "America/Los_Angeles", -8: "America/Anchorage", -10: "Pacific/Honolulu"}
	m := map[string]*time.Location{}
	for _, s := range states {
		name := zones[s.utcOffset]
		if !s.dst && s.code == "AZ" {
			name = "America/Phoenix"
		}
		loc, err := time.LoadLocation(name)
		if err != nil || name == "" {
			// Without a zone for it: the summer offset all year.
			loc = time.FixedZone(s.code, s.utcOffset*3600)
		}
		m[s.code] = loc
	}
	return m
})

// zipOf is the ZIP code of a street in the place: one of the city's, the
// same for every address on that street (no random draw, so adding ZIP
// codes changed no other value a seed gives).
func (p *Place) zipOf(street string) string {
	if len(p.ZIPs) < 2 {
		return p.ZIP
	}
	// FNV-1a of city and street, as hash/fnv computes it, resumed from
	// the city's.
	return p.ZIPs[fnv1a(p.cityFNV, street)%uint32(len(p.ZIPs))]
}

// fnv1a continues the 32-bit FNV-1a hash h over s.
func fnv1a(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}
