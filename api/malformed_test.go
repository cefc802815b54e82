package api_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"engage/config"
	"engage/internal/apitest"
)

// malformedRequest is a request that is not a GraphQL request the server
// can run, and the refusal it must get.
type malformedRequest struct {
	name        string
	method      string
	contentType string // "-" for none
	accept      string
	body        string
	url         string // for GET: the query string
	chunked     bool   // sent without Content-Length
	status      int
	code        string
	allow       string // the Allow header of a 405
}

// malformedBodyLimit is the body limit of TestMalformedRequests' server.
const malformedBodyLimit = 64 << 10

func malformedRequests() []malformedRequest {
	post := func(name, body string, status int, code string) malformedRequest {
		return malformedRequest{name: name, method: http.MethodPost, body: body, status: status, code: code}
	}
	bad := func(name, body string) malformedRequest {
		return post(name, body, http.StatusBadRequest, "BAD_REQUEST")
	}
	get := func(name, query string, status int, code string) malformedRequest {
		return malformedRequest{name: name, method: http.MethodGet, url: query, status: status, code: code}
	}
	withAccept := func(c malformedRequest, accept string) malformedRequest {
		c.name += " (graphql-response+json)"
		c.accept = accept
		return c
	}
	hash := func(s string) string { sum := sha256.Sum256([]byte(s)); return hex.EncodeToString(sum[:]) }
	deep := strings.Repeat("[", 10001) + strings.Repeat("]", 10001)
	const responseJSON = "application/graphql-response+json"
	cases := []malformedRequest{
		// Bodies that are not JSON, or not one JSON object.
		bad("invalid JSON", `{"query": `),
		bad("unterminated string", `{ "not a JSON`),
		bad("empty body", ``),
		bad("blank body", " \n\t "),
		bad("JSON string", `"{ __typename }"`),
		bad("JSON number", `42`),
		bad("JSON true", `true`),
		bad("JSON null", `null`),
		bad("two objects", `{"query": "{ __typename }"}{"query": "{ __typename }"}`),
		bad("garbage after the object", `{"query": "{ __typename }"} x`),
		bad("nested deeper than encoding/json allows, in variables", `{"query": "{ __typename }", "variables": {"a": `+deep+`}}`),
		bad("nested deeper than encoding/json allows, alone", deep),
		post("empty batch", `[]`, http.StatusBadRequest, "BATCH_NOT_SUPPORTED"),
		post("batch", `[{"query": "{ __typename }"}, {"query": "{ __typename }"}]`, http.StatusBadRequest, "BATCH_NOT_SUPPORTED"),
		// Parameters of the wrong type, or missing.
		bad("no query", `{}`),
		bad("misspelt query", `{"qeury": "{ __typename }"}`),
		bad("null query", `{"query": null}`),
		bad("empty query", `{"query": ""}`),
		bad("object query", `{"query": {"obj": "ect"}}`),
		bad("number query", `{"query": 0}`),
		bad("boolean query", `{"query": false}`),
		bad("array query", `{"query": ["array"]}`),
		bad("object operationName", `{"query": "{ __typename }", "operationName": {"obj": "ect"}}`),
		bad("number operationName", `{"query": "{ __typename }", "operationName": 0}`),
		bad("boolean operationName", `{"query": "{ __typename }", "operationName": false}`),
		bad("array operationName", `{"query": "{ __typename }", "operationName": ["array"]}`),
		bad("string variables", `{"query": "{ __typename }", "variables": "{}"}`),
		bad("number variables", `{"query": "{ __typename }", "variables": 0}`),
		bad("boolean variables", `{"query": "{ __typename }", "variables": false}`),
		bad("array variables", `{"query": "{ __typename }", "variables": ["array"]}`),
		bad("string extensions", `{"query": "{ __typename }", "extensions": "string"}`),
		bad("number extensions", `{"query": "{ __typename }", "extensions": 0}`),
		bad("boolean extensions", `{"query": "{ __typename }", "extensions": false}`),
		bad("array extensions", `{"query": "{ __typename }", "extensions": ["array"]}`),
		// Automatic persisted queries.
		post("persisted query whose hash is not the query's", `{"query": "{ __typename }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "`+hash("{ a }")+`"}}}`,
			http.StatusBadRequest, "PERSISTED_QUERY_HASH_MISMATCH"),
		bad("persisted query of version 2", `{"extensions": {"persistedQuery": {"version": 2, "sha256Hash": "`+hash("{ a }")+`"}}}`),
		bad("persisted query that is not an object", `{"extensions": {"persistedQuery": "`+hash("{ a }")+`"}}`),
		bad("persisted query hash that is not a string", `{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": 12}}}`),
		withAccept(post("persisted query not known", `{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "`+hash("{ unknown }")+`"}}}`,
			http.StatusBadRequest, "PERSISTED_QUERY_NOT_FOUND"), responseJSON),
		// Documents that do not parse or validate, answered as
		// application/graphql-response+json asks (400, no data).
		withAccept(post("unparsable document", `{"query": "{"}`, http.StatusBadRequest, "GRAPHQL_PARSE_FAILED"), responseJSON),
		withAccept(post("invalid document", `{"query": "{ nope }"}`, http.StatusBadRequest, "GRAPHQL_VALIDATION_FAILED"), responseJSON),
		withAccept(post("variable that does not coerce", `{"query": "query Q($id: ID!) { __typename }", "variables": {"id": null}}`,
			http.StatusBadRequest, "GRAPHQL_VALIDATION_FAILED"), responseJSON),
		withAccept(post("operationName not in the document", `{"query": "query A { __typename }", "operationName": "B"}`,
			http.StatusBadRequest, "GRAPHQL_VALIDATION_FAILED"), responseJSON),
		// Sizes.
		post("body over the limit with Content-Length", `{"query": "{ __typename }", "padding": "`+strings.Repeat("x", malformedBodyLimit)+`"}`,
			http.StatusRequestEntityTooLarge, "BODY_TOO_LARGE"),
		{name: "chunked body over the limit", method: http.MethodPost, chunked: true,
			body:   `{"query": "{ __typename }", "padding": "` + strings.Repeat("x", malformedBodyLimit) + `"}`,
			status: http.StatusRequestEntityTooLarge, code: "BODY_TOO_LARGE"},
		// Content types.
		{name: "no Content-Type", method: http.MethodPost, contentType: "-", body: `{"query": "{ __typename }"}`,
			status: http.StatusUnsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "text/plain", method: http.MethodPost, contentType: "text/plain;charset=UTF-8", body: `{"query": "{ __typename }"}`,
			status: http.StatusUnsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "form", method: http.MethodPost, contentType: "application/x-www-form-urlencoded", body: `query=%7B__typename%7D`,
			status: http.StatusUnsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "multipart", method: http.MethodPost, contentType: "multipart/form-data; boundary=x", body: "--x--\r\n",
			status: http.StatusUnsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "application/graphql", method: http.MethodPost, contentType: "application/graphql", body: `{ __typename }`,
			status: http.StatusUnsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "JSON in Latin-1", method: http.MethodPost, contentType: "application/json; charset=iso-8859-1", body: `{"query": "{ __typename }"}`,
			status: http.StatusUnsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "unparsable Content-Type", method: http.MethodPost, contentType: "application/json; ;;", body: `{"query": "{ __typename }"}`,
			status: http.StatusUnsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE"},
		// Methods.
		{name: "PUT", method: http.MethodPut, body: `{"query": "{ __typename }"}`, status: http.StatusMethodNotAllowed, code: "METHOD_NOT_ALLOWED", allow: "GET, POST, OPTIONS"},
		{name: "DELETE", method: http.MethodDelete, status: http.StatusMethodNotAllowed, code: "METHOD_NOT_ALLOWED", allow: "GET, POST, OPTIONS"},
		{name: "PATCH", method: http.MethodPatch, body: `{"query": "{ __typename }"}`, status: http.StatusMethodNotAllowed, code: "METHOD_NOT_ALLOWED", allow: "GET, POST, OPTIONS"},
		{name: "mutation over GET", method: http.MethodGet, url: url.Values{"query": {`mutation { deleteTeamMembership(id: "tmm_x") }`}}.Encode(),
			status: http.StatusMethodNotAllowed, code: "METHOD_NOT_ALLOWED", allow: "POST"},
		// GET parameters.
		get("GET without a query", "", http.StatusBadRequest, "BAD_REQUEST"),
		get("GET with a malformed query string", "query=%zz", http.StatusBadRequest, "BAD_REQUEST"),
		get("GET with variables that are not JSON", url.Values{"query": {"{ __typename }"}, "variables": {"{"}}.Encode(), http.StatusBadRequest, "BAD_REQUEST"),
		get("GET with variables that are an array", url.Values{"query": {"{ __typename }"}, "variables": {"[1]"}}.Encode(), http.StatusBadRequest, "BAD_REQUEST"),
		get("GET with extensions that are not JSON", url.Values{"query": {"{ __typename }"}, "extensions": {"x"}}.Encode(), http.StatusBadRequest, "BAD_REQUEST"),
	}
	return cases
}

// TestMalformedRequests sends requests that are not GraphQL requests the
// server can run. Each must be refused with its 4xx status and a GraphQL
// error with its code and no data, log nothing above WARN, and be logged
// with the status sent.
func TestMalformedRequests(t *testing.T) {
	h := apitest.NewWith(t, apitest.Options{KeepLogs: true,
		Configure: func(c *config.Config) { c.MaxBodyBytes = malformedBodyLimit }})
	admin := h.Admin()
	for _, c := range malformedRequests() {
		t.Run(c.name, func(t *testing.T) {
			target := "/graphql"
			if c.url != "" {
				target += "?" + c.url
			}
			var body io.Reader = strings.NewReader(c.body)
			if c.chunked {
				body = struct{ io.Reader }{body} // a reader of unknown length
			}
			req := httptest.NewRequest(c.method, target, body)
			if c.chunked {
				req.ContentLength = -1
			}
			switch c.contentType {
			case "":
				req.Header.Set("Content-Type", "application/json")
			case "-":
			default:
				req.Header.Set("Content-Type", c.contentType)
			}
			if c.accept != "" {
				req.Header.Set("Accept", c.accept)
			}
			logStart := len(h.Logs.String())
			resp := h.Send(admin, req)
			logs := h.Logs.String()[logStart:]

			if resp.Status != c.status || len(resp.Errors) == 0 || resp.Codes()[0] != c.code {
				t.Errorf("got status %d, codes %v (%+v); want %d, %s", resp.Status, resp.Codes(), resp.Errors, c.status, c.code)
			}
			if resp.Data != nil {
				t.Errorf("got data %s; want no data entry", resp.Data)
			}
			wantType := "application/json"
			if c.accept != "" {
				wantType = c.accept
			}
			if got := resp.Header.Get("Content-Type"); got != wantType {
				t.Errorf("got Content-Type %q, want %q", got, wantType)
			}
			if got := resp.Header.Get("Allow"); got != c.allow {
				t.Errorf("got Allow %q, want %q", got, c.allow)
			}
			checkLogs(t, logs, resp.Header.Get("X-Request-ID"), resp.Status)
		})
	}
}

var (
	errorLine   = regexp.MustCompile(`(?m)^.*level=ERROR.*$`)
	requestLine = regexp.MustCompile(`msg=request request_id=(\S+) .*status=(\d+)`)
)

// checkLogs checks that logs hold no ERROR line, and that the request log
// recorded request id with status.
func checkLogs(t *testing.T, logs, id string, status int) {
	t.Helper()
	if lines := errorLine.FindAllString(logs, -1); len(lines) > 0 {
		t.Errorf("logged at ERROR for a client's mistake:\n%s", strings.Join(lines, "\n"))
	}
	for _, m := range requestLine.FindAllStringSubmatch(logs, -1) {
		if m[1] == id {
			if m[2] != strconv.Itoa(status) {
				t.Errorf("the request log recorded status %s; the client got %d", m[2], status)
			}
			return
		}
	}
	t.Errorf("no request log line for request %s in:\n%s", id, logs)
}

// TestRequestErrorsAsApplicationJSON checks the status of request errors
// (the document or its variables are wrong; nothing ran) answered as
// application/json: 200, as the GraphQL-over-HTTP specification asks, with
// no data entry; as application/graphql-response+json they get 400
// (TestMalformedRequests).
func TestRequestErrorsAsApplicationJSON(t *testing.T) {
	h := apitest.NewWith(t, apitest.Options{KeepLogs: true})
	admin := h.Admin()
	unknown := sha256.Sum256([]byte("{ unknown }"))
	for _, c := range []struct{ name, body, code string }{
		{"unparsable document", `{"query": "{"}`, "GRAPHQL_PARSE_FAILED"},
		{"invalid document", `{"query": "{ nope }"}`, "GRAPHQL_VALIDATION_FAILED"},
		{"variable that does not coerce", `{"query": "query Q($id: ID!) { __typename }", "variables": {"id": null}}`, "GRAPHQL_VALIDATION_FAILED"},
		{"persisted query not known", `{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "` + hex.EncodeToString(unknown[:]) + `"}}}`, "PERSISTED_QUERY_NOT_FOUND"},
		{"page too large", `{"query": "{ projects(first: 101) { totalCount } }"}`, "BAD_USER_INPUT"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, accept := range []string{"", "application/json"} {
				req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(c.body))
				req.Header.Set("Content-Type", "application/json")
				if accept != "" {
					req.Header.Set("Accept", accept)
				}
				logStart := len(h.Logs.String())
				resp := h.Send(admin, req)
				if resp.Status != http.StatusOK || len(resp.Errors) == 0 || resp.Codes()[0] != c.code || resp.Data != nil {
					t.Errorf("Accept %q: got status %d, codes %v, data %s; want 200, %s, no data", accept, resp.Status, resp.Codes(), resp.Data, c.code)
				}
				checkLogs(t, h.Logs.String()[logStart:], resp.Header.Get("X-Request-ID"), resp.Status)
			}
		})
	}
}

// TestOptionsAndHead checks the methods that have no response body.
func TestOptionsAndHead(t *testing.T) {
	h := apitest.New(t)
	admin := h.Admin()
	for method, want := range map[string]int{http.MethodOptions: http.StatusNoContent, http.MethodHead: http.StatusMethodNotAllowed} {
		req := httptest.NewRequest(method, "/graphql", nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		rec := httptest.NewRecorder()
		h.Handler.ServeHTTP(rec, req)
		if rec.Code != want || rec.Header().Get("Allow") != "GET, POST, OPTIONS" {
			t.Errorf("%s: got %d, Allow %q; want %d, Allow: GET, POST, OPTIONS", method, rec.Code, rec.Header().Get("Allow"), want)
		}
	}
}

// TestBodyReadTimeout sends a body slower than the server's read timeout:
// the client must get 408 REQUEST_TIMEOUT, and the request log that status.
func TestBodyReadTimeout(t *testing.T) {
	h := apitest.NewWith(t, apitest.Options{KeepLogs: true})
	admin := h.Admin()
	srv := httptest.NewUnstartedServer(h.Handler)
	srv.Config.ReadTimeout = 300 * time.Millisecond // server.go's ReadTimeout, shortened
	srv.Start()
	defer srv.Close()

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	logStart := len(h.Logs.String())
	// The headers promise 100 bytes; 10 come, then nothing.
	fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: engage\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\": ", admin)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	defer res.Body.Close()
	var body apitest.Response
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("the response is not JSON: %v", err)
	}
	if res.StatusCode != http.StatusRequestTimeout || len(body.Errors) == 0 || body.Codes()[0] != "REQUEST_TIMEOUT" {
		t.Errorf("got status %d, codes %v; want 408, REQUEST_TIMEOUT", res.StatusCode, body.Codes())
	}
	srv.Close() // waits for the handler, and so for its log line
	checkLogs(t, h.Logs.String()[logStart:], res.Header.Get("X-Request-ID"), res.StatusCode)
}
