package server

import (
	"context"
	"crypto/subtle"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"engage/database"
)

// metrics are the server's Prometheus metrics, served at GET /metrics: the
// Go runtime and the process, the database pool, every HTTP request by
// route, method and status, and what package api registers (refused
// requests by reason, GraphQL operations running and waiting). No label holds anything a client chose (a route is
// the pattern a request matched), so their number stays bounded, and none
// holds a secret.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.HistogramVec
}

func newMetrics(db *database.DB) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "engage_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route (the pattern it matched, or unmatched), method and status code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "code"}),
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(db.SQL, db.Dialect),
		m.requests,
	)
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

type routeKey struct{}

// instrument times every request that next answers, labelled with the
// pattern of mux that the request matches.
func (m *metrics) instrument(mux *http.ServeMux, next http.Handler) http.Handler {
	timed := promhttp.InstrumentHandlerDuration(m.requests, next,
		promhttp.WithLabelFromCtx("route", func(ctx context.Context) string { return ctx.Value(routeKey{}).(string) }))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, route := mux.Handler(r)
		if route == "" {
			route = "unmatched"
		}
		timed.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), routeKey{}, route)))
	})
}

// requireMetricsToken serves next only to requests with the bearer token,
// when there is one: scrapers send it (Prometheus's authorization setting),
// other callers of a public listener get 401.
func requireMetricsToken(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="engage-metrics"`)
			writeText(w, http.StatusUnauthorized, "the metrics token is required")
			return
		}
		next.ServeHTTP(w, r)
	})
}
