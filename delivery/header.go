package delivery

import (
	"fmt"
	"net/http"
	"strings"
)

// ParseHeaders reads extra request headers, "Name: value" each. A name or
// value net/http would refuse to send is refused here: at send time the
// failure would look like the receiver's.
func ParseHeaders(kvs []string) (http.Header, error) {
	h := http.Header{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, ":")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			return nil, fmt.Errorf("header %q: want Name: value", kv)
		}
		if err := checkHeader(k, v); err != nil {
			return nil, fmt.Errorf("header %q: %w", kv, err)
		}
		h.Add(k, v)
	}
	return h, nil
}

// checkHeader is what net/http's client checks before sending a header
// (httpguts.ValidHeaderFieldName, ValidHeaderFieldValue): a name is an
// RFC 9110 token, a value has no control character but tab.
func checkHeader(name, value string) error {
	for _, r := range name {
		if r <= ' ' || r > '~' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return fmt.Errorf("name %q has a character %q a header name cannot have (letters, digits and !#$%%&'*+-.^_`|~ only)", name, r)
		}
	}
	for i := 0; i < len(value); i++ {
		if b := value[i]; b < ' ' && b != '\t' || b == 0x7f {
			return fmt.Errorf("value has a control character %q, which a header value cannot have", b)
		}
	}
	return nil
}
