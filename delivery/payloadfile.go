package delivery

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// MaxPayloadFile bounds a payload read by ReadPayload: far above any webhook
// body (Coperniq's are a few KB), low enough that a wrong file (a disk
// image, /dev/zero) is refused instead of read into memory.
const MaxPayloadFile = 16 << 20

// ReadPayload reads a payload someone handed over, from r, called name in
// errors, and says what it is for a POST line: its trigger key when it is a
// Coperniq event ("TRIGGER from name"), else name. A body that is not JSON
// is returned anyway (a receiver's rejection path is worth testing), with a
// warning to show.
func ReadPayload(r io.Reader, name string) (body []byte, what, warning string, err error) {
	body, err = io.ReadAll(io.LimitReader(r, MaxPayloadFile+1))
	switch {
	case err != nil:
		return nil, "", "", fmt.Errorf("%s: %w", name, err)
	case len(body) > MaxPayloadFile:
		return nil, "", "", fmt.Errorf("%s is over %d MiB: not a webhook payload", name, MaxPayloadFile>>20)
	case len(bytes.TrimSpace(body)) == 0:
		return nil, "", "", fmt.Errorf("%s is empty: nothing to send", name)
	}
	what = name
	if e, err := MessageFromPayload(body); err == nil {
		what = e.TriggerKey + " from " + name
	} else if !json.Valid(body) {
		warning = name + " is not valid JSON; sending it as it is"
	}
	return body, what, warning, nil
}
