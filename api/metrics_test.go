package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"engage/config"
	"engage/internal/apitest"
)

// TestMetricsCountRequestsByRoute checks GET /metrics: Prometheus text with
// the requests answered so far by route (the pattern matched, never the
// path a client sent), the GraphQL line of operations, the database pool
// and the Go runtime, and no token secret.
func TestMetricsCountRequestsByRoute(t *testing.T) {
	h := apitest.New(t)
	secret := h.Admin()
	h.MustDo(secret, `{ viewer { user { id } } }`, nil, nil)
	h.MustDo(secret, `{ viewer { user { id } } }`, nil, nil)
	for _, path := range []string{"/healthz", "/no/such/page-123"} {
		h.Handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}

	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	h.Handler.ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, want := range []string{
		`engage_http_request_duration_seconds_count{code="200",method="post",route="/graphql"} 2`,
		`engage_http_request_duration_seconds_count{code="200",method="get",route="GET /healthz"} 1`,
		`engage_http_request_duration_seconds_count{code="404",method="get",route="unmatched"} 1`,
		"engage_graphql_operations_running 0",
		"engage_graphql_operations_waiting 0",
		"go_sql_max_open_connections",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("GET /metrics lacks %q", want)
		}
	}
	for _, never := range []string{secret, "no/such", "page-123"} {
		if strings.Contains(body, never) {
			t.Errorf("GET /metrics shows %q", never)
		}
	}
}

// TestMetricsOffThePublicListener moves /metrics to a handler of its own
// (ENGAGE_METRICS_ADDR) behind a token (ENGAGE_METRICS_TOKEN), and reads
// there the refused requests counted by reason.
func TestMetricsOffThePublicListener(t *testing.T) {
	h := apitest.NewWith(t, apitest.Options{Configure: func(c *config.Config) {
		c.MetricsAddr, c.MetricsToken, c.MaxDepth = "127.0.0.1:0", "metrics-secret", 3
	}})
	secret := h.Admin()
	public, metrics := h.Handler, h.Metrics
	get := func(handler http.Handler, auth string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		return rec
	}
	if rec := get(public, "Bearer metrics-secret"); rec.Code != http.StatusNotFound {
		t.Errorf("GET /metrics on the public handler: got %d, want 404", rec.Code)
	}
	for _, auth := range []string{"", "Bearer " + secret, "Bearer metrics-secre"} {
		if rec := get(metrics, auth); rec.Code != http.StatusUnauthorized {
			t.Errorf("GET /metrics with %q: got %d, want 401", auth, rec.Code)
		}
	}

	post := func(secret, body string) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if secret != "" {
			req.Header.Set("Authorization", "Bearer "+secret)
		}
		public.ServeHTTP(httptest.NewRecorder(), req)
	}
	post("", `{"query": "{ __typename }"}`)
	post("eng_x", `{"query": "{ __typename }"}`)
	post(secret, `{"query": "{ projects { edges { node { surveys { edges { node { id } } } } } } }"}`)
	post(secret, `{"query": "{ projects(after: \"x\") { totalCount } }"}`)
	post(secret, `{"query": "{ nope }"}`)

	rec := get(metrics, "Bearer metrics-secret")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics with the token: got %d", rec.Code)
	}
	for _, want := range []string{
		`engage_requests_refused_total{reason="unauthenticated_missing"} 1`,
		`engage_requests_refused_total{reason="unauthenticated_malformed_token"} 1`,
		`engage_requests_refused_total{reason="limit_depth"} 1`,
		`engage_requests_refused_total{reason="bad_input"} 1`,
		`engage_requests_refused_total{reason="validation_failed"} 1`,
		`engage_requests_refused_total{reason="unauthenticated_revoked"} 0`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET /metrics lacks %q", want)
		}
	}
}
