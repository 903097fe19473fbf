package delivery

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Masked replaces every secret MaskURL hides.
const Masked = "***"

// minSecretLen is the shortest query value scrubbed from free text (error
// messages, response excerpts). Inside a URL every value is masked, but a
// short value such as page=1 would otherwise turn every "1" of a message
// into ***; real tokens are far longer.
const minSecretLen = 6

// MaskURL returns raw with every query value, the fragment and the userinfo
// password replaced by ***, keeping the scheme, host, path and query keys so
// that a log still says where a request went. Coperniq has no signatures, so
// customers put a token in the URL; this is what keeps it out of output.
// A query element without "=" and a username without password are masked
// whole, since either may be the token itself. A token in the path cannot be
// told from a path segment and is left as is. An unparseable URL is cut at
// its first '?' or '#' and its userinfo dropped.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return maskUnparsed(raw)
	}
	return maskParsed(u)
}

// maskParsed is MaskURL of a URL already parsed; u is modified.
func maskParsed(u *url.URL) string {
	// url.Userinfo would escape the asterisks; the userinfo is put back
	// by hand below.
	userinfo := ""
	if u.User != nil {
		userinfo = Masked
		if _, ok := u.User.Password(); ok {
			userinfo = u.User.Username() + ":" + Masked
		}
		u.User = nil
	}
	if u.RawQuery != "" {
		u.RawQuery = maskQuery(u.RawQuery)
	}
	if u.Fragment != "" {
		u.Fragment, u.RawFragment = Masked, ""
	}
	if u.Opaque != "" && strings.ContainsAny(u.Opaque, "@") {
		u.Opaque = Masked
	}
	s := u.String()
	if userinfo != "" {
		if rest, ok := strings.CutPrefix(s, u.Scheme+"://"); ok {
			s = u.Scheme + "://" + userinfo + "@" + rest
		}
	}
	return s
}

func maskQuery(q string) string {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		if p == "" {
			continue
		}
		k, v, ok := strings.Cut(p, "=")
		switch {
		case !ok:
			parts[i] = Masked
		case v != "":
			parts[i] = k + "=" + Masked
		}
	}
	return strings.Join(parts, "&")
}

func maskUnparsed(raw string) string {
	s := raw
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i] + "?" + Masked
	}
	if _, rest, ok := strings.Cut(s, "://"); ok {
		authority := rest
		if i := strings.IndexAny(rest, "/?"); i >= 0 {
			authority = rest[:i]
		}
		if at := strings.LastIndex(authority, "@"); at >= 0 {
			s = s[:len(s)-len(rest)] + Masked + rest[at:]
		}
	}
	return s
}

// CheckURL reports whether raw can be a webhook target: an absolute http or
// https URL with a host. The error shows the URL masked.
func CheckURL(raw string) error {
	_, err := parseTarget(raw)
	return err
}

func parseTarget(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("target URL is empty (want http://host/path or https://host/path)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		shown := maskUnparsed(raw)
		// url.Parse quotes the whole URL in its message; keep only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("target %q is not a URL: %v%s", shown, err, schemeHint(raw))
	}
	shown := maskParsed(clone(u))
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("target %q: scheme %q isn't one of [http https]%s", shown, u.Scheme, schemeHint(raw))
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("target %q has no host (want %s://host/path)", shown, u.Scheme)
	}
	return u, nil
}

// schemeHint suggests the scheme a target written as host:port/path
// lacks (url.Parse reads "127.0.0.1:8080/hooks" as a bad path and
// "localhost:8080/hooks" as the scheme "localhost"), when that makes a URL.
func schemeHint(raw string) string {
	if strings.Contains(raw, "://") {
		return ""
	}
	u, err := url.Parse("http://" + raw)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", maskParsed(u))
}

// redactor scrubs the secrets of one target URL out of free text: errors
// from net/http embed the URL, and receivers' error pages often echo it.
type redactor struct {
	pairs []string // old, new pairs for strings.Replacer, longest first
	r     *strings.Replacer
}

// newRedactor scrubs the secrets of raw, already parsed (u) and masked.
func newRedactor(raw string, u *url.URL, masked string) *redactor {
	pairs := []string{}
	add := func(s, with string) {
		if len(s) >= minSecretLen && s != with {
			pairs = append(pairs, s, with)
		}
	}
	add(raw, masked)
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			add(p, Masked)
		} else {
			add(u.User.Username(), Masked)
		}
	}
	for _, part := range strings.Split(u.RawQuery, "&") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			v = k
		}
		add(v, Masked)
		if dec, err := url.QueryUnescape(v); err == nil {
			add(dec, Masked)
		}
	}
	add(u.RawQuery, maskQuery(u.RawQuery))
	add(u.Fragment, Masked)
	// The whole URL must be replaced before its parts, or it would no
	// longer match once a value inside it had been replaced.
	sortPairsLongestFirst(pairs)
	return &redactor{pairs: pairs, r: strings.NewReplacer(pairs...)}
}

func sortPairsLongestFirst(p []string) {
	for i := 2; i < len(p); i += 2 {
		for j := i; j >= 2 && len(p[j]) > len(p[j-2]); j -= 2 {
			p[j], p[j-2] = p[j-2], p[j]
			p[j+1], p[j-1] = p[j-1], p[j+1]
		}
	}
}

func (r *redactor) String(s string) string {
	if r == nil || len(r.pairs) == 0 {
		return s
	}
	return r.r.Replace(s)
}

// Error rewrites err so that neither its message nor the *url.Error inside
// it carries the raw URL, while errors.Is and errors.As still see the cause
// (a refused connection, a timeout) for classification.
func (r *redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	if ue, ok := err.(*url.Error); ok {
		err = &url.Error{Op: ue.Op, URL: MaskURL(ue.URL), Err: ue.Err}
	}
	if msg := err.Error(); r.String(msg) != msg {
		return &maskedError{msg: r.String(msg), err: err}
	}
	return err
}

type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }

// clone copies u, so that masking the copy leaves u whole.
func clone(u *url.URL) *url.URL {
	c := *u
	return &c
}
