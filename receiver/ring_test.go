package receiver

import "testing"

// TestRingMatchesASlice: the chunked ring keeps what a slice dropping its
// oldest would, across chunk boundaries and wrap-arounds, for limits on
// and off a chunk's size, and through the regrowth of a ring not full.
func TestRingMatchesASlice(t *testing.T) {
	for _, max := range []int{1, 255, 256, 257, 511, 512, 513, 1000} {
		var r ring
		var model []int
		for i := range 3*max + 700 {
			if r.n >= max {
				r.dropOldest()
				model = model[1:]
			}
			r.push(entry{Delivery: Delivery{Seq: i}})
			model = append(model, i)
			if r.n != len(model) {
				t.Fatalf("max %d after %d: n %d, want %d", max, i, r.n, len(model))
			}
			for _, j := range []int{0, r.n / 2, r.n - 1} {
				if got := r.at(j).Seq; got != model[j] {
					t.Fatalf("max %d after %d: at(%d) = %d, want %d", max, i, j, got, model[j])
				}
			}
		}
		// Grown while wrapped (not reached by keep, kept correct).
		for i := range 600 {
			r.push(entry{Delivery: Delivery{Seq: -i}})
			model = append(model, -i)
		}
		for j := range model {
			if r.at(j).Seq != model[j] {
				t.Fatalf("max %d, grown while wrapped: at(%d) = %d, want %d", max, j, r.at(j).Seq, model[j])
			}
		}
	}
}
