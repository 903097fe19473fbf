package generator

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

func TestWithEventIDsIsASequenceAndChangesNothingElse(t *testing.T) {
	keys := schemas.TriggerKeys()
	for _, p := range Profiles() {
		plain := New(9, WithProfile(p))
		seq := New(9, WithProfile(p), WithEventIDs(1000, 7))
		for i := range 200 {
			key := keys[i%len(keys)]
			a, err := plain.JSON(key)
			if err != nil {
				t.Fatal(err)
			}
			b, err := seq.JSON(key)
			if err != nil {
				t.Fatal(err)
			}
			want := 1000 + 7*int64(i)
			if got := eventID(t, b); got != want {
				t.Fatalf("%s payload %d: eventId %d, want %d", p, i, got, want)
			}
			if p == Edge {
				// The edge profile moves its 2^53-1 off the event id, so
				// the bytes differ; the payload must still be valid.
				res, err := schemas.Validate(b, schemas.Contract)
				if err != nil || !res.Valid() {
					t.Fatalf("edge payload with a sequence id is invalid: %v %v\n%s", err, res.Violations, b)
				}
				continue
			}
			old := []byte(`"eventId":` + strconv.FormatInt(eventID(t, a), 10) + `,`)
			a = bytes.Replace(a, old, []byte(`"eventId":`+strconv.FormatInt(want, 10)+`,`), 1)
			if !bytes.Equal(a, b) {
				t.Fatalf("%s payload %d differs beyond eventId:\n%s\n%s", p, i, a, b)
			}
		}
	}
}

func eventID(t *testing.T, data []byte) int64 {
	t.Helper()
	id, err := schemas.DecodeIdentity(data)
	if err != nil {
		t.Fatal(err)
	}
	return id.EventID
}
