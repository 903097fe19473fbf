package delivery_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

// FuzzCheckURL: a --target of any spelling is accepted as an http(s) URL
// with a host or refused, and neither the error nor MaskURL shows its
// password or a query value (customers put tokens there).
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:8080/hook", "https://u:s3cretpass@h/p?token=s3cretquery&x", "ftp://h/", "http://", "http:///p", "h/p", "http://[::1", "http://u:s3cretpass@[::1/x", "%zz", "http://h/p#s3cretfrag", "mailto:u:s3cretpass@h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var secrets []string
		if u, err := url.Parse(raw); err == nil {
			// The host and path are shown: a secret also written there
			// (//:000000@000000) shows as them.
			shown := u.Scheme + u.Host + u.Path + u.Opaque
			if p, ok := u.User.Password(); ok && len(p) >= 6 && !strings.Contains(shown, p) {
				secrets = append(secrets, p)
			}
			for _, vs := range u.Query() {
				for _, v := range vs {
					if len(v) >= 6 && !strings.Contains(shown, v) {
						secrets = append(secrets, v)
					}
				}
			}
		}
		err := delivery.CheckURL(raw)
		masked := delivery.MaskURL(raw)
		for _, s := range secrets {
			if strings.Contains(masked, s) || err != nil && strings.Contains(err.Error(), s) {
				t.Fatalf("%q: the secret %q shows: %q, %v", raw, s, masked, err)
			}
		}
		if err != nil {
			if !strings.Contains(err.Error(), "target") {
				t.Fatalf("%q: error %q does not say it is about the target", raw, err)
			}
			return
		}
		u, perr := url.Parse(raw)
		if perr != nil || u.Scheme != "http" && u.Scheme != "https" || u.Hostname() == "" {
			t.Fatalf("%q accepted", raw)
		}
	})
}
