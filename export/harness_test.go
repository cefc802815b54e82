package export_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"engage/ent/user"
	"engage/internal/apitest"
	"engage/testdb"
)

// server is the real API handler on a fresh database (the one test
// harness, apitest); callers are identified by the secrets of API tokens, as
// in production.
type server struct {
	*apitest.Server
	t testing.TB
}

func newServer(t testing.TB) *server {
	return newServerWith(t, nil, false)
}

// newServerWith is newServer with the ent client's driver passed through
// wrap (when not nil): tests inject faults so. With keepLogs the server's
// logs, and every SQL statement, are kept in Logs: only for tests that read
// them, since a large export would hold every statement in memory.
func newServerWith(t testing.TB, wrap func(dialect.Driver) dialect.Driver, keepLogs bool) *server {
	t.Helper()
	return &server{Server: apitest.NewWith(t, apitest.Options{WrapDriver: wrap, KeepLogs: keepLogs}), t: t}
}

// login gives the user a password, logs in through POST /login as a
// browser does, and returns the session cookie.
func (s *server) login(email string) *http.Cookie {
	s.t.Helper()
	const pw = "correct horse battery staple"
	u := s.DB.Ent.User.Query().Where(user.Email(email)).OnlyX(testdb.System())
	s.SetPassword(u.ID, pw)
	return s.Login(email, pw)
}

// getWithCookie requests path with a session cookie, as a browser that
// follows a link of the documentation page.
func (s *server) getWithCookie(cookie *http.Cookie, path string) response {
	s.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(cookie)
	rec := httptest.NewRecorder()
	s.Handler.ServeHTTP(rec, req)
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// response is a recorded HTTP response.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// get requests path (with query, when not nil) with the token secret ("" for
// none).
func (s *server) get(secret, path string, query url.Values) response {
	s.t.Helper()
	if query != nil {
		path += "?" + query.Encode()
	}
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	rec := httptest.NewRecorder()
	s.Handler.ServeHTTP(rec, req)
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// export is get that fails the test unless the export answers 200.
func (s *server) export(secret, path string, query url.Values) response {
	s.t.Helper()
	resp := s.get(secret, path, query)
	if resp.Status != http.StatusOK {
		s.t.Fatalf("GET %s: got status %d, want 200\n%s", path, resp.Status, resp.Body)
	}
	return resp
}

// graphql runs a GraphQL query with the token secret and decodes its data
// into out, failing the test on any error but NOT_FOUND (a node that is
// hidden or missing, which answers null).
func (s *server) graphql(secret, query string, vars map[string]any, out any) {
	s.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+secret)
	rec := httptest.NewRecorder()
	s.Handler.ServeHTTP(rec, req)
	var resp struct {
		Data   json.RawMessage
		Errors []struct{ Extensions struct{ Code string } }
	}
	err := json.Unmarshal(rec.Body.Bytes(), &resp)
	for _, e := range resp.Errors {
		if e.Extensions.Code != "NOT_FOUND" {
			err = errors.New(e.Extensions.Code)
		}
	}
	if err != nil {
		s.t.Fatalf("GraphQL query failed (status %d): %s\nquery: %s", rec.Code, rec.Body, strings.TrimSpace(query))
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		s.t.Fatalf("decoding %s: %v", resp.Data, err)
	}
}

// errorCode is the extensions.code of the one error of a refused export.
func errorCode(t testing.TB, resp response) string {
	t.Helper()
	var body struct {
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	if err := json.Unmarshal(resp.Body, &body); err != nil || len(body.Errors) != 1 {
		t.Fatalf("body: got %s, want a JSON object with one error", resp.Body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type of an error: got %q, want application/json", ct)
	}
	return body.Errors[0].Extensions.Code
}

// readAll reads r to its end.
func readAll(t testing.TB, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	return b
}
