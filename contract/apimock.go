package contract

import (
	"fmt"
	"net"
)

// Validate checks an APIMock as a user stated it, with no field left to
// its default, and that Addr can be listened on now, so that an address in
// use is told before any delivery. Errors are *schemas.FieldError.
func (m *APIMock) Validate() error {
	switch {
	case m.MaxCallsPerEvent < 1:
		return badField("API.MaxCallsPerEvent", fmt.Sprint(m.MaxCallsPerEvent), "want 1 or more")
	case m.Key == "":
		return badField("API.Key", "", "is empty: give the key the receiver sends in x-api-key")
	}
	if _, port, err := net.SplitHostPort(m.Addr); err != nil || port == "" || port == "0" {
		return badField("API.Addr", fmt.Sprintf("%q", m.Addr), "want host:port, e.g. 127.0.0.1:8081, the port the receiver's API base URL names")
	}
	ln, err := net.Listen("tcp", m.Addr)
	if err != nil {
		return badField("API.Addr", m.Addr, err.Error())
	}
	return ln.Close()
}
