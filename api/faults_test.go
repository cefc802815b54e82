package api_test

// The database failing anywhere (authentication, a resolver, a
// transaction's start or commit) answers 503 SERVICE_UNAVAILABLE with
// Retry-After, never INTERNAL_SERVER_ERROR, and an outage is logged once
// per interval rather than once per request (issue 16, point 4).

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"entgo.io/ent/dialect"

	"engage/ent/team"
	"engage/internal/apitest"
	"engage/testdb"
	"engage/token"
)

// faultyDriver fails what ent asks of the database with the error of a
// lost connection, driver.ErrBadConn, while down is set, and fails
// commits so while failCommits is set.
type faultyDriver struct {
	dialect.Driver
	down, failCommits *atomic.Bool
}

func (d faultyDriver) Exec(ctx context.Context, query string, args, v any) error {
	if d.down.Load() {
		return driver.ErrBadConn
	}
	return d.Driver.Exec(ctx, query, args, v)
}

func (d faultyDriver) Query(ctx context.Context, query string, args, v any) error {
	if d.down.Load() {
		return driver.ErrBadConn
	}
	return d.Driver.Query(ctx, query, args, v)
}

func (d faultyDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	if d.down.Load() {
		return nil, driver.ErrBadConn
	}
	tx, err := d.Driver.Tx(ctx)
	return faultyTx{tx, d}, err
}

// execer is the ent client's ExecContext, which changes.Feed's hook uses.
type execer interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}

func (d faultyDriver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if d.down.Load() {
		return nil, driver.ErrBadConn
	}
	return d.Driver.(execer).ExecContext(ctx, query, args...)
}

type faultyTx struct {
	dialect.Tx
	d faultyDriver
}

func (t faultyTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.Tx.(execer).ExecContext(ctx, query, args...)
}

func (t faultyTx) Commit() error {
	if t.d.failCommits.Load() {
		_ = t.Tx.Rollback()
		return fmt.Errorf("committing: %w", driver.ErrBadConn)
	}
	return t.Tx.Commit()
}

// checkUnavailable wants resp to be 503 with Retry-After and one
// SERVICE_UNAVAILABLE error that does not quote the driver.
func checkUnavailable(t *testing.T, what string, resp apitest.Response) {
	t.Helper()
	if resp.Status != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "5" {
		t.Errorf("%s: got status %d, Retry-After %q; want 503 and 5", what, resp.Status, resp.Header.Get("Retry-After"))
	}
	if codes := resp.Codes(); len(codes) != 1 || codes[0] != "SERVICE_UNAVAILABLE" {
		t.Errorf("%s: got errors %+v, want one SERVICE_UNAVAILABLE", what, resp.Errors)
	}
	for _, e := range resp.Errors {
		if strings.Contains(e.Message, "bad connection") || strings.Contains(e.Message, "pq:") {
			t.Errorf("%s: the message quotes the driver: %q", what, e.Message)
		}
	}
}

// loggedProblems counts the lines logged at ERROR or WARN.
func loggedProblems(logs string) int {
	return strings.Count(logs, "level=ERROR") + strings.Count(logs, "level=WARN")
}

const (
	readProjects = `{ projects { totalCount } }`
	createTeam   = `mutation($name: String!) { createTeam(input: {name: $name}) { id } }`
)

// TestDatabaseFaultsAnswerServiceUnavailable injects a lost connection
// under ent: in a resolver (a token whose caller is cached), in
// authentication (a token not seen before), in opening a mutation's
// transaction, and in its commit. Each answers 503, repeated failures
// are logged once, and everything works again once the database is back.
func TestDatabaseFaultsAnswerServiceUnavailable(t *testing.T) {
	var down, failCommits atomic.Bool
	h := apitest.NewWith(t, apitest.Options{KeepLogs: true, WrapDriver: func(d dialect.Driver) dialect.Driver {
		return faultyDriver{Driver: d, down: &down, failCommits: &failCommits}
	}})
	admin := h.Admin()
	fresh := h.Mint(token.Spec{OwnerID: h.DB.Ent.User.Query().OnlyIDX(testdb.System()), Name: "not used yet"})
	h.MustDo(admin, readProjects, nil, nil) // caches the admin's caller

	down.Store(true)
	before := loggedProblems(h.Logs.String())
	const repeats = 50
	for i := range repeats {
		checkUnavailable(t, "a resolver", h.Do(admin, readProjects, nil))
		checkUnavailable(t, "authentication", h.Do(fresh, readProjects, nil))
		checkUnavailable(t, "opening a transaction", h.Do(admin, createTeam, map[string]any{"name": fmt.Sprint("down ", i)}))
	}
	// One line for each of the three failures; the count of the others
	// follows at the end of the interval.
	if n := loggedProblems(h.Logs.String()) - before; n > 3 {
		t.Errorf("got %d ERROR or WARN lines for %d failed requests, want at most 3:\n%s", n, 3*repeats, h.Logs.String())
	}

	down.Store(false)
	failCommits.Store(true)
	checkUnavailable(t, "a commit", h.Do(admin, createTeam, map[string]any{"name": "lost"}))
	failCommits.Store(false)

	h.MustDo(fresh, readProjects, nil, nil)
	h.MustDo(admin, createTeam, map[string]any{"name": "back"}, nil)
	if names := h.DB.Ent.Team.Query().Select(team.FieldName).StringsX(testdb.System()); len(names) != 1 || names[0] != "back" {
		t.Errorf("teams after the faults: got %q, want only the one created once the database was back", names)
	}
}

// TestPostgresOutageAnswersServiceUnavailable makes the test's PostgreSQL
// database go away under load: its sessions are terminated and new ones
// refused. Every request meanwhile answers 503 with Retry-After, the log
// stays a few lines long, and once the database is back requests succeed
// and nothing is lost.
func TestPostgresOutageAnswersServiceUnavailable(t *testing.T) {
	if testdb.Dialect() != dialect.Postgres {
		t.Skip("needs PostgreSQL (TEST_DATABASE_URL): SQLite has no server to lose; TestDatabaseFaultsAnswerServiceUnavailable injects the faults there")
	}
	h := apitest.NewWith(t, apitest.Options{KeepLogs: true})
	admin := h.Admin()
	fresh := h.Mint(token.Spec{OwnerID: h.DB.Ent.User.Query().OnlyIDX(testdb.System()), Name: "not used yet"})
	h.MustDo(admin, readProjects, nil, nil)
	var name string
	if err := h.DB.SQL.QueryRow("SELECT current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	server, err := sql.Open("postgres", os.Getenv("TEST_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	allow := func(allowed bool) {
		t.Helper()
		if _, err := server.Exec(fmt.Sprintf(`ALTER DATABASE %q ALLOW_CONNECTIONS %t`, name, allowed)); err != nil {
			t.Fatalf("ALTER DATABASE: %v", err)
		}
	}
	allow(false)
	t.Cleanup(func() { server.Exec(fmt.Sprintf(`ALTER DATABASE %q ALLOW_CONNECTIONS true`, name)) })
	if _, err := server.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, name); err != nil {
		t.Fatalf("terminating the sessions: %v", err)
	}

	before := loggedProblems(h.Logs.String())
	const clients, each = 16, 20
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := range each {
				switch i % 3 {
				case 0:
					checkUnavailable(t, "a resolver", h.Do(admin, readProjects, nil))
				case 1:
					checkUnavailable(t, "authentication", h.Do(fresh, readProjects, nil))
				case 2:
					checkUnavailable(t, "a mutation", h.Do(admin, createTeam, map[string]any{"name": fmt.Sprint("down ", c, i)}))
				}
			}
		})
	}
	wg.Wait()
	if n := loggedProblems(h.Logs.String()) - before; n > 3 {
		t.Errorf("got %d ERROR or WARN lines for %d failed requests, want at most 3:\n%s", n, clients*each, h.Logs.String())
	}

	allow(true)
	h.MustDo(fresh, readProjects, nil, nil)
	h.MustDo(admin, createTeam, map[string]any{"name": "back"}, nil)
	if names := h.DB.Ent.Team.Query().Select(team.FieldName).StringsX(testdb.System()); len(names) != 1 || names[0] != "back" {
		t.Errorf("teams after the outage: got %q, want only the one created once the database was back", names)
	}
}

// TestSessionLoadDuringAnOutage: a request with a login session, whose
// session cannot be read while the database is down, answers 503 with
// Retry-After like any other, not the session library's plain-text 500.
func TestSessionLoadDuringAnOutage(t *testing.T) {
	var down, failCommits atomic.Bool
	h := apitest.NewWith(t, apitest.Options{KeepLogs: true, WrapDriver: func(d dialect.Driver) dialect.Driver {
		return faultyDriver{Driver: d, down: &down, failCommits: &failCommits}
	}})
	h.Admin()
	h.SetPassword(h.DB.Ent.User.Query().OnlyIDX(testdb.System()), "correct horse battery")
	cookie := h.Login(apitest.AdminEmail, "correct horse battery")

	down.Store(true)
	for range 3 {
		checkUnavailable(t, "a session cookie", h.Send("", apitest.SessionRequest(cookie, "same-origin", readProjects, nil)))
	}
	down.Store(false)
	if resp := h.Send("", apitest.SessionRequest(cookie, "same-origin", readProjects, nil)); resp.Status != http.StatusOK {
		t.Errorf("once the database is back: got status %d, errors %+v; want 200", resp.Status, resp.Errors)
	}
}
