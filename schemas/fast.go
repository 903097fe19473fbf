package schemas

import (
	"bytes"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The fast path. Validating a payload with the JSON Schema library took
// ~50 µs: decoding into maps, walking the compiled schemas, and then the
// cross-field and raw-byte rules in passes of their own. Nearly every
// payload a receiver or `validate` sees is clean, and for a clean payload
// the answer is only "no violation". So Validate first asks
// fastValidator.check, a single pass over the bytes against shapes compiled at start-up from the
// same Go tables and vocabulary the schema files are generated from
// (definitions, extraProps, Vocabulary.Trigger and Vocabulary.def, the
// rules of propSchema). It checks JSON syntax, every schema keyword the
// files use, the raw rules (UTF-8, duplicate keys) and the cross-field and
// range rules, and says "clean" only when the full validator would report
// no violation at all, warnings included. Anything else, a payload with a
// problem or one it does not handle (deeper than fastMaxDepth), goes to the
// full validator, which finds and words every violation as before. So the
// result of Validate is the full validator's on every input as long as
// "clean" is never said wrongly: FuzzFastMatchesFull and
// TestFastMatchesFull check that, and that every clean payload is
// recognised as such.

// fastValidator holds the shapes of one vocabulary.
type fastValidator struct {
	triggers [2]map[string]*fnode // by Level, then triggerKey: the root shape
	envelope *fnode               // contract level, a triggerKey of no known trigger
	// completed is the vocabulary's completed work-order status, the
	// one a completionDate goes with.
	completed string
}

// JSON kinds of a value, as bits of a type mask.
const (
	tNull uint8 = 1 << iota
	tBool
	tInteger // a number with no fractional part (integerExt's rule)
	tNumber
	tString
	tArray
	tObject
)

// fnode is the shape of one value: the conjunction of everything the schema
// files say about the value at that place.
type fnode struct {
	types uint8 // allowed kinds; tNumber includes integers
	// strings
	enums     []map[string]bool // each must hold the string (enum, const)
	minLength int
	pattern   *regexp.Regexp
	format    func(any) error // the library's own format check (strict)
	// isDateTime: format is date-time, which plainDateTime answers for
	// the common form.
	isDateTime bool
	// arrays
	items *fnode
	// objects
	props    map[string]*fprop
	order    []*fprop // props in the order of the schema, which payloads follow
	required uint64   // bits of the props that must be present
	closed   bool     // no property outside props
}

type fprop struct {
	name  string
	index int // in order
	bit   uint64
	node  *fnode
	slot  int // where the rules read its value, slotNone if they do not
}

// Formats, taken from the library so that the fast path asserts exactly
// what the full one does.
var (
	formatDateTime = libraryFormat("date-time")
	formatEmail    = libraryFormat("email")
)

func libraryFormat(name string) func(any) error {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("format.json", map[string]any{"format": name}); err != nil {
		panic(err)
	}
	s, err := c.Compile("format.json")
	if err != nil || s.Format == nil {
		panic("schemas: the JSON Schema library has no format " + name)
	}
	return s.Format.Validate
}

// newFastValidator compiles the shapes of v (nil: the built-in
// vocabulary), mirroring GenerateFilesFor: defFile, triggerFile,
// envelopeFile and propSchema.
func newFastValidator(v *Vocabulary) *fastValidator {
	fv := &fastValidator{completed: v.WorkOrderStatusName("COMPLETED")}
	for _, level := range Levels() {
		defs := map[string]*definition{}
		for _, d := range definitions {
			defs[d.name] = v.def(d)
		}
		fv.triggers[level] = map[string]*fnode{}
		for _, t := range triggers {
			root := fastTriggerShape(v.Trigger(t), level, defs)
			assignSlots(root, slotRoot)
			fv.triggers[level][t.Key] = root
		}
		if level == Contract {
			fv.envelope = fastEnvelopeShape(defs)
			assignSlots(fv.envelope, slotRoot)
		}
	}
	return fv
}

// newObject is an object shape, with no property yet.
func newObject(types uint8) *fnode {
	return &fnode{types: types, props: map[string]*fprop{}}
}

// add adds (or, for a property both a definition and a trigger file
// constrain, merges into) the property name.
func (n *fnode) add(name string, s *fnode, required bool) {
	p, ok := n.props[name]
	if !ok {
		if len(n.props) >= 64 {
			panic("schemas: more than 64 properties in one object")
		}
		p = &fprop{name: name, index: len(n.order), bit: 1 << len(n.props), node: s}
		n.props[name] = p
		n.order = append(n.order, p)
	} else if s != nil {
		p.node = p.node.and(s)
	}
	if required {
		n.required |= p.bit
	}
}

// and is the conjunction of two scalar shapes (a definition's type and a
// trigger file's const or enum).
func (n *fnode) and(o *fnode) *fnode {
	c := *n
	c.types &= o.types
	c.enums = append(append([]map[string]bool(nil), n.enums...), o.enums...)
	return &c
}

func setOf(vals []string) map[string]bool {
	m := make(map[string]bool, len(vals))
	for _, s := range vals {
		m[s] = true
	}
	return m
}

// defShape is defFile: the properties of d at level.
func defShape(d *definition, level Level, defs map[string]*definition) *fnode {
	var types uint8 = allTypes // untyped: the use site says [object, null]
	if d.typed {
		types = tObject
	}
	n := newObject(types)
	for _, p := range d.props {
		n.add(p.name, propShape(p, level, defs), true)
	}
	n.closed = level == Strict && !d.extensible
	return n
}

const allTypes = tNull | tBool | tInteger | tNumber | tString | tArray | tObject

func typeBits(k propKind, nullable bool) uint8 {
	var t uint8
	switch k {
	case kindInteger:
		t = tInteger
	case kindNumber:
		t = tNumber
	case kindBoolean:
		t = tBool
	case kindStringArr:
		t = tArray
	case kindObject:
		t = tObject
	default:
		t = tString
	}
	if nullable {
		t |= tNull
	}
	return t
}

// propShape is propSchema.
func propShape(p prop, level Level, defs map[string]*definition) *fnode {
	if level == Strict && p.alwaysNull {
		return &fnode{types: tNull}
	}
	closed := level == Strict && len(p.enum) > 0
	switch p.kind {
	case kindObject:
		n := defShape(defs[p.def], level, defs)
		n.types &= typeBits(kindObject, p.nullable)
		return n
	case kindStringArr:
		items := &fnode{types: tString}
		if closed {
			items.enums = []map[string]bool{setOf(p.enum)}
		}
		return &fnode{types: typeBits(kindStringArr, p.nullable), items: items}
	}
	k := p.kind
	if level == Contract && p.documentedNumber {
		k = kindNumber
	}
	n := &fnode{types: typeBits(k, p.nullable)}
	if level == Strict {
		switch p.kind {
		case kindDateTime:
			n.format, n.isDateTime = formatDateTime, true
		case kindEmail:
			n.format = formatEmail
		}
		n.minLength = p.minLength
		if p.pattern != "" {
			n.pattern = regexp.MustCompile(p.pattern)
		}
	}
	if closed {
		// A null in the enum matters only where the type allows it.
		n.enums = []map[string]bool{setOf(p.enum)}
	}
	return n
}

// fastTriggerShape is triggerFile.
func fastTriggerShape(t Trigger, level Level, defs map[string]*definition) *fnode {
	root := newObject(tObject)
	root.closed = level == Strict

	ev := defShape(defs["event"], level, defs)
	ev.add("triggerKey", &fnode{types: allTypes, enums: []map[string]bool{{t.Key: true}}}, false)
	if level == Strict {
		ev.add("triggerName", &fnode{types: allTypes, enums: []map[string]bool{{t.Name: true}}}, false)
	}
	for _, p := range extraProps(t) {
		ev.add(p.name, propShape(p, level, defs), true)
	}
	if level == Strict {
		ev.closed = true // unevaluatedProperties: false
	}
	root.add("event", ev, true)

	rec := defShape(defs["record"], level, defs)
	if level == Strict {
		rec.add("type", &fnode{types: allTypes, enums: []map[string]bool{setOf(t.RecordTypes)}}, false)
	}
	root.add("record", rec, level == Strict && !t.RecordOptional)
	if t.WorkOrder {
		root.add("workOrder", defShape(defs["workOrder"], level, defs), true)
	}
	return root
}

// fastEnvelopeShape is envelopeFile.
func fastEnvelopeShape(defs map[string]*definition) *fnode {
	root := newObject(tObject)
	root.add("event", defShape(defs["event"], Contract, defs), true)
	root.add("record", defShape(defs["record"], Contract, defs), false)
	root.add("workOrder", defShape(defs["workOrder"], Contract, defs), false)
	return root
}

// check reports whether payload is clean at level: valid JSON that the
// full validator would pass with no violation and no warning. false means
// "ask the full validator", not necessarily that something is wrong.
func (fv *fastValidator) check(payload []byte, level Level) (Validation, bool) {
	if !level.valid() {
		return Validation{}, false
	}
	s := scanners.Get().(*fastScanner)
	defer s.release()
	s.reset(payload)
	key, ok := s.findTriggerKey()
	if !ok {
		return Validation{}, false // no string event.triggerKey: a violation at either level
	}
	root, known := fv.triggers[level][key]
	if !known {
		if level == Strict {
			return Validation{}, false // an unknown trigger is a strict violation
		}
		root = fv.envelope
	}
	s.pos = 0 // findTriggerKey recorded nothing, and left no key behind
	if !s.value(root, slotRoot, 0) {
		return Validation{}, false
	}
	s.skipSpace()
	if s.pos != len(s.data) || !s.rulesClean(key, level, fv.completed) {
		return Validation{}, false
	}
	return Validation{TriggerKey: key, Known: known}, true
}

// Where a value sits, for the rules: the objects whose members the rules
// read, and the members themselves.
const (
	slotNone = iota
	slotRoot
	slotEvent
	slotRecord
	slotWorkOrder
	slotGeo
	slotStage
	slotJurisdiction
	// members
	evRecordID
	evWorkOrderID
	evCurrentStatus
	evPreviousStatus
	evFiredAt
	evEventID
	evPhaseInstanceID
	evPhaseTemplateID
	evAppointmentID
	evTriggerKey
	recID
	recUID
	recOwnerID
	recType
	recCreatedAt
	recUpdatedAt
	recDealValue
	recGeoLocation
	recStage
	recJurisdiction
	geoLat
	geoLng
	stageID
	jurisdictionID
	woID
	woUID
	woRecordID
	woAssigneeID
	woStatus
	woCreatedAt
	woModifiedAt
	woStartDate
	woEndDate
	woCompletionDate
	woPriority
	numSlots
)

// slotMembers maps, for each object the rules read, a member name to its
// slot.
var slotMembers = [...]map[string]int{
	slotRoot: {"event": slotEvent, "record": slotRecord, "workOrder": slotWorkOrder},
	slotEvent: {"recordId": evRecordID, "workOrderId": evWorkOrderID, "currentStatus": evCurrentStatus,
		"previousStatus": evPreviousStatus, "firedAt": evFiredAt, "eventId": evEventID,
		"phaseInstanceId": evPhaseInstanceID, "phaseTemplateId": evPhaseTemplateID, "appointmentId": evAppointmentID,
		"triggerKey": evTriggerKey},
	slotRecord: {"id": recID, "uid": recUID, "ownerId": recOwnerID, "type": recType, "createdAt": recCreatedAt,
		"updatedAt": recUpdatedAt, "dealValue": recDealValue, "geoLocation": recGeoLocation, "stage": recStage,
		"jurisdiction": recJurisdiction},
	slotWorkOrder: {"id": woID, "uid": woUID, "recordId": woRecordID, "assigneeId": woAssigneeID, "status": woStatus,
		"createdAt": woCreatedAt, "modifiedAt": woModifiedAt, "startDate": woStartDate, "endDate": woEndDate,
		"completionDate": woCompletionDate, "priority": woPriority},
	slotGeo:          {"lat": geoLat, "lng": geoLng},
	slotStage:        {"id": stageID},
	slotJurisdiction: {"id": jurisdictionID},
}

// assignSlots tells the properties of n, an object the rules read (ctx),
// where their values go.
func assignSlots(n *fnode, ctx int) {
	for _, p := range n.order {
		p.slot = slotMembers[ctx][p.name]
		if sub := objectSlot(p.slot); sub != slotNone && sub != ctx {
			assignSlots(p.node, sub)
		}
	}
}

// objectSlot is the slot of the object a member slot holds, for the
// members that are objects the rules look into.
func objectSlot(slot int) int {
	switch slot {
	case slotRoot, slotEvent, slotRecord, slotWorkOrder:
		return slot
	case recGeoLocation:
		return slotGeo
	case recStage:
		return slotStage
	case recJurisdiction:
		return slotJurisdiction
	}
	return slotNone
}

// fval is what the rules need of a value.
type fval struct {
	kind uint8 // 0 when absent, else one of the t* bits (tNumber for every number)
	num  float64
	// integral: num has no fractional part; huge: the number was beyond
	// float64 (num is then an infinity), as decode's stand-in keeps it;
	// exact: num is the number's value exactly, certainly (an integer of up
	// to 15 digits, written plainly).
	integral, huge, exact bool
	// str is a string's text: in the payload, or a copy when it had
	// escapes; a number's text, in the payload.
	str []byte
	// when is the time str reads as, once after has parsed it.
	when   time.Time
	parsed uint8 // 0: not yet, 1: a time, 2: not RFC 3339
}

// fastMaxDepth bounds the nesting the fast path walks; deeper documents go
// to the full validator.
const fastMaxDepth = 200

type fastScanner struct {
	data  []byte
	pos   int
	slots [numSlots]fval
	// keys holds the names of the unknown members of the open objects,
	// innermost last, to find duplicates among them.
	keys [][]byte // in data, or a copy when escaped
	str  []byte   // the current string, unescaped: in data, or in buf
	// escaped: str is in buf
	escaped bool
	buf     []byte
}

// release returns s to the pool holding nothing of the payload.
func (s *fastScanner) release() {
	s.reset(nil)
	scanners.Put(s)
}

// scanners are reused: a scanner is a few KiB, and a payload should cost
// no allocation.
var scanners = sync.Pool{New: func() any { return &fastScanner{buf: make([]byte, 0, 256)} }}

func (s *fastScanner) reset(data []byte) {
	s.data, s.pos = data, 0
	s.slots = [numSlots]fval{}
	clear(s.keys)
	s.keys = s.keys[:0]
	s.str = nil
	if cap(s.buf) > 64<<10 {
		s.buf = make([]byte, 0, 256) // one huge string does not stay pinned
	}
}

func (s *fastScanner) skipSpace() { s.pos = skipSpace(s.data, s.pos) }

// value checks the value at pos against n (nil: any value) and records it
// in slot. It returns false at the first problem.
func (s *fastScanner) value(n *fnode, slot, depth int) bool {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return false
	}
	var kind uint8
	switch c := s.data[s.pos]; {
	case c == '{':
		if n != nil && n.types&tObject == 0 {
			return false
		}
		return s.object(n, objectSlot(slot), slot, depth+1)
	case c == '[':
		if n != nil && n.types&tArray == 0 {
			return false
		}
		var items *fnode
		if n != nil {
			items = n.items
		}
		if slot != slotNone {
			s.slots[slot] = fval{kind: tArray}
		}
		return s.array(items, depth+1)
	case c == '"':
		return s.stringValue(n, slot)
	case c == 't':
		kind = tBool
		if !s.literal("true") {
			return false
		}
	case c == 'f':
		kind = tBool
		if !s.literal("false") {
			return false
		}
	case c == 'n':
		kind = tNull
		if !s.literal("null") {
			return false
		}
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number(n, slot)
	default:
		return false
	}
	if n != nil && n.types&kind == 0 {
		return false
	}
	if slot != slotNone {
		s.slots[slot] = fval{kind: kind}
	}
	return true
}

func (s *fastScanner) literal(lit string) bool {
	if len(s.data)-s.pos < len(lit) || string(s.data[s.pos:s.pos+len(lit)]) != lit {
		return false
	}
	s.pos += len(lit)
	return true
}

func (s *fastScanner) object(n *fnode, objSlot, slot, depth int) bool {
	if depth > fastMaxDepth {
		return false
	}
	if slot != slotNone {
		s.slots[slot] = fval{kind: tObject}
	}
	s.pos++ // {
	var members map[string]int
	if objSlot != slotNone {
		members = slotMembers[objSlot]
	}
	var seen uint64
	next := 0 // the index in n.order of the property expected next
	base := len(s.keys)
	defer func() { s.keys = s.keys[:base] }()
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return n == nil || n.required == 0
	}
	for {
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return false
		}
		if !s.scanString() {
			return false
		}
		key := s.str
		var p *fprop
		if n != nil {
			// Payloads list properties in schema order: a comparison
			// instead of a hash, nearly always.
			if next < len(n.order) && n.order[next].name == string(key) {
				p = n.order[next]
			} else {
				p = n.props[string(key)]
			}
		}
		if p != nil {
			next = p.index + 1
			if seen&p.bit != 0 {
				return false // a duplicate key
			}
			seen |= p.bit
		} else {
			if n != nil && n.closed {
				return false
			}
			for _, k := range s.keys[base:] {
				if bytes.Equal(k, key) {
					return false // a duplicate key
				}
			}
			if s.escaped {
				key = bytes.Clone(key) // buf is reused
			}
			s.keys = append(s.keys, key)
		}
		memberSlot := slotNone
		if p != nil {
			memberSlot = p.slot
		} else if members != nil {
			memberSlot = members[string(key)]
		}
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return false
		}
		s.pos++
		var child *fnode
		if p != nil {
			child = p.node
		}
		if !s.value(child, memberSlot, depth) {
			return false
		}
		done, ok := s.next('}')
		if !ok {
			return false
		}
		if done {
			break
		}
	}
	return n == nil || seen&n.required == n.required
}

func (s *fastScanner) array(items *fnode, depth int) bool {
	if depth > fastMaxDepth {
		return false
	}
	s.pos++ // [
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return true
	}
	for {
		if !s.value(items, slotNone, depth) {
			return false
		}
		if done, ok := s.next(']'); !ok || done {
			return ok
		}
	}
}

// next moves past what follows a member or an element (see afterItem).
func (s *fastScanner) next(closing byte) (done, ok bool) {
	s.pos, done, ok = afterItem(s.data, s.pos, closing)
	return done, ok
}

func (s *fastScanner) stringValue(n *fnode, slot int) bool {
	if !s.scanString() {
		return false
	}
	if slot != slotNone {
		str := s.str
		if s.escaped {
			str = bytes.Clone(str) // buf is reused
		}
		s.slots[slot] = fval{kind: tString, str: str}
	}
	if n == nil {
		return true
	}
	if n.types&tString == 0 {
		return false
	}
	for _, e := range n.enums {
		if !e[string(s.str)] {
			return false
		}
	}
	if n.minLength > 0 && utf8.RuneCount(s.str) < n.minLength {
		return false
	}
	if n.pattern != nil && !n.pattern.Match(s.str) {
		return false
	}
	if n.format != nil && !(n.isDateTime && plainDateTime(s.str)) {
		if n.format(transient(s.str)) != nil {
			return false
		}
	}
	return true
}

// transient is b as a string without a copy, for a call that neither
// keeps it nor outlives b's contents: the payload, which Validate does not
// change, or buf until the next string.
func transient(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// scanString reads the string at pos into s.str, unescaped. It fails on
// what is not JSON and on what the raw rules report: invalid UTF-8 and
// lone surrogates.
func (s *fastScanner) scanString() bool {
	start := s.pos + 1
	i := start
	s.escaped = false
	for i < len(s.data) && plainByte[s.data[i]] {
		i++
	}
	if i < len(s.data) && s.data[i] == '"' {
		s.str = s.data[start:i]
		s.pos = i + 1
		return true
	}
	// The slow way: escapes or non-ASCII text.
	s.buf = append(s.buf[:0], s.data[start:i]...)
	for i < len(s.data) {
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			s.str, s.escaped = s.buf, true
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if i+1 >= len(s.data) {
				return false
			}
			i += 2
			switch s.data[i-1] {
			case '"', '\\', '/':
				s.buf = append(s.buf, s.data[i-1])
			case 'b':
				s.buf = append(s.buf, '\b')
			case 'f':
				s.buf = append(s.buf, '\f')
			case 'n':
				s.buf = append(s.buf, '\n')
			case 'r':
				s.buf = append(s.buf, '\r')
			case 't':
				s.buf = append(s.buf, '\t')
			case 'u':
				r, ok := hex4(s.data, i)
				if !ok || !isHex4(s.data[i:i+4]) {
					return false
				}
				i += 4
				if r >= 0xD800 && r <= 0xDFFF {
					// Only a high surrogate followed by a low one is a character.
					if r > 0xDBFF || i+6 > len(s.data) || s.data[i] != '\\' || s.data[i+1] != 'u' {
						return false
					}
					lo, ok := hex4(s.data, i+2)
					if !ok || !isHex4(s.data[i+2:i+6]) || lo < 0xDC00 || lo > 0xDFFF {
						return false
					}
					i += 6
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				}
				s.buf = utf8.AppendRune(s.buf, r)
			default:
				return false
			}
		case c < utf8.RuneSelf:
			s.buf = append(s.buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(s.data[i:])
			if r == utf8.RuneError && size <= 1 {
				return false
			}
			s.buf = append(s.buf, s.data[i:i+size]...)
			i += size
		}
	}
	return false
}

// plainByte holds the bytes a string may hold as they are: printable
// ASCII but the quote and the backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// isHex4 reports whether b is four hex digits; hex4 alone takes a sign.
func isHex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// number reads the number at pos as decode does: a float64, or for one
// beyond float64's range the stand-in's sign and integrality.
func (s *fastScanner) number(n *fnode, slot int) bool {
	start := s.pos
	end, f, ok := scanNumber(s.data, start)
	if !ok {
		return false
	}
	s.pos = end
	v := fval{kind: tNumber, num: f, exact: !math.IsNaN(f), str: s.data[start:end]}
	if math.IsNaN(f) {
		text := s.data[start:end]
		if f, err := strconv.ParseFloat(transient(text), 64); err == nil {
			v.num = f
		} else {
			// Beyond float64: decode keeps a stand-in (see standIn).
			stand := strings.TrimPrefix(string(standIn(string(text))), "-")
			v.huge, v.integral, v.num = true, stand == hugeInteger, math.Inf(1)
			if text[0] == '-' {
				v.num = math.Inf(-1)
			}
		}
	}
	if !v.huge {
		v.integral = v.num == math.Trunc(v.num)
	}
	if slot != slotNone {
		s.slots[slot] = v
	}
	if n == nil {
		return true
	}
	return n.types&tNumber != 0 || (n.types&tInteger != 0 && v.integral)
}

// findTriggerKey returns event.triggerKey when payload is an object whose
// first "event" member is an object with a string triggerKey. It checks
// what it reads on the way, no more: the scan that follows checks all.
func (s *fastScanner) findTriggerKey() (string, bool) {
	if !s.findMember("event") || !s.findMember("triggerKey") {
		return "", false
	}
	if s.pos >= len(s.data) || s.data[s.pos] != '"' || !s.scanString() {
		return "", false
	}
	return string(s.str), true
}

// findMember moves to the value of the first member called name of the
// object at pos.
func (s *fastScanner) findMember(name string) bool {
	s.skipSpace()
	if s.pos >= len(s.data) || s.data[s.pos] != '{' {
		return false
	}
	for {
		s.pos++ // { or ,
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != '"' || !s.scanString() {
			return false
		}
		match := string(s.str) == name
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return false
		}
		s.pos++
		s.skipSpace()
		if match {
			return true
		}
		if !s.value(nil, slotNone, 0) {
			return false
		}
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ',' {
			return false
		}
	}
}

// rulesClean reports whether no cross-field or range rule fires.
func (s *fastScanner) rulesClean(key string, level Level, completed string) bool {
	v := &s.slots
	if numbersDiffer2(v[evRecordID], v[recID]) || numbersDiffer2(v[woRecordID], v[recID]) || numbersDiffer2(v[evWorkOrderID], v[woID]) {
		return false
	}
	cur, status := v[evCurrentStatus], v[woStatus]
	if cur.kind == tString && status.kind == tString && !bytes.Equal(cur.str, status.str) {
		return false
	}
	if prev := v[evPreviousStatus]; prev.kind == tString && cur.kind == tString && bytes.Equal(prev.str, cur.str) && strings.HasSuffix(key, "_STATUS_MOVEMENT") {
		return false
	}
	if after(&v[recCreatedAt], &v[recUpdatedAt]) || after(&v[recUpdatedAt], &v[evFiredAt]) ||
		after(&v[woCreatedAt], &v[woModifiedAt]) || after(&v[woStartDate], &v[woEndDate]) {
		return false
	}
	if c := v[woCompletionDate]; c.kind != 0 && status.kind == tString {
		if string(status.str) == completed && c.kind == tNull || string(status.str) != completed && c.kind == tString {
			return false
		}
	}
	if v[recGeoLocation].kind == tObject {
		if lat := v[geoLat]; lat.kind == tNumber && !(lat.num >= -90 && lat.num <= 90) {
			return false
		}
		if lng := v[geoLng]; lng.kind == tNumber && !(lng.num >= -180 && lng.num <= 180) {
			return false
		}
	}
	if want := familyRecordType(key); want != "" && v[recType].kind == tString && string(v[recType].str) != want {
		return false
	}
	if level == Contract {
		return true
	}
	for _, slot := range idSlots {
		if !idInRange(v[slot]) {
			return false
		}
	}
	if v[recStage].kind == tObject && !idInRange(v[stageID]) || v[recJurisdiction].kind == tObject && !idInRange(v[jurisdictionID]) {
		return false
	}
	if uid, id := v[recUID], v[recID]; uid.kind == tNumber && id.kind == tNumber && id.num >= 1 && uid.num >= id.num && whole(uid) && !math.IsInf(id.num, 0) {
		return false
	}
	if d := v[recDealValue]; d.kind == tNumber && d.num < 0 {
		return false
	}
	if p := v[woPriority]; p.kind == tNumber && whole(p) && (p.num < 1 || p.num > 3) {
		return false
	}
	return true
}

// idSlots are the ids the id-range rule checks, as checkRanges lists them
// (stage and jurisdiction ids apart).
var idSlots = []int{evEventID, evRecordID, evWorkOrderID, evPhaseInstanceID, evPhaseTemplateID, evAppointmentID,
	recID, recUID, recOwnerID, woID, woUID, woRecordID, woAssigneeID}

// idInRange is the id-range rule on one value: a number with no
// fractional part (as float64 sees it: numberOf reads a number beyond
// float64 as an infinity) must be in 1..2^53-1.
func idInRange(n fval) bool {
	return n.kind != tNumber || !whole(n) || n.num >= 1 && n.num <= maxID
}

// whole is math.Trunc's idea of an integer, which the rules use.
func whole(n fval) bool { return n.num == math.Trunc(n.num) }

// numbersDiffer2 is idsDiffer on scanned values: different float64s are
// different numbers; equal ones are the same number when both are exact,
// and otherwise when their texts say so (past 2^53, beyond float64, with
// a fraction float64 rounds).
func numbersDiffer2(a, b fval) bool {
	if a.kind != tNumber || b.kind != tNumber {
		return false
	}
	if a.num != b.num {
		return true
	}
	if a.exact && b.exact {
		return false
	}
	same, _ := sameNumber(transient(a.str), transient(b.str))
	return !same
}

// after reports whether both values are RFC 3339 timestamps and a is after
// b, as the record-timestamps and work-order rules compare them.
func after(a, b *fval) bool {
	if a.kind != tString || b.kind != tString {
		return false
	}
	if plainDateTime(a.str) && plainDateTime(b.str) {
		// Fixed-width fields compare as text; then the fractions, which
		// time.Parse reads to the nanosecond.
		if c := bytes.Compare(a.str[:19], b.str[:19]); c != 0 {
			return c > 0
		}
		return nanos(a.str) > nanos(b.str)
	}
	return a.time() && b.time() && a.when.After(b.when)
}

func (v *fval) time() bool {
	if v.parsed == 0 {
		v.parsed = 2
		if t, err := time.Parse(time.RFC3339, transient(v.str)); err == nil {
			v.when, v.parsed = t, 1
		}
	}
	return v.parsed == 1
}

// plainDateTime reports whether b is a date-time in the form this tool and
// Coperniq send, YYYY-MM-DDTHH:MM:SS[.fraction]Z, with a real calendar
// date and no leap second: one that the library's date-time format and
// time.Parse certainly accept. Other forms go to them.
func plainDateTime(b []byte) bool {
	if len(b) < 20 || b[len(b)-1] != 'Z' || len(b) > 20 && (b[19] != '.' || len(b) == 21) {
		return false
	}
	for i, c := range b[:len(b)-1] {
		switch i {
		case 4, 7:
			if c != '-' {
				return false
			}
		case 10:
			if c != 'T' {
				return false
			}
		case 13, 16:
			if c != ':' {
				return false
			}
		case 19:
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	num := func(i, j int) int {
		n := 0
		for _, c := range b[i:j] {
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	if year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) {
		return false
	}
	return num(11, 13) <= 23 && num(14, 16) <= 59 && num(17, 19) <= 59
}

func daysIn(month, year int) int {
	if month == 2 {
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 31 - (month-1)%7%2
}

// nanos is the fraction of a plainDateTime in nanoseconds, its digits past
// the ninth dropped as time.Parse drops them.
func nanos(b []byte) int {
	n, digits := 0, 0
	if len(b) > 20 {
		for _, c := range b[20 : len(b)-1] {
			if digits == 9 {
				break
			}
			n = n*10 + int(c-'0')
			digits++
		}
	}
	for ; digits < 9; digits++ {
		n *= 10
	}
	return n
}

// fastIdentity is DecodeIdentity for a payload it can read in one pass
// without doubt: JSON (with no duplicate key, no invalid UTF-8, no deep
// nesting) whose event object has integer ids below 2^53 and a non-empty
// string triggerKey. It reports false for anything else, which
// DecodeIdentity then reads (and explains) the slow way.
func fastIdentity(payload []byte) (Identity, bool) {
	s := scanners.Get().(*fastScanner)
	defer s.release()
	s.reset(payload)
	if !s.value(nil, slotRoot, 0) {
		return Identity{}, false
	}
	s.skipSpace()
	if s.pos != len(s.data) || s.slots[slotEvent].kind != tObject {
		return Identity{}, false
	}
	eventID, ok1 := exactInteger(s.slots[evEventID])
	recordID, ok2 := exactInteger(s.slots[evRecordID])
	key := s.slots[evTriggerKey]
	if !ok1 || !ok2 || key.kind != tString || len(key.str) == 0 {
		return Identity{}, false
	}
	return Identity{EventID: eventID, RecordID: recordID, TriggerKey: string(key.str)}, true
}

// exactInteger is the integer v holds when its float64 is exactly its
// text's value: integral and below 2^53 in magnitude.
func exactInteger(v fval) (int64, bool) {
	if v.kind != tNumber || v.huge || !v.integral || math.Abs(v.num) >= 1<<53 {
		return 0, false
	}
	return int64(v.num), true
}
