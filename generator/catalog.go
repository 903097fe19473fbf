package generator

import (
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// fieldCode identifies a trigger-specific event field, resolved from the
// catalog once so encoding switches on a small integer, not a name.
type fieldCode uint8

const (
	fUnknown fieldCode = iota
	fWorkOrderID
	fCurrentStatus
	fPreviousStatus
	fPhaseInstanceID
	fPhaseTemplateID
	fPhaseType
	fStatus
	fOverdueAt
	fSLAType
	fAppointmentID
	fDueDate
	fPreviousDueDate
)

var fieldCodes = map[string]fieldCode{
	"workOrderId": fWorkOrderID, "currentStatus": fCurrentStatus, "previousStatus": fPreviousStatus,
	"phaseInstanceId": fPhaseInstanceID, "phaseTemplateId": fPhaseTemplateID, "phaseType": fPhaseType,
	"status": fStatus, "overdueAt": fOverdueAt, "slaType": fSLAType,
	"appointmentId": fAppointmentID, "dueDate": fDueDate, "previousDueDate": fPreviousDueDate,
}

// trigKind is what the generator does differently per trigger.
type trigKind uint8

const (
	kindCreated trigKind = iota // PROJECT_CREATED, REQUEST_CREATED
	kindStatusMove
	kindPropertyUpdated
	kindPhaseStarted
	kindPhaseCompleted
	kindSLA
	kindApptCreated
	kindApptRescheduled
	kindCall
	kindTaskCreated
	kindTaskCompleted
	kindTaskMove
)

var kindOf = map[string]trigKind{
	"TASK_CREATED": kindTaskCreated, "TASK_COMPLETED": kindTaskCompleted, "TASK_STATUS_MOVEMENT": kindTaskMove,
	"PROJECT_CREATED": kindCreated, "REQUEST_CREATED": kindCreated,
	"PROJECT_STATUS_MOVEMENT": kindStatusMove, "DEAL_STATUS_MOVEMENT": kindStatusMove,
	"PROJECT_PROPERTY_UPDATED": kindPropertyUpdated, "DEAL_PROPERTY_UPDATED": kindPropertyUpdated,
	"PROJECT_PHASE_STARTED": kindPhaseStarted, "REQUEST_PHASE_STARTED": kindPhaseStarted,
	"PROJECT_PHASE_COMPLETED": kindPhaseCompleted, "REQUEST_PHASE_COMPLETED": kindPhaseCompleted,
	"PROJECT_PHASE_SLA_VIOLATION": kindSLA, "DEAL_PHASE_SLA_VIOLATION": kindSLA,
	"APPOINTMENT_CREATED": kindApptCreated, "APPOINTMENT_RESCHEDULED": kindApptRescheduled,
	"CALL_UPSERTED": kindCall,
}

type trigField struct {
	key  string // ,"name": as the encoder writes it before the value, joined once here
	code fieldCode
}

type trigInfo struct {
	key, name   string
	family      schemas.Family
	recordTypes []string
	workOrder   bool
	// recordOptional: the payload may lack a record (schemas.Trigger).
	recordOptional bool
	fields         []trigField
	kind           trigKind
}

var (
	triggerList  []*trigInfo
	triggerByKey = map[string]*trigInfo{}
)

func init() {
	for _, t := range schemas.Triggers() {
		ti := &trigInfo{key: t.Key, name: t.Name, family: t.Family, recordTypes: t.RecordTypes,
			workOrder: t.WorkOrder, recordOptional: t.RecordOptional, kind: kindOf[t.Key]}
		if _, ok := kindOf[t.Key]; !ok {
			// A trigger added to the catalog but not taught to the generator
			// still gets a plausible payload: a record that changed.
			ti.kind = kindPropertyUpdated
		}
		for _, f := range t.Fields {
			ti.fields = append(ti.fields, trigField{key: `,"` + f.Name + `":`, code: fieldCodes[f.Name]})
		}
		triggerList = append(triggerList, ti)
		triggerByKey[t.Key] = ti
		for h := trigSlot(t.Key); ; h = (h + 1) % len(trigSlots) {
			if trigSlots[h] == nil {
				trigSlots[h] = ti
				break
			}
		}
	}
}

// trigSlots is triggerByKey as an open-addressed table whose hash looks at
// three bytes and the length, not the whole key: every payload looks its
// trigger up. Its size keeps it at most half full, so probes end.
var trigSlots [128]*trigInfo

func trigSlot(key string) int {
	if key == "" {
		return 0
	}
	h := uint(len(key))*0x9E37 ^ uint(key[0])*0x85EB ^ uint(key[len(key)/2])*0xC2B2 ^ uint(key[len(key)-1])*0x27D4
	return int(h>>3) % len(trigSlots)
}

func lookupTrigger(key string) (*trigInfo, error) {
	for h := trigSlot(key); trigSlots[h] != nil; h = (h + 1) % len(trigSlots) {
		if trigSlots[h].key == key {
			return trigSlots[h], nil
		}
	}
	_, err := schemas.Lookup(key)
	if err == nil { // the catalog knows it but did not at init: cannot happen
		err = &schemas.UnknownTriggerError{Key: key}
	}
	return nil, err
}
