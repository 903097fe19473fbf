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
	if err := checkAPIAddr(m.Addr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", m.Addr)
	if err != nil {
		return badField("API.Addr", m.Addr, err.Error())
	}
	return ln.Close()
}

// checkAPIAddr refuses an Addr the receiver cannot be told: no port, or
// port 0, which the mock would only choose once the receiver runs.
func checkAPIAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	switch {
	case err != nil || port == "":
		return badField("API.Addr", fmt.Sprintf("%q", addr), "want host:port, e.g. 127.0.0.1:8081, the port the receiver's API base URL names")
	case port == "0":
		return badField("API.Addr", fmt.Sprintf("%q", addr), "port 0 would pick a free port only once the run starts, too late for the receiver's API base URL to name it: "+
			"want host:port with a fixed port, e.g. 127.0.0.1:8081")
	}
	return nil
}
