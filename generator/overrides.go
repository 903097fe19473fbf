package generator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/schemas"
	"github.com/coperniq-mock/coperniq-mock/suggest"
)

// Overrides change fields of generated payloads: Set writes one value at a
// path, Merge applies a JSON Merge Patch (RFC 7386). They apply in the order
// given. The zero value is ready to use; a nil *Overrides changes nothing.
//
// Ids stay linked: changing record.id also changes event.recordId and
// workOrder.recordId, workOrder.id changes event.workOrderId, and
// workOrder.status changes event.currentStatus, unless those are set too.
//
// Paths are dotted (record.stage.name, record.trades.0) or JSON pointers
// (/record/stage/name). A path must name a property the trigger's strict
// schema defines (schemas.Fields), an element of an array the payload has
// (an index up to its length, which appends; "-" appends too), a property
// the payload already carries, or one inside record.customFields, whose keys
// are the contractor's own. Setting a property inside a null
// object creates the object.
//
// Apply may run concurrently (several generators sharing one Overrides), but
// not at the same time as Set or Merge.
type Overrides struct {
	// AllowInvalid skips the contract-level check of the result, so a
	// receiver can be sent payloads it should reject. WithAllowInvalid sets
	// the same for a Generator.
	AllowInvalid bool

	ops []overrideOp
}

type overrideOp struct {
	path    string // as given, for messages
	segs    []string
	pointer bool
	value   any
	patch   *jnode // a merge patch; nil for a Set
	err     error  // a malformed path, reported by Apply
}

// ParseSet splits a set expression "path=value". The value is parsed as JSON
// when it is valid JSON, else taken as a string, so record.dealValue=0 sets a
// number, record.title=Hello a string and record.title="42" the string 42.
// JSON numbers come back as json.Number (exact, whatever their size),
// objects and arrays as compact json.RawMessage (keeping key order),
// strings, booleans and null as string, bool and nil.
func ParseSet(expr string) (path string, value any, err error) {
	i := strings.IndexByte(expr, '=')
	if i < 0 {
		return "", nil, fmt.Errorf("override %q has no '=': write path=value, such as record.stage.name=Permitting", expr)
	}
	path = strings.TrimSpace(expr[:i])
	if path == "" {
		return "", nil, fmt.Errorf("override %q has no path before '='", expr)
	}
	raw := expr[i+1:]
	if !json.Valid([]byte(raw)) {
		return path, raw, nil
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return path, raw, nil
	}
	switch v.(type) {
	case map[string]any, []any:
		var buf bytes.Buffer
		if err := json.Compact(&buf, []byte(raw)); err != nil {
			return path, raw, nil
		}
		return path, json.RawMessage(buf.Bytes()), nil
	}
	return path, v, nil
}

// FormatSet is the inverse of ParseSet: ParseSet(FormatSet(p, v)) gives p
// and v back for any p and v that ParseSet returns. A string is written
// bare when it would not parse as JSON, else quoted.
func FormatSet(path string, value any) string {
	var val string
	switch v := value.(type) {
	case string:
		if json.Valid([]byte(v)) {
			val = string(appendString(nil, v))
		} else {
			val = v
		}
	case json.RawMessage:
		val = string(v)
	case json.Number:
		val = string(v)
	default:
		data, err := json.Marshal(v)
		if err != nil {
			val = fmt.Sprint(v)
		} else {
			val = string(data)
		}
	}
	return path + "=" + val
}

// Set records that path is to be value (see ParseSet for what values look
// like; any value encoding/json can marshal works). A malformed path or
// value is reported by Apply.
func (o *Overrides) Set(path string, value any) {
	op := overrideOp{path: path, value: value}
	op.segs, op.pointer, op.err = splitPath(path)
	o.ops = append(o.ops, op)
}

// SetExpr parses a "path=value" expression with ParseSet and records it.
func (o *Overrides) SetExpr(expr string) error {
	path, value, err := ParseSet(expr)
	if err != nil {
		return err
	}
	o.Set(path, value)
	return nil
}

// Merge records a JSON Merge Patch (RFC 7386): objects merge key by key, a
// null deletes the key, anything else replaces. Malformed JSON is an error
// naming its line and column.
func (o *Overrides) Merge(patch []byte) error {
	n, err := parseTree(patch)
	if err != nil {
		return fmt.Errorf("merge patch: %w", err)
	}
	o.ops = append(o.ops, overrideOp{path: "merge patch", patch: n})
	return nil
}

// Len reports how many overrides are recorded.
func (o *Overrides) Len() int {
	if o == nil {
		return 0
	}
	return len(o.ops)
}

func (o *Overrides) empty() bool { return o == nil || len(o.ops) == 0 }

// PathError is an override path that the trigger's payload does not have.
type PathError struct {
	Path       string // as given
	TriggerKey string
	Suggestion string // nearest valid path, in the same notation, or ""
	Reason     string // why, when it is not simply an unknown field
}

func (e *PathError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("override path %q: %s", e.Path, e.Reason)
	}
	msg := fmt.Sprintf("override path %q isn't a field of %s payloads", e.Path, e.TriggerKey)
	if e.Suggestion != "" {
		msg += "; did you mean " + e.Suggestion + "?"
	}
	return msg
}

// InvalidError is a payload that overrides made invalid at the contract
// level.
type InvalidError struct {
	TriggerKey string
	Violations []schemas.Violation
}

func (e *InvalidError) Error() string {
	parts := make([]string, 0, len(e.Violations))
	for _, v := range e.Violations {
		parts = append(parts, v.String())
	}
	return fmt.Sprintf("overrides make the %s payload invalid at the contract level: %s",
		e.TriggerKey, strings.Join(parts, "; "))
}

// Apply returns doc, a payload of triggerKey, with the overrides applied,
// re-encoded compactly with keys in their original order. Unless
// AllowInvalid, a result that fails the contract schema is an
// *InvalidError.
func (o *Overrides) Apply(triggerKey string, doc []byte) ([]byte, error) {
	return o.apply(triggerKey, doc, o != nil && o.AllowInvalid)
}

func (o *Overrides) apply(triggerKey string, doc []byte, allowInvalid bool) ([]byte, error) {
	if o.empty() {
		return doc, nil
	}
	fields, err := fieldPaths(triggerKey)
	if err != nil {
		return nil, err
	}
	root, err := parseTree(doc)
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	known := make(map[string]bool, len(fields))
	for _, f := range fields {
		known[f] = true
	}
	touched := map[string]bool{}
	for i := range o.ops {
		op := &o.ops[i]
		if op.err != nil {
			return nil, op.err
		}
		if op.patch != nil {
			if err := checkPatch(root, op.patch, nil, known, fields, triggerKey); err != nil {
				return nil, err
			}
			markTouched(touched, "", op.patch, true)
			root = mergePatch(root, op.patch)
			continue
		}
		val, err := toNode(op.value)
		if err != nil {
			return nil, fmt.Errorf("override %s: %w", op.path, err)
		}
		if err := setPath(root, op, val, known, fields, triggerKey); err != nil {
			return nil, err
		}
		markTouched(touched, strings.Join(op.segs, "."), val, false)
	}
	syncIDs(root, touched)
	out := appendNode(make([]byte, 0, len(doc)+64), root)
	if !allowInvalid {
		res, err := schemas.Validate(out, schemas.Contract)
		if err != nil {
			return nil, err
		}
		if !res.Valid() {
			var vs []schemas.Violation
			for _, v := range res.Violations {
				if !v.Warning {
					vs = append(vs, v)
				}
			}
			return nil, &InvalidError{TriggerKey: triggerKey, Violations: vs}
		}
	}
	return out, nil
}

// fieldPaths is schemas.Fields plus every object that holds a field
// ("record.stage" for "record.stage.name"), so a whole object can be set and
// suggested whether or not Fields lists objects itself.
func fieldPaths(triggerKey string) ([]string, error) {
	fields, err := schemas.Fields(triggerKey)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(fields)*2)
	out := make([]string, 0, len(fields)+8)
	for _, f := range fields {
		for i := range len(f) + 1 {
			if i < len(f) && f[i] != '.' {
				continue
			}
			if p := f[:i]; !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// splitPath turns a dotted path or JSON pointer into segments.
func splitPath(path string) (segs []string, pointer bool, err error) {
	if path == "" {
		return nil, false, errors.New("override path is empty")
	}
	if path[0] == '/' {
		parts := strings.Split(path[1:], "/")
		for i, p := range parts {
			parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
		}
		return parts, true, nil
	}
	parts := strings.Split(path, ".")
	if slices.Contains(parts, "") {
		return nil, false, &PathError{Path: path, Reason: "has an empty segment"}
	}
	return parts, false, nil
}

func joinPointer(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// setPath writes val at op's path, creating objects in place of null or
// missing ones on the way.
func setPath(root *jnode, op *overrideOp, val *jnode, known map[string]bool, fields []string, trigger string) error {
	segs := op.segs
	// The schema path drops array indices: record.trades.0 is checked as
	// record.trades.
	var schemaPath []string
	exists := true
	cur := root
	for i, seg := range segs {
		last := i == len(segs)-1
		switch {
		case cur != nil && cur.kind == jArray:
			idx, ok := arrayIndex(seg, len(cur.vals), op.pointer)
			if !ok {
				return &PathError{Path: op.path, TriggerKey: trigger,
					Reason: fmt.Sprintf("%s is an array of %d, and %q is not an index from 0 to %d", dotted(segs[:i]), len(cur.vals), seg, len(cur.vals))}
			}
			if idx == len(cur.vals) {
				exists = false
				if !last {
					cur.vals = append(cur.vals, &jnode{kind: jObject})
				}
			}
			if last {
				if err := checkKnown(op, schemaPath, exists, known, fields, trigger); err != nil {
					return err
				}
				if idx == len(cur.vals) {
					cur.vals = append(cur.vals, val)
				} else {
					cur.vals[idx] = val
				}
				return nil
			}
			cur = cur.vals[idx]
		case cur != nil && cur.kind == jObject:
			schemaPath = append(schemaPath, seg)
			child := cur.get(seg)
			if child == nil {
				exists = false
			}
			if last {
				if err := checkKnown(op, schemaPath, exists, known, fields, trigger); err != nil {
					return err
				}
				cur.set(seg, val)
				return nil
			}
			if child == nil || child.kind == jNull {
				// Check before creating anything, so a typo leaves no trace.
				if err := checkKnown(op, append(slices.Clone(schemaPath), segs[i+1:]...), false, known, fields, trigger); err != nil {
					return err
				}
				child = &jnode{kind: jObject}
				cur.set(seg, child)
			}
			cur = child
		default:
			// The payload has this value, so its path is right up to it:
			// "isn't a field; did you mean record?" would send the user
			// looking for a typo that is not there.
			at := dotted(segs[:i])
			if op.pointer {
				at = joinPointer(segs[:i])
			}
			return &PathError{Path: op.path, TriggerKey: trigger,
				Reason: fmt.Sprintf("%s is %s and cannot have a child", at, cur.kind)}
		}
	}
	return nil
}

func arrayIndex(seg string, n int, pointer bool) (int, bool) {
	if seg == "-" { // appends, dotted (record.trades.-) as in a pointer
		return n, true
	}
	idx, err := strconv.Atoi(seg)
	if err != nil || idx < 0 || idx > n || (len(seg) > 1 && seg[0] == '0') {
		return 0, false
	}
	return idx, true
}

func dotted(segs []string) string {
	if len(segs) == 0 {
		return "the payload"
	}
	return strings.Join(segs, ".")
}

// checkKnown accepts a path the strict schema defines or one the payload
// already has (such as an unknown field of the maximal profile).
func checkKnown(op *overrideOp, schemaPath []string, exists bool, known map[string]bool, fields []string, trigger string) error {
	p := strings.Join(schemaPath, ".")
	if exists || known[p] || freeForm(p) {
		return nil
	}
	e := &PathError{Path: op.path, TriggerKey: trigger}
	if s := nearestPath(p, fields); s != "" {
		e.Suggestion = s
		if op.pointer {
			e.Suggestion = joinPointer(strings.Split(s, "."))
		}
	}
	return e
}

// freeFormObjects are objects whose keys are the contractor's own (the
// generator's maximal profile fills them): any path inside them may be set,
// as a merge patch may add them.
var freeFormObjects = []string{"record.customFields"}

func freeForm(p string) bool {
	for _, f := range freeFormObjects {
		if p == f || strings.HasPrefix(p, f+".") {
			return true
		}
	}
	return false
}

// nearestSibling is the documented path at the same depth that p is a
// near miss of, or "".
func nearestSibling(p string, fields []string) string {
	depth := strings.Count(p, ".")
	var same []string
	for _, f := range fields {
		if strings.Count(f, ".") == depth {
			same = append(same, f)
		}
	}
	return suggest.Nearest(p, same)
}

// nearestPath suggests a valid path for a mistyped one. Paths at the same
// depth are tried first: suggest.Nearest counts containment as close, and
// every path contains its parent ("record" in "record.stage.nmae").
func nearestPath(p string, fields []string) string {
	if len(p) > 100 { // no field path is that long: not a typo, and costly to compare
		return ""
	}
	depth := strings.Count(p, ".")
	same := make([]string, 0, len(fields))
	for _, f := range fields {
		if strings.Count(f, ".") == depth {
			same = append(same, f)
		}
	}
	if s := suggest.Nearest(p, same); s != "" {
		return s
	}
	return suggest.Nearest(p, fields)
}

// checkPatch checks every key a merge patch names, as Set checks a path.
func checkPatch(target, patch *jnode, prefix []string, known map[string]bool, fields []string, trigger string) error {
	if patch.kind != jObject {
		return nil
	}
	for i, k := range patch.keys {
		path := append(slices.Clone(prefix), k)
		child := target.get(k)
		op := &overrideOp{path: "merge patch key " + dotted(path)}
		// A merge patch may add fields Coperniq does not document (custom
		// fields, future keys): that is how a tolerant reader is tested. A new
		// key that is a near miss of a documented one is a typo, though.
		if child == nil && !known[dotted(path)] && nearestSibling(dotted(path), fields) == "" {
			continue
		}
		if err := checkKnown(op, path, child != nil, known, fields, trigger); err != nil {
			var pe *PathError
			if errors.As(err, &pe) {
				pe.Path = dotted(path)
			}
			return fmt.Errorf("merge patch: %w", err)
		}
		if err := checkPatch(child, patch.vals[i], path, known, fields, trigger); err != nil {
			return err
		}
	}
	return nil
}

// mergePatch is RFC 7386's MergePatch(target, patch).
func mergePatch(target, patch *jnode) *jnode {
	if patch.kind != jObject {
		return patch.clone()
	}
	if target == nil || target.kind != jObject {
		target = &jnode{kind: jObject}
	}
	for i, k := range patch.keys {
		v := patch.vals[i]
		if v.kind == jNull {
			target.del(k)
			continue
		}
		target.set(k, mergePatch(target.get(k), v))
	}
	return target
}

// markTouched records the dotted paths an override wrote, including the
// leaves of an object it wrote, so linked ids are left alone when set too.
func markTouched(touched map[string]bool, prefix string, n *jnode, isPatch bool) {
	if prefix != "" {
		touched[prefix] = true
	}
	if n.kind != jObject {
		return
	}
	for i, k := range n.keys {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		markTouched(touched, p, n.vals[i], isPatch)
	}
}

// links are the fields that follow another unless set themselves.
var links = []struct{ from, to string }{
	{"record.id", "event.recordId"},
	{"record.id", "workOrder.recordId"},
	{"workOrder.id", "event.workOrderId"},
	{"workOrder.status", "event.currentStatus"},
}

func syncIDs(root *jnode, touched map[string]bool) {
	for _, l := range links {
		if !touched[l.from] || touched[l.to] {
			continue
		}
		src := lookupDotted(root, l.from)
		fromObj, key, _ := strings.Cut(l.to, ".")
		dst := root.get(fromObj)
		if src == nil || dst == nil || dst.kind != jObject || dst.get(key) == nil {
			continue
		}
		dst.set(key, src.clone())
	}
}

func lookupDotted(root *jnode, path string) *jnode {
	cur := root
	for seg := range strings.SplitSeq(path, ".") {
		cur = cur.get(seg)
		if cur == nil {
			return nil
		}
	}
	return cur
}
