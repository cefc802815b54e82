package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestMetricsCountRequestsByRoute checks GET /metrics: Prometheus text with
// the requests answered so far by route (the pattern matched, never the
// path a client sent), the GraphQL line of operations, the database pool
// and the Go runtime, and no token secret.
func TestMetricsCountRequestsByRoute(t *testing.T) {
	h := newHarness(t)
	secret := h.admin()
	h.mustDo(secret, `{ viewer { user { id } } }`, nil, nil)
	h.mustDo(secret, `{ viewer { user { id } } }`, nil, nil)
	for _, path := range []string{"/healthz", "/no/such/page-123"} {
		h.handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}

	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	h.handler.ServeHTTP(rec, req)
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
