package contract

import (
	"context"
	"sync"
	"time"

	"github.com/coperniq-mock/coperniq-mock/schemas"
)

// earlyWatch asks the hook about a long job's events from their
// acknowledgement on, while the rest of the job is still being delivered:
// watched only once a 900-event scenario was delivered, an event's apply
// time would be how long verify took to ask, and whether it was applied
// within the inspect timeout would not be known. It only records what it
// sees (first question, last 0, first count); the job's watch, once every
// delivery is done, judges and settles as for any job (see merge).
type earlyWatch struct {
	r     *run
	mu    sync.Mutex
	items map[int64]*tracked
	stop  chan struct{}
	done  chan struct{}
}

type earlyKey struct{}

// startEarly starts an early watch, carried by the returned context to the
// deliveries that report acknowledgements to it (see acked).
func (r *run) startEarly(ctx context.Context) (context.Context, *earlyWatch) {
	ew := &earlyWatch{r: r, items: map[int64]*tracked{}, stop: make(chan struct{}), done: make(chan struct{})}
	go ew.loop(ctx)
	return context.WithValue(ctx, earlyKey{}, ew), ew
}

// earlyFrom is the early watch ctx carries, or nil.
func earlyFrom(ctx context.Context) *earlyWatch {
	ew, _ := ctx.Value(earlyKey{}).(*earlyWatch)
	return ew
}

// acked notes the first acknowledgement of ev, at.
func (ew *earlyWatch) acked(ev schemas.Identity, at time.Time) {
	if ew == nil {
		return
	}
	ew.mu.Lock()
	defer ew.mu.Unlock()
	if _, ok := ew.items[ev.EventID]; !ok {
		ew.items[ev.EventID] = &tracked{ev: ev, ackedAt: at, deadline: at.Add(ew.r.checkTimeout())}
	}
}

// finish stops the early watch and waits for its last question.
func (ew *earlyWatch) finish() {
	close(ew.stop)
	<-ew.done
}

// loop asks about every event acknowledged and not yet seen applied (nor
// seen at 0 past its deadline, which settles that it was not applied in
// time), each when its question is due (see pollGap), as the job's watch
// does. Errors are left to the
// job's watch, which asks again.
func (ew *earlyWatch) loop(ctx context.Context) {
	defer close(ew.done)
	for {
		select {
		case <-ew.stop:
			return
		case <-ctx.Done():
			return
		default:
		}
		ew.mu.Lock()
		var ask []*tracked
		var next time.Time
		now := time.Now()
		for _, it := range ew.items {
			switch {
			case !it.appliedAt.IsZero() || it.zeroAt.After(it.deadline):
			case !now.Before(it.nextAsk):
				ask = append(ask, it)
			case next.IsZero() || it.nextAsk.Before(next):
				next = it.nextAsk
			}
		}
		ask = dueFirst(ask, func(it *tracked) time.Time { return it.nextAsk })
		ew.mu.Unlock()
		if len(ask) > 0 && !ew.r.hookHung() {
			evs := make([]schemas.Identity, len(ask))
			for i, it := range ask {
				evs[i] = it.ev
			}
			as := ew.r.askAll(ctx, evs)
			ew.mu.Lock()
			for i, it := range ask {
				a := as[i]
				if a.err != nil {
					it.asked(time.Now())
					continue
				}
				it.asked(a.answered)
				if it.firstAsked.IsZero() {
					it.firstAsked = a.asked
				}
				switch {
				case a.n == 0:
					it.zeroAt = a.asked
				default:
					it.n, it.appliedAt = a.n, a.answered
				}
			}
			ew.mu.Unlock()
			continue
		}
		wait := MaxPollGap
		if !next.IsZero() {
			wait = min(max(time.Until(next), time.Millisecond), MaxPollGap)
		}
		select {
		case <-ew.stop:
			return
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// merge carries what the early watch saw into items, tracked from the
// job's deliveries once all were made: the job's watch then only settles
// them. An event seen at 0 past its deadline was not applied within it,
// whatever came after: the watch finds it overdue, and the end of the run
// says when it was applied.
func (ew *earlyWatch) merge(items []*tracked, settle time.Duration) {
	ew.mu.Lock()
	defer ew.mu.Unlock()
	for _, it := range items {
		e, ok := ew.items[it.ev.EventID]
		if !ok || e.firstAsked.IsZero() {
			continue
		}
		it.firstAsked, it.zeroAt = e.firstAsked, e.zeroAt
		switch {
		case it.zeroAt.After(it.deadline):
			it.n, it.done = 0, true
		case !e.appliedAt.IsZero():
			it.n, it.appliedAt = e.n, e.appliedAt
			if it.n > 1 {
				it.done = true
				break
			}
			w := settleFor(settle, it.took())
			if w == 0 {
				it.done = true
				break
			}
			it.settleTo = later(it.lastSent, it.appliedAt).Add(w)
		}
	}
}
