// Package migrations holds the versioned SQL migrations of both dialects,
// embedded in the binary, and applies them.
//
// The files are generated from the ent schema:
//
//	go run ./codegen/migrations -name describe_the_change
//
// writes the next migration for SQLite and for PostgreSQL (see its doc).
// The only lines written by hand are data steps that a schema change needs
// and no schema states, marked as such at the top of a generated file, such
// as the removal of duplicate answers before their unique index (or after
// the statements they need, such as the typing of existing answers in
// typed_answers).
package migrations

import (
	"database/sql"
	"embed"
	"errors"
	"fmt"

	"entgo.io/ent/dialect"
	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database"
	"github.com/golang-migrate/migrate/v4/database/postgres"
	"github.com/golang-migrate/migrate/v4/database/sqlite"
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// Folder returns the folder that holds a dialect's migrations.
func Folder(d string) string {
	if d == dialect.Postgres {
		return "postgres"
	}
	return "sqlite"
}

// Apply brings the database up to the newest migration. It takes db over and
// closes it, so pass a connection of its own. On PostgreSQL it holds an
// advisory lock while it works, so that instances starting together apply
// each migration once.
func Apply(db *sql.DB, d string) (err error) {
	var driver database.Driver
	switch d {
	case dialect.Postgres:
		driver, err = postgres.WithInstance(db, &postgres.Config{})
	case dialect.SQLite:
		driver, err = sqlite.WithInstance(db, &sqlite.Config{})
	default:
		err = fmt.Errorf("unknown dialect %q", d)
	}
	if err != nil {
		db.Close()
		return fmt.Errorf("migrations: %w", err)
	}
	src, err := iofs.New(files, Folder(d))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	m, err := migrate.NewWithInstance("iofs", src, d, driver)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	defer func() {
		srcErr, dbErr := m.Close()
		err = errors.Join(err, srcErr, dbErr)
	}()
	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}
