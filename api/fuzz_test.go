package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"entgo.io/contrib/entgql"

	"engage/config"
	"engage/internal/apitest"
	"engage/testdb"
)

// fuzzBodyLimit is the body limit of the handler under FuzzHandler: small,
// so that bodies over it are short enough for the fuzzer to make.
const fuzzBodyLimit = 16 << 10

// FuzzHandler posts any body, with any content type, Accept and
// Authorization header, chunked or not, to the whole handler. Whatever the
// input, it must not panic and must answer as checkAnswer says. "{admin}" in the Authorization header stands for
// the secret of an administrator's token.
func FuzzHandler(f *testing.F) {
	h := apitest.NewWith(f, apitest.Options{Configure: func(c *config.Config) { c.MaxBodyBytes = fuzzBodyLimit }})
	admin := h.Admin()

	const bearer = "Bearer {admin}"
	deep := strings.Repeat("[", 10001) // deeper than encoding/json decodes
	over := `{"query": "{ __typename }", "pad": "` + strings.Repeat("x", fuzzBodyLimit) + `"}`
	for _, s := range []struct {
		body              string
		chunked           bool
		contentType, auth string
		accept            string
	}{
		// Well formed.
		{`{"query": "{ __typename }"}`, false, "application/json", bearer, ""},
		{`{"query": "query($n: Int!) { projects(first: $n) { totalCount edges { cursor node { id } } } }", "variables": {"n": 2}}`, false, "application/json", bearer, "application/graphql-response+json"},
		{`{"query": "mutation { createTeam(input: {name: \"t\"}) { id } }"}`, false, "application/json; charset=utf-8", bearer, "*/*"},
		// Refused before the body is read: no or bad credentials.
		{`{"query": "{ __typename }"}`, false, "application/json", "", ""},
		{`{"query": "{ __typename }"}`, false, "application/json", "Bearer eng_00000000000000000000000000000000000000", ""},
		{`{"query": "{ __typename }"}`, false, "application/json", "Basic dXNlcjpwYXNz", ""},
		// Bodies that are not a GraphQL request object (known to fail today:
		// entgql's transactioner panics on gqlgen's dispatch-error path).
		{``, false, "application/json", bearer, ""},
		{`{"query": `, false, "application/json", bearer, ""},
		{`"query"`, false, "application/json", bearer, ""},
		{`[]`, false, "application/json", bearer, ""},
		{`[{"query": "{ __typename }"}]`, false, "application/json", bearer, ""},
		{`{"query": 1}`, false, "application/json", bearer, ""},
		{`{"query": "{ __typename }", "variables": []}`, false, "application/json", bearer, ""},
		{`{"query": "{ __typename }", "variables": "x"}`, false, "application/json", bearer, ""},
		{deep, false, "application/json", bearer, ""},
		// Bodies over the limit, announced and chunked (chunked is known
		// to get 500 today).
		{over, false, "application/json", bearer, ""},
		{over, true, "application/json", bearer, ""},
		// Other content types.
		{`{"query": "{ __typename }"}`, false, "text/plain", bearer, ""},
		{`query=%7B__typename%7D`, false, "application/x-www-form-urlencoded", bearer, ""},
		{`{ __typename }`, false, "application/graphql", bearer, ""},
		{"--x\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{}\r\n--x--\r\n", false, "multipart/form-data; boundary=x", bearer, ""},
		{`{"query": "{ __typename }"}`, false, "", bearer, ""},
		// Valid requests that the API must refuse with a specific code.
		{`{"query": "{ nope }"}`, false, "application/json", bearer, ""},
		{`{"query": "{ node(id: \"prj_x\") { id } }"}`, false, "application/json", bearer, ""},
		{`{"query": "{ projects(after: \"!!\") { totalCount } }"}`, false, "application/json", bearer, ""},
		{`{"query": "{ __typename }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "00"}}}`, false, "application/json", bearer, ""},
		{`{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "00"}}}`, false, "application/json", bearer, ""},
		{`{"query": "{ projects(first: 1000) { totalCount } }"}`, false, "application/json", bearer, ""},
	} {
		f.Add([]byte(s.body), s.chunked, s.contentType, s.accept, s.auth)
	}

	f.Fuzz(func(t *testing.T, body []byte, chunked bool, contentType, accept, authorization string) {
		authorization = strings.ReplaceAll(authorization, "{admin}", admin)
		for _, v := range []string{contentType, accept, authorization} {
			if !validHeaderValue(v) {
				t.Skip("net/http delivers no header with this value")
			}
		}
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		if chunked {
			req.ContentLength, req.TransferEncoding = -1, []string{"chunked"}
		}
		for name, v := range map[string]string{"Content-Type": contentType, "Accept": accept, "Authorization": authorization} {
			if v != "" {
				req.Header.Set(name, v)
			}
		}
		rec := httptest.NewRecorder()
		h.Handler.ServeHTTP(rec, req)
		if err := checkAnswer(rec); err != nil {
			t.Fatalf("POST /graphql, Content-Type %q, Accept %q, chunked %v, body %.300q: %v", contentType, accept, chunked, body, err)
		}
	})
}

// FuzzCursor pages through projects and answers after and before any
// cursor, in each kind of order: by ID alone, by a field's value and by
// several (of answers, fields that may be null), which the pagers take from
// the cursor and put in SQL. A cursor that does not decode must be refused
// with an error; no cursor may make the API panic, and every answer is as
// checkAnswer says.
func FuzzCursor(f *testing.F) {
	h := apitest.New(f)
	admin := h.Admin()
	for i := range 3 {
		h.DB.Ent.Project.Create().SetTitle(fmt.Sprintf("Project %d", i)).SetSlug(fmt.Sprintf("p%d", i)).SaveX(testdb.System())
	}
	const query = `query($c: Cursor) {
		byID: projects(first: 2, after: $c) { edges { cursor node { id } } }
		byTitle: projects(last: 2, before: $c, orderBy: {field: TITLE}) { edges { cursor node { id } } }
		byCreated: projects(first: 2, after: $c, orderBy: {field: CREATED_AT, direction: DESC}) { edges { cursor node { id } } }
		byStatusTitle: projects(first: 2, after: $c, orderBy: [{field: STATUS, direction: DESC}, {field: TITLE}]) { edges { cursor node { id } } }
		byNumberDate: answers(last: 2, before: $c, orderBy: [{field: NUMBER}, {field: DATE, direction: DESC}]) { edges { cursor node { id } } }
	}`

	// Cursors as the API hands them out, then cursors that decode but hold
	// values no order has, then strings that do not decode.
	var pages struct {
		ByID, ByTitle, ByCreated, ByStatusTitle struct{ Edges []struct{ Cursor string } }
	}
	h.MustDo(admin, query, nil, &pages)
	for _, page := range [][]struct{ Cursor string }{pages.ByID.Edges, pages.ByTitle.Edges, pages.ByCreated.Edges, pages.ByStatusTitle.Edges} {
		for _, e := range page {
			f.Add(e.Cursor)
		}
	}
	for _, v := range []any{nil, "", 1, -1.5, true, []any{1, "a"}, map[string]any{"a": 1}, time.Unix(0, 0), []byte{0, 1},
		[]any{"PUBLISHED", "Project 1"}, []any{nil, nil}, []any{2.5, time.Unix(0, 0)}, []any{"x", nil, 3}, []any{[]any{}, map[string]any{}}} {
		var b bytes.Buffer
		entgql.Cursor[string]{ID: "prj_4fT9x0QmZb1c8LkPqR2sVw", Value: v}.MarshalGQL(&b)
		f.Add(strings.Trim(b.String(), `"`))
	}
	for _, s := range []string{"", "!!", "AAAA", "gaFp", "gqFpoXihdsA", "3AAB", "kZGRkZGRkZGRkZGRkZGRkQ", "2wAAAAA", "xf////8", "////"} {
		f.Add(s)
	}

	f.Fuzz(func(t *testing.T, cursor string) {
		body, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"c": cursor}})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+admin)
		rec := httptest.NewRecorder()
		h.Handler.ServeHTTP(rec, req)
		if err := checkAnswer(rec); err != nil {
			t.Fatalf("cursor %q: %v", cursor, err)
		}
		if !cursorDecodes(cursor) && !bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
			t.Fatalf("cursor %q does not decode, but the API answered without an error: %s", cursor, rec.Body)
		}
	})
}

// cursorDecodes reports whether entgql decodes cursor; its decoder panics
// on some malformed cursors (a map that repeats a key), which count as not
// decoding.
func cursorDecodes(cursor string) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	var c entgql.Cursor[string]
	return c.UnmarshalGQL(cursor) == nil
}

// checkAnswer checks what the API must answer to any request on a healthy
// database: no 5xx, a JSON object, an error for a refusal (4xx), and for
// every error an extensions.code that names its class. A client's input
// never makes an internal error: INTERNAL_SERVER_ERROR there is a bug.
func checkAnswer(rec *httptest.ResponseRecorder) error {
	var resp struct {
		Errors []struct {
			Extensions struct{ Code string }
		}
	}
	switch err := json.Unmarshal(rec.Body.Bytes(), &resp); {
	case rec.Code >= 500:
		return fmt.Errorf("status %d, want < 500: %.300s", rec.Code, rec.Body)
	case err != nil:
		return fmt.Errorf("status %d with a body that is not a JSON object (%v): %.300q", rec.Code, err, rec.Body)
	case rec.Code >= 400 && len(resp.Errors) == 0:
		return fmt.Errorf("status %d without errors: %.300s", rec.Code, rec.Body)
	}
	for _, e := range resp.Errors {
		if e.Extensions.Code == "" || e.Extensions.Code == "INTERNAL_SERVER_ERROR" {
			return fmt.Errorf("status %d with an error whose code does not name its class: %.300s", rec.Code, rec.Body)
		}
	}
	return nil
}

// validHeaderValue tells whether net/http would deliver a header with value
// v: no control character but tab.
func validHeaderValue(v string) bool {
	for i := range len(v) {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
