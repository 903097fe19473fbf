package delivery_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/delivery"
	"github.com/coperniq-mock/coperniq-mock/schemas"
)

func TestProgressLine(t *testing.T) {
	for _, live := range []bool{true, false} {
		var buf bytes.Buffer
		p := delivery.NewProgress(&buf, 3, live)
		p.Observe(delivery.Attempt{Identity: schemas.Identity{EventID: 1}, N: 1, State: delivery.StateRetrying})
		p.Observe(delivery.Attempt{Identity: schemas.Identity{EventID: 1}, N: 2, State: delivery.StateAcked})
		p.Observe(delivery.Attempt{Identity: schemas.Identity{EventID: 2}, N: 1, State: delivery.StateDead})
		p.Done()
		out := buf.String()
		if !live {
			if out != "" {
				t.Errorf("not live, progress wrote %q", out)
			}
			continue
		}
		if !strings.HasPrefix(out, "\r") || !strings.HasSuffix(out, "2/3 events done: 1 acked, 1 dead, 0 retrying; 3 attempts\x1b[K\n") {
			t.Errorf("progress line: %q", out)
		}
	}
}
