package delivery

import (
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Message is one webhook delivery unit: the payload's identity, which the
// engine orders and accounts by, and the exact bytes to POST. Body is sent
// as is on every attempt and every duplicate; the engine never modifies it,
// and callers must not modify it during a run either.
type Message struct {
	schemas.Identity
	Body []byte
}

// MessageFromPayload reads a Coperniq payload's identity
// (schemas.DecodeIdentity). Body is body itself, not a re-encoding, so that
// the bytes sent are byte for byte the ones given.
func MessageFromPayload(body []byte) (Message, error) {
	id, err := schemas.DecodeIdentity(body)
	if err != nil {
		return Message{}, err
	}
	return Message{Identity: id, Body: body}, nil
}
