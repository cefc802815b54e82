package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"entgo.io/ent/dialect/sql"

	"engage/api"
	"engage/config"
	"engage/database"
	"engage/ent/privacy"
	"engage/session"
	"engage/testdb"
	"engage/token"
	"engage/usage"
)

// harness serves the real API handler on a fresh database. Callers are
// identified as in production: by the secret of an API token.
type harness struct {
	t       *testing.T
	db      *database.DB
	handler http.Handler
	usage   *usage.Recorder
}

func newHarness(t *testing.T, configure ...func(*config.Config)) *harness {
	t.Helper()
	db := testdb.Open(t)
	cfg := config.Default()
	for _, c := range configure {
		c(&cfg)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := usage.New(db.Ent, logger)
	sessions := session.NewManager(db.Ent, false)
	h := api.New(api.Deps{DB: db, Config: cfg, Logger: logger, Sessions: sessions, Usage: rec})
	return &harness{t: t, db: db, handler: h, usage: rec}
}

// system is a context that bypasses privacy, for setting up and checking
// data behind the API's back.
func system() context.Context {
	return privacy.DecisionContext(context.Background(), privacy.Allow)
}

// admin creates an administrator and returns the secret of a token of theirs.
func (h *harness) admin() string {
	h.t.Helper()
	u := h.db.Ent.User.Create().SetEmail("root@example.test").SetName("Root").SetRole("ADMIN").SaveX(system())
	return h.mint(token.Spec{OwnerID: u.ID, Name: "test"})
}

// mint creates a token behind the API's back and returns its secret.
func (h *harness) mint(spec token.Spec) string {
	h.t.Helper()
	_, secret, err := token.Mint(system(), h.db.Ent, spec, token.Actor{})
	if err != nil {
		h.t.Fatalf("minting a token: %v", err)
	}
	return secret
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Status int
	Header http.Header
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// codes lists the extensions.code of every error.
func (r gqlResponse) codes() []string {
	var out []string
	for _, e := range r.Errors {
		code, _ := e.Extensions["code"].(string)
		out = append(out, code)
	}
	return out
}

// do posts a GraphQL request with the token secret ("" for none).
func (h *harness) do(secret string, query string, vars map[string]any) gqlResponse {
	h.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return h.send(secret, req)
}

func (h *harness) send(secret string, req *http.Request) gqlResponse {
	h.t.Helper()
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	resp := gqlResponse{Status: rec.Code, Header: rec.Header()}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		h.t.Fatalf("response is not JSON (status %d): %s", rec.Code, rec.Body.String())
	}
	return resp
}

// mustDo is do that fails the test on any GraphQL error and decodes data
// into out.
func (h *harness) mustDo(secret string, query string, vars map[string]any, out any) {
	h.t.Helper()
	resp := h.do(secret, query, vars)
	if len(resp.Errors) > 0 {
		h.t.Fatalf("query failed: %+v\nquery: %s", resp.Errors, strings.TrimSpace(query))
	}
	if out != nil {
		if err := json.Unmarshal(resp.Data, out); err != nil {
			h.t.Fatalf("decoding data %s: %v", resp.Data, err)
		}
	}
}

func sqlDesc() sql.OrderTermOption { return sql.OrderDesc() }
