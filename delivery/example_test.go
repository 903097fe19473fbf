package delivery_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// Deliver three events to a receiver that fails the first attempt of each,
// with the CI retry preset: every event is acked on its second attempt.
func ExampleEngine_Run() {
	var mu sync.Mutex
	seen := map[int64]bool{}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, _ := delivery.MessageFromPayload(body)
		mu.Lock()
		defer mu.Unlock()
		if !seen[ev.EventID] {
			seen[ev.EventID] = true
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer receiver.Close()

	var events []delivery.Message
	for id := int64(1); id <= 3; id++ {
		body := fmt.Appendf(nil, `{"event":{"eventId":%d,"recordId":10423,"triggerKey":"PROJECT_CREATED"}}`, id)
		ev, err := delivery.MessageFromPayload(body)
		if err != nil {
			panic(err)
		}
		events = append(events, ev)
	}

	ci, _ := delivery.ParsePreset("ci")
	// The URL is parsed once; the engine, reports and logs share it.
	target, err := delivery.NewTarget(receiver.URL+"/hook?token=s3cret", nil)
	if err != nil {
		panic(err)
	}
	engine, err := delivery.New(target,
		delivery.WithPolicy(ci),
		delivery.WithSeed(1),
		delivery.WithObserver(func(a delivery.Attempt) {
			fmt.Printf("event %d attempt %d: %s -> %s\n", a.EventID, a.N, a.Outcome(), a.State)
		}),
	)
	if err != nil {
		panic(err)
	}
	summary, err := engine.Run(context.Background(), events)
	if err != nil {
		panic(err)
	}
	fmt.Println(summary.Accounting())
	fmt.Println("attempts", summary.Attempts, "retried", summary.Retried)
	// Output:
	// event 1 attempt 1: 503 -> retrying
	// event 1 attempt 2: 200 -> acked
	// event 2 attempt 1: 503 -> retrying
	// event 2 attempt 2: 200 -> acked
	// event 3 attempt 1: 503 -> retrying
	// event 3 attempt 2: 200 -> acked
	// events 3 = acked 3 + dead 0
	// attempts 6 retried 3
}

// Replay the events a run left dead, from its delivery log, as
// `replay LOG --only dead --to URL` does.
func ExampleReadLog() {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer down.Close()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer up.Close()

	body := []byte(`{"event":{"eventId":7,"recordId":70,"triggerKey":"PROJECT_CREATED"}}`)
	ev, _ := delivery.MessageFromPayload(body)
	none, _ := delivery.ParsePreset("none")

	var log bytes.Buffer // a file in the CLI
	downTarget, _ := delivery.NewTarget(down.URL, nil)
	first, _ := delivery.New(downTarget, delivery.WithPolicy(none), delivery.WithLog(&log))
	s1, _ := first.Run(context.Background(), []delivery.Message{ev})
	fmt.Println("first run:", s1.Accounting())

	l, err := delivery.ReadLog(&log)
	if err != nil {
		panic(err)
	}
	only, _ := delivery.ParseOnly("dead")
	upTarget, _ := delivery.NewTarget(up.URL, nil)
	replay, _ := delivery.New(upTarget, delivery.WithPolicy(none))
	s2, _ := replay.Run(context.Background(), l.Select(only...))
	fmt.Println("replay:", s2.Accounting())
	// Output:
	// first run: events 1 = acked 0 + dead 1
	// replay: events 1 = acked 1 + dead 0
}

// Settings start from the defaults; a scenario file or flags change fields,
// and Validate names the field a bad value is in.
func ExampleSettings() {
	s := delivery.DefaultSettings()
	s.Retry = "ci"
	s.Concurrency = 5000
	fmt.Println(s.Validate())
	s.Concurrency = 16
	opts, err := s.Options()
	fmt.Println(len(opts) > 0, err)
	// Output:
	// Concurrency 5000: must be between 1 and 1024
	// true <nil>
}

// A sender trusting a staging receiver's internal CA, with a client
// certificate for mutual TLS: TLS.Config reads the PEM files once, and every
// client (NewTLSClient, WithTLSConfig) uses the result. A bad setting names the
// file.
func ExampleTLS_Config() {
	_, err := delivery.TLS{CACert: "internal-ca.pem", Cert: "client.pem"}.Config()
	fmt.Println(err)
	// Output: CA file: open internal-ca.pem: no such file or directory
}
