package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

// The API's objects are built from the world's, named as the document
// names them. Where the webhook and the API name one thing differently
// the mapping is the README's table: uid -> number, dealValue -> value,
// completionDate -> completedAt, a work order's status string -> {id,
// label}, address line -> [line].

type object = map[string]any

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func nullTime(t generator.Null[time.Time]) any {
	if !t.Valid {
		return nil
	}
	return ts(t.V)
}

func nullStr(s generator.Null[string]) any {
	if !s.Valid {
		return nil
	}
	return s.V
}

// address is the API's address: an array holding the one-line address
// (the document: "An array containing a single string"); empty when the
// record has none.
func address(r *generator.Record) []string {
	if !r.Address.Valid || r.Address.V == "" {
		return []string{}
	}
	return []string{r.Address.V}
}

func trades(r *generator.Record) []string {
	if r.Trades == nil {
		return []string{}
	}
	return r.Trades
}

// recordBase is what projects, opportunities and accounts share.
func recordBase(r *scenarios.RecordState) object {
	o := object{
		"id": r.ID,
		// Ours for opportunities and accounts, whose documented schemas
		// have no title: the webhook's record title.
		"title":        r.Title,
		"createdAt":    ts(r.CreatedAt),
		"updatedAt":    ts(r.UpdatedAt),
		"address":      address(&r.Record),
		"isActive":     true,
		"primaryEmail": nullStr(r.PrimaryEmail),
		"primaryPhone": nullStr(r.PrimaryPhone),
		// The webhook's record.uid is the API's number.
		"number":    r.UID,
		"createdBy": nil,
		"updatedBy": nil,
		"custom":    object{},
	}
	return o
}

func value(r *scenarios.RecordState) any {
	if !r.DealValue.Valid {
		return nil
	}
	return r.DealValue.V
}

func accountID(r *scenarios.RecordState) any {
	if r.AccountID == 0 {
		return nil
	}
	return r.AccountID
}

// current is the phase the record stands in: the latest started, else
// the first.
func current(r *scenarios.RecordState) *scenarios.PhaseState {
	var cur *scenarios.PhaseState
	for i := range r.Phases {
		p := &r.Phases[i]
		if p.Status != "NOT_STARTED" && (cur == nil || p.StartedAt.After(cur.StartedAt)) {
			cur = p
		}
	}
	if cur == nil && len(r.Phases) > 0 {
		cur = &r.Phases[0]
	}
	return cur
}

// projectView is a Project; with phases it is a ProjectWithPhaseInstances
// (GET /projects/{id}).
func projectView(r *scenarios.RecordState, now time.Time, phases bool) object {
	o := recordBase(r)
	o["description"] = nil
	o["trades"] = trades(&r.Record)
	o["value"] = value(r)
	o["size"] = nil
	o["workflowId"] = nil
	o["accountId"] = accountID(r)
	if r.Status.Valid {
		o["status"] = r.Status.V
	}
	if r.Workflow != "" {
		o["workflowName"] = r.Workflow
	}
	if p := current(r); p != nil {
		ph := object{
			"templateId": p.TemplateID,
			"name":       p.Name,
			"status":     p.Status,
			"type":       p.Type,
			"redSla":     p.RedSLA,
			"yellowSla":  p.YellowSLA,
		}
		if p.InstanceID != 0 {
			ph["instanceId"] = p.InstanceID
		}
		if !p.StartedAt.IsZero() {
			end := now
			if !p.CompletedAt.IsZero() {
				end = p.CompletedAt
			}
			days := int(end.Sub(p.StartedAt) / (24 * time.Hour))
			ph["timeInStageDays"] = days
			// Ours: violated once the phase has run past its yellow SLA,
			// when the world fires its first SLA violation.
			ph["slaStatus"] = "NON_VIOLATED"
			if p.Status == "IN_PROGRESS" && days >= p.YellowSLA {
				ph["slaStatus"] = "VIOLATED"
			}
		}
		o["phase"] = ph
	}
	if phases {
		o["phaseInstances"] = phaseInstances(r, true)
	}
	return o
}

// phaseInstances lists the record's phases; a phase not started yet has
// no instance id in the world, so (ours) it is listed with id 0.
func phaseInstances(r *scenarios.RecordState, times bool) []object {
	out := []object{}
	for _, p := range r.Phases {
		o := object{
			"id":              p.InstanceID,
			"name":            p.Name,
			"status":          p.Status,
			"position":        p.Position,
			"type":            p.Type,
			"phaseTemplateId": p.TemplateID,
			"phaseTemplate": object{
				"id": p.TemplateID, "name": p.Name, "type": p.Type,
				"redSla": p.RedSLA, "yellowSla": p.YellowSLA,
			},
		}
		if times {
			o["startedAt"], o["completedAt"] = nil, nil
			if !p.StartedAt.IsZero() {
				o["startedAt"] = ts(p.StartedAt)
			}
			if !p.CompletedAt.IsZero() {
				o["completedAt"] = ts(p.CompletedAt)
			}
		}
		out = append(out, o)
	}
	return out
}

func opportunityView(r *scenarios.RecordState) object {
	o := recordBase(r)
	o["trades"] = trades(&r.Record)
	o["value"] = value(r)
	o["size"] = nil
	o["confidence"] = nil
	o["workflowId"] = nil
	o["accountId"] = accountID(r)
	o["imageUrl"], o["streetViewUrl"] = nil, nil
	if r.City.Valid {
		o["city"] = r.City.V
	}
	if r.State.Valid {
		o["state"] = r.State.V
	}
	if street, zip := splitAddress(&r.Record); street != "" {
		o["street"] = street
		if zip != "" {
			o["zipcode"] = zip
		}
	}
	// The document types geoLocation as an array of strings; ours:
	// [lat, lng] as decimal strings.
	if g := r.GeoLocation; g != nil {
		o["geoLocation"] = []string{formatFloat(g.Lat), formatFloat(g.Lng)}
	}
	if j := r.Jurisdiction; j != nil {
		o["jurisdiction"] = object{"id": j.ID, "name": j.Name}
	} else {
		o["jurisdiction"] = nil
	}
	o["owner"], o["salesRep"], o["projectManager"] = nil, nil, nil
	if r.OwnerID.Valid {
		o["owner"] = object{"id": r.OwnerID.V}
	}
	o["lastActivity"] = ts(r.UpdatedAt)
	o["workflowName"] = r.Workflow
	o["phase"], o["phaseId"] = nil, nil
	if p := current(r); p != nil {
		// Ours: an opportunity's phase id is its phase template's id.
		o["phase"] = object{"id": p.TemplateID, "name": p.Name, "type": p.Type}
		o["phaseId"] = p.TemplateID
	}
	o["phaseInstances"] = phaseInstances(r, false)
	return o
}

func accountView(r *scenarios.RecordState) object {
	o := recordBase(r)
	o["accountType"] = nil
	return o
}

// splitAddress cuts the one-line address ("123 Main St Austin TX 78701")
// into the street and the ZIP code, using the record's city.
func splitAddress(r *generator.Record) (street, zip string) {
	if !r.Address.Valid {
		return "", ""
	}
	line := r.Address.V
	if r.City.Valid {
		if i := strings.LastIndex(line, " "+r.City.V+" "); i > 0 {
			street = line[:i]
		}
	}
	if f := strings.Fields(line); len(f) > 0 {
		last := f[len(f)-1]
		if len(last) == 5 && strings.Trim(last, "0123456789") == "" {
			zip = last
		}
	}
	return street, zip
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// statusLabel is the label of a work-order status (ours: the words in
// title case, IN_PROGRESS -> In Progress).
func statusLabel(s string) string {
	words := strings.Split(strings.ToLower(s), "_")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

func workOrderView(wo *scenarios.WorkOrderState, parent *scenarios.RecordState, completed string) object {
	o := object{
		"id":              wo.ID,
		"uid":             wo.UID, // the work order's own uid: the document's "within the project"
		"createdAt":       ts(wo.CreatedAt),
		"updatedAt":       ts(wo.ModifiedAt),
		"title":           wo.Title,
		"startDate":       nullTime(wo.StartDate),
		"startDateAllDay": wo.StartDateAllDay,
		"endDate":         nullTime(wo.EndDate),
		"endDateAllDay":   wo.EndDateAllDay,
		"completedAt":     nullTime(wo.CompletionDate),
		"isArchived":      false,
		"isCompleted":     wo.Status == completed,
		"isField":         wo.IsField,
		"labels":          []any{},
		"collaborators":   []any{},
		"checklist":       []any{},
		"workItems":       []any{},
		"status":          object{"id": wo.Status, "label": statusLabel(wo.Status)},
		"assignee":        nil,
	}
	if wo.Description.Valid {
		o["description"] = wo.Description.V
	}
	if wo.Priority.Valid {
		o["priority"] = wo.Priority.V
	}
	if wo.AssigneeID.Valid {
		o["assignee"] = object{"id": wo.AssigneeID.V}
	}
	if parent != nil {
		p := object{"id": parent.ID, "uid": parent.UID, "address": address(&parent.Record), "stage": nil}
		if parent.Stage != nil {
			p["stage"] = parent.Stage.Name
		}
		o["project"] = p
	}
	return o
}

func appointmentView(a *scenarios.AppointmentState, rec *scenarios.RecordState, wo *scenarios.WorkOrderState, completed string) object {
	o := object{
		"id":            a.ID,
		"dueDate":       ts(a.Due),
		"isCompleted":   false,
		"completedAt":   nil,
		"assigneeId":    nil,
		"opportunityId": nil,
		"createdBy":     nil,
		"createdAt":     ts(a.CreatedAt),
		"updatedAt":     ts(a.UpdatedAt),
	}
	if rec != nil && rec.Type == "DEAL" {
		o["opportunityId"] = rec.ID
	}
	// Ours: an appointment is completed with the field work it books.
	if wo != nil {
		if wo.AssigneeID.Valid {
			o["assigneeId"] = wo.AssigneeID.V
		}
		if wo.Status == completed && wo.CompletionDate.Valid {
			o["isCompleted"], o["completedAt"] = true, ts(wo.CompletionDate.V)
		}
	}
	return o
}

// companyPhone is the number the company calls from (ours).
const companyPhone = "+15125550100"

func callView(c *scenarios.CallState, rec *scenarios.RecordState) object {
	customer := companyPhone
	if rec != nil && rec.PrimaryPhone.Valid {
		customer = rec.PrimaryPhone.V
	}
	// Ours: calls are the company calling the customer, answered.
	return object{
		"id":            c.ID,
		"fromNumber":    companyPhone,
		"toNumber":      customer,
		"isInbound":     false,
		"outcome":       "ANSWERED",
		"startTime":     ts(c.CreatedAt),
		"endTime":       nil,
		"reason":        nil,
		"disposition":   nil,
		"note":          nil,
		"recordingUrl":  nil,
		"transcriptUrl": nil,
		"missedCount":   nil,
		"createdAt":     ts(c.CreatedAt),
		"updatedAt":     ts(c.UpdatedAt),
	}
}
