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
	ReplyTo   int64 // the note it replies to, 0 for none
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
// and decodes it; a bad one is answered with a 400 naming the field. With
// onlyKnown, a field the schema does not list is refused too.
func (h *Handler) body(w http.ResponseWriter, r *http.Request, raw []byte, onlyKnown bool) (object, bool) {
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
	if onlyKnown {
		known := h.spec.bodyFields(op)
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

func patchProject(h *Handler, w http.ResponseWriter, r *http.Request, raw []byte) {
	snap := h.snapshot()
	rec := h.record(w, r, snap, "PROJECT", "projectId")
	if rec == nil {
		return
	}
	in, ok := h.body(w, r, raw, true)
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

// workOrderStatus is the status id a write's status names: WorkOrderUpdate
// documents it as the "Status label", the label GET answers
// (statusLabel); the id, as GET answers it and webhooks carry it, is taken
// too (ours). Either must be the vocabulary's.
func (h *Handler) workOrderStatus(s string) (string, bool) {
	if slices.Contains(h.statuses, s) {
		return s, true
	}
	for _, id := range h.statuses {
		if statusLabel(id) == s {
			return id, true
		}
	}
	return "", false
}

// badStatus says why s is no status a write may set, listing those that
// are.
func (h *Handler) badStatus(s string) string {
	labels := make([]string, len(h.statuses))
	for i, id := range h.statuses {
		labels[i] = statusLabel(id)
	}
	whose := "the built-in vocabulary's"
	if f := h.cfg.vocab.File(); f != "" {
		whose = "those of the vocabulary " + f
	} else if !h.cfg.vocab.IsDefault() {
		whose = "the vocabulary's"
	}
	return fmt.Sprintf("status %q is not a work-order status (%s): give its label, as the document says (%s), or its id (%s; taken too, the mock's assumption)",
		s, whose, strings.Join(labels, ", "), strings.Join(h.statuses, ", "))
}

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
		in, ok := h.body(w, r, raw, true)
		if !ok {
			return
		}
		status := ""
		if s, ok := in["status"].(string); ok {
			// The document types status as any string; a status the
			// world's vocabulary lacks is refused (ours), so that a
			// misspelt one is found.
			if status, ok = h.workOrderStatus(s); !ok {
				h.fail(w, h.op(r), http.StatusBadRequest, h.badStatus(s), "status")
				return
			}
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
				s := status
				p.fields["status"] = object{"id": s, "label": statusLabel(s)}
				p.fields["isCompleted"] = s == h.completed
				p.fields["completedAt"] = nil
				if s == h.completed {
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
		in, ok := h.body(w, r, raw, false)
		if !ok {
			return
		}
		text, _ := in["body"].(string)
		if c := utf8.RuneCountInString(text); c < 1 || c > 5000 {
			h.fail(w, h.op(r), http.StatusBadRequest, fmt.Sprintf("body has %d characters; a note has 1 to 5000", c), "body")
			return
		}
		n.Text = text
		if v, ok := in["replyToId"]; ok {
			// The schema took it as an integer, 999999.0 and 1e6 too.
			switch x := plain(v).(type) {
			case int64:
				n.ReplyTo = x
			case float64:
				n.ReplyTo = int64(x)
			}
		}
		h.state.mu.Lock()
		defer h.state.mu.Unlock()
		if n.ReplyTo != 0 {
			if msg := h.state.replyProblem(n); msg != "" {
				h.fail(w, h.op(r), http.StatusBadRequest, msg, "replyToId")
				return
			}
		}
		h.state.nextNote += 3
		n.ID = h.state.nextNote
		h.state.notes = append(h.state.notes, n)
		writeJSON(w, http.StatusCreated, object{"id": n.ID, "note": n.Text, "createdAt": ts(n.At), "updatedAt": ts(n.At)})
	}
}

// replyProblem says why n cannot reply to the note it names, "" when it
// can: the note must exist and be on n's record or work order. The
// document says neither what a reply to a missing note gets nor whether a
// thread may cross records; the 400 and the same-thread rule are ours.
// Called with s.mu held.
func (s *writes) replyProblem(n note) string {
	for _, p := range s.notes {
		if p.ID != n.ReplyTo {
			continue
		}
		if p.RecordID == n.RecordID && p.WorkOrder == n.WorkOrder {
			return ""
		}
		return fmt.Sprintf("replyToId %d: note %d is on %s, not on %s; a reply is threaded under a note of the same record or work order (a 400 is the mock's assumption: the document does not say)",
			n.ReplyTo, p.ID, p.target(), n.target())
	}
	return fmt.Sprintf("replyToId %d: there is no note %d to reply to on %s (a 400 is the mock's assumption: the document does not say what a reply to a missing note gets); reply to the id a note's creation returned",
		n.ReplyTo, n.ReplyTo, n.target())
}

// target names what a note is on.
func (n note) target() string {
	if n.WorkOrder != 0 {
		return fmt.Sprintf("work order %d", n.WorkOrder)
	}
	return fmt.Sprintf("record %d", n.RecordID)
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
