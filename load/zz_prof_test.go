package load

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

func TestZZProf(t *testing.T) {
	u := os.Getenv("PROF_URL")
	if u == "" {
		t.Skip()
	}
	tg, _ := delivery.NewTarget(u, nil)
	rep, err := Run(context.Background(), tg, WithRate(30000, 6*time.Second), WithMaxLateness(100*time.Millisecond), WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep.AchievedRate(), rep.Corrected.Quantile(99), rep.Raw.Quantile(99), rep.Late)
}
