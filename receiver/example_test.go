package receiver_test

import (
	"bytes"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/coperniq-mock/coperniq-mock/receiver"
)

// A receiver on a free port that fails each event's first attempt, as a
// demo or an integration test of a sender's retries would use it.
func ExampleStart() {
	srv, err := receiver.Start("127.0.0.1:0", receiver.WithFailFirst(1))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	payload := []byte(`{"event":{"eventId":1,"recordId":2,"triggerKey":"PROJECT_CREATED"}}`)
	for range 2 { // a sender retrying the same event
		res, err := http.Post(srv.URL+"/webhooks/coperniq", "application/json", bytes.NewReader(payload))
		if err != nil {
			log.Fatal(err)
		}
		res.Body.Close()
		fmt.Println(res.StatusCode)
	}
	// The payload lacks required fields: acknowledged all the same, and
	// recorded with its violations.
	for _, d := range srv.Deliveries() {
		fmt.Printf("event %d attempt %d: %d %q, valid %v\n", *d.EventID, d.Attempt, d.Status, d.Injected, d.Valid)
	}
	// Output:
	// 503
	// 200
	// event 1 attempt 1: 503 "fail-first", valid false
	// event 1 attempt 2: 200 "", valid false
}

// The Receiver is an http.Handler: it runs in an httptest.Server (or under
// any mux) as well.
func ExampleNew() {
	seen := make(chan string, 1)
	rc, err := receiver.New(receiver.WithObserver(func(d receiver.Delivery) {
		seen <- fmt.Sprintf("%s answered %d", d.TriggerKey, d.Status)
	}))
	if err != nil {
		log.Fatal(err)
	}
	ts := httptest.NewServer(rc)
	defer ts.Close()

	res, err := http.Post(ts.URL, "application/json", bytes.NewReader([]byte(`{"event":{"triggerKey":"CALL_UPSERTED"}}`)))
	if err != nil {
		log.Fatal(err)
	}
	res.Body.Close()
	fmt.Println(<-seen) // the observer hears of it once answered
	if err := rc.Summary().WriteJSON(os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// CALL_UPSERTED answered 200
	// {"summary":{"deliveries":1,"uniqueEvents":0,"valid":0,"invalid":1,"unreadable":0,"resets":0,"clientLeft":0,"writeFailed":0,"refused":0,"byTrigger":{"CALL_UPSERTED":1},"byStatus":{"200":1}}}
}
