package generator

import (
	"time"
	"unicode"
	"unicode/utf8"
)

// edgeify turns a realistic payload into one with the values receivers get
// wrong, while keeping it valid at the contract level and internally
// consistent (ids in step, timestamps ordered).
func (g *Generator) edgeify(box *payloadBox) {
	p := &box.p
	e := &p.Event
	rb := &box.rec
	r := &rb.rec
	w := p.WorkOrder

	// Every edge payload carries 2^53-1 somewhere.
	switch g.intn(4) {
	case 0:
		r.ID = maxSafeInt
		r.UID = maxSafeInt - 1 - int64(g.intn(1000))
	case 1:
		if g.idStep != 0 { // ids from WithEventIDs must stay unique
			r.ID = maxSafeInt
		} else {
			e.EventID = maxSafeInt
		}
	case 2:
		if w != nil {
			w.ID, w.UID = maxSafeInt, maxSafeInt-1
		} else {
			r.ID = maxSafeInt
		}
	default:
		r.ID, r.UID = maxSafeInt, 1<<31
		if g.idStep == 0 {
			e.EventID = maxSafeInt - 1
		}
	}
	e.RecordID = r.ID
	if w != nil {
		w.RecordID = r.ID
		e.WorkOrderID = w.ID
	}
	if g.chance(300) {
		r.OwnerID = Some(int64(1 << 31))
	}
	if w != nil && g.chance(300) {
		w.AssigneeID = Some(int64(1<<32 + 1))
	}
	if e.PhaseInstanceID != 0 && g.chance(300) {
		e.PhaseInstanceID = maxSafeInt
	}
	if e.AppointmentID != 0 && g.chance(300) {
		e.AppointmentID = 1 << 40
	}

	// Timestamps: no milliseconds on firedAt; rounding up keeps every other
	// time at or before it.
	if g.chance(500) {
		e.FiredAtNoMillis = true
		if t := e.FiredAt.Truncate(time.Second); !t.Equal(e.FiredAt) {
			e.FiredAt = t.Add(time.Second)
		}
	}
	if g.chance(150) {
		r.CreatedAt, r.UpdatedAt = e.FiredAt.Truncate(time.Millisecond), e.FiredAt.Truncate(time.Millisecond)
		if w != nil {
			g.clampWorkOrder(w, r.CreatedAt)
		}
	}

	// People and text.
	if g.chance(600) {
		r.first, r.last = g.pick(edgeFirstNames), g.pick(edgeLastNames)
		if r.Type == "ACCOUNT" {
			r.Title = g.fullName(r.first, r.last)
		}
		if r.PrimaryEmail.Valid {
			r.PrimaryEmail = Some(g.edgeEmail(r.first, r.last))
		}
	}
	switch n := g.intn(100); {
	case n < 35:
		r.Title = g.longTitle(r.Title)
	case n < 70:
		r.Title = g.concat(r.Title, g.pick(edgeTitleSuffixes))
	}
	if w != nil {
		if g.chance(600) {
			w.Description = Some(g.pick(edgeTexts))
		}
		if g.chance(200) {
			w.Title = g.concat(w.Title, " 🚧")
		}
		if e.TriggerKey == "TASK_STATUS_MOVEMENT" {
			if g.chance(400) {
				w.Status = g.pick(edgeStatuses)
				e.CurrentStatus = w.Status
				w.CompletionDate = Null[time.Time]{}
			}
			if g.chance(300) {
				e.PreviousStatus = Some(g.pick(edgeStatuses))
			}
			if e.PreviousStatus.V == e.CurrentStatus {
				e.PreviousStatus = Some("QUEUED")
				if e.CurrentStatus == "QUEUED" {
					e.PreviousStatus = Some("ON_SITE_REVIEW")
				}
			}
		}
	}
	if r.Stage != nil && g.chance(150) {
		r.Stage.Name = g.concat(r.Stage.Name, " ✅")
	}

	// Vocabulary outside the published sets.
	switch r.Type {
	case "DEAL":
		if g.chance(250) {
			r.RequestStatus = Some(g.pick(edgeRequestStatuses))
		}
	default:
		if r.Status.Valid && g.chance(200) {
			r.Status = Some(g.pick(edgeRecordStatuses))
		}
	}
	if e.PhaseType != "" && g.chance(200) {
		e.PhaseType = g.pick(edgePhaseTypes)
	}
	if r.Trades != nil {
		switch n := g.intn(100); {
		case n < 15:
			r.Trades = rb.trades[:0:0]
		case n < 30 && len(r.Trades) < len(rb.trades):
			k := len(r.Trades)
			rb.trades[k] = g.pick(edgeTrades)
			r.Trades = rb.trades[: k+1 : k+1]
		}
	}

	// Numbers.
	switch n := g.intn(100); {
	case n < 25:
		r.DealValue = Some(0.0)
	case n < 45:
		r.DealValue = Some(28500.75)
	case n < 65:
		r.DealValue = Some(float64(g.between(100000, 9999999)) / 100)
	case n < 72:
		r.DealValue = Some(1234567.89)
	case n < 77:
		r.DealValue = Some(0.01)
	}
	if r.GeoLocation != nil && g.chance(300) {
		// Full float64 precision, as some geocoders return.
		// The explicit conversions forbid fused multiply-add, which would
		// round differently on some CPUs.
		r.GeoLocation.Lat += float64((g.float() - 0.5) * 1e-6)
		r.GeoLocation.Lng += float64((g.float() - 0.5) * 1e-6)
	}

	// Unknown properties with awkward keys.
	if g.chance(500) {
		i := g.intn(len(edgeExtras))
		rb.recExt[0] = edgeExtras[i]
		rb.recExt[1] = edgeExtras[(i+3)%len(edgeExtras)]
		r.Extra = rb.recExt[:2]
	}
	if g.chance(300) {
		box.evExt[0] = edgeExtras[g.intn(len(edgeExtras))]
		e.Extra = box.evExt[:1]
	}
}

// clampWorkOrder keeps a work order's times consistent after its record's
// creation moved to t.
func (g *Generator) clampWorkOrder(w *WorkOrder, t time.Time) {
	w.CreatedAt = maxTime(w.CreatedAt, t)
	w.ModifiedAt = maxTime(w.ModifiedAt, w.CreatedAt)
	if w.CompletionDate.Valid {
		w.CompletionDate = Some(w.ModifiedAt)
	}
}

// longTitle pads a title past 2 KB with text full of escapes and emoji.
func (g *Generator) longTitle(base string) string {
	start := g.strStart()
	b := append(g.arena, base...)
	b = append(b, " — "...)
	for i := g.intn(len(edgeTexts)); len(b)-start <= 2100; i++ {
		b = append(b, edgeTexts[i%len(edgeTexts)]...)
		b = append(b, " · "...)
	}
	g.arena = b
	return g.strEnd(start)
}

func (g *Generator) concat(a, b string) string {
	start := g.strStart()
	g.arena = append(append(g.arena, a...), b...)
	return g.strEnd(start)
}

// edgeEmail keeps non-ASCII letters (an internationalized address, RFC 6531)
// and sometimes adds a plus tag.
func (g *Generator) edgeEmail(first, last string) string {
	start := g.strStart()
	b := appendLowerLetters(g.arena, first)
	b = append(b, '.')
	b = appendLowerLetters(b, last)
	if g.chance(400) {
		b = append(b, "+solar"...)
	}
	b = append(b, '@')
	g.arena = append(b, g.pick(emailDomains)...)
	return g.strEnd(start)
}

func appendLowerLetters(b []byte, s string) []byte {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b = utf8.AppendRune(b, unicode.ToLower(r))
		}
	}
	return b
}
