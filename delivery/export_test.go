package delivery

import "time"

// On a loaded 2-core CI machine a TLS 1.3 server's alert can take longer
// than a user's receiver would to arrive; the tests that expect one must
// not pass the check because the machine was slow.
func init() { alertWait = time.Second }
