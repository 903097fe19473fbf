package receiver

// Salts keep the reset and failure draws of one attempt independent.
const (
	saltReset = 0x7265736574 // "reset"
	saltFail  = 0x6661696c   // "fail"
)

// decide chooses the answer to a readable delivery. Failures take precedence
// over Status: a reset over everything (the receiver "crashed"), then
// WithFailFirst, then WithFailRate.
func (rc *Receiver) decide(d *Delivery) {
	c := &rc.cfg
	// Without an eventId there is no attempt to key the draw on; arrival
	// order is the best remaining identity.
	key, attempt, keyed := uint64(d.Seq), uint64(0), uint64(0)
	if d.EventID != nil {
		key, attempt, keyed = uint64(*d.EventID), uint64(d.Attempt), 1
	}
	switch {
	case c.resetRate > 0 && draw(c.seed, saltReset, key, attempt<<1|keyed) < c.resetRate:
		d.Reset, d.Injected = true, InjectedResetRate
	case d.EventID != nil && d.Attempt <= c.failFirst:
		d.Status, d.Injected = FailStatus, InjectedFailFirst
	case c.failRate > 0 && draw(c.seed, saltFail, key, attempt<<1|keyed) < c.failRate:
		d.Status, d.Injected = FailStatus, InjectedFailRate
	default:
		d.Status = c.status
	}
}

// draw is a uniform number in [0, 1) that depends only on its inputs, so
// that an attempt's fate does not depend on what else is in flight.
func draw(vals ...uint64) float64 {
	var h uint64
	for _, v := range vals {
		h = splitmix(h ^ v)
	}
	return float64(h>>11) / (1 << 53)
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
