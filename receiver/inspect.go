package receiver

import (
	"crypto/subtle"
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
	// retry should (compared by hash once payloads were dropped).
	SamePayload bool `json:"samePayload"`
	// Payload is the latest attempt's; null if MaxBytes dropped it.
	Payload json.RawMessage `json:"payload"`
}

type attemptBrief struct {
	Seq      int       `json:"seq"`
	Time     time.Time `json:"time"`
	Attempt  int       `json:"attempt"`
	Status   int       `json:"status"`
	Reset    bool      `json:"reset,omitempty"`
	Injected string    `json:"injected,omitempty"`
	Valid    bool      `json:"valid"`
	// PayloadDropped: see Delivery.PayloadDropped.
	PayloadDropped bool `json:"payloadDropped,omitempty"`
}

// InspectHandler serves the inspection API (see the package doc) to every
// request it gets: mount it where only you reach it. Start serves it on its
// own loopback address, Server.InspectURL.
func (rc *Receiver) InspectHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL == nil || !isMockPath(r.URL.Path) {
			writeError(w, http.StatusNotFound, "this address serves the inspection API only, under /_mock/; deliveries go to the delivery address")
			return
		}
		rc.serveMock(w, r)
	})
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
	es := rc.entriesOf(id)
	if len(es) == 0 {
		writeError(w, http.StatusNotFound, fmt.Sprintf("event %d was never received (or was cleared or dropped)", id))
		return
	}
	rep := eventReport{EventID: id, Received: len(es), SamePayload: true, Payload: es[len(es)-1].Payload}
	for _, e := range es {
		rep.Attempts = append(rep.Attempts, attemptBrief{
			Seq: e.Seq, Time: e.Time, Attempt: e.Attempt, Status: e.Status,
			Reset: e.Reset, Injected: e.Injected, Valid: e.Valid, PayloadDropped: e.PayloadDropped,
		})
		// Every delivery with an eventId had a payload: the digests are
		// those of the bytes received.
		if e.digest != es[0].digest {
			rep.SamePayload = false
		}
	}
	writeJSON(w, http.StatusOK, rep)
}

const inspectHint = `the inspection API is served on its own loopback address, printed by listen at start ` +
	`(receiver: Server.InspectURL, or mount Receiver.InspectHandler), which a tunnel to this address does not reach; ` +
	`to inspect through the tunnel, give the receiver a token (listen --inspect-token TOKEN, receiver.WithInspectToken) ` +
	`and send "Authorization: Bearer TOKEN"`

// serveMockOnDelivery answers /_mock/ on the delivery address, which a
// tunnel may make public: a request there cannot be told from a local one
// (a TCP tunnel's agent connects from 127.0.0.1 with whatever headers the
// sender chose), so only a token or an explicit WithPublicInspect opens
// the inspection API there. The health check tells nothing and is always
// answered.
func (rc *Receiver) serveMockOnDelivery(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == PathHealthz:
		rc.serveMock(w, r)
	case rc.cfg.token != "":
		if bearer(r.Header.Get("Authorization"), rc.cfg.token) {
			rc.serveMock(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="coperniq-mock inspection"`)
		writeJSON(w, http.StatusUnauthorized, errorBody{
			Error: "the inspection API needs the receiver's inspect token",
			Hint:  `send "Authorization: Bearer TOKEN", TOKEN being the one given to listen --inspect-token (receiver.WithInspectToken)`,
		})
	case rc.cfg.public:
		rc.serveMock(w, r)
	default:
		writeJSON(w, http.StatusForbidden, errorBody{
			Error: "no inspection on the delivery address: it shows real payloads (customers' names, emails, addresses) " +
				"and can clear them, and this address may be reached through a tunnel",
			Hint: inspectHint,
		})
	}
}

// bearer reports that an Authorization header carries the token.
func bearer(header, token string) bool {
	scheme, cred, _ := strings.Cut(header, " ")
	return strings.EqualFold(scheme, "Bearer") &&
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(cred)), []byte(token)) == 1
}

func notAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %q not allowed on %s; use %s", r.Method, r.URL.Path, allow))
}
