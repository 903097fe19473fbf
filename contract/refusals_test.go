package contract

import (
	"net/http"
	"testing"

	"github.com/coperniq-mock/coperniq-mock/api"
)

// refusals groups the calls by how they were answered, most first, a tie
// in the order of the words, every group named (no "and N more").
func TestRefusals(t *testing.T) {
	call := func(status int, op string) api.Call {
		return api.Call{Method: "GET", Path: "/projects/7", Status: status, Operation: op}
	}
	for _, tc := range []struct {
		name  string
		calls []api.Call
		want  string
	}{
		{"none", nil, ""},
		{"one answer", []api.Call{call(200, "get-project"), call(200, "get-project")}, "2 answered 200 OK"},
		{"most first, then by words", []api.Call{call(404, ""), call(200, "get-project"), call(401, "get-project"), call(404, ""), call(501, "list-files"), call(200, "get-project"), call(404, "")},
			`3 answered 404 Not Found, to a path Coperniq's API does not have (see "` + SpecAPIKey + `"); 2 answered 200 OK; 1 answered 401 Unauthorized, refused for the x-api-key (see "` + SpecAPIKey + `"); 1 answered 501 Not Implemented, to an operation the mock does not implement`},
		{"a documented record not found is an answer", []api.Call{call(http.StatusNotFound, "get-project")}, "1 answered 404 Not Found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := refusals(tc.calls); got != tc.want {
				t.Errorf("refusals:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}
