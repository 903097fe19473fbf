package delivery

import "testing"

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "ok: 200\n\tdone", "ok: 200\n\tdone"},
		{"colour", "\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"window title (OSC)", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"carriage return rewrites a line", "ok\rFAIL", `ok\x0dFAIL`},
		{"C1 CSI", "a\u009bb", `a\u{009b}b`},
		{"bidi override", "abc\u202edcba", `abc\u{202e}dcba`},
		{"invalid UTF-8", "a\xffb", `a\xffb`},
		{"non-ASCII kept", "Zoë — ☀", "Zoë — ☀"},
		{"DEL", "a\x7fb", `a\x7fb`},
	} {
		if got := Escape(tc.in); got != tc.want {
			t.Errorf("%s: Escape(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestShowAnswerMasksEchoedSecrets(t *testing.T) {
	tg, err := NewTarget("https://hooks.example.com/in?token=s3cr3t-t0ken&x=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := tg.ShowAnswer("POST /in?token=s3cr3t-t0ken&x=1 HTTP/1.1\r\n\x1b[2Jbad token s3cr3t-t0ken")
	want := `POST /in?token=***&x=*** HTTP/1.1\x0d` + "\n" + `\x1b[2Jbad token ***`
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
