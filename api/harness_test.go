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
	"engage/testdb"
	"engage/viewer"
)

// harness serves the real API handler on a fresh database. Until
// authentication lands, the caller is put straight into the request context.
type harness struct {
	t       *testing.T
	db      *database.DB
	handler http.Handler
}

func newHarness(t *testing.T, configure ...func(*config.Config)) *harness {
	t.Helper()
	db := testdb.Open(t)
	cfg := config.Default()
	for _, c := range configure {
		c(&cfg)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &harness{t: t, db: db, handler: api.New(db, cfg, logger)}
}

// system is a context that bypasses privacy, for setting up and checking
// data behind the API's back.
func system() context.Context {
	return privacy.DecisionContext(context.Background(), privacy.Allow)
}

// admin creates an administrator and returns a viewer acting as them.
func (h *harness) admin() *viewer.Viewer {
	h.t.Helper()
	u := h.db.Ent.User.Create().SetEmail("root@example.test").SetName("Root").SetRole("ADMIN").SaveX(system())
	return &viewer.Viewer{UserID: u.ID, Admin: true}
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Status int
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

// do posts a GraphQL request as v (nil for anonymous).
func (h *harness) do(v *viewer.Viewer, query string, vars map[string]any) gqlResponse {
	h.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return h.send(v, req)
}

func (h *harness) send(v *viewer.Viewer, req *http.Request) gqlResponse {
	h.t.Helper()
	if v != nil {
		req = req.WithContext(viewer.NewContext(req.Context(), v))
	}
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	resp := gqlResponse{Status: rec.Code}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		h.t.Fatalf("response is not JSON (status %d): %s", rec.Code, rec.Body.String())
	}
	return resp
}

// mustDo is do that fails the test on any GraphQL error and decodes data
// into out.
func (h *harness) mustDo(v *viewer.Viewer, query string, vars map[string]any, out any) {
	h.t.Helper()
	resp := h.do(v, query, vars)
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
