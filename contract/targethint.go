package contract

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// TokenHint is a hint for a Target whose URL carries a query string while
// TokenParam is empty: the token then goes with every delivery and the
// token specs are skipped, which a user who meant to test them would not
// notice. "" when there is nothing to say.
func (t Target) TokenHint() string {
	if t.TokenParam != "" {
		return ""
	}
	u, err := url.Parse(t.URL)
	if err != nil || u.RawQuery == "" {
		return ""
	}
	q := u.Query()
	if len(q) == 0 {
		return ""
	}
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	return fmt.Sprintf("hint: --target carries %s in its query string, so the token specs (a delivery without the token, or with a wrong one, must be refused) are skipped; "+
		"to run them, take it out of the URL and pass --token-param %s=VALUE (or set COPERNIQ_MOCK_TOKEN_PARAM)", strings.Join(names, ", "), names[0])
}
