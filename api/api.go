// Package api builds Engage's HTTP handler: the GraphQL endpoint with its
// limits and error mapping, and the health endpoints.
package api

import (
	"context"
	"database/sql/driver"
	"log/slog"
	"net/http"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/alexedwards/scs/v2"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"

	"engage/config"
	"engage/database"
	"engage/graph"
	"engage/usage"
	"engage/web"
)

// parserTokenLimit bounds the work of parsing one query, before any limit
// that needs a parsed query can apply.
const parserTokenLimit = 15000

// Deps are what the API needs from the rest of the program.
type Deps struct {
	DB       *database.DB
	Config   config.Config
	Logger   *slog.Logger
	Sessions *scs.SessionManager
	Usage    *usage.Recorder
}

// New returns the HTTP handler of the whole API: GraphQL for callers with an
// API token or a login session, the login pages, and the health endpoints.
// Every cookie-authenticated POST is checked against cross-site forgery.
func New(d Deps) http.Handler {
	auth := newAuthenticator(d.DB.Ent, d.Sessions, d.Usage, d.DB.Changes, d.Logger)
	operations := newOperationLimit(d.Config.MaxConcurrentOperations)
	metrics := newMetrics(d.DB, operations)
	mux := http.NewServeMux()
	mux.Handle("/graphql", limitBody(d.Config.MaxBodyBytes, auth.require(newGraphQL(d.DB, d.Config, d.Logger, operations))))
	mux.Handle("GET /metrics", metrics.handler())
	web.NewPages(d.DB.Ent, d.Sessions, d.Logger).Routes(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := d.DB.Ping(ctx); err != nil {
			d.Logger.Warn("readiness check failed", "error", err)
			writeText(w, http.StatusServiceUnavailable, "database unreachable")
			return
		}
		writeText(w, http.StatusOK, "ok")
	})
	c := cors.New(cors.Options{
		AllowedOrigins: d.Config.CORSOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		AllowedHeaders: []string{"Authorization", "Content-Type"},
		MaxAge:         600,
	})
	proxies, _ := d.Config.TrustedProxyRanges() // Config.Validate has checked them
	return withClientIP(proxies, withRequestLog(d.Logger, metrics.instrument(mux, c.Handler(d.Sessions.LoadAndSave(web.CSRF(mux))))))
}

func newGraphQL(db *database.DB, cfg config.Config, logger *slog.Logger, operations operationLimit) http.Handler {
	es := graph.NewSchema(db.Ent, cfg.TokenMaxLifetime)
	srv := handler.New(es)
	srv.AddTransport(Transport{})
	srv.SetQueryCache(queryCache{lru.New[*ast.QueryDocument](1000)})
	srv.SetParserTokenLimit(parserTokenLimit)
	// No extension here may intercept fields (graphql.FieldInterceptor):
	// the fields that graph/generate resolves directly skip that chain.
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	srv.Use(depthLimit{max: cfg.MaxDepth})
	srv.Use(limits{es: es, maxComplexity: cfg.MaxComplexity})
	// Before the transactioner: an operation waiting for its turn holds no
	// transaction.
	srv.Use(operations)
	srv.Use(transactions{entgql.Transactioner{TxOpener: txOpener(db, logger)}})
	srv.SetErrorPresenter(presentError(logger))
	srv.SetRecoverFunc(recoverPanic(logger))
	return srv
}

// txOpener opens the transaction of a mutation, and hides why it could not
// (the driver's message can name hosts and users) behind a retryable error.
func txOpener(db *database.DB, logger *slog.Logger) entgql.TxOpener {
	return entgql.TxOpenerFunc(func(ctx context.Context) (context.Context, driver.Tx, error) {
		ctx, tx, err := db.Ent.OpenTx(ctx)
		if err != nil {
			logger.ErrorContext(ctx, "opening a transaction failed", "error", err, "request_id", requestID(ctx))
			return ctx, nil, errUnavailable
		}
		return ctx, tx, nil
	})
}

// limitBody refuses request bodies larger than max bytes: at once when
// Content-Length says so, and otherwise when reading passes the limit
// (Transport answers that read error with the same 413).
func limitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			errBodyTooLarge.write(w, responseContentType(r.Header.Get("Accept")))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		next.ServeHTTP(w, r)
	})
}
