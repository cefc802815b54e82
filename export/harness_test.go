package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"engage/api"
	"engage/config"
	"engage/database"
	"engage/demo"
	"engage/ent/user"
	"engage/password"
	"engage/rule"
	"engage/session"
	"engage/testdb"
	"engage/token"
	"engage/usage"
)

// server is the real API handler on a fresh database; callers are
// identified by the secrets of API tokens, as in production.
type server struct {
	t       testing.TB
	db      *database.DB
	handler http.Handler
	logs    *bytes.Buffer
}

func newServer(t testing.TB) *server {
	return newServerWith(t, nil)
}

// newServerWith is newServer with the ent client's driver passed through
// wrap (when not nil): tests inject faults so.
func newServerWith(t testing.TB, wrap func(dialect.Driver) dialect.Driver) *server {
	t.Helper()
	db := testdb.OpenWrapped(t, wrap)
	logs := new(bytes.Buffer)
	logger := slog.New(slog.NewTextHandler(logs, nil))
	h := api.New(api.Deps{DB: db, Config: config.Default(), Logger: logger, Sessions: session.NewManager(db.Ent, false), Usage: usage.New(db.Ent, logger)})
	return &server{t: t, db: db, handler: h, logs: logs}
}

// system is a context that bypasses privacy, for setting up and checking
// data behind the API's back.
func system() context.Context { return rule.System(context.Background()) }

// personas loads the demo data set and returns a token secret of each
// persona by key (admin, editor, viewer, moderator).
func (s *server) personas() map[string]string {
	s.t.Helper()
	personas, err := demo.Load(system(), s.db.Ent)
	if err != nil {
		s.t.Fatalf("loading demo data: %v", err)
	}
	tokens := map[string]string{}
	for _, p := range personas {
		tokens[p.Key] = s.mint(token.Spec{OwnerID: p.UserID, Name: "test"})
	}
	return tokens
}

// mint creates a token behind the API's back and returns its secret.
func (s *server) mint(spec token.Spec) string {
	s.t.Helper()
	_, secret, err := token.Mint(system(), s.db.Ent, spec, token.Actor{})
	if err != nil {
		s.t.Fatalf("minting a token: %v", err)
	}
	return secret
}

// admin creates an administrator and returns a token secret of theirs.
func (s *server) admin() string {
	s.t.Helper()
	u := s.db.Ent.User.Create().SetEmail("root@example.test").SetName("Root").SetRole("ADMIN").SaveX(system())
	return s.mint(token.Spec{OwnerID: u.ID, Name: "test"})
}

// login gives the user a password, logs in through POST /login as a
// browser does, and returns the session cookie.
func (s *server) login(email string) *http.Cookie {
	s.t.Helper()
	const pw = "correct horse battery staple"
	hash, err := password.Hash(pw)
	if err != nil {
		s.t.Fatal(err)
	}
	s.db.Ent.User.Update().Where(user.Email(email)).SetPasswordHash(hash).ExecX(system())
	form := url.Values{"email": {email}, "password": {pw}, "next": {"/docs/api"}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == session.CookieName {
			return c
		}
	}
	s.t.Fatalf("logging in set no session cookie: %d %s", rec.Code, rec.Body)
	return nil
}

// getWithCookie requests path with a session cookie, as a browser that
// follows a link of the documentation page.
func (s *server) getWithCookie(cookie *http.Cookie, path string) response {
	s.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(cookie)
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
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
	s.handler.ServeHTTP(rec, req)
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
	s.handler.ServeHTTP(rec, req)
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
