package api

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

type route struct {
	key string
	fn  handlerFunc
}

// routes are the operations the mock implements; every other documented
// operation answers 501.
var routes = []route{
	{"GET /projects", listRecords("PROJECT")},
	{"GET /projects/search", searchRecords("PROJECT")},
	{"GET /projects/{projectId}", getRecord("PROJECT", "projectId")},
	{"PATCH /projects/{projectId}", patchProject},
	{"GET /opportunities", listRecords("DEAL")},
	{"GET /opportunities/search", searchRecords("DEAL")},
	{"GET /opportunities/{opportunityId}", getRecord("DEAL", "opportunityId")},
	{"GET /accounts", listRecords("ACCOUNT")},
	{"GET /accounts/search", searchRecords("ACCOUNT")},
	{"GET /accounts/{accountId}", getRecord("ACCOUNT", "accountId")},
	{"GET /work-orders", listWorkOrders("", "")},
	{"GET /work-orders/{workOrderId}", getWorkOrder},
	{"GET /projects/{projectId}/work-orders", listWorkOrders("PROJECT", "projectId")},
	{"GET /opportunities/{opportunityId}/work-orders", listWorkOrders("DEAL", "opportunityId")},
	{"GET /accounts/{accountId}/work-orders", listWorkOrders("ACCOUNT", "accountId")},
	{"PATCH /projects/{projectId}/work-orders/{workOrderId}", patchWorkOrder("PROJECT", "projectId")},
	{"PATCH /opportunities/{opportunityId}/work-orders/{workOrderId}", patchWorkOrder("DEAL", "opportunityId")},
	{"PATCH /accounts/{accountId}/work-orders/{workOrderId}", patchWorkOrder("ACCOUNT", "accountId")},
	{"GET /opportunities/{opportunityId}/appointments", listAppointments},
	{"GET /appointments/{appointmentId}", getAppointment},
	{"GET /projects/{projectId}/calls", listCalls("PROJECT", "projectId")},
	{"GET /opportunities/{opportunityId}/calls", listCalls("DEAL", "opportunityId")},
	{"GET /accounts/{accountId}/calls", listCalls("ACCOUNT", "accountId")},
	{"GET /projects/{projectId}/notes", listNotes("PROJECT", "projectId")},
	{"GET /opportunities/{opportunityId}/notes", listNotes("DEAL", "opportunityId")},
	{"GET /accounts/{accountId}/notes", listNotes("ACCOUNT", "accountId")},
	{"GET /work-orders/{workOrderId}/notes", listNotes("", "workOrderId")},
	{"POST /projects/{projectId}/notes", postNote("PROJECT", "projectId")},
	{"POST /opportunities/{opportunityId}/notes", postNote("DEAL", "opportunityId")},
	{"POST /accounts/{accountId}/notes", postNote("ACCOUNT", "accountId")},
	{"POST /work-orders/{workOrderId}/notes", postNote("", "workOrderId")},
}

// kindWords names a record type the way the API's paths do.
var kindWords = map[string]string{"PROJECT": "project", "DEAL": "opportunity", "ACCOUNT": "account"}

// op is the documented operation r was routed to: its pattern is the
// operation's "METHOD /path".
func (h *Handler) op(r *http.Request) *Operation {
	return h.spec.byKey[r.Pattern]
}

// paramWords names what an id path parameter names.
var paramWords = map[string]string{"projectId": "project", "opportunityId": "opportunity", "accountId": "account", "workOrderId": "work order", "appointmentId": "appointment"}

// pathID reads an id path parameter; a bad one is answered and ok is
// false: one the document types as an integer that is not one is a 400
// naming it, any other that is no positive integer a 404 (no record has
// that id: a string-typed one is a valid id of nothing the mock has).
func (h *Handler) pathID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	s := r.PathValue(name)
	id, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil && h.spec.paramType(h.op(r), name) == "integer":
		h.fail(w, h.op(r), http.StatusBadRequest, fmt.Sprintf("%s %q is not an integer, as the document types it: give the %s's id, a positive integer", name, s, paramWords[name]), name)
		return 0, false
	case err != nil || id <= 0:
		h.fail(w, h.op(r), http.StatusNotFound, fmt.Sprintf("%s %q names no %s: ids are positive integers", name, s, paramWords[name]), "")
		return 0, false
	}
	return id, true
}

func findRecord(snap *scenarios.Snapshot, kind string, id int64) *scenarios.RecordState {
	i, _ := slices.BinarySearchFunc(snap.Records, id, func(r scenarios.RecordState, id int64) int { return cmpInt(r.ID, id) })
	// Records learned from payloads (learn.go) may share an id across
	// types; the world's never do.
	for ; i < len(snap.Records) && snap.Records[i].ID == id; i++ {
		if kind == "" || snap.Records[i].Type == kind {
			return &snap.Records[i]
		}
	}
	return nil
}

func findWorkOrder(snap *scenarios.Snapshot, id int64) *scenarios.WorkOrderState {
	i, ok := slices.BinarySearchFunc(snap.WorkOrders, id, func(r scenarios.WorkOrderState, id int64) int { return cmpInt(r.ID, id) })
	if !ok {
		return nil
	}
	return &snap.WorkOrders[i]
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// record looks up the record a path names, answering 404 when it does not
// exist (yet) in the world.
func (h *Handler) record(w http.ResponseWriter, r *http.Request, snap *scenarios.Snapshot, kind, param string) *scenarios.RecordState {
	id, ok := h.pathID(w, r, param)
	if !ok {
		return nil
	}
	rec := findRecord(snap, kind, id)
	if rec == nil {
		h.fail(w, h.op(r), http.StatusNotFound, h.notFoundMessage(kindWords[kind], id), "")
		return nil
	}
	return rec
}

func (h *Handler) notFoundMessage(what string, id int64) string {
	return fmt.Sprintf("%s %d not found: no %s has that id as of the world time %s", what, id, what, ts(h.Now()))
}

// view renders a record as its kind's API object, writes applied.
func (h *Handler) view(rec *scenarios.RecordState, now time.Time, detail bool) object {
	var o object
	switch rec.Type {
	case "PROJECT":
		o = projectView(rec, now, detail)
	case "DEAL":
		o = opportunityView(rec)
	default:
		o = accountView(rec)
	}
	h.state.applyRecord(o, rec)
	return o
}

func getRecord(kind, param string) handlerFunc {
	return func(h *Handler, w http.ResponseWriter, r *http.Request, _ []byte) {
		if _, ok := h.query(w, r); !ok {
			return
		}
		snap := h.snapshot()
		if rec := h.record(w, r, snap, kind, param); rec != nil {
			writeJSON(w, http.StatusOK, h.view(rec, snap.At, true))
		}
	}
}

func listRecords(kind string) handlerFunc {
	return func(h *Handler, w http.ResponseWriter, r *http.Request, _ []byte) {
		q, ok := h.query(w, r)
		if !ok {
			return
		}
		if q.Get("primaryName") != "" {
			h.notModelled(w, r, "primaryName", "the mock's world keeps no contact names")
			return
		}
		snap := h.snapshot()
		var out []object
		for i := range snap.Records {
			rec := &snap.Records[i]
			if rec.Type != kind {
				continue
			}
			o := h.view(rec, snap.At, false)
			if q.keep(o) && matchFields(o, q.Values) {
				out = append(out, o)
			}
		}
		writeJSON(w, http.StatusOK, q.page(out))
	}
}

func (h *Handler) notModelled(w http.ResponseWriter, r *http.Request, param, why string) {
	writeJSON(w, http.StatusNotImplemented, errorBody{
		Message: fmt.Sprintf("coperniq-mock does not support the %s parameter of %s: %s", param, r.Pattern, why),
		Code:    "NOT_IMPLEMENTED", Field: param,
	})
}

// matchFields applies the list endpoints' field searches (contains,
// case-insensitive) and q, the full-text search over them.
func matchFields(o object, v url.Values) bool {
	text := func(key string) string {
		switch x := o[key].(type) {
		case string:
			return strings.ToLower(x)
		case []string:
			return strings.ToLower(strings.Join(x, " "))
		}
		return ""
	}
	for _, f := range []string{"title", "address", "primaryEmail", "primaryPhone"} {
		if want := v.Get(f); want != "" && !strings.Contains(text(f), strings.ToLower(want)) {
			return false
		}
	}
	if want := strings.ToLower(v.Get("q")); want != "" {
		hit := false
		for _, f := range []string{"title", "address", "primaryEmail", "primaryPhone"} {
			hit = hit || strings.Contains(text(f), want)
		}
		if !hit && !strings.Contains(fmt.Sprint(o["number"]), want) {
			return false
		}
	}
	return true
}

func getWorkOrder(h *Handler, w http.ResponseWriter, r *http.Request, _ []byte) {
	if _, ok := h.query(w, r); !ok {
		return
	}
	snap := h.snapshot()
	id, ok := h.pathID(w, r, "workOrderId")
	if !ok {
		return
	}
	wo := findWorkOrder(snap, id)
	if wo == nil {
		h.fail(w, h.op(r), http.StatusNotFound, h.notFoundMessage("work order", id), "")
		return
	}
	writeJSON(w, http.StatusOK, h.workOrder(snap, wo))
}

func (h *Handler) workOrder(snap *scenarios.Snapshot, wo *scenarios.WorkOrderState) object {
	o := workOrderView(wo, findRecord(snap, "", wo.RecordID), h.completed)
	h.state.applyWorkOrder(o, wo)
	return o
}

func listWorkOrders(kind, param string) handlerFunc {
	return func(h *Handler, w http.ResponseWriter, r *http.Request, _ []byte) {
		q, ok := h.query(w, r)
		if !ok {
			return
		}
		snap := h.snapshot()
		var parent int64
		if kind != "" {
			rec := h.record(w, r, snap, kind, param)
			if rec == nil {
				return
			}
			parent = rec.ID
		}
		var out []object
		for i := range snap.WorkOrders {
			wo := &snap.WorkOrders[i]
			if parent != 0 && wo.RecordID != parent {
				continue
			}
			if o := h.workOrder(snap, wo); q.keep(o) {
				out = append(out, o)
			}
		}
		writeJSON(w, http.StatusOK, q.page(out))
	}
}

func (h *Handler) appointment(snap *scenarios.Snapshot, a *scenarios.AppointmentState) object {
	var wo *scenarios.WorkOrderState
	if a.WorkOrderID != 0 {
		wo = findWorkOrder(snap, a.WorkOrderID)
	}
	return appointmentView(a, findRecord(snap, "", a.RecordID), wo, h.completed)
}

func getAppointment(h *Handler, w http.ResponseWriter, r *http.Request, _ []byte) {
	if _, ok := h.query(w, r); !ok {
		return
	}
	snap := h.snapshot()
	id, ok := h.pathID(w, r, "appointmentId")
	if !ok {
		return
	}
	for i := range snap.Appointments {
		if a := &snap.Appointments[i]; a.ID == id {
			writeJSON(w, http.StatusOK, h.appointment(snap, a))
			return
		}
	}
	h.fail(w, h.op(r), http.StatusNotFound, h.notFoundMessage("appointment", id), "")
}

func listAppointments(h *Handler, w http.ResponseWriter, r *http.Request, _ []byte) {
	q, ok := h.query(w, r)
	if !ok {
		return
	}
	snap := h.snapshot()
	rec := h.record(w, r, snap, "DEAL", "opportunityId")
	if rec == nil {
		return
	}
	var out []object
	for i := range snap.Appointments {
		if a := &snap.Appointments[i]; a.RecordID == rec.ID {
			if o := h.appointment(snap, a); q.keep(o) {
				out = append(out, o)
			}
		}
	}
	total := len(out)
	writeJSON(w, http.StatusOK, object{"appointments": q.page(out), "totalCount": total})
}

func listCalls(kind, param string) handlerFunc {
	return func(h *Handler, w http.ResponseWriter, r *http.Request, _ []byte) {
		if _, ok := h.query(w, r); !ok {
			return
		}
		snap := h.snapshot()
		rec := h.record(w, r, snap, kind, param)
		if rec == nil {
			return
		}
		out := []object{}
		for i := range snap.Calls {
			if c := &snap.Calls[i]; c.RecordID == rec.ID {
				out = append(out, callView(c, rec))
			}
		}
		writeJSON(w, http.StatusOK, out)
	}
}
