package contract

import (
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// A spec is the setup's TLS problem only when its deliveries were refused in
// the handshake and hung up on, never timed out, and nothing in the run was
// answered: settings that got other deliveries through did not fail these.
func TestRefusedTLS(t *testing.T) {
	tls, reset, timeout := string(delivery.KindTLS), string(delivery.KindReset), string(delivery.KindTimeout)
	for _, tc := range []struct {
		name string
		ds   []DeliveryRecord
		want bool
	}{
		{"every delivery refused in the handshake", []DeliveryRecord{{Error: tls}, {Error: tls}}, true},
		{"refused, then hung up on", []DeliveryRecord{{Error: tls}, {Error: reset}}, true},
		{"one refused, the others timed out", []DeliveryRecord{{Error: tls}, {Error: timeout}, {Error: timeout}}, false},
		{"one refused, one answered", []DeliveryRecord{{Error: tls}, {Status: 500}}, false},
		{"hung up on, never refused", []DeliveryRecord{{Error: reset}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := refusedTLS(tc.ds); got != tc.want {
				t.Errorf("refusedTLS = %v, want %v", got, tc.want)
			}
		})
	}

	withDeliveries := func(ds ...DeliveryRecord) types.SpecReport {
		var es types.ReportEntries
		for _, d := range ds {
			es = append(es, types.ReportEntry{Name: EntryDelivery, Value: types.WrapEntryValue(d)})
		}
		return types.SpecReport{ReportEntries: es}
	}
	refusedOnly := types.Report{SpecReports: types.SpecReports{withDeliveries(DeliveryRecord{Error: tls})}}
	if answeredAny(refusedOnly) {
		t.Error("answeredAny: a run with no status was answered")
	}
	someAnswered := types.Report{SpecReports: types.SpecReports{withDeliveries(DeliveryRecord{Error: tls}), withDeliveries(DeliveryRecord{Status: 200})}}
	if !answeredAny(someAnswered) {
		t.Error("answeredAny: a run with a 200 was not answered")
	}
}
