package contract

import (
	"github.com/coperniq-mock/coperniq-mock/generator"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// Why the payloads-without-record spec exists:
// Coperniq sends record only "when the trigger is associated with a Project,
// Request, or Account" (documented), and a receiver that reads
// payload.record.id without a check crashes on the others.

// SpecWithoutRecord is the spec's name, below GroupDelivery.
const SpecWithoutRecord = "acknowledges payloads without record (calls and appointments not tied to a record) with a 2xx"

const hintWithoutRecord = "Coperniq sends record only \"when the trigger is associated with a Project, Request, or Account\" (documented), so read payload.record only when it is there; event.recordId is always present. Which triggers come without record is not published: coperniq-mock sends calls and appointments without one (an assumption)."

// offsetWithoutRecord keeps the spec's seeds apart from the token specs'.
const offsetWithoutRecord = 200

// planWithoutRecord adds to pl one minimal payload without record for each
// trigger whose record is optional, each with an eventId of its own.
func planWithoutRecord(pl *plan, seed uint64, high *int64) error {
	for i, tr := range schemas.Triggers() {
		if !tr.RecordOptional {
			continue
		}
		p, err := pl.generate(tr.Key, generator.Minimal, seed+offsetWithoutRecord+uint64(i), false)
		if err != nil {
			return err
		}
		if p, err = pl.unique(p, high); err != nil {
			return err
		}
		pl.withoutRecord = append(pl.withoutRecord, p)
	}
	return nil
}
