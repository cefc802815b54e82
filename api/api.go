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
// /metrics is served too, unless Config.MetricsAddr moves it to a listener
// of its own (NewWithMetrics).
func New(d Deps) http.Handler {
	h, _ := NewWithMetrics(d)
	return h
}

// NewWithMetrics is New, and also returns the handler of /metrics, for the
// listener of Config.MetricsAddr. Both ask for Config.MetricsToken, when
// set, as a Bearer token.
func NewWithMetrics(d Deps) (api, metricsOnly http.Handler) {
	d.Logger = slog.New(redacting{d.Logger.Handler()}) // no secret reaches a log line
	outage := newQuietLog(d.Logger, outageLogInterval)
	refused := newRefusals()
	// The session manager answers for itself when a session cannot be
	// loaded: as the API does, 503 while the database is unavailable.
	d.Sessions.ErrorFunc = sessionError(d.Logger, outage)
	auth := newAuthenticator(d.DB.Ent, d.Sessions, d.Usage, d.DB.Changes, d.Logger, outage)
	auth.counted = refused
	operations := newOperationLimit(d.Config.MaxConcurrentOperations)
	metrics := newMetrics(d.DB, operations)
	metrics.registry.MustRegister(refused.counter)
	mux := http.NewServeMux()
	mux.Handle("/graphql", limitBody(d.Config.MaxBodyBytes, refused, auth.require(withUnavailableStatus(newGraphQL(d.DB, d.Config, d.Logger, operations, outage, refused)))))
	metricsHandler := requireMetricsToken(d.Config.MetricsToken, metrics.handler())
	if d.Config.MetricsAddr == "" {
		mux.Handle("GET /metrics", metricsHandler)
	}
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
		ExposedHeaders: []string{"X-Request-Id", "Retry-After"}, // for browser code to quote and to wait
		MaxAge:         600,
	})
	proxies, _ := d.Config.TrustedProxyRanges() // Config.Validate has checked them
	metricsMux := http.NewServeMux()
	metricsMux.Handle("GET /metrics", metricsHandler)
	return withClientIP(proxies, withRequestLog(d.Logger, metrics.instrument(mux, c.Handler(d.Sessions.LoadAndSave(web.CSRF(mux)))))), metricsMux
}

func newGraphQL(db *database.DB, cfg config.Config, logger *slog.Logger, operations operationLimit, outage *quietLog, refused refusals) http.Handler {
	es := graph.NewSchema(db.Ent, cfg.TokenMaxLifetime)
	srv := handler.New(es)
	srv.AddTransport(Transport{})
	cache := queryCache{lru.New[*ast.QueryDocument](1000)}
	srv.SetQueryCache(cache)
	srv.SetParserTokenLimit(parserTokenLimit)
	// No extension here may intercept fields (graphql.FieldInterceptor):
	// the fields that codegen/gqlgen resolves directly skip that chain.
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	// After the persisted query is looked up, before the query is parsed.
	srv.Use(expansionLimit{cache: cache, tokenLimit: parserTokenLimit, max: cfg.MaxComplexity})
	srv.Use(depthLimit{max: cfg.MaxDepth})
	srv.Use(limits{es: es, maxComplexity: cfg.MaxComplexity})
	srv.Use(filterLimit{schema: es.Schema(), maxDepth: cfg.MaxFilterDepth, maxPredicates: cfg.MaxFilterPredicates})
	srv.Use(cursorCheck{})
	// Before the transactioner: an operation waiting for its turn holds no
	// transaction.
	srv.Use(operations)
	srv.Use(transactionErrors{}) // around the transactioner, whose errors it codes
	srv.Use(transactions{entgql.Transactioner{TxOpener: txOpener(db, logger, outage)}})
	srv.SetErrorPresenter(presentError(logger, outage, refused))
	srv.SetRecoverFunc(recoverPanic(logger))
	return srv
}

// txOpener opens the transaction of a mutation, and hides why it could not
// (the driver's message can name hosts and users) behind a retryable error;
// the same for its commit (committingTx).
func txOpener(db *database.DB, logger *slog.Logger, outage *quietLog) entgql.TxOpener {
	return entgql.TxOpenerFunc(func(ctx context.Context) (context.Context, driver.Tx, error) {
		txCtx, tx, err := db.Ent.OpenTx(ctx)
		if err != nil {
			markUnavailable(ctx)
			outage.Error(ctx, "opening a transaction failed", err)
			return ctx, nil, errUnavailable
		}
		return txCtx, committingTx{Tx: tx, ctx: ctx, logger: logger, outage: outage}, nil
	})
}

// limitBody refuses request bodies larger than max bytes: at once when
// Content-Length says so, and otherwise when reading passes the limit
// (Transport answers that read error with the same 413).
func limitBody(max int64, refused refusals, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			refused.add(refusedBodyTooBig)
			errBodyTooLarge.write(w, responseContentType(r.Header.Get("Accept")))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		next.ServeHTTP(w, r)
	})
}
