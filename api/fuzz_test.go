package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/api"
)

// Whatever a client sends, the mock answers with a JSON body and never
// with a 500 of its own making (500 is only an injected fault, off here).
func FuzzRequests(f *testing.F) {
	tl, _ := world(f)
	h, err := api.NewHandler(tl, api.WithKey("k"), api.WithQuota(0, 0))
	if err != nil {
		f.Fatal(err)
	}
	f.Add("GET", "/projects/search", "prop1=status&op1=in&value1=\"A, B\",C&logic=or&prop2=id&op2=between&value2=1,9", "")
	f.Add("GET", "/projects", "page_size=1000&page=2&order_by=desc&updated_after=2026-01-01", "")
	f.Add("PATCH", "/projects/1", "", `{"status":"ACTIVE","custom":{"a":[1,{"b":null}]}}`)
	f.Add("PATCH", "/projects/1/work-orders/2", "", `{"collaborators":[1,2],"status":"WORKING"}`)
	f.Add("POST", "/work-orders/3/notes", "", `{"body":"x","replyToId":1}`)
	f.Add("GET", "/opportunities/search", "prop1=value&op1=gte&value1=[\"1\",2]", "")
	f.Fuzz(func(t *testing.T, method, path, query, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t\r\n#?") {
			return
		}
		switch method {
		case "GET", "PATCH", "POST", "PUT", "DELETE":
		default:
			return
		}
		req, err := http.NewRequest(method, "http://mock"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.URL.RawQuery = query
		req.Header.Set("x-api-key", "k")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != http.StatusNotImplemented {
			t.Fatalf("%s %s?%s %q: %d %s", method, path, query, body, rec.Code, rec.Body)
		}
		// ServeMux redirects unclean paths (/./x) and answers 405 itself.
		if rec.Code/100 != 3 && rec.Code != http.StatusMethodNotAllowed && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s: a body that is not JSON: %q", method, path, rec.Body)
		}
	})
}
