package generator

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// zipPrefixes are the first three digits of each state's ZIP codes
// (USPS sectional centres), as ranges: an independent table, so a ZIP
// that wandered into another state's range is caught.
var zipPrefixes = map[string][][2]int{
	"AL": {{350, 369}}, "AK": {{995, 999}}, "AZ": {{850, 865}}, "AR": {{716, 729}},
	"CA": {{900, 961}}, "CO": {{800, 816}}, "CT": {{60, 69}}, "DE": {{197, 199}},
	"DC": {{200, 205}}, "FL": {{320, 349}}, "GA": {{300, 319}, {398, 399}}, "HI": {{967, 968}},
	"ID": {{832, 838}}, "IL": {{600, 629}}, "IN": {{460, 479}}, "IA": {{500, 528}},
	"KS": {{660, 679}}, "KY": {{400, 427}}, "LA": {{700, 714}}, "ME": {{39, 49}},
	"MD": {{206, 219}}, "MA": {{10, 27}, {55, 55}}, "MI": {{480, 499}}, "MN": {{550, 567}},
	"MS": {{386, 397}}, "MO": {{630, 658}}, "MT": {{590, 599}}, "NE": {{680, 693}},
	"NV": {{889, 898}}, "NH": {{30, 38}}, "NJ": {{70, 89}}, "NM": {{870, 884}},
	"NY": {{100, 149}, {5, 5}, {63, 63}}, "NC": {{270, 289}}, "ND": {{580, 588}}, "OH": {{430, 459}},
	"OK": {{730, 749}}, "OR": {{970, 979}}, "PA": {{150, 196}}, "RI": {{28, 29}},
	"SC": {{290, 299}}, "SD": {{570, 577}}, "TN": {{370, 385}}, "TX": {{750, 799}, {885, 885}},
	"UT": {{840, 847}}, "VT": {{50, 59}}, "VA": {{201, 201}, {220, 246}}, "WA": {{980, 994}},
	"WV": {{247, 268}}, "WI": {{530, 549}}, "WY": {{820, 831}},
}

func zipFitsState(zip, state string) bool {
	n, err := strconv.Atoi(zip)
	if err != nil || len(zip) != 5 {
		return false
	}
	for _, r := range zipPrefixes[state] {
		if n/100 >= r[0] && n/100 <= r[1] {
			return true
		}
	}
	return false
}

// Every ZIP of the gazetteer fits its state and its city's region (the
// centre's first three digits), and no two cities share one.
func TestGazetteerZIPs(t *testing.T) {
	owner := map[string]string{}
	several := 0
	for _, p := range places {
		if p.ZIPs[0] != p.ZIP {
			t.Errorf("%s %s: the centre's ZIP %s is not first in %v", p.City, p.State, p.ZIP, p.ZIPs)
		}
		if len(p.ZIPs) > 1 {
			several++
		}
		for _, z := range p.ZIPs {
			if !zipFitsState(z, p.State) {
				t.Errorf("%s %s: ZIP %s is outside the state's ranges", p.City, p.State, z)
			}
			if z[:3] != p.ZIP[:3] {
				t.Errorf("%s %s: ZIP %s is outside the region of %s", p.City, p.State, z, p.ZIP)
			}
			if o, dup := owner[z]; dup {
				t.Errorf("ZIP %s belongs to %s and %s %s", z, o, p.City, p.State)
			}
			owner[z] = p.City + " " + p.State
		}
	}
	if several < len(places)*9/10 {
		t.Errorf("%d of %d cities have more than one ZIP", several, len(places))
	}
}

// eachProjectAddress calls fn with the address, city and state of the
// record of a PROJECT_CREATED payload of each seed from 1 to seeds, where
// the record has an address; one without its city or state is an error.
func eachProjectAddress(t *testing.T, seeds uint64, fn func(seed uint64, address, city, state string)) {
	t.Helper()
	for seed := uint64(1); seed <= seeds; seed++ {
		body, err := New(seed).JSON("PROJECT_CREATED")
		if err != nil {
			t.Fatal(err)
		}
		var p struct {
			Record struct {
				Address, City, State *string
			}
		}
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		r := p.Record
		if r.Address == nil {
			continue
		}
		if r.City == nil || r.State == nil {
			t.Errorf("seed %d: address %q without its city (%v) or state (%v)", seed, *r.Address, r.City, r.State)
			continue
		}
		fn(seed, *r.Address, *r.City, *r.State)
	}
}

// Over many seeds, the generated addresses give a city several ZIPs, each
// fitting the state, and a street always the same ZIP.
func TestGeneratedZIPs(t *testing.T) {
	zipsOf := map[string]map[string]bool{} // "City ST" -> ZIPs seen
	streetZIP := map[string]string{}       // "City ST|street" -> ZIP
	n := 0
	eachProjectAddress(t, 3000, func(seed uint64, addr, city, state string) {
		n++
		zip := addr[len(addr)-5:]
		if !zipFitsState(zip, state) {
			t.Errorf("seed %d: %q: ZIP %s is not in %s", seed, addr, zip, state)
		}
		key := city + " " + state
		if zipsOf[key] == nil {
			zipsOf[key] = map[string]bool{}
		}
		zipsOf[key][zip] = true
		// "123 Oak St Austin TX 78701": the street is what lies between
		// the number and the suffix.
		words := strings.Fields(strings.TrimSuffix(addr, " "+key+" "+zip))
		street := key + "|" + strings.Join(words[1:len(words)-1], " ")
		if z, ok := streetZIP[street]; ok && z != zip {
			t.Errorf("seed %d: %s has ZIP %s and %s", seed, street, z, zip)
		}
		streetZIP[street] = zip
	})
	multi := 0
	for _, zs := range zipsOf {
		if len(zs) > 1 {
			multi++
		}
	}
	if n < 2500 || multi < len(zipsOf)/2 {
		t.Errorf("%d addresses in %d cities; %d cities with more than one ZIP", n, len(zipsOf), multi)
	}
	t.Logf("%d addresses in %d cities; %d cities with more than one ZIP", n, len(zipsOf), multi)
}
