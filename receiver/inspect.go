package receiver

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
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

func (rc *Receiver) serveMock(w http.ResponseWriter, r *http.Request) {
	if !rc.inspectAllowed(w, r) {
		return
	}
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

// proxyHeaders are request headers that reverse proxies and tunnels add
// (ngrok, cloudflared, localtunnel, nginx, Caddy, ...), or that only their
// users send. A tunnel's agent connects from this machine, so that its
// requests come from a loopback address: these headers give them away.
var proxyHeaders = []string{
	"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
	"X-Forwarded-Port", "X-Forwarded-Server", "X-Real-Ip", "X-Original-Forwarded-For",
	"Via", "True-Client-Ip", "X-Client-Ip", "Cf-Connecting-Ip", "Cf-Ray",
	"Cf-Visitor", "Cdn-Loop", "Ngrok-Skip-Browser-Warning",
}

const inspectHint = `to inspect from elsewhere, give the receiver a token (listen --inspect-token TOKEN, or receiver.WithInspectToken) ` +
	`and send "Authorization: Bearer TOKEN"; or let anyone who reaches this address read and clear the capture ` +
	`(listen --public-inspect, or receiver.WithPublicInspect)`

// inspectAllowed answers 401 or 403 to an inspection request it refuses
// (see the package doc on access). Health checks are always allowed: they
// tell nothing.
func (rc *Receiver) inspectAllowed(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Path == PathHealthz {
		return true
	}
	if rc.cfg.token != "" {
		if bearer(r.Header.Get("Authorization"), rc.cfg.token) {
			return true
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="coperniq-mock inspection"`)
		writeJSON(w, http.StatusUnauthorized, errorBody{
			Error: "the inspection API needs the receiver's inspect token",
			Hint:  `send "Authorization: Bearer TOKEN", TOKEN being the one given to listen --inspect-token (receiver.WithInspectToken)`,
		})
		return false
	}
	if rc.cfg.public {
		return true
	}
	if why := notLocal(r); why != "" {
		writeJSON(w, http.StatusForbidden, errorBody{
			Error: "inspection refused: " + why + "; the inspection API shows real payloads (customers' names, emails, " +
				"addresses) and can clear them, so by default it answers only requests made directly on this machine",
			Hint: inspectHint,
		})
		return false
	}
	return true
}

// bearer reports that an Authorization header carries the token.
func bearer(header, token string) bool {
	scheme, cred, _ := strings.Cut(header, " ")
	return strings.EqualFold(scheme, "Bearer") &&
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(cred)), []byte(token)) == 1
}

// notLocal says why a request was not made directly on this machine, or ""
// if it was: no proxy header, from a loopback address or this machine's own
// (that of the connection's local end), to a host named localhost or by one
// of those addresses. The host check also catches a tunnel that adds no
// header (ssh -R keeps the public name) and DNS rebinding, where a web page
// from elsewhere gets its name resolved to 127.0.0.1.
func notLocal(r *http.Request) string {
	for _, h := range proxyHeaders {
		if len(r.Header.Values(h)) > 0 {
			return fmt.Sprintf("the request came through a proxy or tunnel (its %s header says so)", h)
		}
	}
	var local netip.Addr
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		local = addrIP(a.String())
	}
	self := func(ip netip.Addr) bool {
		return ip.IsValid() && (ip.IsLoopback() || ip == local)
	}
	if !self(addrIP(r.RemoteAddr)) {
		return fmt.Sprintf("the request came from %q, not from this machine", r.RemoteAddr)
	}
	if host := r.Host; host != "" && !self(addrIP(host)) && !localhostName(host) {
		return fmt.Sprintf("the request was addressed to %q, not to this machine by a local name or address "+
			"(it came through a tunnel, or from a web page that had its name resolved here)", host)
	}
	return ""
}

// addrIP is the IP of "host:port", "[v6]", or a bare IP, without zone and
// unmapped from IPv6; invalid if there is none.
func addrIP(hostport string) netip.Addr {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return ip.WithZone("").Unmap()
}

func localhostName(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

func notAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %q not allowed on %s; use %s", r.Method, r.URL.Path, allow))
}
