package generator

import (
	"errors"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// lookupTrigger's table finds every catalog trigger, refuses other keys
// (near misses included) with the catalog's error, and stays at most half
// full so its probes stay short and end.
func TestLookupTrigger(t *testing.T) {
	if 2*len(triggerList) > len(trigSlots) {
		t.Fatalf("%d triggers fill more than half of %d slots: grow trigSlots", len(triggerList), len(trigSlots))
	}
	for _, key := range schemas.TriggerKeys() {
		ti, err := lookupTrigger(key)
		if err != nil || ti != triggerByKey[key] {
			t.Fatalf("lookupTrigger(%q) = %v, %v", key, ti, err)
		}
		for _, miss := range []string{key[1:], key[:len(key)-1], key + "_", "x" + key[1:]} {
			var unknown *schemas.UnknownTriggerError
			if _, err := lookupTrigger(miss); !errors.As(err, &unknown) {
				t.Fatalf("lookupTrigger(%q) error = %v, want *schemas.UnknownTriggerError", miss, err)
			}
		}
	}
	if _, err := lookupTrigger(""); err == nil {
		t.Fatal("lookupTrigger(\"\") found a trigger")
	}
}
