package receiver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The inspection API's paths (see the package doc).
const (
	PathDeliveries = "/_mock/deliveries"
	PathEvents     = "/_mock/events/" // followed by the eventId
	PathSummary    = "/_mock/summary"
	PathHealthz    = "/_mock/healthz"
)

// eventReport is the answer of GET /_mock/events/{eventId}.
type eventReport struct {
	EventID  int64          `json:"eventId"`
	Received int            `json:"received"`
	Attempts []attemptBrief `json:"attempts"`
	// SamePayload reports that every attempt carried the same bytes, as a
	// retry should.
	SamePayload bool            `json:"samePayload"`
	Payload     json.RawMessage `json:"payload"` // the latest attempt's
}

type attemptBrief struct {
	Seq      int       `json:"seq"`
	Time     time.Time `json:"time"`
	Attempt  int       `json:"attempt"`
	Status   int       `json:"status"`
	Reset    bool      `json:"reset,omitempty"`
	Injected string    `json:"injected,omitempty"`
	Valid    bool      `json:"valid"`
}

func (rc *Receiver) serveMock(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case path == PathDeliveries:
		switch {
		case read:
			writeJSON(w, http.StatusOK, rc.Deliveries())
		case r.Method == http.MethodDelete:
			writeJSON(w, http.StatusOK, map[string]int{"cleared": rc.Clear()})
		default:
			notAllowed(w, r, "GET, HEAD, DELETE")
		}
	case strings.HasPrefix(path, PathEvents):
		if !read {
			notAllowed(w, r, "GET, HEAD")
			return
		}
		rc.serveEvent(w, strings.TrimPrefix(path, PathEvents))
	case path == PathSummary || path == PathHealthz:
		if !read {
			notAllowed(w, r, "GET, HEAD")
			return
		}
		if path == PathSummary {
			writeJSON(w, http.StatusOK, rc.Summary())
		} else {
			writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
		}
	default:
		writeError(w, http.StatusNotFound, fmt.Sprintf("no inspection endpoint at %q; there are %s, %s{eventId}, %s and %s",
			path, PathDeliveries, PathEvents, PathSummary, PathHealthz))
	}
}

func (rc *Receiver) serveEvent(w http.ResponseWriter, raw string) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("event id %q is not an integer", raw))
		return
	}
	ds := rc.DeliveriesOf(id)
	if len(ds) == 0 {
		writeError(w, http.StatusNotFound, fmt.Sprintf("event %d was never received (or was cleared or dropped)", id))
		return
	}
	rep := eventReport{EventID: id, Received: len(ds), SamePayload: true, Payload: ds[len(ds)-1].Payload}
	for _, d := range ds {
		rep.Attempts = append(rep.Attempts, attemptBrief{
			Seq: d.Seq, Time: d.Time, Attempt: d.Attempt, Status: d.Status,
			Reset: d.Reset, Injected: d.Injected, Valid: d.Valid,
		})
		if !bytes.Equal(d.Payload, ds[0].Payload) {
			rep.SamePayload = false
		}
	}
	writeJSON(w, http.StatusOK, rep)
}

func notAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %q not allowed on %s; use %s", r.Method, r.URL.Path, allow))
}
