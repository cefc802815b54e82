package database_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"entgo.io/ent/dialect"

	"engage/database"
	"engage/testdb"
)

// onePostgresConnection pins one connection of a migrated test database, so
// the statements it prepares can be read back from pg_prepared_statements.
func onePostgresConnection(t *testing.T) *sql.Conn {
	t.Helper()
	if testdb.Dialect() != dialect.Postgres {
		t.Skip("prepared statements are kept on PostgreSQL only")
	}
	db := testdb.Open(t)
	conn, err := db.SQL.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// prepared lists the statements this connection's session has prepared.
func prepared(t *testing.T, conn *sql.Conn) []string {
	t.Helper()
	rows, err := conn.QueryContext(context.Background(), "SELECT statement FROM pg_prepared_statements ORDER BY prepare_time")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var statements []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		statements = append(statements, s)
	}
	return statements
}

func queryInt(conn *sql.Conn, query string, args ...any) (n int, err error) {
	err = conn.QueryRowContext(context.Background(), query, args...).Scan(&n)
	return n, err
}

func TestQueriesArePreparedOncePerConnection(t *testing.T) {
	conn := onePostgresConnection(t)
	const query = "SELECT $1::int + 1"
	for i := range 3 {
		n, err := queryInt(conn, query, i)
		if err != nil || n != i+1 {
			t.Fatalf("run %d: got %d, %v", i, n, err)
		}
	}
	if got := prepared(t, conn); len(got) != 1 || got[0] != query {
		t.Fatalf("prepared statements after three runs of one query: %q, want just %q", got, query)
	}
	// A query without arguments goes by the simple protocol, unprepared.
	if _, err := queryInt(conn, "SELECT 2"); err != nil {
		t.Fatal(err)
	}
	if got := prepared(t, conn); len(got) != 1 {
		t.Fatalf("a query without arguments was prepared: %q", got)
	}
}

func TestPreparedStatementsPerConnectionAreBounded(t *testing.T) {
	conn := onePostgresConnection(t)
	for i := range 100 {
		if _, err := queryInt(conn, fmt.Sprintf("SELECT $1::int + %d", i), 1); err != nil {
			t.Fatal(err)
		}
	}
	got := prepared(t, conn)
	if len(got) == 0 || len(got) > 64 {
		t.Fatalf("%d statements prepared after 100 different queries, want 1 to 64", len(got))
	}
	// The least recently used went first.
	if last := "SELECT $1::int + 99"; got[len(got)-1] != last {
		t.Errorf("newest prepared statement %q, want %q", got[len(got)-1], last)
	}
	for _, s := range got {
		if s == "SELECT $1::int + 0" {
			t.Errorf("the oldest statement is still prepared")
		}
	}
}

// A statement that fails is prepared again on its next run: here the table
// it reads changes under it, which a prepared plan cannot follow.
func TestFailedStatementIsPreparedAgain(t *testing.T) {
	conn := onePostgresConnection(t)
	ctx := context.Background()
	if _, err := conn.ExecContext(ctx, "CREATE TEMPORARY TABLE changing (a int)"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO changing VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	const query = "SELECT * FROM changing WHERE a = $1"
	count := func() error {
		rows, err := conn.QueryContext(ctx, query, 1)
		if err != nil {
			return err
		}
		return rows.Close()
	}
	if err := count(); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "ALTER TABLE changing ADD COLUMN b int"); err != nil {
		t.Fatal(err)
	}
	if err := count(); err == nil {
		t.Fatal("PostgreSQL ran a prepared SELECT * after its table changed; this test no longer shows anything")
	}
	if err := count(); err != nil {
		t.Fatalf("the failed statement was not prepared again: %v", err)
	}
}

// Connections that PostgreSQL ends, as on a restart, are replaced with their
// statements: the pool keeps answering.
func TestPreparedStatementsSurviveEndedConnections(t *testing.T) {
	if testdb.Dialect() != dialect.Postgres {
		t.Skip("prepared statements are kept on PostgreSQL only")
	}
	url := testdb.URL(t)
	db, err := database.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const query = "SELECT count(*) FROM users WHERE email <> $1"
	run := func() error {
		var n int
		return db.SQL.QueryRowContext(ctx, query, "x").Scan(&n)
	}
	for range 3 {
		if err := run(); err != nil {
			t.Fatal(err)
		}
	}
	admin, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var ended int
	if err := admin.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&ended); err != nil || ended == 0 {
		t.Fatalf("ended %d connections: %v", ended, err)
	}
	for i := range 3 {
		if err := run(); err != nil {
			t.Errorf("run %d after the connections ended: %v", i, err)
		}
	}
}
