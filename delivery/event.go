package delivery

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Event is one webhook delivery unit: the identifiers the engine needs for
// ordering and accounting, and the exact bytes to POST. Body is sent as is on
// every attempt and every duplicate; the engine never modifies it, and callers
// must not modify it during a run either.
type Event struct {
	ID         int64
	TriggerKey string
	RecordID   int64
	Body       []byte
}

// EventFromPayload reads event.eventId, event.triggerKey and event.recordId
// from a Coperniq payload. Body is body itself, not a re-encoding, so that the
// bytes sent are byte for byte the ones given.
func EventFromPayload(body []byte) (Event, error) {
	var p struct {
		Event *struct {
			EventID    *int64  `json:"eventId"`
			TriggerKey *string `json:"triggerKey"`
			RecordID   *int64  `json:"recordId"`
		} `json:"event"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return Event{}, fmt.Errorf("payload is not a Coperniq event: %w", err)
	}
	if p.Event == nil {
		return Event{}, errors.New("payload has no \"event\" object (want {\"event\": {\"eventId\", \"triggerKey\", \"recordId\", ...}, ...})")
	}
	var missing []string
	if p.Event.EventID == nil {
		missing = append(missing, "event.eventId")
	}
	if p.Event.TriggerKey == nil || *p.Event.TriggerKey == "" {
		missing = append(missing, "event.triggerKey")
	}
	if p.Event.RecordID == nil {
		missing = append(missing, "event.recordId")
	}
	if len(missing) > 0 {
		return Event{}, fmt.Errorf("payload is missing %s", strings.Join(missing, ", "))
	}
	return Event{
		ID:         *p.Event.EventID,
		TriggerKey: *p.Event.TriggerKey,
		RecordID:   *p.Event.RecordID,
		Body:       body,
	}, nil
}
