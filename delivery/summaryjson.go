package delivery

import (
	"encoding/json"
	"strconv"
	"time"
)

// SummaryVersion is the version of Outcome's JSON format (MarshalJSON);
// it changes when a field changes meaning or goes away, not when one is
// added.
const SummaryVersion = 1

// summaryJSON is the documented JSON form of an Outcome: durations are
// numbers in milliseconds, with the unit in the key; the events that were
// not acknowledged are listed, the acked ones only counted.
type summaryJSON struct {
	Version     int                   `json:"version"`
	Target      string                `json:"target"`
	Insecure    bool                  `json:"insecure,omitempty"`
	Started     time.Time             `json:"started"`
	ElapsedMs   float64               `json:"elapsedMs"`
	SpanMs      float64               `json:"spanMs"`
	Seed        uint64                `json:"seed"`
	Clock       string                `json:"clock"`
	Policy      string                `json:"policy"`
	Interrupted bool                  `json:"interrupted"`
	Events      int                   `json:"events"`
	Acked       int                   `json:"acked"`
	Dead        int                   `json:"dead"`
	Pending     int                   `json:"pending"`
	Retried     int                   `json:"retried"`
	Attempts    int                   `json:"attempts"`
	Duplicates  int                   `json:"duplicates"`
	LatencyMs   latencyJSON           `json:"latencyMs"`
	Triggers    map[string]countsJSON `json:"triggers"`
	Statuses    map[string]int        `json:"statuses"`
	Errors      map[ErrKind]int       `json:"errors"`
	NotAcked    []notAckedJSON        `json:"notAcked"`
}

type latencyJSON struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

type countsJSON struct {
	Events  int `json:"events"`
	Acked   int `json:"acked"`
	Dead    int `json:"dead"`
	Pending int `json:"pending"`
}

type notAckedJSON struct {
	EventID     int64   `json:"eventId"`
	TriggerKey  string  `json:"triggerKey"`
	RecordID    int64   `json:"recordId"`
	State       State   `json:"state"`
	Attempts    int     `json:"attempts"`
	LastStatus  int     `json:"lastStatus,omitempty"`
	LastErrKind ErrKind `json:"lastError,omitempty"`
}

// MarshalJSON writes the summary in its documented, versioned format
// (SummaryVersion), for -o json.
func (s *Outcome) MarshalJSON() ([]byte, error) {
	j := summaryJSON{
		Version: SummaryVersion, Target: s.Target, Insecure: s.Insecure, Started: s.Started,
		ElapsedMs: ms(s.Elapsed), SpanMs: ms(s.Span), Seed: s.Seed, Clock: s.Clock, Policy: s.Policy,
		Interrupted: s.Interrupted, Events: s.Events, Acked: s.Acked, Dead: s.Dead, Pending: s.Pending,
		Retried: s.Retried, Attempts: s.Attempts, Duplicates: s.Duplicates,
		LatencyMs: latencyJSON{P50: ms(s.LatencyP50), P99: ms(s.LatencyP99), Max: ms(s.LatencyMax)},
		Triggers:  map[string]countsJSON{}, Statuses: map[string]int{}, Errors: map[ErrKind]int{},
		NotAcked: []notAckedJSON{},
	}
	for k, c := range s.Triggers {
		j.Triggers[k] = countsJSON(c)
	}
	for code, n := range s.Statuses {
		j.Statuses[strconv.Itoa(code)] = n
	}
	for k, n := range s.Errors {
		j.Errors[k] = n
	}
	for _, r := range s.Results {
		if r.State != StateAcked {
			j.NotAcked = append(j.NotAcked, notAckedJSON{EventID: r.EventID, TriggerKey: r.TriggerKey, RecordID: r.RecordID,
				State: r.State, Attempts: r.Attempts, LastStatus: r.LastStatus, LastErrKind: r.LastErrKind})
		}
	}
	return json.Marshal(j)
}
