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
	// {"event":{"eventId":58633,"recordId":95594,"triggerKey":"PROJECT_CREATED","triggerName":"Project Created","firedAt":"2026-03-29T19:01:57.355Z"},"record":{"id":95594,"uid":6770,"type":"PROJECT","title":"10659 Dogwood Blvd Ithaca NY 14850","status":"ACTIVE","requestStatus":null,"stage":{"id":16647,"name":"Site Survey"},"address":"10659 Dogwood Blvd Ithaca NY 14850","city":"Ithaca","state":"NY","geoLocation":{"lat":42.429104,"lng":-76.509026},"jurisdiction":{"id":8872,"name":"City of Ithaca Building and Safety"},"trades":["Solar","Storage"],"dealValue":50300,"ownerId":13066,"primaryEmail":"molly_holmes@example.com","primaryPhone":"+16075550110","createdAt":"2026-03-29T19:01:57.253Z","updatedAt":"2026-03-29T19:01:57.253Z"}}
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
	if err := o.SetExpr("record.stage.name=Permitting"); err != nil {
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
