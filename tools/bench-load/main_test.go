package main

import "testing"

func TestRatioLabelSaysWhichWayABoundGoes(t *testing.T) {
	for _, c := range []struct {
		name              string
		oursCut, otherCut bool
		want              string
	}{
		{"both measured", false, false, "0.86"},
		{"ours a lower bound: the ratio is at least", true, false, "≥0.86"},
		{"the other a lower bound: the ratio is at most", false, true, "≤0.86"},
		{"both lower bounds: either way", true, true, "0.86?"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := ratioLabel(47600.0/55228, c.oursCut, c.otherCut); got != c.want {
				t.Errorf("ratioLabel(0.86, %v, %v) = %q, want %q", c.oursCut, c.otherCut, got, c.want)
			}
		})
	}
}
