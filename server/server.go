// Package server composes Engage's whole HTTP handler, in one place: the
// GraphQL API (package api) at /graphql, the web pages (package web), the
// health checks and /metrics on one mux, inside the middleware that every
// request passes through.
package server

import (
	"log/slog"
	"net/http"

	"github.com/alexedwards/scs/v2"
	"github.com/rs/cors"

	"engage/api"
	"engage/clientip"
	"engage/config"
	"engage/database"
	"engage/export"
	"engage/redact"
	"engage/requestlog"
	"engage/usage"
	"engage/web"
)

// Deps are what the server needs from the rest of the program.
type Deps struct {
	DB       *database.DB
	Config   config.Config
	Logger   *slog.Logger
	Sessions *scs.SessionManager
	Usage    *usage.Recorder
}

// New returns the HTTP handler of the whole server. /metrics is served
// too, unless Config.MetricsAddr moves it to a listener of its own
// (NewWithMetrics).
func New(d Deps) http.Handler {
	h, _ := NewWithMetrics(d)
	return h
}

// NewWithMetrics is New, and also returns the handler of /metrics alone,
// for the listener of Config.MetricsAddr. Both ask for Config.MetricsToken,
// when set, as a Bearer token.
//
// A request passes, in this order: the client's address (clientip), the
// request log, the metrics of its route, CORS, its login session, the
// protection against cross-site forgery, and then the handler of its
// route.
func NewWithMetrics(d Deps) (site, metricsOnly http.Handler) {
	logger := redact.Logger(d.Logger) // no secret reaches a log line
	metrics := newMetrics(d.DB)
	graphQL := api.New(api.Deps{DB: d.DB, Config: d.Config, Logger: logger, Sessions: d.Sessions, Usage: d.Usage, Metrics: metrics.registry})
	// The session manager answers for itself when a session cannot be
	// loaded: as the API does, 503 while the database is unavailable.
	d.Sessions.ErrorFunc = graphQL.SessionError

	mux := http.NewServeMux()
	mux.Handle("/graphql", graphQL)
	mux.Handle("/exports/", graphQL.Authenticated(export.New(d.DB.Ent, logger, graphQL.CheckWhere)))
	web.NewPages(web.Deps{
		Client: d.DB.Ent, Sessions: d.Sessions, GraphQL: graphQL.Runner(), Logger: logger, TokenMaxLifetime: d.Config.TokenMaxLifetime,
	}).Routes(mux)
	// The site's root leads to the pages: the documentation, by way of the
	// login page for a visitor who is not signed in.
	mux.Handle("GET /{$}", http.RedirectHandler(web.DefaultNext, http.StatusSeeOther))
	mux.HandleFunc("GET /healthz", healthz)
	mux.Handle("GET /readyz", readyz(d.DB, logger))
	metricsHandler := requireMetricsToken(d.Config.MetricsToken, metrics.handler())
	if d.Config.MetricsAddr == "" {
		mux.Handle("GET /metrics", metricsHandler)
	}
	metricsMux := http.NewServeMux()
	metricsMux.Handle("GET /metrics", metricsHandler)

	proxies, _ := d.Config.TrustedProxyRanges() // Config.Validate has checked them
	// From the innermost to the outermost.
	var h http.Handler = protectFromCSRF(mux)
	h = d.Sessions.LoadAndSave(h)
	h = allowOrigins(d.Config.CORSOrigins).Handler(h)
	h = metrics.instrument(mux, h)
	h = requestlog.Handler(logger, h)
	h = clientip.Trust(proxies).Handler(h)
	return h, metricsMux
}

// allowOrigins lets browser code on origins read the API's responses.
func allowOrigins(origins []string) *cors.Cors {
	return cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		AllowedHeaders: []string{"Authorization", "Content-Type"},
		ExposedHeaders: []string{"X-Request-Id", "Retry-After"}, // for browser code to quote and to wait
		MaxAge:         600,
	})
}
