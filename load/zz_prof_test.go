package load

import (
	"context"
	"os"
	"runtime"
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
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	rep, err := Run(context.Background(), tg, WithRate(20000, 3*time.Second), WithSeed(1))
	runtime.ReadMemStats(&m1)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep.AchievedRate(), rep.Corrected.Quantile(99), rep.Raw.Quantile(99), rep.Late, "allocs/req", float64(m1.Mallocs-m0.Mallocs)/float64(rep.Sent), "bytes/req", float64(m1.TotalAlloc-m0.TotalAlloc)/float64(rep.Sent), "gc", m1.NumGC-m0.NumGC)
}
