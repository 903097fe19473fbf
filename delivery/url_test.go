package delivery_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/delivery"
)

func TestMaskURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"http://127.0.0.1:8080/hook", "http://127.0.0.1:8080/hook"},
		{"https://h.example/hook?token=s3cret", "https://h.example/hook?token=***"},
		{"https://h.example/hook?token=s3cret&env=prod", "https://h.example/hook?token=***&env=***"},
		{"https://h.example/hook?s3cret", "https://h.example/hook?***"},
		{"https://h.example/hook?a=&b=1", "https://h.example/hook?a=&b=***"},
		{"https://user:pa55word@h.example/hook", "https://user:***@h.example/hook"},
		{"https://apikey123@h.example/hook", "https://***@h.example/hook"},
		{"https://h.example/hook#frag-token", "https://h.example/hook#***"},
		{"https://h.example/hook?token=a%20b", "https://h.example/hook?token=***"},
		{"http://h example/x?token=s3cret", "http://h example/x?***"},
		{"http://us:p%zz@h/x?token=s3cret", "http://***@h/x?***"},
	}
	for _, c := range cases {
		if got := delivery.MaskURL(c.in); got != c.want {
			t.Errorf("MaskURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	for _, good := range []string{"http://127.0.0.1:1/x", "https://h.example/hook?token=1"} {
		if err := delivery.CheckURL(good); err != nil {
			t.Errorf("CheckURL(%q): %v", good, err)
		}
	}
	cases := []struct{ in, want string }{
		{"", "empty"},
		{"ftp://h/x?token=s3cret", `scheme "ftp" isn't one of [http https]`},
		{"h.example/hook?token=s3cret", `scheme "" isn't one of [http https] (did you mean "http://h.example/hook?token=***"?)`},
		{"127.0.0.1:18200/hooks?token=s3cret", `is not a URL: first path segment in URL cannot contain colon (did you mean "http://127.0.0.1:18200/hooks?token=***"?)`},
		{"localhost:18200/hooks?token=s3cret", `scheme "localhost" isn't one of [http https] (did you mean "http://localhost:18200/hooks?token=***"?)`},
		{"http:///hook?token=s3cret", "has no host"},
		{"http://h example/x?token=s3cret", "is not a URL"},
	}
	for _, c := range cases {
		err := delivery.CheckURL(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CheckURL(%q) = %v, want an error containing %q", c.in, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("CheckURL(%q) leaks the token: %v", c.in, err)
		}
	}
	if _, err := delivery.NewTarget("ftp://h/x?token=s3cret", nil); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("NewTarget: %v", err)
	}
	if _, err := delivery.New(nil); err == nil {
		t.Error("New(nil) did not fail")
	}
	res := delivery.Send(context.Background(), nil, "http://h example/x?token=s3cret", []byte(`{}`), nil)
	if res.Err == nil || strings.Contains(res.Err.Error(), "s3cret") {
		t.Errorf("Send with a bad URL: %v", res.Err)
	}
}

// The token is kept out of errors, attempts, the log and the summary, also
// when the receiver echoes the URL in its error page.
func TestTokenNeverLeaks(t *testing.T) {
	const token = "tok_5up3r53cr3t"
	const password = "hunter2hunter2"
	echo := func(h hit) action {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, "no route for "+r.URL.String()+" token "+r.URL.Query().Get("token"))
		}
	}
	rc := newReceiver(t, echo)
	for _, base := range []string{rc.srv.URL, strings.TrimSuffix(closedURL(t), "/hook")} {
		withUser := strings.Replace(base, "http://", "http://robot:"+password+"@", 1)
		target := withUser + "/hook?token=" + token + "&env=prod"
		var log bytes.Buffer
		var obs observed
		e := mustNew(t, target, delivery.WithPolicy(fast(2)), delivery.WithLog(&log), delivery.WithObserver(obs.add), delivery.WithSeed(1))
		s, err := e.Run(context.Background(), makeEvents(t, 3, 3))
		if err != nil {
			t.Fatal(err)
		}
		mustCheck(t, s)
		if s.Dead != 3 {
			t.Fatalf("%s", s)
		}
		var texts []string
		texts = append(texts, log.String(), s.String(), e.Target(), fmt.Sprintf("%+v", s))
		for _, a := range obs.all {
			texts = append(texts, a.Err, a.Response, fmt.Sprintf("%+v", a))
		}
		res := delivery.Send(context.Background(), nil, target, payload(1, 1, "X"), nil)
		if res.Err != nil {
			texts = append(texts, res.Err.Error(), fmt.Sprintf("%+v", res.Err))
		}
		sawErr := false
		for _, txt := range texts {
			for _, secret := range []string{token, password} {
				if strings.Contains(txt, secret) {
					t.Errorf("%s leaked into: %s", secret, txt)
				}
			}
			sawErr = sawErr || strings.Contains(txt, "token=***")
		}
		if !sawErr {
			t.Errorf("the masked URL never appears; the test proves nothing:\n%s", strings.Join(texts, "\n"))
		}
	}
	_, by := rc.snapshot()
	if len(by) == 0 || by[1][0].Query != "token="+token+"&env=prod" {
		t.Fatalf("the receiver must get the real token, got %+v", by[1])
	}
}

func TestTargetAddr(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"http://h/x", "h:80"},
		{"https://h/x?token=s3cret", "h:443"},
		{"http://user:pw@127.0.0.1:8080/x", "127.0.0.1:8080"},
		{"https://[::1]/x", "[::1]:443"},
	} {
		tg, err := delivery.NewTarget(c.in, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := tg.Addr(); got != c.want {
			t.Errorf("NewTarget(%q).Addr() = %q, want %q", c.in, got, c.want)
		}
	}
}
