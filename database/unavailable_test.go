package database_test

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/lib/pq"

	"engage/database"
)

// TestUnavailableTellsOutagesFromMistakes classifies the errors that each
// driver gives when the database cannot serve (a SQLite file locked beyond
// the busy timeout, for real; PostgreSQL's refusals as lib/pq reports
// them) and errors that are the request's or the code's.
func TestUnavailableTellsOutagesFromMistakes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locked.db")
	open := func() *sql.DB {
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(20)&_pragma=journal_mode(WAL)")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.SetMaxOpenConns(1)
		return db
	}
	holder, waiter := open(), open()
	if _, err := holder.Exec("CREATE TABLE t (x int)"); err != nil {
		t.Fatal(err)
	}
	tx, err := holder.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	_, locked := waiter.Exec("INSERT INTO t VALUES (2)")
	if locked == nil {
		t.Fatal("a second writer got past the first one's lock")
	}
	_, syntax := waiter.Exec("INSERT INTO nowhere VALUES (2)")

	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"SQLite locked beyond the busy timeout", locked, true},
		{"SQLite no such table", syntax, false},
		{"PostgreSQL refusing sessions", &pq.Error{Severity: "FATAL", Code: "55000", Message: `database "x" is not currently accepting connections`}, true},
		{"PostgreSQL shutting down", &pq.Error{Severity: "FATAL", Code: "57P01", Message: "terminating connection due to administrator command"}, true},
		{"PostgreSQL starting up", &pq.Error{Severity: "FATAL", Code: "57P03", Message: "the database system is starting up"}, true},
		{"PostgreSQL connection failure", &pq.Error{Severity: "ERROR", Code: "08006"}, true},
		{"PostgreSQL unique violation", &pq.Error{Severity: "ERROR", Code: "23505"}, false},
		{"a lost connection", fmt.Errorf("querying: %w", driver.ErrBadConn), true},
		{"connection refused", fmt.Errorf("dial: %w", errors.Join(errors.New("x"), sql.ErrConnDone)), true},
		{"any other error", errors.New("boom"), false},
		{"no error", nil, false},
	} {
		if got := database.Unavailable(c.err); got != c.want {
			t.Errorf("%s (%v): got Unavailable %t, want %t", c.name, c.err, got, c.want)
		}
	}
}
