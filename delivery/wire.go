package delivery

import "net/http"

// Header returns a copy of the headers every attempt carries, for a client
// that writes its requests itself (the load tester's HTTP/1.1 writer).
func (t *Target) Header() http.Header { return t.header.Clone() }
