package schemas_test

import (
	"bytes"
	"fmt"
	"os"

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
