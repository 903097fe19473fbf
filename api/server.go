package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coperniq-mock/coperniq-mock/scenarios"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Defaults.
const (
	// DefaultKey is the x-api-key the mock accepts when none is given.
	DefaultKey = "coperniq-mock-key"
	// DefaultRetryAfter is the Retry-After of a 429 fault. Coperniq
	// documents the 429 but not the header: the header is our
	// assumption.
	DefaultRetryAfter = time.Second
	// DefaultMaxCalls bounds the call log; older calls are dropped and
	// counted.
	DefaultMaxCalls = 10000
	// maxBody bounds a request body the mock reads.
	maxBody = 1 << 20
)

// Option configures a Handler.
type Option func(*config) error

type config struct {
	key        string
	failRate   float64
	limitRate  float64
	retryAfter time.Duration
	latLo      time.Duration
	latHi      time.Duration
	seed       uint64
	at         time.Time
	atSet      bool
	perSecond  int
	perDay     int
	maxCalls   int
	limitFirst bool
	vocab      *schemas.Vocabulary
}

// WithKey sets the x-api-key the mock accepts (default DefaultKey).
func WithKey(key string) Option {
	return func(c *config) error {
		if key == "" {
			return errors.New("the API key is empty; give the key your receiver sends in x-api-key")
		}
		c.key = key
		return nil
	}
}

// WithFailRate answers this fraction of authenticated calls, 0 to 1, with
// a 500 (the error body the document gives the operation's 500 where it
// has one).
func WithFailRate(p float64) Option {
	return func(c *config) error {
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("fail rate %v: want a fraction from 0 to 1", p)
		}
		c.failRate = p
		return nil
	}
}

// WithRateLimit answers this fraction of authenticated calls, 0 to 1,
// with 429 Too Many Requests and a Retry-After header of retryAfter
// (whole seconds; Retry-After is our assumption, Coperniq documents only
// the 429).
func WithRateLimit(p float64, retryAfter time.Duration) Option {
	return func(c *config) error {
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("429 rate %v: want a fraction from 0 to 1", p)
		}
		if retryAfter < 0 {
			return fmt.Errorf("Retry-After %s is negative", retryAfter)
		}
		c.limitRate, c.retryAfter = p, retryAfter
		return nil
	}
}

// WithLimitFirstCall answers the first authenticated call after each
// webhook sent through Handler.Transport with 429 Too Many Requests and a
// Retry-After of retryAfter (whole seconds; the header is our assumption),
// whatever WithRateLimit draws: a receiver that calls the API while
// handling a webhook is sure to meet a 429, at a point a run can repeat.
func WithLimitFirstCall(retryAfter time.Duration) Option {
	return func(c *config) error {
		if retryAfter < 0 {
			return fmt.Errorf("Retry-After %s is negative", retryAfter)
		}
		c.limitFirst, c.retryAfter = true, retryAfter
		return nil
	}
}

// The default limits per API key, over either of which a call gets 429:
// Coperniq's API docs give them; its OpenAPI document gives no limits
// and a 429 on one operation only.
const (
	DefaultPerSecond = 100
	DefaultPerDay    = 5000
)

// WithQuota enforces per-key limits (default DefaultPerSecond and
// DefaultPerDay): an authenticated call over either is answered 429, with
// a Retry-After of the time until a call would be allowed again (the
// header is our assumption). Zero turns a limit off.
func WithQuota(perSecond, perDay int) Option {
	return func(c *config) error {
		if perSecond < 0 || perDay < 0 {
			return fmt.Errorf("quota %d/s, %d/day: want 0 (off) or more", perSecond, perDay)
		}
		c.perSecond, c.perDay = perSecond, perDay
		return nil
	}
}

// WithLatency delays every answer by a time drawn from lo to hi (equal for
// a fixed delay).
func WithLatency(lo, hi time.Duration) Option {
	return func(c *config) error {
		if lo < 0 || hi < lo {
			return fmt.Errorf("latency %s..%s: want 0 <= lo <= hi", lo, hi)
		}
		c.latLo, c.latHi = lo, hi
		return nil
	}
}

// WithSeed seeds the fault draws, so that a run can be repeated.
func WithSeed(seed uint64) Option {
	return func(c *config) error { c.seed = seed; return nil }
}

// WithTime sets the world time the API starts answering as of (default:
// the timeline's end, every record created). A scenario run starts before
// the first event and moves the time forward as events are sent (see
// Handler.Transport).
func WithTime(at time.Time) Option {
	return func(c *config) error { c.at, c.atSet = at, true; return nil }
}

// WithMaxCalls bounds the call log (default DefaultMaxCalls).
func WithMaxCalls(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("call log size %d: want at least 1", n)
		}
		c.maxCalls = n
		return nil
	}
}

// WithVocabulary takes a team's vocabulary (nil: the built-in one), the
// one the world was played in: a write's work-order status must be one of
// its statuses, the names its webhooks carry.
func WithVocabulary(v *schemas.Vocabulary) Option {
	return func(c *config) error { c.vocab = v; return nil }
}

// Call is one request the mock answered, as /_mock/api-calls lists it.
type Call struct {
	Seq       int       `json:"seq"`
	Time      time.Time `json:"time"`
	WorldTime time.Time `json:"worldTime"`
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	Query     string    `json:"query,omitempty"`
	// Operation is the documented operationId, "" for a path the document
	// does not have.
	Operation string `json:"operation,omitempty"`
	Status    int    `json:"status"`
	// Auth is ok, missing or wrong (the x-api-key).
	Auth string `json:"auth"`
	// Fault is 429 or 500 when the mock injected one, quota when the call
	// was over the per-key limits, else empty.
	Fault string `json:"fault,omitempty"`
	// Body is a write's request body (PATCH, POST, PUT).
	Body json.RawMessage `json:"body,omitempty"`
	// RetryAfter is the Retry-After of a 429, in seconds.
	RetryAfter int `json:"retryAfter,omitempty"`
	// AnsweredAt is when the answer was sent, latency included.
	AnsweredAt time.Time `json:"answeredAt"`
	// AfterEvent is the eventId of the last webhook sent before the call
	// (Handler.Transport), 0 before any: with one delivery at a time, the
	// event whose handling made the call, for a receiver that calls while
	// handling; a receiver that queues its work calls after later ones.
	AfterEvent int64 `json:"afterEvent,omitempty"`
	// WebhooksSent is how many webhooks (distinct events; a retry is the
	// same webhook) Handler.Transport had sent when the call came: the
	// webhooks the call can have been made for, whenever the receiver
	// got to them.
	WebhooksSent int `json:"webhooksSent,omitempty"`
}

// Handler serves the REST API from a scenario's timeline. It is safe for
// concurrent use.
type Handler struct {
	cfg  config
	tl   *scenarios.Timeline
	spec *spec
	mux  *http.ServeMux

	mu    sync.Mutex
	rng   *rand.Rand
	clock time.Time
	// recAt is, per record, the firedAt of the last event about it that
	// was sent, where that is after clock.
	recAt map[int64]time.Time
	// sent marks the events (in firing order) Transport has sent; clock
	// is the firedAt of the last of the first run of sent ones.
	sent []bool
	low  int
	last int64 // the eventId last sent
	// nsent counts the true entries of sent.
	nsent int
	// limited is the eventId after which WithLimitFirstCall last
	// answered 429.
	limited int64
	// The per-key quota: calls of the last second, and of the day so far.
	recent   []time.Time
	dayStart time.Time
	dayCount int
	snap     *scenarios.Snapshot
	calls    []Call
	seq      int
	dropped  int
	state    *writes
	learned  learned // learn.go
	// statuses are the work-order statuses a write may set: the
	// vocabulary's.
	statuses []string
	// completed is the work-order status that is completion (the
	// vocabulary's completedStatus): isCompleted and completedAt follow it.
	completed string
}

// NewHandler returns the API over tl (filled by a Render given
// scenarios.WithTimeline).
func NewHandler(tl *scenarios.Timeline, opts ...Option) (*Handler, error) {
	if tl == nil {
		return nil, errors.New("no timeline: render the scenario with scenarios.WithTimeline")
	}
	cfg := config{key: DefaultKey, retryAfter: DefaultRetryAfter, maxCalls: DefaultMaxCalls, perSecond: DefaultPerSecond, perDay: DefaultPerDay}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.failRate+cfg.limitRate > 1 {
		return nil, &RatesError{Fail: cfg.failRate, Limit: cfg.limitRate}
	}
	s, err := loadSpec()
	if err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, tl: tl, spec: s, rng: rand.New(rand.NewPCG(cfg.seed, 0xa91)), state: newWrites(), recAt: map[int64]time.Time{}}
	h.statuses, h.completed = schemas.WorkOrderStatuses, "COMPLETED"
	if cfg.vocab != nil {
		h.statuses, h.completed = cfg.vocab.WorkOrderStatuses, cfg.vocab.CompletedStatus
	}
	h.clock = tl.End()
	if cfg.atSet {
		h.clock = cfg.at
	}
	h.mux = http.NewServeMux()
	impl := map[string]bool{}
	for _, r := range routes {
		impl[r.key] = true
		h.mux.Handle(r.key, h.operation(s.byKey[r.key], r.fn))
	}
	for _, op := range s.ops {
		if !impl[op.Method+" "+op.Path] {
			h.mux.Handle(op.Method+" "+op.Path, h.operation(op, notImplemented(op)))
		}
	}
	h.mux.HandleFunc("GET /_mock/api-calls", h.serveCalls)
	h.mux.HandleFunc("GET /_mock/clock", h.serveClock)
	h.mux.HandleFunc("/", h.notFound)
	return h, nil
}

// ServeHTTP answers one API call.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The document's server is https://api.coperniq.io/v1; accept the
	// /v1 prefix so that a client configured with a base URL ending in
	// /v1 works unchanged.
	path := r.URL.Path
	if p, ok := strings.CutPrefix(path, "/v1/"); ok {
		path = "/" + p
	}
	path = alias(r.Method, path)
	if path != r.URL.Path {
		r2 := r.Clone(r.Context())
		r2.URL.Path = path
		r2.URL.RawPath = ""
		r = r2
	}
	h.mux.ServeHTTP(w, r)
}

// alias maps the legacy paths the document says "will continue to work"
// to the documented ones: /requests is /opportunities, /clients is
// /accounts, a record's /comments are its /notes, and PATCH of
// /{projects|requests|clients}/{id}/comments/{commentId} is PATCH
// /notes/{commentId} (update-note's legacy paths). The call is logged
// under the documented path.
func alias(method, path string) string {
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")
	switch seg[0] {
	case "requests":
		seg[0] = "opportunities"
	case "clients":
		seg[0] = "accounts"
	}
	if len(seg) >= 3 && seg[2] == "comments" && (seg[0] == "projects" || seg[0] == "opportunities" || seg[0] == "accounts") {
		switch {
		case len(seg) == 3:
			seg[2] = "notes"
		case len(seg) == 4 && method == http.MethodPatch:
			seg = []string{"notes", seg[3]}
		}
	}
	return "/" + strings.Join(seg, "/")
}

// Now is the world time the API answers as of; a record an event sent
// out of firing order is about stands as of the newest event about it
// sent so far.
func (h *Handler) Now() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.clock
}

// Advance moves the world time forward to at (never back): from then on
// the API shows what the world's events up to at made.
func (h *Handler) Advance(at time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if at.After(h.clock) {
		h.clock, h.snap = at, nil
	}
}

// Calls is the call log, oldest first.
func (h *Handler) Calls() []Call {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Call(nil), h.calls...)
}

// snapshot is the world as of the clock, cached until it moves.
func (h *Handler) snapshot() *scenarios.Snapshot {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.snap == nil {
		h.snap = h.withLearned(h.tl.AtEach(h.clock, h.recAt))
	}
	return h.snap
}

// Transport wraps base (nil: http.DefaultTransport) so that sending one
// of events moves the world time before the request leaves: a receiver
// that calls the API while handling the webhook sees the change the
// webhook announces. Events go out of firing order (records in parallel,
// reordering, retries); the record an event is about then stands as of
// the newest event about it sent so far (a late webhook finds the record
// newer than it announces, as Coperniq's API returns the current state),
// and the rest of the world as of the last event before which every
// event has been sent, so nothing shows before its webhook could have
// announced it. Give it to the delivery engine with
// delivery.WithClient.
func (h *Handler) Transport(base http.RoundTripper, events []scenarios.Rendered) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	index := make(map[string]int, len(events))
	for i, e := range events {
		index[string(e.Body)] = i
	}
	h.mu.Lock()
	h.sent, h.low, h.nsent = make([]bool, len(events)), 0, 0
	h.mu.Unlock()
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		if r.GetBody != nil {
			if rc, err := r.GetBody(); err == nil {
				b, _ := io.ReadAll(io.LimitReader(rc, maxBody))
				rc.Close()
				if i, ok := index[string(b)]; ok {
					h.sending(events, i)
				}
			}
		}
		return base.RoundTrip(r)
	})
}

// sending marks events[i] sent.
func (h *Handler) sending(events []scenarios.Rendered, i int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e := events[i]
	if e.FiredAt.After(h.recAt[e.RecordID]) {
		h.recAt[e.RecordID] = e.FiredAt
	}
	if !h.sent[i] {
		h.sent[i] = true
		h.nsent++
	}
	h.last = e.EventID
	for h.low < len(h.sent) && h.sent[h.low] {
		if t := events[h.low].FiredAt; t.After(h.clock) {
			h.clock = t
		}
		h.low++
	}
	h.snap = nil
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// operation wraps a documented operation's handler with what every call
// goes through: latency, the key, injected faults, and the call log.
func (h *Handler) operation(op *Operation, fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Operation: op.ID, Time: time.Now().UTC(), WebhooksSent: h.webhooksSent()}
		var body []byte
		var bodyErr string
		if r.Method != http.MethodGet && r.Method != http.MethodDelete {
			b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
			switch {
			case err != nil:
				bodyErr = fmt.Sprintf("the request body could not be read: %v", err)
			case len(b) > maxBody:
				bodyErr = fmt.Sprintf("the request body is over %d bytes; the mock reads no more", maxBody)
			default:
				body = b
			}
			switch {
			case bodyErr != "":
				c.Body, _ = json.Marshal("(" + bodyErr + ")")
			case json.Valid(b):
				c.Body = json.RawMessage(b)
			case len(b) > 0:
				c.Body, _ = json.Marshal(string(b))
			}
		}
		rec := &recorder{ResponseWriter: w}
		defer func() {
			// A bug in the mock is a 500 naming it, not a dropped
			// connection the receiver would take for a network fault.
			if p := recover(); p != nil {
				if rec.status == 0 {
					writeJSON(rec, http.StatusInternalServerError, errorBody{Message: fmt.Sprintf("coperniq-mock failed answering %s %s: %v (a bug in the mock; please report it)", r.Method, r.URL.Path, p), Code: "MOCK_ERROR"})
				}
			}
			h.log(c, rec.status)
		}()
		h.delay()
		c.WorldTime = h.Now().UTC()

		switch c.Auth = h.auth(r); c.Auth {
		case "missing":
			h.fail(rec, op, http.StatusUnauthorized, "the x-api-key header is missing; Coperniq's API authenticates every call with it", "")
			return
		case "wrong":
			h.fail(rec, op, http.StatusUnauthorized, "the x-api-key is not valid", "")
			return
		}
		if wait, which := h.overQuota(time.Now()); wait > 0 {
			c.Fault = "quota"
			secs := int(math.Ceil(wait.Seconds()))
			rec.Header().Set("Retry-After", fmt.Sprint(secs))
			c.RetryAfter = secs
			h.fail(rec, op, http.StatusTooManyRequests, fmt.Sprintf("rate limit exceeded: %s; retry after %d s (the Retry-After header is the mock's assumption)", which, secs), "")
			return
		}
		switch fault := h.drawFault(); fault {
		case http.StatusTooManyRequests:
			c.Fault = "429"
			secs := int(math.Ceil(h.cfg.retryAfter.Seconds()))
			// Retry-After is our assumption: Coperniq documents the 429,
			// not the header.
			rec.Header().Set("Retry-After", fmt.Sprint(secs))
			c.RetryAfter = secs
			h.fail(rec, op, fault, fmt.Sprintf("rate limit exceeded (a fault the mock injected; retry after %d s, per the Retry-After header, which is the mock's assumption)", secs), "")
			return
		case http.StatusInternalServerError:
			c.Fault = "500"
			h.fail(rec, op, fault, "internal error (a fault the mock injected with --api-fail-rate)", "")
			return
		}
		if bodyErr != "" {
			h.fail(rec, op, http.StatusBadRequest, bodyErr, "")
			return
		}
		fn(h, rec, r, body)
	})
}

// webhooksSent is Call.WebhooksSent for a call coming now.
func (h *Handler) webhooksSent() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.nsent
}

// auth is how a call's x-api-key stands: ok, missing or wrong.
func (h *Handler) auth(r *http.Request) string {
	switch got := r.Header.Get("x-api-key"); {
	case got == "":
		return "missing"
	case got != h.cfg.key:
		return "wrong"
	}
	return "ok"
}

type handlerFunc func(h *Handler, w http.ResponseWriter, r *http.Request, body []byte)

func (h *Handler) delay() {
	lo, hi := h.cfg.latLo, h.cfg.latHi
	if hi <= 0 {
		return
	}
	d := lo
	if hi > lo {
		h.mu.Lock()
		d += time.Duration(h.rng.Int64N(int64(hi - lo + 1)))
		h.mu.Unlock()
	}
	time.Sleep(d)
}

// overQuota counts an authenticated call against the per-key limits and
// says how long to wait when it is over one, and which.
func (h *Handler) overQuota(now time.Time) (time.Duration, string) {
	if h.cfg.perSecond == 0 && h.cfg.perDay == 0 {
		return 0, ""
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cfg.perDay > 0 {
		if h.dayStart.IsZero() || now.Sub(h.dayStart) >= 24*time.Hour {
			h.dayStart, h.dayCount = now, 0
		}
		if h.dayCount >= h.cfg.perDay {
			return h.dayStart.Add(24 * time.Hour).Sub(now), quotaWords(h.cfg.perDay, DefaultPerDay, "a day")
		}
	}
	if h.cfg.perSecond > 0 {
		// The calls of the last second, oldest first.
		cut := 0
		for cut < len(h.recent) && now.Sub(h.recent[cut]) >= time.Second {
			cut++
		}
		h.recent = h.recent[cut:]
		if len(h.recent) >= h.cfg.perSecond {
			return h.recent[0].Add(time.Second).Sub(now), quotaWords(h.cfg.perSecond, DefaultPerSecond, "a second")
		}
		h.recent = append(h.recent, now)
	}
	h.dayCount++
	return 0, ""
}

// quotaWords says whose limit a 429 enforces: the default is the figure
// Coperniq's API docs give (not its OpenAPI document, which documents a
// 429 on one operation and no limits); any other is the limit the mock
// was given.
func quotaWords(n, def int, per string) string {
	if n == def {
		return fmt.Sprintf("%d requests %s per key, the mock's default: the limit Coperniq's API docs give (its OpenAPI document gives none)", n, per)
	}
	return fmt.Sprintf("%d requests %s per key, the limit the mock was given (--api-quota or WithQuota), not Coperniq's", n, per)
}

func (h *Handler) drawFault() int {
	if h.cfg.limitRate == 0 && h.cfg.failRate == 0 && !h.cfg.limitFirst {
		return 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cfg.limitFirst && h.last != 0 && h.limited != h.last {
		h.limited = h.last
		return http.StatusTooManyRequests
	}
	x := h.rng.Float64()
	switch {
	case x < h.cfg.limitRate:
		return http.StatusTooManyRequests
	case x < h.cfg.limitRate+h.cfg.failRate:
		return http.StatusInternalServerError
	}
	return 0
}

func (h *Handler) log(c Call, status int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	c.Seq, c.Status, c.AfterEvent, c.AnsweredAt = h.seq, status, h.last, time.Now().UTC()
	if c.Status == 0 {
		c.Status = http.StatusOK
	}
	if len(h.calls) >= h.cfg.maxCalls {
		h.calls = h.calls[1:]
		h.dropped++
	}
	h.calls = append(h.calls, c)
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// errorBody is the error shape the document gives every operation:
// message, code, and for validation errors the field.
type errorBody struct {
	Message string `json:"message"`
	Code    string `json:"code,omitempty"`
	Field   string `json:"field,omitempty"`
}

// codeMeans is what the codes the document gives say, by the status they
// name: where the document gives a status another's code, the message says
// the code does not mean that, lest a receiver act on it (retry a
// RATE_LIMIT_EXCEEDED that is a 404).
var codeMeans = map[string]struct {
	status int
	words  string
}{
	"NOT_FOUND":           {http.StatusNotFound, "a missing resource"},
	"RATE_LIMIT_EXCEEDED": {http.StatusTooManyRequests, "a rate limit"},
	"UNAUTHORIZED":        {http.StatusUnauthorized, "a key problem"},
}

// fail answers an error with the body the document gives op's status.
// Where the document gives that status no code, the mock's code is the
// status's name (ours).
func (h *Handler) fail(w http.ResponseWriter, op *Operation, status int, msg, field string) {
	code := h.spec.errorCode(op, status)
	if m, ok := codeMeans[code]; ok && m.status != status {
		msg += fmt.Sprintf(" (code %s is the one the document gives %s's %d; it is not %s: go by the status, %d)", code, op.ID, status, m.words, status)
	}
	if code == "" {
		code = strings.ToUpper(strings.ReplaceAll(http.StatusText(status), " ", "_"))
		if op != nil {
			what := fmt.Sprintf("%s no %d", op.ID, status)
			if _, documented := op.responses[fmt.Sprint(status)]; documented {
				what = fmt.Sprintf("%s's %d no code", op.ID, status)
			}
			msg += fmt.Sprintf(" (code %s is the mock's: the document gives %s)", code, what)
		}
	}
	writeJSON(w, status, errorBody{Message: msg, Code: code, Field: field})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func notImplemented(op *Operation) handlerFunc {
	return func(h *Handler, w http.ResponseWriter, _ *http.Request, _ []byte) {
		writeJSON(w, http.StatusNotImplemented, errorBody{
			Message: fmt.Sprintf("coperniq-mock does not implement %s %s (%s), which Coperniq's API documents; 'coperniq-mock api --help' lists what it serves", op.Method, op.Path, op.ID),
			Code:    "NOT_IMPLEMENTED",
		})
	}
}

// notFound answers a call no documented operation serves: 405 with Allow
// when the path is documented for other methods, else 404. Neither needs
// the key, but the log says how it stood. The document gives no 405 and
// no 404 for an unknown path: both bodies' codes are the mock's.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	c := Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Time: time.Now().UTC(), WebhooksSent: h.webhooksSent(), WorldTime: h.Now().UTC(), Auth: h.auth(r)}
	if allow := h.allowed(r); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{
			Message: fmt.Sprintf("%s %s: Coperniq's API documents this path for %s only (code METHOD_NOT_ALLOWED is the mock's: the document gives no 405)", r.Method, r.URL.Path, strings.Join(allow, ", ")),
			Code:    "METHOD_NOT_ALLOWED",
		})
		h.log(c, http.StatusMethodNotAllowed)
		return
	}
	writeJSON(w, http.StatusNotFound, errorBody{
		Message: fmt.Sprintf("%s %s is not a path of Coperniq's API (the mock serves the paths of its OpenAPI document, under / or /v1/)", r.Method, r.URL.Path),
		Code:    "NOT_FOUND",
	})
	h.log(c, http.StatusNotFound)
}

// allowed lists the methods the document serves r's path with.
func (h *Handler) allowed(r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodDelete, http.MethodGet, http.MethodPatch, http.MethodPost, http.MethodPut} {
		r2 := r.Clone(r.Context())
		// A legacy path may be documented for one method only (PATCH of
		// a record's /comments/{id}): ask as that method would be served.
		r2.Method, r2.URL.Path, r2.URL.RawPath = m, alias(m, r.URL.Path), ""
		if _, pattern := h.mux.Handler(r2); pattern != "/" && !strings.HasPrefix(pattern, "GET /_mock/") {
			out = append(out, m)
		}
	}
	return out
}

// serveCalls lists the calls answered so far: ?since=N gives those after
// sequence number N.
func (h *Handler) serveCalls(w http.ResponseWriter, r *http.Request) {
	var since int
	if s := r.URL.Query().Get("since"); s != "" {
		if _, err := fmt.Sscan(s, &since); err != nil {
			writeJSON(w, http.StatusBadRequest, errorBody{Message: fmt.Sprintf("since=%q: want a call sequence number", s), Code: "BAD_REQUEST", Field: "since"})
			return
		}
	}
	h.mu.Lock()
	out := []Call{}
	for _, c := range h.calls {
		if c.Seq > since {
			out = append(out, c)
		}
	}
	dropped := h.dropped
	h.mu.Unlock()
	writeJSON(w, http.StatusOK, struct {
		Calls   []Call `json:"calls"`
		Dropped int    `json:"dropped"`
	}{out, dropped})
}

func (h *Handler) serveClock(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		Now   time.Time `json:"now"`
		Start time.Time `json:"start"`
		End   time.Time `json:"end"`
	}{h.Now().UTC(), h.tl.Start().UTC(), h.tl.End().UTC()})
}

// Server is the API mock listening on a loopback port, for tests: the
// httptest.Server of the REST API.
type Server struct {
	*Handler
	// URL is the base URL, http://127.0.0.1:PORT, with no trailing slash.
	URL string
	// Key is the x-api-key it accepts.
	Key string
	srv *http.Server
	ln  net.Listener
}

// NewServer starts the API over tl on 127.0.0.1, on a free port. It
// panics on a bad option, as httptest.NewServer does on a failed listen;
// use NewHandler to get the error instead. Close it when done.
func NewServer(tl *scenarios.Timeline, opts ...Option) *Server {
	h, err := NewHandler(tl, opts...)
	if err != nil {
		panic(fmt.Sprintf("api.NewServer: %v", err))
	}
	s, err := Listen("127.0.0.1:0", h)
	if err != nil {
		panic(fmt.Sprintf("api.NewServer: %v", err))
	}
	return s
}

// Listen serves h on addr (host:port; port 0 picks a free one).
func Listen(addr string, h *Handler) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{Handler: h, Key: h.cfg.key, ln: ln, URL: "http://" + ln.Addr().String(),
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go s.srv.Serve(ln)
	return s, nil
}

// Close stops the server, closing open connections.
func (s *Server) Close() error { return s.srv.Close() }

// Get calls the API with the server's key and decodes a 2xx JSON answer
// into v, for tests.
func (s *Server) Get(path string, v any) error {
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("x-api-key", s.Key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("GET %s: %s: %s", path, resp.Status, bytes.TrimSpace(b))
	}
	return json.Unmarshal(b, v)
}
