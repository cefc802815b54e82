// Package apitest serves the real Engage API to tests: the HTTP handler as
// engage serve builds it (package server), on a fresh database of package testdb, with the
// SQL statements it sends counted (database.StatementCounter, as the
// benchmark counts them), its logs kept when asked, and the personas tests
// call it as. Callers are identified as in production: by the secret of an
// API token, or by the cookie of a login session.
package apitest

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"entgo.io/ent/dialect"

	"engage/config"
	"engage/database"
	"engage/server"
	"engage/session"
	"engage/testdb"
	"engage/usage"
)

// Server is the real HTTP handler of engage serve on a database of its own.
type Server struct {
	DB      *database.DB
	Handler http.Handler
	// Metrics is the handler of /metrics alone, which engage serve puts on
	// a listener of its own when Config.MetricsAddr is set.
	Metrics http.Handler
	// Usage is the handler's token usage recorder; tests flush it.
	Usage *usage.Recorder
	// Statements counts every SQL statement sent to the database.
	Statements *database.StatementCounter
	// Logs holds, with Options.KeepLogs, what the server logged at debug
	// level and every SQL statement with its arguments.
	Logs *Buffer

	t testing.TB
}

// Options change how NewWith builds a Server.
type Options struct {
	// Configure, when set, changes the default configuration.
	Configure func(*config.Config)
	// KeepLogs keeps the server's logs, at debug level, and every SQL
	// statement with its arguments (a line "sql query=… args=…") in Logs.
	KeepLogs bool
	// BeforeStatement, when set, is called with every SQL statement before
	// it is sent: tests hold a statement or watch which tables are read.
	BeforeStatement func(query string)
	// WrapDriver, when set, wraps the ent client's driver under the
	// statement counter: tests inject database faults so.
	WrapDriver func(dialect.Driver) dialect.Driver
	// DatabaseURL is a database of testdb.URL that other Servers share, as
	// instances of one deployment do; "" gives this Server a fresh one.
	DatabaseURL string
	// ListenForChanges follows the changes other Servers make to the
	// database, as engage serve does, until the test ends.
	ListenForChanges bool
}

// New serves the API with the default options on a fresh database.
func New(t testing.TB) *Server {
	t.Helper()
	return NewWith(t, Options{})
}

// NewWith serves the API as o says.
func NewWith(t testing.TB, o Options) *Server {
	t.Helper()
	s := &Server{t: t, Statements: new(database.StatementCounter), Logs: new(Buffer)}
	if o.BeforeStatement != nil || o.KeepLogs {
		s.Statements.Before = func(query string, args any) {
			if o.BeforeStatement != nil {
				o.BeforeStatement(query)
			}
			if o.KeepLogs {
				fmt.Fprintf(s.Logs, "sql query=%s args=%v\n", query, args)
			}
		}
	}
	dbURL := o.DatabaseURL
	if dbURL == "" {
		dbURL = testdb.URL(t)
	}
	s.DB = testdb.Connect(t, dbURL, func(d dialect.Driver) dialect.Driver {
		if o.WrapDriver != nil {
			d = o.WrapDriver(d)
		}
		return s.Statements.Wrap(d)
	})

	cfg := config.Default()
	if o.Configure != nil {
		o.Configure(&cfg)
	}
	var out io.Writer = io.Discard
	level := slog.LevelInfo
	if o.KeepLogs {
		out, level = s.Logs, slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: level}))
	if o.ListenForChanges {
		if err := s.DB.ListenForChanges(t.Context(), logger); err != nil {
			t.Fatalf("listening for changes: %v", err)
		}
	}
	s.Usage = usage.New(s.DB.Ent, logger)
	s.Handler, s.Metrics = handlers(s.DB, cfg, logger, s.Usage)
	return s
}

// handlers builds the real handlers as engage serve does. It is the one
// place tests build them.
func handlers(db *database.DB, cfg config.Config, logger *slog.Logger, rec *usage.Recorder) (site, metricsOnly http.Handler) {
	return server.NewWithMetrics(server.Deps{DB: db, Config: cfg, Logger: logger, Sessions: session.NewManager(db.Ent, cfg.SecureCookies), Usage: rec})
}
