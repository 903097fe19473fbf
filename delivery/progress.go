package delivery

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Progress counts attempts as the engine reports them (pass its Observe to
// WithObserver) and, when live, rewrites one line on w with the totals at
// most ten times a second. Not live, it writes nothing: pipes and files get
// only the summary.
type Progress struct {
	mu                    sync.Mutex
	w                     io.Writer
	live                  bool
	total                 int
	acked, dead, attempts int
	retrying              map[int64]bool
	lastDraw              time.Time
}

// NewProgress reports on total events to w; live is whether w is a
// terminal, where a line rewritten in place makes sense.
func NewProgress(w io.Writer, total int, live bool) *Progress {
	return &Progress{w: w, live: live, total: total, retrying: map[int64]bool{}}
}

// Observe counts one attempt.
func (p *Progress) Observe(a Attempt) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !a.Duplicate {
		p.attempts++
	}
	switch a.State {
	case StateAcked:
		p.acked++
		delete(p.retrying, a.EventID)
	case StateDead:
		p.dead++
		delete(p.retrying, a.EventID)
	case StateRetrying:
		p.retrying[a.EventID] = true
	}
	if p.live && time.Since(p.lastDraw) > 100*time.Millisecond {
		p.draw()
	}
}

func (p *Progress) draw() {
	p.lastDraw = time.Now()
	fmt.Fprintf(p.w, "\r%d/%d events done: %d acked, %d dead, %d retrying; %d attempts\x1b[K",
		p.acked+p.dead, p.total, p.acked, p.dead, len(p.retrying), p.attempts)
}

// Done draws the final totals and ends the line.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live {
		p.draw()
		fmt.Fprintln(p.w)
	}
}
