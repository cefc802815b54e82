package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"engage/config"
	"engage/database"
	"engage/ent"
	"engage/rule"
	"engage/server"
	"engage/session"
	"engage/testdb"
	"engage/token"
	"engage/usage"
)

// harness serves the real API handler on a fresh database. Callers are
// identified as in production: by the secret of an API token.
type harness struct {
	t       testing.TB
	db      *database.DB
	handler http.Handler
	usage   *usage.Recorder
	// statements counts the SQL statements sent to the database, when the
	// harness was built with harnessOptions.countStatements.
	statements *atomic.Int64
	// logs holds what the server logged and every SQL statement, when the
	// harness was built with harnessOptions.keepLogs.
	logs *syncBuffer
}

// harnessOptions change how newHarnessWith builds a harness.
type harnessOptions struct {
	configure []func(*config.Config)
	// countStatements counts every SQL statement in h.statements, through
	// ent's debug driver, which logs one line with "query=" per statement.
	countStatements bool
	// keepLogs keeps the server's logs, at debug level, and every SQL
	// statement with its arguments in h.logs.
	keepLogs bool
	// beforeStatement, when set, is called with every SQL statement (ent's
	// debug line) before it runs.
	beforeStatement func(line string)
	// wrapDriver, when set, wraps the ent client's driver, under the
	// debug driver of the options above: tests inject faults so.
	wrapDriver func(dialect.Driver) dialect.Driver
}

func newHarness(t testing.TB, configure ...func(*config.Config)) *harness {
	t.Helper()
	return newHarnessWith(t, harnessOptions{configure: configure})
}

func newHarnessWith(t testing.TB, o harnessOptions) *harness {
	t.Helper()
	statements, logs := new(atomic.Int64), new(syncBuffer)
	var opts []ent.Option
	if o.countStatements || o.keepLogs || o.beforeStatement != nil {
		opts = append(opts, ent.Debug(), ent.Log(func(args ...any) {
			line := fmt.Sprint(args...)
			if strings.Contains(line, "query=") {
				statements.Add(1)
				if o.beforeStatement != nil {
					o.beforeStatement(line)
				}
			}
			if o.keepLogs {
				logs.WriteString(line + "\n")
			}
		}))
	}
	db := testdb.OpenWrapped(t, o.wrapDriver, opts...)
	cfg := config.Default()
	for _, c := range o.configure {
		c(&cfg)
	}
	var out io.Writer = io.Discard
	level := slog.LevelInfo
	if o.keepLogs {
		out, level = logs, slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: level}))
	rec := usage.New(db.Ent, logger)
	sessions := session.NewManager(db.Ent, false)
	h := server.New(server.Deps{DB: db, Config: cfg, Logger: logger, Sessions: sessions, Usage: rec})
	return &harness{t: t, db: db, handler: h, usage: rec, statements: statements, logs: logs}
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) WriteString(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.WriteString(s)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// system is a context that bypasses privacy, for setting up and checking
// data behind the API's back.
func system() context.Context {
	return rule.System(context.Background())
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
