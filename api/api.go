// Package api is Engage's GraphQL API: the /graphql endpoint with its
// transport, limits, authentication of callers and error coding, and the
// same executor run in process for the web pages (Operations). Package
// server mounts it with the rest of the site.
package api

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"log/slog"
	"net/http"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"engage/config"
	"engage/database"
	"engage/graph"
	"engage/usage"
)

// parserTokenLimit bounds the work of parsing one query, before any limit
// that needs a parsed query can apply.
const parserTokenLimit = 15000

// Deps are what the API needs from the rest of the program.
type Deps struct {
	DB     *database.DB
	Config config.Config
	// Logger should mask secrets, as redact.Logger does: resolvers' errors
	// are logged as they are.
	Logger *slog.Logger
	// Sessions authenticate callers without a token; the caller wraps the
	// handler in Sessions.LoadAndSave.
	Sessions *scs.SessionManager
	Usage    *usage.Recorder
	// Metrics, when set, registers the API's own metrics: requests refused
	// by reason, operations running and waiting their turn.
	Metrics prometheus.Registerer
}

// API serves GraphQL over HTTP (ServeHTTP) and runs operations in process
// (Operations), both through one executor: the same limits, line of
// operations, transactions and error coding.
type API struct {
	exec   *executor.Executor
	auth   *authenticator
	http   http.Handler
	logger *slog.Logger
	outage *quietLog
	// filters limits where-filters given outside an operation (CheckWhere).
	filters filterLimit
	// authenticated wraps the routes of the API (Authenticated).
	authenticated func(http.Handler) http.Handler
}

// New returns the API.
func New(d Deps) *API {
	outage := newQuietLog(d.Logger, outageLogInterval)
	refused := newRefusals()
	operations := newOperationLimit(d.Config.MaxConcurrentOperations)
	if d.Metrics != nil {
		d.Metrics.MustRegister(refused.counter)
		d.Metrics.MustRegister(operations.collectors()...)
	}
	a := &API{
		exec:   newExecutor(d.DB, d.Config, d.Logger, operations, outage, refused),
		auth:   newAuthenticator(d.DB.Ent, d.Sessions, d.Usage, d.DB.Changes, d.Logger, outage, refused),
		logger: d.Logger,
		outage: outage,
	}
	a.filters = filterLimit{schema: graph.NewSchema(d.DB.Ent, d.Config.TokenMaxLifetime).Schema(), maxDepth: d.Config.MaxFilterDepth, maxPredicates: d.Config.MaxFilterPredicates}
	a.authenticated = func(h http.Handler) http.Handler {
		return limitBody(d.Config.MaxBodyBytes, refused, a.auth.require(withUnavailableStatus(h)))
	}
	a.http = a.Authenticated(http.HandlerFunc(a.serveGraphQL))
	return a
}

// Authenticated wraps h, another route of the API (exports), as /graphql
// is wrapped: bodies over the limit and callers without a valid token or
// session are refused, and h runs with the caller's viewer.
func (a *API) Authenticated(h http.Handler) http.Handler { return a.authenticated(h) }

// CheckWhere applies the limits of where-filters to one filter given
// outside an operation (an export's where parameter), of the GraphQL input
// type inputType; name names it in the refusal.
func (a *API) CheckWhere(name string, where any, inputType string) *gqlerror.Error {
	return a.filters.checkWhere(name, where, inputType)
}

// ServeHTTP answers a request to /graphql: it refuses bodies over the
// limit and callers without a valid token or session, then runs the
// request through Transport.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.http.ServeHTTP(w, r) }

// serveGraphQL runs an authenticated request, as gqlgen's handler.Server
// does: a panic outside the resolvers (whose panics recoverPanic turns
// into errors) is answered with a generic internal error.
func (a *API) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			err := a.exec.PresentRecoveredError(r.Context(), p)
			gqlErr, _ := err.(*gqlerror.Error)
			body, _ := json.Marshal(graphql.Response{Errors: gqlerror.List{gqlErr}})
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write(body)
		}
	}()
	Transport{}.Do(w, r.WithContext(graphql.StartOperationTrace(r.Context())), a.exec)
}

func newExecutor(db *database.DB, cfg config.Config, logger *slog.Logger, operations operationLimit, outage *quietLog, refused refusals) *executor.Executor {
	es := graph.NewSchema(db.Ent, cfg.TokenMaxLifetime)
	exec := executor.New(es)
	cache := queryCache{lru.New[*ast.QueryDocument](1000)}
	exec.SetQueryCache(cache)
	exec.SetParserTokenLimit(parserTokenLimit)
	// No extension here may intercept fields (graphql.FieldInterceptor):
	// the fields that codegen/gqlgen resolves directly skip that chain.
	exec.Use(extension.Introspection{})
	exec.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	// After the persisted query is looked up, before the query is parsed.
	exec.Use(expansionLimit{cache: cache, tokenLimit: parserTokenLimit, max: cfg.MaxComplexity})
	exec.Use(depthLimit{max: cfg.MaxDepth})
	exec.Use(limits{es: es, maxComplexity: cfg.MaxComplexity})
	exec.Use(filterLimit{schema: es.Schema(), maxDepth: cfg.MaxFilterDepth, maxPredicates: cfg.MaxFilterPredicates})
	exec.Use(argumentCheck{})
	// Before the transactioner: an operation waiting for its turn holds no
	// transaction.
	exec.Use(operations)
	exec.Use(transactionErrors{}) // around the transactioner, whose errors it codes
	exec.Use(transactions{entgql.Transactioner{TxOpener: txOpener(db, logger, outage)}})
	exec.Use(aggregateLoads{})
	exec.SetErrorPresenter(presentError(logger, outage, refused))
	exec.SetRecoverFunc(recoverPanic(logger))
	return exec
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
