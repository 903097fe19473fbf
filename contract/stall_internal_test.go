package contract

import (
	"sync/atomic"
	"time"
)

// stallMeter measures how long this process was kept from running while a
// timed test ran: a goroutine asks for 1ms sleeps and adds up what each
// overshot by more than stallGrain. On a quiet machine it reads 0; on a
// loaded one it is the time the test's own goroutines could not run
// either, which a bound on wall time may forgive without forgiving a slow
// implementation (that is slow on a quiet machine too).
type stallMeter struct {
	stalled atomic.Int64
	stop    chan struct{}
	done    chan struct{}
}

const stallGrain = 5 * time.Millisecond

func startStallMeter() *stallMeter {
	m := &stallMeter{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		last := time.Now()
		for {
			select {
			case <-m.stop:
				return
			case <-time.After(time.Millisecond):
			}
			now := time.Now()
			if over := now.Sub(last) - time.Millisecond; over > stallGrain {
				m.stalled.Add(int64(over))
			}
			last = now
		}
	}()
	return m
}

// Stop ends the measurement and returns the time stalled.
func (m *stallMeter) Stop() time.Duration {
	close(m.stop)
	<-m.done
	return time.Duration(m.stalled.Load())
}
