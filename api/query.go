package api

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

// DefaultPageSize is the document's default page_size.
const DefaultPageSize = 20

// MaxPageSize is the document's largest page_size. A larger one is
// served as MaxPageSize (ours: the document gives the maximum, not what
// happens above it).
const MaxPageSize = 100

// listQuery is a call's query string, checked against the parameters the
// document gives its operation.
type listQuery struct {
	url.Values
	size, pageNo  int
	desc          bool
	after, before time.Time
}

// query checks r's query parameters against the operation's documented
// ones (type, enum, required) and reads pagination and date filters.
// A bad one is answered with a 400 naming it.
func (h *Handler) query(w http.ResponseWriter, r *http.Request) (*listQuery, bool) {
	op := h.op(r)
	v := r.URL.Query()
	// Operations that document no page_size answer every item.
	q := &listQuery{Values: v, size: math.MaxInt, pageNo: 1}
	bad := func(field, format string, args ...any) (*listQuery, bool) {
		h.fail(w, op, http.StatusBadRequest, fmt.Sprintf(format, args...), field)
		return nil, false
	}
	params := h.spec.parameters(op)
	var names []string
	for _, p := range params {
		if p.in == "query" {
			names = append(names, p.name)
		}
	}
	for name := range v {
		if !slices.Contains(names, name) {
			// Ours: Coperniq may ignore it; the mock refuses it so that a
			// misspelt or invented filter is found in tests, not silently
			// unapplied.
			takes := "no query parameters"
			if len(names) > 0 {
				takes = strings.Join(names, ", ")
			}
			return bad(name, "%s is not a query parameter of %s (refused by the mock; Coperniq may ignore it); it takes %s", name, op.ID, takes)
		}
	}
	for _, p := range params {
		if p.in != "query" {
			continue
		}
		if p.name == "page_size" {
			q.size = DefaultPageSize
		}
		s, present := v[p.name]
		if !present || len(s) == 0 || s[0] == "" {
			if p.required {
				return bad(p.name, "the query parameter %s is required", p.name)
			}
			continue
		}
		val := s[0]
		switch {
		case p.typ == "integer":
			n, err := strconv.Atoi(val)
			if err != nil {
				return bad(p.name, "%s=%q: want an integer", p.name, val)
			}
			if (p.name == "page" || p.name == "page_size") && n < 1 {
				return bad(p.name, "%s=%d: want at least 1", p.name, n)
			}
		case p.typ == "boolean":
			if val != "true" && val != "false" {
				return bad(p.name, "%s=%q: want true or false", p.name, val)
			}
		case p.format == "date-time":
			if _, err := parseTime(val); err != nil {
				return bad(p.name, "%s=%q: want an ISO 8601 date-time such as 2026-03-31T17:04:22Z", p.name, val)
			}
		case len(p.enum) > 0 && !slices.Contains(p.enum, val):
			return bad(p.name, "%s=%q: want one of %s", p.name, val, strings.Join(p.enum, ", "))
		}
	}
	if s := v.Get("page_size"); s != "" && q.size == DefaultPageSize {
		q.size, _ = strconv.Atoi(s)
		q.size = min(q.size, MaxPageSize)
	}
	if s := v.Get("page"); s != "" && q.size != math.MaxInt {
		q.pageNo, _ = strconv.Atoi(s)
	}
	q.desc = v.Get("order_by") == "desc" || (v.Get("order_by") == "" && h.spec.descByDefault(op))
	if s := v.Get("updated_after"); s != "" {
		q.after, _ = parseTime(s)
	}
	if s := v.Get("updated_before"); s != "" {
		q.before, _ = parseTime(s)
	}
	return q, true
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date-time: %q", s)
}

// keep applies updated_after and updated_before to an object's updatedAt.
func (q *listQuery) keep(o object) bool {
	if q.after.IsZero() && q.before.IsZero() {
		return true
	}
	s, _ := o["updatedAt"].(string)
	t, err := parseTime(s)
	if err != nil {
		return false
	}
	return (q.after.IsZero() || t.After(q.after)) && (q.before.IsZero() || t.Before(q.before))
}

// page orders objects by id (ours: the document does not say by what
// order_by sorts), highest first for desc, and cuts the page asked for;
// never nil, so that an empty page is [].
func (q *listQuery) page(all []object) []object {
	if all == nil {
		all = []object{}
	}
	if q.desc {
		slices.Reverse(all)
	}
	if q.size == math.MaxInt {
		return all
	}
	from := (q.pageNo - 1) * q.size
	if from >= len(all) {
		return []object{}
	}
	return all[from:min(from+q.size, len(all))]
}

// descByDefault is whether op's list comes newest first without an
// order_by. The operation's description wins where it gives a default
// (list-opportunities and list-accounts: "Sorting (`order_by`, default:
// desc)", though their order_by parameter's schema says asc: the
// document contradicts itself and the mock follows the sentence written
// for the operation); else the parameter's schema default.
func (s *spec) descByDefault(op *Operation) bool {
	if op == nil {
		return false
	}
	om := s.operation(op)
	desc, _ := om["description"].(string)
	if _, rest, ok := strings.Cut(desc, "`order_by`, default: "); ok {
		return strings.HasPrefix(rest, "desc")
	}
	list, _ := om["parameters"].([]any)
	for _, x := range list {
		if m := s.resolve(x); m["name"] == "order_by" {
			return s.resolve(m["schema"])["default"] == "desc"
		}
	}
	return false
}

// operation is op's object in the document.
func (s *spec) operation(op *Operation) map[string]any {
	paths, _ := s.doc["paths"].(map[string]any)
	ops, _ := paths[op.Path].(map[string]any)
	om, _ := ops[strings.ToLower(op.Method)].(map[string]any)
	return om
}

type param struct {
	name, in, typ, format string
	required              bool
	enum                  []string
}

// parameters are op's documented parameters.
func (s *spec) parameters(op *Operation) []param {
	if op == nil {
		return nil
	}
	list, _ := s.operation(op)["parameters"].([]any)
	var out []param
	for _, x := range list {
		m := s.resolve(x)
		p := param{}
		p.name, _ = m["name"].(string)
		p.in, _ = m["in"].(string)
		p.required, _ = m["required"].(bool)
		sch := s.resolve(m["schema"])
		p.typ, _ = sch["type"].(string)
		p.format, _ = sch["format"].(string)
		if enum, ok := sch["enum"].([]any); ok {
			for _, e := range enum {
				p.enum = append(p.enum, fmt.Sprint(e))
			}
		}
		out = append(out, p)
	}
	return out
}

// Search: /projects/search and the others, two filters combined with
// logic.

var searchAliases = map[string]string{"name": "title", "clientId": "accountId", "uid": "number"}

// searchValue is the value of prop on a record's API object: a field of
// the object, a few the search documents beyond them (city, state), or a
// custom property.
func searchValue(o object, extra map[string]any, prop string) (any, bool) {
	if a, ok := searchAliases[prop]; ok {
		prop = a
	}
	if v, ok := o[prop]; ok {
		return v, true
	}
	if v, ok := extra[prop]; ok {
		return v, true
	}
	if c, ok := o["custom"].(object); ok {
		if v, ok := c[prop]; ok {
			return v, true
		}
	}
	return nil, false
}

// splitList reads an in/nin value: plain CSV, quoted CSV, or a JSON
// array, as the document gives them.
func splitList(s string) []string {
	var arr []any
	if strings.HasPrefix(strings.TrimSpace(s), "[") && json.Unmarshal([]byte(s), &arr) == nil {
		out := make([]string, len(arr))
		for i, x := range arr {
			out[i] = fmt.Sprint(x)
		}
		return out
	}
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ',' && !quoted:
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(out, strings.TrimSpace(cur.String()))
}

func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []string:
		return strings.Join(x, ",")
	case object:
		if n, ok := x["name"]; ok {
			return fmt.Sprint(n)
		}
		if n, ok := x["id"]; ok {
			return fmt.Sprint(n)
		}
	}
	return fmt.Sprint(v)
}

// compare orders a field's value against a query value: as numbers when
// both are numbers, else as text (ISO 8601 times order as text).
func compare(field any, want string) int {
	f, ferr := strconv.ParseFloat(scalar(field), 64)
	w, werr := strconv.ParseFloat(want, 64)
	if ferr == nil && werr == nil {
		switch {
		case f < w:
			return -1
		case f > w:
			return 1
		}
		return 0
	}
	return strings.Compare(scalar(field), want)
}

func matchOp(field any, op, want string) bool {
	switch op {
	case "eq":
		return compare(field, want) == 0
	case "neq":
		return compare(field, want) != 0
	case "gt":
		return field != nil && compare(field, want) > 0
	case "gte":
		return field != nil && compare(field, want) >= 0
	case "lt":
		return field != nil && compare(field, want) < 0
	case "lte":
		return field != nil && compare(field, want) <= 0
	case "contains":
		return strings.Contains(strings.ToLower(scalar(field)), strings.ToLower(want))
	case "in", "nin":
		hit := false
		for _, x := range splitList(want) {
			if compare(field, x) == 0 {
				hit = true
			}
		}
		return hit == (op == "in")
	case "between":
		lo, hi, _ := strings.Cut(want, ",")
		return field != nil && compare(field, strings.TrimSpace(lo)) >= 0 && compare(field, strings.TrimSpace(hi)) <= 0
	}
	return false
}

func searchRecords(kind string) handlerFunc {
	return func(h *Handler, w http.ResponseWriter, r *http.Request, _ []byte) {
		q, ok := h.query(w, r)
		if !ok {
			return
		}
		type filter struct{ prop, op, value string }
		filters := []filter{{q.Get("prop1"), q.Get("op1"), q.Get("value1")}}
		if p := q.Get("prop2"); p != "" {
			if q.Get("op2") == "" || q.Get("value2") == "" {
				h.fail(w, h.op(r), http.StatusBadRequest, "prop2 needs op2 and value2", "op2")
				return
			}
			filters = append(filters, filter{p, q.Get("op2"), q.Get("value2")})
		}
		for i, f := range filters {
			field := fmt.Sprintf("value%d", i+1)
			if f.op == "between" && !strings.Contains(f.value, ",") {
				h.fail(w, h.op(r), http.StatusBadRequest, fmt.Sprintf("between wants from,to; got %q", f.value), field)
				return
			}
			if bad := notComparable(f.op, f.value); bad != "" {
				h.fail(w, h.op(r), http.StatusBadRequest, fmt.Sprintf("%s=%q: %s compares numbers and date-times (the document's \"Numeric/datetime comparisons\"); %q is neither: want a number or an ISO 8601 date-time", field, f.value, f.op, bad), field)
				return
			}
		}
		or := q.Get("logic") == "or"
		snap := h.snapshot()
		var out []object
		known := map[string]bool{}
		for i := range snap.Records {
			rec := &snap.Records[i]
			if rec.Type != kind {
				continue
			}
			o := h.view(rec, snap.At, false)
			extra := map[string]any{"city": nullStr(rec.City), "state": nullStr(rec.State), "type": rec.Type}
			if p := current(rec); p != nil {
				extra["phase"] = p.Name
			}
			hits := 0
			for _, f := range filters {
				v, ok := searchValue(o, extra, f.prop)
				if ok {
					known[f.prop] = true
					if matchOp(v, f.op, f.value) {
						hits++
					}
				}
			}
			if (or && hits > 0) || (!or && hits == len(filters)) {
				out = append(out, o)
			}
		}
		for i, f := range filters {
			if !known[f.prop] && len(out) == 0 && hasKind(snap.Records, kind) {
				h.fail(w, h.op(r), http.StatusBadRequest, fmt.Sprintf("prop%d=%q is neither a field of the %s nor a custom property any has (fields: %s)",
					i+1, f.prop, kindWords[kind], strings.Join(searchFields(kind), ", ")), fmt.Sprintf("prop%d", i+1))
				return
			}
		}
		writeJSON(w, http.StatusOK, q.page(out))
	}
}

// notComparable is the part of an ordering comparison's value that is
// neither a number nor a date-time, "" when all are.
func notComparable(op, value string) string {
	var parts []string
	switch op {
	case "gt", "gte", "lt", "lte":
		parts = []string{value}
	case "between":
		lo, hi, _ := strings.Cut(value, ",")
		parts = []string{lo, hi}
	}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if _, err := strconv.ParseFloat(p, 64); err == nil {
			continue
		}
		if _, err := parseTime(p); err == nil {
			continue
		}
		return p
	}
	return ""
}

func hasKind(recs []scenarios.RecordState, kind string) bool {
	for _, r := range recs {
		if r.Type == kind {
			return true
		}
	}
	return false
}

func searchFields(kind string) []string {
	// name (the document's own example) is title, uid is number.
	f := []string{"id", "number", "uid", "title", "name", "status", "type", "city", "state", "accountId", "value", "createdAt", "updatedAt", "primaryEmail", "primaryPhone", "address", "trades", "phase"}
	if kind == "ACCOUNT" {
		f = []string{"id", "number", "uid", "title", "name", "type", "city", "state", "createdAt", "updatedAt", "primaryEmail", "primaryPhone", "address"}
	}
	return f
}
