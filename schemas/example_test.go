package schemas_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

func ExampleValidate() {
	payload, err := os.ReadFile("testdata/documented-example.json")
	if err != nil {
		panic(err)
	}
	// A stage id sent as a string, and a record id the event disagrees with.
	payload = bytes.Replace(payload, []byte(`"id": 16651`), []byte(`"id": "16651"`), 1)
	payload = bytes.Replace(payload, []byte(`"recordId": 10423`), []byte(`"recordId": 10424`), 1)

	for _, level := range []schemas.Level{schemas.Contract, schemas.Strict} {
		r, err := schemas.Validate(payload, level)
		if err != nil {
			panic(err) // only for a payload that is not JSON
		}
		fmt.Println(level, r.TriggerKey, "valid:", r.Valid())
		for _, v := range r.Violations {
			fmt.Println("  ", v)
		}
	}
	// Output:
	// contract TASK_STATUS_MOVEMENT valid: false
	//    /event/recordId: event.recordId 10424 != record.id 10423 (warning)
	//    /record/stage/id: want integer, got string
	// strict TASK_STATUS_MOVEMENT valid: false
	//    /event/recordId: event.recordId 10424 != record.id 10423
	//    /record/stage/id: want integer, got string
}

func ExampleValidate_syntaxError() {
	_, err := schemas.Validate([]byte("{\n  \"event\": {\n    \"eventId\": 48291,\n  }\n}"), schemas.Strict)
	fmt.Println(err)
	// Output:
	// line 4, column 3: invalid character '}' looking for beginning of object key string
}

func ExampleDecodeIdentity() {
	id, err := schemas.DecodeIdentity([]byte(`{"event":{"eventId":48291,"recordId":10423,"triggerKey":"TASK_STATUS_MOVEMENT","firedAt":"2026-03-31T17:04:22.000Z"}}`))
	fmt.Printf("%+v %v\n", id, err)

	// A payload without a recordId: what was there is kept, and the error
	// says what was not.
	id, err = schemas.DecodeIdentity([]byte(`{"event":{"eventId":7,"triggerKey":"PROJECT_CREATED"}}`))
	var ie *schemas.IdentityError
	if errors.As(err, &ie) {
		fmt.Println(id.EventID, ie.Lacks(schemas.FieldRecordID), err)
	}
	// Output:
	// {EventID:48291 RecordID:10423 TriggerKey:TASK_STATUS_MOVEMENT} <nil>
	// 7 true payload is missing event.recordId
}

// Payloads in any layout, one of them over the cap: it is reported, and the
// reading goes on.
func ExampleReadStreamMax() {
	in := "{\"a\": 1} {\"b\":\n[2]}\n{\"big\": \"" + strings.Repeat("x", 100) + "\"}\n42\n"
	_ = schemas.ReadStreamMax(strings.NewReader(in), 64, func(d schemas.Document) error {
		if d.TooLarge {
			fmt.Printf("line %d: %v\n", d.Line, d.Err(64))
			return nil
		}
		fmt.Printf("line %d: %s\n", d.Line, d.Raw)
		return nil
	})
	// Output:
	// line 1: {"a": 1}
	// line 1: {"b":
	// [2]}
	// line 3: payload of 111 bytes or more is over the 64-byte cap per payload; it was skipped
	// line 4: 42
}
