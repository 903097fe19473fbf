package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// writes are what receivers changed through the API: they show in later
// GETs. A write stands until the world changes the same record after it
// (ours: the later change wins, as it would in Coperniq); custom fields,
// which the world does not model, always stand.
type writes struct {
	mu       sync.Mutex
	records  map[int64]*patch
	wos      map[int64]*patch
	notes    []note
	nextNote int64
}

type patch struct {
	fields object
	custom object
	at     time.Time
}

type note struct {
	ID        int64
	Text      string
	RecordID  int64 // or
	WorkOrder int64
	At        time.Time
}

func newWrites() *writes {
	return &writes{records: map[int64]*patch{}, wos: map[int64]*patch{}, nextNote: 880000}
}

func (s *writes) applyRecord(o object, rec *scenarios.RecordState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.records[rec.ID]
	if p == nil {
		return
	}
	if !rec.Since.After(p.at) {
		maps.Copy(o, p.fields)
	}
	if len(p.custom) > 0 {
		c := maps.Clone(p.custom)
		o["custom"] = c
	}
}

func (s *writes) applyWorkOrder(o object, wo *scenarios.WorkOrderState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.wos[wo.ID]; p != nil && !wo.Since.After(p.at) {
		maps.Copy(o, p.fields)
	}
}

// body checks a write's body against the schema the document gives it
// and decodes it; a bad one is answered with a 400 naming the field.
func (h *Handler) body(w http.ResponseWriter, r *http.Request, raw []byte, known []string) (object, bool) {
	op := h.op(r)
	bad := func(field, format string, args ...any) (object, bool) {
		h.fail(w, op, http.StatusBadRequest, fmt.Sprintf(format, args...), field)
		return nil, false
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return bad("", "Content-Type %q: the API takes application/json", ct)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return bad("", "the request body is empty; send a JSON object")
	}
	var o object
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&o); err != nil || o == nil {
		return bad("", "the request body is not a JSON object: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return bad("", "the request body is not JSON: %v", err)
	}
	ptr := fmt.Sprintf("#/paths/%s/%s/requestBody/content/application~1json/schema", escapePointer(op.Path), strings.ToLower(op.Method))
	sch, err := h.spec.bodySchema(ptr)
	if err != nil {
		h.fail(w, op, http.StatusInternalServerError, fmt.Sprintf("the mock could not compile the document's schema for this body: %v", err), "")
		return nil, false
	}
	if err := sch.Validate(inst); err != nil {
		field, msg := leafError(err)
		return bad(field, "the body does not match the document's schema: %s", msg)
	}
	if known != nil {
		for k := range o {
			if !slices.Contains(known, k) {
				// Ours: Coperniq may ignore an unknown field; the mock
				// refuses it so that a misspelt one is found in tests.
				return bad(k, "%s is not a field this call updates; it takes %s", k, strings.Join(known, ", "))
			}
		}
	}
	return o, true
}

// leafError says what is wrong with a body and where: it walks the
// validation error's causes to the first leaf (a leaf under a "validation
// failed" reference is the real complaint) and words it with the field
// and what the schema wants.
func leafError(err error) (field, msg string) {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return "", err.Error()
	}
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	field = strings.Join(ve.InstanceLocation, ".")
	at := func(name string) string {
		if field == "" {
			return name
		}
		return field + "." + name
	}
	switch k := ve.ErrorKind.(type) {
	case *kind.Required:
		field = at(k.Missing[0])
		return field, fmt.Sprintf("%s is required and missing", strings.Join(k.Missing, ", "))
	case *kind.AdditionalProperties:
		field = at(k.Properties[0])
		return field, fmt.Sprintf("%s: not a property the document's schema allows here", strings.Join(k.Properties, ", "))
	case *kind.Type:
		return field, fmt.Sprintf("%s: got %s, want %s", field, k.Got, strings.Join(k.Want, " or "))
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = fmt.Sprint(w)
		}
		return field, fmt.Sprintf("%s: %v is not one of %s", field, k.Got, strings.Join(want, ", "))
	case *kind.Format:
		return field, fmt.Sprintf("%s: %q is not a valid %s (the document's format)", field, fmt.Sprint(k.Got), k.Want)
	}
	// Any other keyword: the library's own wording, without its
	// "at '/x':" prefix, as the field is named first.
	text := ve.Error()
	if _, rest, ok := strings.Cut(text, "': "); ok && strings.HasPrefix(text, "at '") {
		text = rest
	}
	if field == "" {
		return "", text
	}
	return field, field + ": " + text
}

// projectFields are ProjectUpdate's properties.
var projectFields = []string{"title", "description", "address", "trades", "workflowId", "value", "size", "status", "primaryEmail", "primaryPhone", "contacts", "custom"}

func patchProject(h *Handler, w http.ResponseWriter, r *http.Request, raw []byte) {
	snap := h.snapshot()
	rec := h.record(w, r, snap, "PROJECT", "projectId")
	if rec == nil {
		return
	}
	in, ok := h.body(w, r, raw, projectFields)
	if !ok {
		return
	}
	now := h.Now()
	h.state.mu.Lock()
	p := h.state.records[rec.ID]
	if p == nil {
		p = &patch{fields: object{}, custom: object{}}
		h.state.records[rec.ID] = p
	}
	for k, v := range in {
		switch k {
		case "custom":
			c, _ := v.(object)
			for ck, cv := range c {
				p.custom[ck] = plain(cv)
			}
		case "contacts":
			// Contacts are not part of the project object.
		case "workflowId":
			n, _ := strconv.ParseInt(fmt.Sprint(v), 10, 64)
			p.fields[k] = n
		default:
			p.fields[k] = plain(v)
		}
	}
	p.fields["updatedAt"] = ts(laterTime(now, rec.UpdatedAt))
	p.at = now
	h.state.mu.Unlock()
	writeJSON(w, http.StatusOK, h.view(rec, snap.At, false))
}

func laterTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// plain turns a decoded json.Number into a float64 or int64, as the
// views hold numbers.
func plain(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		if strs, ok := allStrings(out); ok {
			return strs
		}
		return out
	case map[string]any:
		out := object{}
		for k, e := range x {
			out[k] = plain(e)
		}
		return out
	}
	return v
}

func allStrings(xs []any) ([]string, bool) {
	out := make([]string, len(xs))
	for i, x := range xs {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out[i] = s
	}
	return out, true
}

// workOrderStatuses are the statuses Coperniq's API and help pages name,
// and the working state the webhook example uses.
var workOrderStatuses = []string{"QUEUED", "ASSIGNED", "SCHEDULED", "WORKING", "IN_PROGRESS", "WAITING", "REVIEW", "COMPLETED", "CANCELLED"}

var workOrderFields = []string{"priority", "startDate", "startDateAllDay", "endDate", "endDateAllDay", "status", "assigneeId", "collaborators", "visits", "checklist"}

func patchWorkOrder(kind, param string) handlerFunc {
	return func(h *Handler, w http.ResponseWriter, r *http.Request, raw []byte) {
		snap := h.snapshot()
		rec := h.record(w, r, snap, kind, param)
		if rec == nil {
			return
		}
		id, ok := h.pathID(w, r, "workOrderId")
		if !ok {
			return
		}
		wo := findWorkOrder(snap, id)
		if wo == nil || wo.RecordID != rec.ID {
			h.fail(w, h.op(r), http.StatusNotFound, fmt.Sprintf("work order %d not found on %s %d (as of the world time %s)", id, kindWords[kind], rec.ID, ts(h.Now())), "")
			return
		}
		in, ok := h.body(w, r, raw, workOrderFields)
		if !ok {
			return
		}
		if s, ok := in["status"].(string); ok && !slices.Contains(workOrderStatuses, s) {
			// Ours: the document types status as any string.
			h.fail(w, h.op(r), http.StatusBadRequest, fmt.Sprintf("status %q is not a work-order status; want one of %s", s, strings.Join(workOrderStatuses, ", ")), "status")
			return
		}
		now := h.Now()
		h.state.mu.Lock()
		p := h.state.wos[wo.ID]
		if p == nil {
			p = &patch{fields: object{}}
			h.state.wos[wo.ID] = p
		}
		for k, v := range in {
			switch k {
			case "status":
				s := v.(string)
				p.fields["status"] = object{"id": s, "label": statusLabel(s)}
				p.fields["isCompleted"] = s == "COMPLETED"
				p.fields["completedAt"] = nil
				if s == "COMPLETED" {
					p.fields["completedAt"] = ts(now)
				}
			case "assigneeId":
				p.fields["assignee"] = object{"id": plain(v)}
			case "collaborators":
				var cs []object
				for _, c := range v.([]any) {
					cs = append(cs, object{"id": plain(c)})
				}
				p.fields["collaborators"] = cs
			case "visits", "checklist":
				// Recorded in the call log; not shown on the work order.
			default:
				p.fields[k] = plain(v)
			}
		}
		p.fields["updatedAt"] = ts(laterTime(now, wo.ModifiedAt))
		p.at = now
		h.state.mu.Unlock()
		writeJSON(w, http.StatusOK, h.workOrder(snap, wo))
	}
}

// noteTarget is what a notes path names: a record of kind, or (kind "")
// a work order; a bad or unknown one is answered 404.
func (h *Handler) noteTarget(w http.ResponseWriter, r *http.Request, kind, param string) (recID, woID int64, ok bool) {
	snap := h.snapshot()
	if kind != "" {
		rec := h.record(w, r, snap, kind, param)
		if rec == nil {
			return 0, 0, false
		}
		return rec.ID, 0, true
	}
	id, ok := h.pathID(w, r, param)
	if !ok {
		return 0, 0, false
	}
	if findWorkOrder(snap, id) == nil {
		h.fail(w, h.op(r), http.StatusNotFound, h.notFoundMessage("work order", id), "")
		return 0, 0, false
	}
	return 0, id, true
}

func postNote(kind, param string) handlerFunc {
	return func(h *Handler, w http.ResponseWriter, r *http.Request, raw []byte) {
		n := note{At: h.Now()}
		var ok bool
		if n.RecordID, n.WorkOrder, ok = h.noteTarget(w, r, kind, param); !ok {
			return
		}
		in, ok := h.body(w, r, raw, nil)
		if !ok {
			return
		}
		text, _ := in["body"].(string)
		if c := utf8.RuneCountInString(text); c < 1 || c > 5000 {
			h.fail(w, h.op(r), http.StatusBadRequest, fmt.Sprintf("body has %d characters; a note has 1 to 5000", c), "body")
			return
		}
		n.Text = text
		h.state.mu.Lock()
		h.state.nextNote += 3
		n.ID = h.state.nextNote
		h.state.notes = append(h.state.notes, n)
		h.state.mu.Unlock()
		writeJSON(w, http.StatusCreated, object{"id": n.ID, "note": n.Text, "createdAt": ts(n.At), "updatedAt": ts(n.At)})
	}
}

func listNotes(kind, param string) handlerFunc {
	return func(h *Handler, w http.ResponseWriter, r *http.Request, _ []byte) {
		q, ok := h.query(w, r)
		if !ok {
			return
		}
		recID, woID, ok := h.noteTarget(w, r, kind, param)
		if !ok {
			return
		}
		h.state.mu.Lock()
		var out []object
		// Newest first: list-work-order-notes is documented "sorted by
		// creation date descending (newest first)"; the other notes lists
		// say nothing and are served the same (ours). Notes are kept in
		// creation order with growing ids, so walking them backwards keeps
		// the newest first among notes sharing a createdAt, as they do
		// while the world clock stands still.
		for i := len(h.state.notes) - 1; i >= 0; i-- {
			n := h.state.notes[i]
			if (recID != 0 && n.RecordID == recID) || (woID != 0 && n.WorkOrder == woID) {
				out = append(out, object{"id": n.ID, "note": n.Text, "createdAt": ts(n.At)})
			}
		}
		h.state.mu.Unlock()
		total := len(out)
		writeJSON(w, http.StatusOK, object{"notes": q.page(out), "totalCount": total})
	}
}
