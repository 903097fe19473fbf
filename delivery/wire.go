package delivery

import (
	"fmt"
	"net/http"
	"net/url"
)

// URL returns a copy of the target's parsed URL, for a client that writes
// its requests itself (the load tester's HTTP/1.1 writer).
func (t *Target) URL() *url.URL {
	u := *t.u
	if t.u.User != nil {
		ui := *t.u.User
		u.User = &ui
	}
	return &u
}

// Header returns a copy of the headers every attempt carries.
func (t *Target) Header() http.Header { return t.header.Clone() }

// CutShortError is a response whose body ended before the length its
// headers announced: the receiver closed the connection or stopped sending.
// It is not an acknowledgement, whatever its status: Coperniq's HTTP
// client would see an error and retry.
type CutShortError struct {
	Status    int
	Got, Want int64 // body bytes received, and announced (-1: chunked or until the close)
}

func (e *CutShortError) Error() string {
	if e.Want < 0 {
		return fmt.Sprintf("the answer (status %d) was cut short after %d bytes, before its end", e.Status, e.Got)
	}
	return fmt.Sprintf("the answer (status %d) was cut short after %d of %d bytes", e.Status, e.Got, e.Want)
}
