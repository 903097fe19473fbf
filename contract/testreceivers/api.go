package testreceivers

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// APIFault is one way an APIReceiver calls Coperniq's REST API wrong.
type APIFault string

// The API faults.
const (
	APICorrect           APIFault = ""
	APIIgnoresRetryAfter APIFault = "ignores-retry-after" // retries a 429 at once
	APINoKey             APIFault = "no-api-key"          // sends no x-api-key
	APIWrongKey          APIFault = "wrong-api-key"       // sends a stale key
	// APIWrongPath fetches /project/{id}, a path Coperniq's API does not
	// have (its paths are plural), with the right key.
	APIWrongPath APIFault = "wrong-api-path"
	// APITooManyCalls acknowledges at once and fetches the record
	// APITooManyCallsN times from a worker, after the answer, as a queue
	// consumer without a cache does.
	APITooManyCalls APIFault = "too-many-api-calls"
	// APIParallel is correct: after each webhook it fetches the record
	// and the record's work orders at once, on two pooled connections,
	// each waiting out its own 429's Retry-After.
	APIParallel APIFault = "parallel-calls"
	// APIParallelOneConn is APIParallel with a pool of one connection:
	// the second call waits for the first's connection and goes out on
	// it the moment the first's 429 is read, microseconds after the
	// 429, on the 429's own connection. Correct all the same: it was
	// sent before its goroutine could know of the 429.
	APIParallelOneConn APIFault = "parallel-calls-one-connection"
	// APIQueued is correct: it acknowledges at once and a worker makes 3
	// calls per webhook, one after another, after a queue delay of
	// APIQueueDelay.
	APIQueued APIFault = "queued-calls"
	// APISlowQueue is APIQueued whose queue holds each webhook for
	// APISlowQueueDelay, longer than the API specs' quiet window: the
	// calls of a world's last webhook come after the next world is served.
	APISlowQueue APIFault = "slow-queue-calls"
)

// APISlowQueueDelay is how long APISlowQueue's queue holds a webhook.
const APISlowQueueDelay = 600 * time.Millisecond

// APIQueueDelay is how long APIQueued's queue holds a webhook.
const APIQueueDelay = 120 * time.Millisecond

// APITooManyCallsN is how many times APITooManyCalls fetches a record per
// webhook.
const APITooManyCallsN = 8

// APIReceiver is a webhook receiver that calls the REST API back: after
// each webhook it fetches the event's record (GET /projects/{id},
// /opportunities/{id} or /accounts/{id}, by record.type) with the x-api-key,
// and after a 429 waits the Retry-After before trying again (up to 3
// times); then it acknowledges. A record the API does not know (404) is
// no reason to refuse the webhook: it may have been deleted since.
type APIReceiver struct {
	base, key string
	fault     APIFault
	client    *http.Client

	mu      sync.Mutex
	fetched map[int64]int // recordId -> successful fetches
	missed  []string      // paths answered 404
}

// Missed lists the fetches answered 404, by path.
func (a *APIReceiver) Missed() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.missed...)
}

// NewAPIReceiver calls the API at base (http://host:port) with key.
func NewAPIReceiver(base, key string, fault APIFault) *APIReceiver {
	client := &http.Client{Timeout: 5 * time.Second}
	if fault == APIParallelOneConn {
		client.Transport = &http.Transport{MaxConnsPerHost: 1}
	}
	return &APIReceiver{base: base, key: key, fault: fault, fetched: map[int64]int{}, client: client}
}

// Fetched is how many times the record was fetched with a 200.
func (a *APIReceiver) Fetched(recordID int64) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.fetched[recordID]
}

func (a *APIReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST webhooks here", http.StatusMethodNotAllowed)
		return
	}
	var p struct {
		Record *struct {
			ID   int64  `json:"id"`
			Type string `json:"type"`
		} `json:"record"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil || json.Unmarshal(body, &p) != nil {
		http.Error(w, "not JSON", http.StatusBadRequest)
		return
	}
	path := ""
	if p.Record != nil {
		switch p.Record.Type {
		case "PROJECT":
			path = "/projects/"
		case "DEAL":
			path = "/opportunities/"
		case "ACCOUNT":
			path = "/accounts/"
		}
	}
	if path == "" {
		w.WriteHeader(http.StatusOK)
		return
	}
	id := p.Record.ID
	if a.fault == APIWrongPath {
		path = strings.TrimSuffix(path, "s/") + "/"
	}
	path += strconv.FormatInt(id, 10)
	switch a.fault {
	case APIParallel, APIParallelOneConn:
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, p := range []string{path, path + "/work-orders"} {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = a.fetch(id, p) }()
		}
		wg.Wait()
		if err := cmp.Or(errs...); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
		return
	case APIQueued, APISlowQueue:
		w.WriteHeader(http.StatusOK)
		go func() {
			time.Sleep(map[APIFault]time.Duration{APIQueued: APIQueueDelay, APISlowQueue: APISlowQueueDelay}[a.fault])
			for _, p := range []string{path, path + "/work-orders", path} {
				a.fetch(id, p)
			}
		}()
		return
	}
	if a.fault == APITooManyCalls {
		w.WriteHeader(http.StatusOK)
		go func() {
			for range APITooManyCallsN {
				a.fetch(id, path)
			}
		}()
		return
	}
	if err := a.fetch(id, path); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// fetch GETs path, retrying a 429.
func (a *APIReceiver) fetch(id int64, path string) error {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequest(http.MethodGet, a.base+path, nil)
		if err != nil {
			return err
		}
		switch a.fault {
		case APINoKey:
		case APIWrongKey:
			req.Header.Set("x-api-key", a.key+"-old")
		default:
			req.Header.Set("x-api-key", a.key)
		}
		resp, err := a.client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusTooManyRequests && attempt < 3:
			if a.fault != APIIgnoresRetryAfter {
				secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
				time.Sleep(time.Duration(max(secs, 1)) * time.Second)
			}
			continue
		case resp.StatusCode == http.StatusOK:
			a.mu.Lock()
			a.fetched[id]++
			a.mu.Unlock()
			return nil
		case resp.StatusCode == http.StatusNotFound:
			a.mu.Lock()
			a.missed = append(a.missed, path)
			a.mu.Unlock()
			return nil
		case resp.StatusCode == http.StatusUnauthorized:
			// Not the webhook's fault: acknowledge, as a receiver that
			// logs and moves on does.
			return nil
		}
		return fmt.Errorf("GET %s: %d", path, resp.StatusCode)
	}
}
