// Package database opens the Engage database, the embedded SQLite file or
// PostgreSQL, and brings its schema up to date from the embedded migrations.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"
	_ "modernc.org/sqlite" // pure-Go SQLite driver "sqlite"

	"engage/changes"
	"engage/ent"
	_ "engage/ent/runtime" // registers privacy policies, hooks and defaults
	"engage/migrations"
)

// DB is an open database with its ent client.
type DB struct {
	// SQL is the connection pool.
	SQL *sql.DB
	// Dialect is dialect.SQLite or dialect.Postgres.
	Dialect string
	// Ent is the ent client over SQL.
	Ent *ent.Client
	// Changes tells when data that decides who may do what has changed.
	Changes *changes.Feed
	// url is what Open was given, for the migration runner's own connection.
	url string
}

// Dialect reports which database a DATABASE_URL names: PostgreSQL for
// postgres:// and postgresql:// URLs, SQLite for anything else.
func Dialect(rawURL string) string {
	if strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://") {
		return dialect.Postgres
	}
	return dialect.SQLite
}

// Open connects to the database that rawURL names without changing it. A
// postgres:// URL uses PostgreSQL through lib/pq; anything else is a SQLite
// file path, optionally written sqlite:PATH or file:PATH, created if missing.
func Open(rawURL string, opts ...ent.Option) (*DB, error) {
	return OpenWrapped(rawURL, nil, opts...)
}

// OpenWrapped is Open with the ent client's driver passed through wrap
// (when not nil): the benchmark counts statements so, without ent's debug
// driver, which formats every statement with its arguments.
func OpenWrapped(rawURL string, wrap func(dialect.Driver) dialect.Driver, opts ...ent.Option) (*DB, error) {
	d := Dialect(rawURL)
	var db *sql.DB
	if d == dialect.SQLite {
		var err error
		if db, err = sql.Open("sqlite", sqliteDSN(rawURL)); err != nil {
			return nil, fmt.Errorf("open %s database: %w", d, err)
		}
	} else {
		connector, err := pq.NewConnector(postgresDSN(rawURL))
		if urlErr := (*url.Error)(nil); errors.As(err, &urlErr) {
			// net/url's error quotes the whole URL, password included.
			err = fmt.Errorf("invalid URL: %w", urlErr.Err)
		}
		if err != nil {
			return nil, fmt.Errorf("open %s database: %w", d, err)
		}
		db = sql.OpenDB(preparingConnector{connector})
		db.SetMaxOpenConns(32)
		db.SetMaxIdleConns(32)
		db.SetConnMaxIdleTime(5 * time.Minute)
	}
	var drv dialect.Driver = entsql.OpenDB(d, db)
	if d == dialect.SQLite {
		drv = utcDriver{drv}
	}
	if wrap != nil {
		drv = wrap(drv)
	}
	opts = append([]ent.Option{ent.Driver(drv)}, opts...)
	client := ent.NewClient(opts...)
	feed := changes.New(d)
	client.Use(feed.Hook())
	return &DB{SQL: db, Dialect: d, Ent: client, Changes: feed, url: rawURL}, nil
}

// postgresDSN turns off JIT compilation for the server's sessions unless the
// URL sets it: the planner's cost estimates of large nested pages and counts
// cross jit_above_cost, and compiling them took longer than running them (at
// a million responses, 400 ms of each 1.4 s statement in the benchmark).
// lib/pq sends URL parameters it does not know as session settings.
func postgresDSN(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL // OpenWrapped reports the error, without the URL
	}
	query := u.Query()
	if !query.Has("jit") {
		query.Set("jit", "off")
	}
	u.RawQuery = query.Encode()
	return u.String()
}

// sqliteDSN turns a path into a modernc SQLite DSN with the settings a
// concurrent server needs: enforced foreign keys, WAL so readers do not block
// the writer, a busy timeout instead of immediate "database is locked", and
// immediate write transactions so two writers queue instead of deadlocking;
// and LIKE that tells case apart, as PostgreSQL's does, so that where-filters
// such as titleContains mean the same on both (the ...Fold filters ignore
// case on both).
func sqliteDSN(rawURL string) string {
	path, params := sqlitePath(rawURL)
	query, _ := url.ParseQuery(params)
	// busy_timeout first: switching to WAL needs a lock that another
	// connection may hold for a moment.
	for _, pragma := range []string{"busy_timeout(10000)", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(NORMAL)", "case_sensitive_like(1)"} {
		query.Add("_pragma", pragma)
	}
	query.Set("_txlock", "immediate")
	return "file:" + path + "?" + query.Encode()
}

// sqlitePath splits a SQLite URL into the file path and its parameters.
func sqlitePath(rawURL string) (path, params string) {
	path = strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "file:")
	path = strings.TrimPrefix(path, "//")
	path, params, _ = strings.Cut(path, "?")
	return path, params
}

// ListenForChanges keeps Changes current with the changes other processes
// make, until ctx ends: on PostgreSQL by notifications, on SQLite by asking
// the file before each use of the epoch.
func (db *DB) ListenForChanges(ctx context.Context, logger *slog.Logger) error {
	if db.Dialect == dialect.Postgres {
		return db.Changes.Listen(ctx, db.url, logger)
	}
	return db.Changes.Watch(ctx, db.SQL)
}

// Ping reports whether the database answers within the context's deadline.
func (db *DB) Ping(ctx context.Context) error {
	return db.SQL.PingContext(ctx)
}

// Close closes the client and its connections.
func (db *DB) Close() error {
	return errors.Join(db.Ent.Close(), db.SQL.Close())
}

// Migrate applies every pending embedded migration, on a connection of its
// own. Processes that migrate one database at once apply each migration once:
// PostgreSQL holds an advisory lock; SQLite, which has none, a lock file.
func (db *DB) Migrate() error {
	if db.Dialect == dialect.Postgres {
		conn, err := sql.Open("postgres", db.url)
		if err != nil {
			return err
		}
		return migrations.Apply(conn, dialect.Postgres)
	}
	path, _ := sqlitePath(db.url)
	unlock, err := lockFile(path + ".migrate-lock")
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	defer unlock()
	conn, err := sql.Open("sqlite", sqliteDSN(db.url))
	if err != nil {
		return err
	}
	return migrations.Apply(conn, dialect.SQLite)
}

// lockFile takes an exclusive lock on path, waiting for other processes
// that hold it, and returns its release.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
