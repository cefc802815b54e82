// Package testdb gives each test a fresh, migrated database, and the system
// context to set it up and read it back behind the API's back.
//
// By default that is a SQLite file in the test's temporary folder. When
// TEST_DATABASE_URL names a PostgreSQL server, each test gets a new database
// on that server instead, dropped when the test ends.
//
// It is the database half of the test harness; package internal/apitest
// serves the API on it. It imports nothing of the API, so that the tests of
// every package, the API's own dependencies included, can use it.
package testdb

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"entgo.io/ent/dialect"

	"engage/database"
	"engage/gid"
	"engage/rule"
)

// URL returns the DATABASE_URL of a fresh, empty database for t, removed when
// the test ends.
func URL(t testing.TB) string {
	t.Helper()
	server := os.Getenv("TEST_DATABASE_URL")
	if database.Dialect(server) != dialect.Postgres {
		return filepath.Join(t.TempDir(), "engage.db")
	}
	admin, err := sql.Open("postgres", server)
	if err != nil {
		t.Fatalf("connecting to TEST_DATABASE_URL: %v", err)
	}
	name := "engage_test_" + gid.Random(12)
	// The C collation orders text byte by byte, as SQLite does, whatever
	// the server's default: the differential test's oracle compares so.
	if _, err := admin.Exec(`CREATE DATABASE "` + name + `" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`); err != nil {
		admin.Close()
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`); err != nil {
			t.Errorf("dropping test database %s: %v", name, err)
		}
		admin.Close()
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("parsing TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Open returns a fresh database for t with every migration applied, closed
// when the test ends.
func Open(t testing.TB) *database.DB {
	t.Helper()
	return Connect(t, URL(t), nil)
}

// Connect opens the database at dbURL (from URL) with the ent client's driver
// passed through wrap when it is not nil, as database.OpenWrapped does,
// applies every migration, and closes it when the test ends. Tests that
// stand for several processes connect each to one database so.
func Connect(t testing.TB, dbURL string, wrap func(dialect.Driver) dialect.Driver) *database.DB {
	t.Helper()
	db, err := database.OpenWrapped(dbURL, wrap)
	if err != nil {
		t.Fatalf("opening test database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(); err != nil {
		t.Fatalf("migrating test database: %v", err)
	}
	return db
}

// System is the context of work done behind the API's back, setting up
// data and reading it back: it bypasses privacy, as rule.System does.
func System() context.Context {
	return rule.System(context.Background())
}

// Dialect returns the dialect the tests run on, for test names and logs.
func Dialect() string {
	return database.Dialect(os.Getenv("TEST_DATABASE_URL"))
}
