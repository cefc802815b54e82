package api_test

// Logs never hold a request body, a token, a password or a cookie (issue
// 16, point 2): the server's logs are kept at debug level, with every SQL
// statement and its arguments, while secrets are sent in every position a
// client can put them.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"engage/ent/user"
	"engage/gid"
	"engage/internal/apitest"
	"engage/session"
	"engage/token"
)

func TestLogsHoldNoSecret(t *testing.T) {
	h := apitest.NewWith(t, apitest.Options{KeepLogs: true})
	admin := h.Admin()
	// secrets are named by where they travel; none of them may be logged.
	secrets := map[string]string{}
	newSecret := func(where string) string {
		s := "s3cr3t" + gid.Random(20)
		secrets[where] = s
		return s
	}
	newToken := func(where string) string {
		s := token.Generate() // well formed: authentication looks it up
		secrets[where] = s
		return s
	}
	secrets["the admin's token"] = admin

	// The status of each refusal is for other tests; this one reads the logs.
	send := func(req *http.Request) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.Handler.ServeHTTP(rec, req)
		return rec
	}
	post := func(body string, header map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+admin)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		return send(req)
	}
	postJSON := func(body map[string]any, header map[string]string) {
		b, _ := json.Marshal(body)
		post(string(b), header)
	}

	// Variables: one that fails coercion, one the query does not declare.
	postJSON(map[string]any{"query": "query($n: Int) { __typename }", "variables": map[string]any{"n": newSecret("a variable of the wrong type")}}, nil)
	postJSON(map[string]any{"query": "{ __typename }", "variables": map[string]any{"password": newSecret("an undeclared variable")}}, nil)
	// Query text: a field that does not exist, an ID, a cursor.
	postJSON(map[string]any{"query": "{ " + newSecret("a field name") + " }"}, nil)
	postJSON(map[string]any{"query": `{ node(id: "` + newSecret("an ID") + `") { id } }`}, nil)
	postJSON(map[string]any{"query": `{ projects(after: "` + newSecret("a cursor") + `") { totalCount } }`}, nil)
	postJSON(map[string]any{"query": "{ __typename }", "extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": newSecret("an APQ hash")}}}, nil)
	// Headers.
	postJSON(map[string]any{"query": "{ __typename }"}, map[string]string{"Authorization": "Bearer " + newToken("an unknown token")})
	postJSON(map[string]any{"query": "{ __typename }"}, map[string]string{"Authorization": "Bearer " + newSecret("a malformed token")})
	postJSON(map[string]any{"query": "{ __typename }"}, map[string]string{"Authorization": "Basic " + newSecret("basic credentials")})
	postJSON(map[string]any{"query": "{ __typename }"}, map[string]string{"X-Api-Key": newSecret("an X-Api-Key header")})
	postJSON(map[string]any{"query": "{ __typename }"}, map[string]string{"Authorization": "", "Cookie": session.CookieName + "=" + newSecret("an unknown session cookie")})
	// Bodies that do not decode.
	post(`{"query": "{ __typename }", "variables": {"t": "`+newToken("a token in broken JSON")+`"`, nil)
	post(`{"t": "`+newToken("a token at the start of broken JSON")+`", "query": `, nil)
	post(`{"password": "`+newSecret("a password at the start of broken JSON")+`", "query": `, nil)
	deep := `{"t": "` + newToken("a token in JSON nested too deep") + `", "query": "{ __typename }", "variables": {"x": ` +
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + "}}"
	post(deep, nil)
	huge := `{"t": "` + newToken("a token in an oversized body") + `", "query": "{ __typename }", "variables": {"pad": "` +
		strings.Repeat("x", 1<<20) + `"}}`
	post(huge, nil)
	chunked := httptest.NewRequest(http.MethodPost, "/graphql", io.MultiReader(strings.NewReader(huge)))
	chunked.ContentLength = -1 // no Content-Length: the limit applies while reading
	chunked.Header.Set("Content-Type", "application/json")
	chunked.Header.Set("Authorization", "Bearer "+admin)
	send(chunked)
	// GET with the operation in the query string.
	get := url.Values{"query": {"{ __typename }"}, "variables": {`{"p": "` + newSecret("a GET variable") + `"}`}}
	req := httptest.NewRequest(http.MethodGet, "/graphql?"+get.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	send(req)
	req = httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape("{ "+newSecret("a GET field name")+" }"), nil)
	send(req)

	// The login form: a wrong password, then the right one, and the
	// session cookie that it opens.
	pw := newSecret("the right password")
	h.SetPassword(h.NewUser("web@example.test", user.RoleSTAFF, false, true).ID, pw)
	login := func(pw string) *httptest.ResponseRecorder {
		form := url.Values{"email": {"web@example.test"}, "password": {pw}}
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return send(req)
	}
	if rec := login(newSecret("a wrong password")); rec.Code != http.StatusUnauthorized {
		t.Errorf("login with a wrong password: got %d, want 401", rec.Code)
	}
	rec := login(pw)
	var cookie *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == session.CookieName {
			cookie = c
		}
	}
	if rec.Code != http.StatusSeeOther || cookie == nil {
		t.Fatalf("login: got %d and no session cookie, want 303 with one", rec.Code)
	}
	secrets["the session cookie"] = cookie.Value
	req = httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader([]byte(`{"query": "{ viewer { user { id } } }"}`)))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(cookie)
	if rec := send(req); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"user":{"id"`) {
		t.Errorf("a query with the session: got %d %s", rec.Code, rec.Body.String())
	}

	logs := h.Logs.String()
	if !strings.Contains(logs, "query=") || !strings.Contains(logs, "request_id=") {
		t.Fatalf("the logs lack the SQL statements or the request log:\n%.2000s", logs)
	}
	for where, s := range secrets {
		if i := strings.Index(logs, s); i >= 0 {
			line := logs[strings.LastIndexByte(logs[:i], '\n')+1:]
			line, _, _ = strings.Cut(line, "\n")
			t.Errorf("the logs hold %s: %.300s", where, line)
		}
	}
	if n := len(logs); n > 1<<20 {
		t.Errorf("the logs are %d bytes long: a body was logged whole", n)
	}
}
