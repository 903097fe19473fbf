package generator_test

import (
	"encoding/json"
	"fmt"

	"github.com/coperniq-mock/coperniq-mock/generator"
)

func ExampleNew() {
	// The first payload of a seed is fixed by (trigger, seed, profile), so
	// this is what `coperniq-mock send PROJECT_CREATED --seed 1` sends.
	g := generator.New(generator.DefaultSeed)
	b, err := g.JSON("PROJECT_CREATED")
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
	// Output:
	// {"event":{"eventId":43425,"recordId":86143,"triggerKey":"PROJECT_CREATED","triggerName":"Project Created","firedAt":"2026-03-30T22:32:42.523Z"},"record":{"id":86143,"uid":7998,"type":"PROJECT","title":"6646 Pecan Pkwy Waco TX 76701","status":"ACTIVE","requestStatus":null,"stage":{"id":16646,"name":"Sales"},"address":"6646 Pecan Pkwy Waco TX 76701","city":"Waco","state":"TX","geoLocation":{"lat":31.548995,"lng":-97.158835},"jurisdiction":null,"trades":["Solar"],"dealValue":46750,"ownerId":13140,"primaryEmail":"abigayle_mcdonald@example.com","primaryPhone":"+12545550127","createdAt":"2026-03-30T22:32:42.523Z","updatedAt":"2026-03-30T22:32:42.523Z"}}
}

func ExampleGenerator_Payload() {
	g := generator.New(7, generator.WithProfile(generator.Minimal))
	p, err := g.Payload("TASK_COMPLETED")
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Event.TriggerName, p.WorkOrder.Status, p.WorkOrder.CompletionDate.Valid, p.Record.Stage == nil)
	// Output: Work Order Completed COMPLETED true true
}

func ExampleOverrides() {
	o := &generator.Overrides{}
	// As the command line's --set does: the value is JSON if it parses.
	if err := o.SetExpr(`record.stage={"id":16650,"name":"Permitting"}`); err != nil {
		panic(err)
	}
	o.Set("record.id", 10423) // event.recordId follows
	if err := o.Merge([]byte(`{"record": {"dealValue": 28500.75}}`)); err != nil {
		panic(err)
	}
	g := generator.New(1, generator.WithOverrides(o))
	b, err := g.JSON("PROJECT_STATUS_MOVEMENT")
	if err != nil {
		panic(err)
	}
	var p struct {
		Event  struct{ RecordID int64 }
		Record struct {
			ID        int64
			Stage     struct{ Name string }
			DealValue float64
		}
	}
	if err := json.Unmarshal(b, &p); err != nil {
		panic(err)
	}
	fmt.Println(p.Event.RecordID, p.Record.ID, p.Record.Stage.Name, p.Record.DealValue)

	o.Set("record.stage.nmae", "Design")
	_, err = g.JSON("PROJECT_STATUS_MOVEMENT")
	fmt.Println(err)
	// Output:
	// 10423 10423 Permitting 28500.75
	// override path "record.stage.nmae" isn't a field of PROJECT_STATUS_MOVEMENT payloads; did you mean record.stage.name?
}
